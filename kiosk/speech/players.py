"""Playing a WAV file on the kiosk's sound card so that it can be cut off at once."""

from __future__ import annotations

import platform
import shutil
import subprocess
import threading
import wave
from pathlib import Path
from typing import Protocol


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
