"""The kiosk's voice: one Speaker speaks screen texts in order, newest first.

A Speaker owns one worker thread that synthesises (on the engine's thread, see
kiosk.speech.engine) and plays each text with its player (``aplay`` on Linux,
``winsound`` on Windows, ``afplay`` on macOS), so speech can be cut off at once
and a kiosk without a sound card only logs.

Queueing: ``say()`` is for a screen that speaks its content. The newest call
wins: it cuts off what is being spoken and drops what was waiting, because a
visitor who has already tapped on must not hear the previous screen.
``say(..., queue=True)`` appends instead (for a sentence that follows another).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

from kiosk.speech.engine import SYNTHESIS_TIMEOUT_S
from kiosk.speech.players import AudioPlayer, AudioUnavailable, default_player
from kiosk.speech.synthesis import Synthesizer, default_synthesizer, synthesize

log = logging.getLogger(__name__)

MIN_RATE, MAX_RATE = 50, 450  # words per minute


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
        return synthesize(text, language, path, rate=self._rate, volume=self._volume,
                          synthesizer=self._synthesizer)

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
