"""Text to a WAV file on the engine's one thread: the espeak-ng program or pyttsx3.

The kiosk runs the espeak-ng program where it is installed and the process's one
pyttsx3 engine elsewhere (``default_synthesizer``; see EspeakCommand for why); the
server's phrase cache always uses the pyttsx3 engine (see kiosk.speech.cache).
With espeak-ng voices both write 22,050 Hz mono 16-bit WAVs.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from kiosk.speech.engine import ENGINE_WORKER, SYNTHESIS_TIMEOUT_S, SpeechUnavailable, pyttsx3_engine
from kiosk.speech.voices import voice_for

log = logging.getLogger(__name__)

SYNTHESIS_ATTEMPTS = 3
WAV_HEADER_BYTES = 44
ESPEAK_SLOWEST = 80  # espeak-ng speaks no slower; slower rates stretch the pauses


class Synthesizer(Protocol):
    def synthesize(self, text: str, voice: str, rate: int, volume: float, path: Path) -> Path:
        """Write ``text`` spoken with ``voice`` to a WAV file at ``path``."""


def has_audio(path: Path) -> bool:
    """A WAV file with more than its header: what an engine that failed quietly does not leave."""
    return path.exists() and path.stat().st_size > WAV_HEADER_BYTES


def synthesize(text: str, language: str, path: Path, *, rate: int, volume: float = 1.0,
               synthesizer: Synthesizer | None = None, timeout: float = SYNTHESIS_TIMEOUT_S) -> Path:
    """Write ``text`` spoken in ``language`` to ``path`` on the engine's thread; blocks.

    Raises ValueError for a language without speech, SpeechUnavailable when no
    voice or engine can speak it, TimeoutError when the engine is busy for too long.
    """
    chosen = synthesizer if synthesizer is not None else default_synthesizer()

    def on_engine_thread() -> Path:
        return chosen.synthesize(text, voice_for(language), rate, volume, path)

    return ENGINE_WORKER.run(on_engine_thread, timeout=timeout)


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
        if result.returncode != 0 or not has_audio(path):
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

    Runs on the engine's thread whoever calls it. Waits for the engine's own
    "finished" notice and tries again when a text was dropped, which pyttsx3's
    espeak driver does on a busy machine.
    """

    def synthesize(self, text: str, voice: str, rate: int, volume: float, path: Path) -> Path:
        return ENGINE_WORKER.run(self._synthesize_on_engine_thread, text, (voice, rate, volume), path,
                                 timeout=SYNTHESIS_TIMEOUT_S * SYNTHESIS_ATTEMPTS)

    @staticmethod
    def _synthesize_on_engine_thread(text: str, settings: tuple[str, int, float], path: Path) -> Path:
        engine = pyttsx3_engine()
        for _ in range(SYNTHESIS_ATTEMPTS):
            if _synthesis_attempt(engine, text, settings, path):
                return path
            log.info("speech engine dropped a text; trying again")
        raise SpeechUnavailable(f"the speech engine wrote no audio to {path}")


def default_synthesizer() -> Synthesizer:
    program = shutil.which("espeak-ng")
    return EspeakCommand(program) if program else Pyttsx3Engine()


_properties_set: dict[str, object] = {}  # what the process's one engine was told last


def _set_property(engine, name: str, value) -> None:
    """Tell the engine a setting only when it changes.

    After a rate or volume change, pyttsx3's espeak driver often reports the next
    text as not completed although it wrote it (measured: 26 of 40 texts with
    every setting set each time, 0 of 40 with only the voice set), which cost retries.
    """
    if _properties_set.get(name) != value:
        engine.setProperty(name, value)
        _properties_set[name] = value


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
        for name, value in (("voice", voice), ("rate", rate), ("volume", volume)):
            _set_property(engine, name, value)
        with _quiet_thread():  # the espeak driver prints a line for every file
            engine.save_to_file(text, str(path))
            engine.runAndWait()
        finished.wait(SYNTHESIS_TIMEOUT_S)
    finally:
        engine.disconnect(token)
    return bool(outcome.get("completed")) and has_audio(path)


class _ThreadQuietStdout:
    """``sys.stdout`` that drops what a synthesis prints and passes on everything else.

    pyttsx3's espeak driver prints a line per file, from the thread that asked or
    from espeak's own C thread (a "dummy" thread to Python).  contextlib.redirect_stdout
    would swap the stream for every thread: a line the server printed meanwhile
    ("listening on …", which its supervisor waits for) was lost.
    """

    def __init__(self, stream) -> None:
        self.stream = stream
        self.quiet: set[int] = set()

    def write(self, text: str) -> int:
        if self.quiet and (threading.get_ident() in self.quiet
                           or isinstance(threading.current_thread(), threading._DummyThread)):
            return len(text)
        return self.stream.write(text)

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


@contextlib.contextmanager
def _quiet_thread() -> Iterator[None]:
    """Nothing this synthesis prints reaches stdout; other threads print as usual."""
    if not isinstance(sys.stdout, _ThreadQuietStdout):
        sys.stdout = _ThreadQuietStdout(sys.stdout)
    stdout = sys.stdout
    stdout.quiet.add(threading.get_ident())
    try:
        yield
    finally:
        stdout.quiet.discard(threading.get_ident())
