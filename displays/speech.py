"""Announcement audio made on the server: a chime, then the call spoken by pyttsx3.

pyttsx3 gives every caller in a process the same engine, and two threads using it
lose files.  So one worker thread owns the engine and request threads hand it
phrases and wait.  Each phrase is synthesised once and kept as a WAV under
``<data dir>/display-speech``; the least recently used files are evicted beyond
``MAX_CACHED_PHRASES``, so a server running for months keeps a bounded cache.
No network is involved: espeak-ng voices (Linux) or SAPI voices (Windows).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from displays import pcm
from displays.announcements import Phrase

log = logging.getLogger(__name__)

CHIME_PATH = Path(__file__).resolve().parent.parent / "assets" / "sounds" / "chime.wav"
CACHE_DIR_NAME = "display-speech"
MAX_CACHED_PHRASES = 800  # about 100 KB each
SPEECH_RATE_WPM = 150  # a little slower than espeak's 175: a hall echoes
SYNTHESIS_TIMEOUT_S = 20.0
GAP_AFTER_CHIME_S = 0.25
GAP_BETWEEN_LANGUAGES_S = 0.6
LANGUAGE_NAMES = {"ru": "russian", "tt": "tatar", "en": "english"}


class SpeechUnavailable(RuntimeError):
    """No speech engine or no voice for a language on this machine."""


def voice_for(language: str, voices: list) -> str:
    """The engine's voice id for "ru", "tt" or "en" (espeak-ng ids look like "trk/tt")."""
    name = LANGUAGE_NAMES.get(language, language)
    for voice in voices:
        ident = str(voice.id)
        if ident == language or ident.endswith("/" + language):
            return ident
    for voice in voices:
        languages = [str(code).lower() for code in (getattr(voice, "languages", None) or [])]
        if any(code.startswith(language) for code in languages) or name in str(voice.name).lower():
            return str(voice.id)
    raise SpeechUnavailable(f"no voice for language {language!r}")


@dataclass
class _Job:
    text: str
    language: str
    path: Path
    done: Future


class _EngineWorker:
    """The one thread that touches the pyttsx3 engine in this process."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[_Job] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, job: _Job) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="display-speech", daemon=True)
                self._thread.start()
        self._jobs.put(job)

    def _run(self) -> None:
        engine, voices, failure = None, [], None
        try:
            import pyttsx3

            engine = pyttsx3.init()
            engine.setProperty("rate", SPEECH_RATE_WPM)
            voices = list(engine.getProperty("voices"))
        except Exception as error:  # no espeak-ng, no SAPI: every job fails the same way
            failure = SpeechUnavailable(f"speech engine unavailable: {error}")
        while True:
            job = self._jobs.get()
            if failure is not None:
                job.done.set_exception(failure)
                continue
            try:
                self._synthesise(engine, voices, job)
                job.done.set_result(job.path)
            except Exception as error:
                job.done.set_exception(error if isinstance(error, SpeechUnavailable)
                                       else SpeechUnavailable(str(error)))

    @staticmethod
    def _synthesise(engine, voices: list, job: _Job) -> None:
        if job.path.exists():  # another request asked for the same phrase first
            return
        engine.setProperty("voice", voice_for(job.language, voices))
        partial = job.path.with_name(job.path.stem + ".part.wav")
        # pyttsx3's espeak driver prints "Audio saved to ..." for every file.
        with contextlib.redirect_stdout(io.StringIO()):
            engine.save_to_file(job.text, str(partial))
            engine.runAndWait()
        if not partial.exists() or partial.stat().st_size <= 44:
            partial.unlink(missing_ok=True)
            raise SpeechUnavailable(f"no audio produced for a {job.language} phrase")
        os.replace(partial, job.path)
        _evict(job.path.parent, MAX_CACHED_PHRASES)


_WORKER = _EngineWorker()


def _evict(directory: Path, keep: int) -> None:
    files = sorted(directory.glob("*.wav"), key=lambda path: path.stat().st_mtime)
    for path in files[:max(0, len(files) - keep)]:
        path.unlink(missing_ok=True)


def phrase_key(phrase: Phrase) -> str:
    raw = f"{phrase.language}|{SPEECH_RATE_WPM}|{phrase.text}".encode()
    return hashlib.sha256(raw).hexdigest()[:32]


class PhraseCache:
    """Spoken phrases as WAV files in one directory, made once each."""

    def __init__(self, directory: Path):
        self.directory = directory

    def path_of(self, phrase: Phrase) -> Path:
        return self.directory / f"{phrase_key(phrase)}.wav"

    def wav_for(self, phrase: Phrase) -> Path:
        path = self.path_of(phrase)
        if path.exists():
            with contextlib.suppress(OSError):  # evicted meanwhile: synthesise again below
                os.utime(path)  # recently used: evicted last
                return path
        self.directory.mkdir(parents=True, exist_ok=True)
        done: Future = Future()
        _WORKER.submit(_Job(phrase.text, phrase.language, path, done))
        return done.result(timeout=SYNTHESIS_TIMEOUT_S)


def chime() -> pcm.Pcm:
    return pcm.read_wav(CHIME_PATH)


def announcement_audio(phrases: list[Phrase], cache: PhraseCache) -> tuple[bytes, bool]:
    """(WAV bytes, spoken): the chime and the phrases; the chime alone if speech fails.

    A hall that at least chimes and shows the number is better than a silent one.
    """
    parts = [chime()]
    rate = parts[0].rate
    try:
        for index, phrase in enumerate(phrases):
            parts.append(pcm.silence(rate, GAP_AFTER_CHIME_S if index == 0 else GAP_BETWEEN_LANGUAGES_S))
            parts.append(pcm.read_wav(cache.wav_for(phrase)))
    except (SpeechUnavailable, pcm.BadAudio, TimeoutError) as error:
        log.warning("announcement without speech: %s", error)
        return pcm.to_wav(parts[0]), False
    parts.append(pcm.silence(rate, 0.2))
    return pcm.to_wav(pcm.join(parts)), True
