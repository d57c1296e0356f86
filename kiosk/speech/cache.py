"""Spoken phrases kept as WAV files: each made once, the least recently used evicted.

The queue server speaks the same few sentences all day (hall announcements, the
console's read-out), so each phrase is synthesised once and kept under
``<data dir>/display-speech``.  Beyond ``MAX_CACHED_PHRASES`` files the least
recently used are deleted, so a server running for months keeps a bounded cache.
The defaults are the server's; another user passes its own rate and size.

The server synthesises with the process's pyttsx3 engine, kept warm on the
engine thread: a phrase takes ~13 ms and no process is started (under gevent
starting one stalls the event loop), and at one fixed rate pyttsx3 loses nothing
(0 of 40 phrases).  The kiosk prefers the espeak-ng program because it changes
rate with each visitor, which pyttsx3's espeak driver handles badly.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from kiosk.speech.engine import ENGINE_WORKER, SpeechUnavailable
from kiosk.speech.synthesis import Pyttsx3Engine, Synthesizer, synthesize

CACHE_DIR_NAME = "display-speech"  # under the server's data directory
MAX_CACHED_PHRASES = 800  # about 100 KB each
SERVER_RATE_WPM = 165  # a little slower than espeak's 175 (a hall echoes), quick enough for a burst of calls
PHRASE_TIMEOUT_S = 20.0  # a request waits no longer for its phrase


@dataclass(frozen=True)
class Phrase:
    """One sentence to be spoken, in one language."""

    language: str
    text: str


class PhraseCache:
    """Spoken phrases as WAV files in one directory, made once each."""

    def __init__(self, directory: Path, *, rate: int = SERVER_RATE_WPM,
                 max_phrases: int = MAX_CACHED_PHRASES, timeout_s: float = PHRASE_TIMEOUT_S,
                 synthesizer: Synthesizer | None = None) -> None:
        self.directory = directory
        self.rate = rate
        self.max_phrases = max_phrases
        self.timeout_s = timeout_s
        self.synthesizer = synthesizer if synthesizer is not None else Pyttsx3Engine()

    def path_of(self, phrase: Phrase) -> Path:
        raw = f"{phrase.language}|{self.rate}|{phrase.text}".encode()
        return self.directory / f"{hashlib.sha256(raw).hexdigest()[:32]}.wav"

    def wav_for(self, phrase: Phrase) -> Path:
        """The phrase's WAV file, synthesised on first use.

        Raises SpeechUnavailable (no engine, no voice, no such language) or TimeoutError.
        """
        path = self.path_of(phrase)
        if path.exists():
            with contextlib.suppress(OSError):  # evicted meanwhile: synthesise again below
                os.utime(path)  # recently used: evicted last
                return path
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            return ENGINE_WORKER.run(self._make, phrase, path, timeout=self.timeout_s)
        except (SpeechUnavailable, TimeoutError):
            raise
        except Exception as error:  # an unknown language, a full disk: no speech, same as no engine
            raise SpeechUnavailable(str(error)) from error

    def _make(self, phrase: Phrase, path: Path) -> Path:
        """On the engine's thread, so two requests for one phrase make it once."""
        if path.exists():  # another request asked for the same phrase first
            return path
        partial = path.with_name(path.stem + ".part.wav")
        try:
            synthesize(phrase.text, phrase.language, partial, rate=self.rate, synthesizer=self.synthesizer)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        evict_least_recently_used(self.directory, keep=self.max_phrases)
        return path


def evict_least_recently_used(directory: Path, keep: int) -> None:
    """Delete all but the ``keep`` WAV files used last (a hit touches its file)."""
    files = sorted(directory.glob("*.wav"), key=lambda path: path.stat().st_mtime)
    for path in files[:max(0, len(files) - keep)]:
        path.unlink(missing_ok=True)

