"""Local speech for the kiosk: espeak-ng voices, never an online service.

One ``Speaker`` owns one worker thread; only that thread synthesises. Speech is
written to a WAV file and played by a player the Speaker owns (``aplay`` on
Linux, ``winsound`` on Windows, ``afplay`` on macOS), so speech can be cut off at
once and a kiosk without a sound card only logs.

Synthesis runs the espeak-ng program where it is installed (Linux kiosks) and
the process's one pyttsx3 engine elsewhere; see EspeakCommand for why.

Queueing: ``say()`` is for a screen that speaks its content. The newest call
wins: it cuts off what is being spoken and drops what was waiting, because a
visitor who has already tapped on must not hear the previous screen.
``say(..., queue=True)`` appends instead (for a sentence that follows another).
"""

from __future__ import annotations

import logging
import platform
import shutil
import subprocess
import tempfile
import threading
import wave
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import cache
from itertools import count
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"ru": "russian", "tt": "tatar", "en": "english"}
SYNTHESIS_TIMEOUT_S = 30.0
SYNTHESIS_ATTEMPTS = 3
WAV_HEADER_BYTES = 44
MIN_RATE, MAX_RATE = 50, 450  # words per minute
ESPEAK_SLOWEST = 80  # espeak-ng speaks no slower; slower rates stretch the pauses

# pyttsx3.init() returns one engine per driver for the whole process; several
# Speakers (tests, a preview tool) take turns through this lock.
_ENGINE_LOCK = threading.Lock()


class SpeechUnavailable(RuntimeError):
    """No speech engine or no voice for the language on this machine."""


class AudioUnavailable(RuntimeError):
    """The player could not play (no sound card, no player program)."""


class AudioPlayer(Protocol):
    def play(self, path: Path) -> None:
        """Play a WAV file; block until it ends or ``stop()`` is called."""

    def stop(self) -> None:
        """End the current playback now; safe to call from any thread."""


class CommandPlayer:
    """Plays with a command-line program (``aplay -q FILE``)."""

    def __init__(self, command: list[str]) -> None:
        self.command = command
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def play(self, path: Path) -> None:
        with self._lock:
            self._process = subprocess.Popen(
                [*self.command, str(path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            process = self._process
        _, error = process.communicate()
        with self._lock:
            self._process = None
        if process.returncode > 0:  # negative: we terminated it on purpose
            reason = error.decode(errors="replace").strip()
            raise AudioUnavailable(f"{self.command[0]} failed: {reason}")

    def stop(self) -> None:
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                self._process.terminate()


class WindowsPlayer:
    """Plays with the standard library's winsound: asynchronously, so stop() can end it."""

    def __init__(self) -> None:
        self._stopped = threading.Event()

    def play(self, path: Path) -> None:
        import winsound

        with wave.open(str(path), "rb") as wav:
            seconds = wav.getnframes() / wav.getframerate()
        self._stopped.clear()
        try:
            winsound.PlaySound(str(path), winsound.SND_FILENAME | winsound.SND_ASYNC)
        except RuntimeError as error:
            raise AudioUnavailable(str(error)) from error
        self._stopped.wait(seconds + 0.2)  # PlaySound gives no "finished" signal

    def stop(self) -> None:
        import winsound

        self._stopped.set()
        winsound.PlaySound(None, 0)


def default_player() -> AudioPlayer | None:
    """The system's way to play a WAV file, or None when there is none."""
    system = platform.system()
    if system == "Windows":
        return WindowsPlayer()
    candidates = (["afplay"],) if system == "Darwin" else (["aplay", "-q"], ["paplay"])
    for command in candidates:
        if shutil.which(command[0]):
            return CommandPlayer(command)
    return None


def voice_for(language: str, voices: list | None = None) -> str:
    """The engine's voice id for ``language`` ("ru", "tt", "en").

    espeak-ng ids look like ``zle/ru``, ``trk/tt``, ``gmw/en`` (older ones are just
    ``russian``); Windows ids are registry paths with the name in the voice's name.
    """
    if language not in LANGUAGE_NAMES:
        raise ValueError(f"no speech for language {language!r}; one of {sorted(LANGUAGE_NAMES)}")
    voices = installed_voices() if voices is None else voices
    for matches in _VOICE_RULES:
        for voice in voices:
            if matches(voice, language):
                return voice.id
    raise SpeechUnavailable(f"no {LANGUAGE_NAMES[language]} voice installed")


def _id_tail(voice) -> str:
    return str(voice.id).replace("\\", "/").rsplit("/", 1)[-1].lower()


def _languages(voice) -> list[str]:
    return [str(code).lower().replace("_", "-") for code in (voice.languages or [])]


_VOICE_RULES = (
    lambda voice, code: _id_tail(voice) in (code, LANGUAGE_NAMES[code]),
    lambda voice, code: code in _languages(voice),
    lambda voice, code: any(lang.startswith(code + "-") for lang in _languages(voice)),
    lambda voice, code: LANGUAGE_NAMES[code] in str(voice.name).lower(),
)


@cache
def installed_voices() -> list:
    with _ENGINE_LOCK:
        return list(_engine().getProperty("voices"))


_engines: list = []  # a strong reference: pyttsx3 keeps engines only weakly


def _engine():
    """The process's pyttsx3 engine; call with _ENGINE_LOCK held."""
    if not _engines:
        try:
            import pyttsx3

            _engines.append(pyttsx3.init())
        except Exception as error:  # a missing libespeak-ng shows up as many kinds of error
            raise SpeechUnavailable(f"speech engine failed to start: {error}") from error
    return _engines[0]


class Synthesizer(Protocol):
    def synthesize(self, text: str, voice: str, rate: int, volume: float, path: Path) -> Path:
        """Write ``text`` spoken with ``voice`` to a WAV file at ``path``."""


class EspeakCommand:
    """espeak-ng's own program, one process per text.

    Preferred where espeak-ng is installed: pyttsx3 2.99's espeak driver loses
    texts and queued rate changes (measured: up to half of the texts lost even
    after retries, some spoken at the wrong rate; docs/performance.md, "Kiosk: ticket printing and speech"),
    while a process per text shares no state and writes the same 22,050 Hz mono WAV.
    """

    def __init__(self, program: str = "espeak-ng") -> None:
        self.program = program

    def synthesize(self, text: str, voice: str, rate: int, volume: float, path: Path) -> Path:
        amplitude = round(volume * 100)  # espeak-ng: 0-200, 100 is normal
        speed = max(rate, ESPEAK_SLOWEST)
        command = [self.program, "-v", voice, "-s", str(speed), "-a", str(amplitude), "-b", "1"]
        command += ["-g", str(word_gap_units(rate))]
        try:
            result = subprocess.run(
                [*command, "-w", str(path), "--stdin"],
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=SYNTHESIS_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise SpeechUnavailable(f"{self.program} failed: {error}") from error
        if result.returncode != 0 or not _has_audio(path):
            reason = result.stderr.decode(errors="replace").strip()
            raise SpeechUnavailable(f"{self.program} wrote no audio to {path}: {reason}")
        return path


def word_gap_units(rate: int) -> int:
    """Pause between words for rates below espeak-ng's slowest speed, 80 wpm.

    At 80 wpm a word takes ~0.75 s and one gap unit adds ~40 ms (measured), so a
    slower rate is reached by stretching the pauses.
    """
    if rate >= ESPEAK_SLOWEST:
        return 0
    extra_seconds = (ESPEAK_SLOWEST / rate - 1) * 0.75
    return round(extra_seconds / 0.04)


class Pyttsx3Engine:
    """The process's one pyttsx3 engine (SAPI5 on Windows, NSSS on macOS, espeak elsewhere).

    Waits for the engine's own "finished" notice and tries again when a text was
    dropped, which pyttsx3's espeak driver does on a busy machine.
    """

    def synthesize(self, text: str, voice: str, rate: int, volume: float, path: Path) -> Path:
        with _ENGINE_LOCK:
            engine = _engine()
            for _ in range(SYNTHESIS_ATTEMPTS):
                if _synthesis_attempt(engine, text, (voice, rate, volume), path):
                    return path
                log.info("speech engine dropped a text; trying again")
        raise SpeechUnavailable(f"the speech engine wrote no audio to {path}")


def default_synthesizer() -> Synthesizer:
    program = shutil.which("espeak-ng")
    return EspeakCommand(program) if program else Pyttsx3Engine()


def _has_audio(path: Path) -> bool:
    return path.exists() and path.stat().st_size > WAV_HEADER_BYTES


def _synthesis_attempt(engine, text: str, settings: tuple[str, int, float], path: Path) -> bool:
    voice, rate, volume = settings
    finished = threading.Event()
    outcome: dict = {}

    def on_finished(name=None, completed=False, **_ignored) -> None:
        outcome["completed"] = completed
        finished.set()

    token = engine.connect("finished-utterance", on_finished)
    try:
        path.unlink(missing_ok=True)
        engine.setProperty("voice", voice)
        engine.setProperty("rate", rate)
        engine.setProperty("volume", volume)
        engine.save_to_file(text, str(path))
        engine.runAndWait()
        finished.wait(SYNTHESIS_TIMEOUT_S)
    finally:
        engine.disconnect(token)
    return bool(outcome.get("completed")) and _has_audio(path)


@dataclass
class _Utterance:
    text: str
    language: str
    generation: int


@dataclass
class _Synthesis:
    text: str
    language: str
    path: Path
    done: Future = field(default_factory=Future)


_CLOSE = object()


class Speaker:
    """Speaks kiosk texts on a worker thread; every method returns at once except synthesis."""

    def __init__(
        self,
        rate: int = 130,
        volume: float = 1.0,
        enabled: bool = True,
        player: AudioPlayer | None = None,
        synthesizer: Synthesizer | None = None,
    ) -> None:
        self.enabled = enabled
        self._synthesizer = synthesizer if synthesizer is not None else default_synthesizer()
        self._rate = self._checked_rate(rate)
        self._volume = self._checked_volume(volume)
        self._player = player if player is not None else (default_player() if enabled else None)
        self._jobs: deque = deque()
        self._wake = threading.Condition()
        self._generation = 0
        self._closed = False
        self._warned_audio = False
        self._file_numbers = count()
        self._work_dir = Path(tempfile.mkdtemp(prefix="kiosk-speech-"))
        self._thread = threading.Thread(target=self._work, name="kiosk-speech", daemon=True)
        self._thread.start()

    # --- called from the UI ---------------------------------------------------------------

    def say(self, text: str, language: str, *, queue: bool = False) -> None:
        """Speak ``text`` soon; cuts off current speech unless ``queue``. Never raises."""
        if not self.enabled or not text.strip() or self._closed:
            return
        with self._wake:
            if not queue:
                self._cancel_locked()
            self._jobs.append(_Utterance(text, language, self._generation))
            self._wake.notify()

    def stop(self) -> None:
        """Silence: drop what waits and cut off what is being spoken."""
        with self._wake:
            self._cancel_locked()

    def set_rate(self, wpm: int) -> None:
        self._rate = self._checked_rate(wpm)

    def set_volume(self, volume: float) -> None:
        self._volume = self._checked_volume(volume)

    @property
    def rate(self) -> int:
        return self._rate

    @property
    def volume(self) -> float:
        return self._volume

    def synthesize_to_file(self, text: str, language: str, path: str | Path) -> Path:
        """Write ``text`` spoken in ``language`` to a WAV file (22,050 Hz mono); blocks."""
        if not text.strip():
            raise ValueError("nothing to say: the text is empty")
        if self._closed:
            raise RuntimeError("the speaker is closed")
        job = _Synthesis(text, language, Path(path))
        with self._wake:
            self._jobs.append(job)
            self._wake.notify()
        return job.done.result(timeout=SYNTHESIS_TIMEOUT_S)

    def close(self) -> None:
        """Stop speaking and end the worker thread."""
        if self._closed:
            return
        with self._wake:
            self._cancel_locked()
            self._closed = True
            self._jobs.append(_CLOSE)
            self._wake.notify()
        self._thread.join(timeout=SYNTHESIS_TIMEOUT_S)
        shutil.rmtree(self._work_dir, ignore_errors=True)

    def __enter__(self) -> Speaker:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # --- the worker thread ------------------------------------------------------------------

    def _cancel_locked(self) -> None:
        self._generation += 1
        self._jobs = deque(job for job in self._jobs if not isinstance(job, _Utterance))
        if self._player is not None:
            self._player.stop()

    def _next_job(self):
        with self._wake:
            while not self._jobs:
                self._wake.wait()
            return self._jobs.popleft()

    def _work(self) -> None:
        while (job := self._next_job()) is not _CLOSE:
            if isinstance(job, _Synthesis):
                try:
                    job.done.set_result(self._synthesize(job.text, job.language, job.path))
                except Exception as error:
                    job.done.set_exception(error)
            else:
                self._speak(job)

    def _speak(self, utterance: _Utterance) -> None:
        if self._player is None:
            self._warn_audio_once("no audio player found; speech is shown only")
            return
        path = self._work_dir / f"utterance-{next(self._file_numbers)}.wav"
        try:
            if utterance.generation != self._generation:
                return
            self._synthesize(utterance.text, utterance.language, path)
            if utterance.generation != self._generation:
                return  # cancelled while synthesising
            self._player.play(path)
        except AudioUnavailable as error:
            self._warn_audio_once(f"cannot play speech: {error}")
        except Exception:  # speech must never take the kiosk down
            log.exception("speech failed for a %s text", utterance.language)
        finally:
            path.unlink(missing_ok=True)

    def _synthesize(self, text: str, language: str, path: Path) -> Path:
        voice = voice_for(language)
        return self._synthesizer.synthesize(text, voice, self._rate, self._volume, path)

    def _warn_audio_once(self, message: str) -> None:
        if not self._warned_audio:
            self._warned_audio = True
            log.warning(message)

    @staticmethod
    def _checked_rate(wpm: int) -> int:
        if not MIN_RATE <= wpm <= MAX_RATE:
            raise ValueError(f"speech rate {wpm} wpm is outside {MIN_RATE}-{MAX_RATE}")
        return int(wpm)

    @staticmethod
    def _checked_volume(volume: float) -> float:
        if not 0.0 <= volume <= 1.0:
            raise ValueError(f"volume {volume} is outside 0.0-1.0")
        return float(volume)
