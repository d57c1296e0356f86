"""The one thread in a process that synthesises speech, and the pyttsx3 engine it owns.

``pyttsx3.init()`` hands every caller in a process the same engine, and two
threads using it lose files silently; pyttsx3 also keeps engines only weakly.
So one daemon thread, started on first use, holds the engine and runs every
synthesis; other threads (the kiosk's Speaker, the server's request threads)
hand it work and wait.  Under gevent the thread is a greenlet, which is enough:
a phrase takes tens of milliseconds.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from functools import cache
from typing import TypeVar

Result = TypeVar("Result")

SYNTHESIS_TIMEOUT_S = 30.0  # the longest one text may take to synthesise


class SpeechUnavailable(RuntimeError):
    """No speech engine or no voice for the language on this machine."""


class EngineWorker:
    """Runs functions on one daemon thread, in the order they were handed in."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._jobs: queue.SimpleQueue | None = None  # made with the thread, after any gevent patching
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, function: Callable[..., Result], *args, timeout: float) -> Result:
        """``function(*args)`` on the worker thread; its result or its exception.

        Called on the worker thread itself (one job using another), it runs at once.
        Raises TimeoutError after ``timeout`` seconds; the job still runs later.
        """
        if self._thread is not None and threading.get_ident() == self._thread.ident:
            return function(*args)
        done: Future = Future()
        self._queue().put((function, args, done))
        return done.result(timeout=timeout)

    def _queue(self) -> queue.SimpleQueue:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._jobs = queue.SimpleQueue()
                self._thread = threading.Thread(target=self._work, args=(self._jobs,),
                                                name=self.name, daemon=True)
                self._thread.start()
            return self._jobs

    @staticmethod
    def _work(jobs: queue.SimpleQueue) -> None:
        while True:
            function, args, done = jobs.get()
            try:
                done.set_result(function(*args))
            except BaseException as error:  # handed to the waiting thread, which raises it
                done.set_exception(error)


ENGINE_WORKER = EngineWorker("speech-engine")

_engines: list = []  # a strong reference: pyttsx3 keeps engines only weakly


def pyttsx3_engine():
    """The process's pyttsx3 engine; only ever called on ENGINE_WORKER's thread."""
    if not _engines:
        try:
            import pyttsx3

            _engines.append(pyttsx3.init())
        except Exception as error:  # a missing libespeak-ng shows up as many kinds of error
            raise SpeechUnavailable(f"speech engine failed to start: {error}") from error
    return _engines[0]


@cache
def installed_voices() -> list:
    """The engine's voices (espeak-ng, SAPI or NSSS), listed once per process."""
    return ENGINE_WORKER.run(_list_voices, timeout=SYNTHESIS_TIMEOUT_S)


def _list_voices() -> list:
    return list(pyttsx3_engine().getProperty("voices"))
