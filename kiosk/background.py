"""Work off the UI thread, results delivered back on it.

``deliver`` is Kivy's ``Clock.schedule_once`` in the app (thread-safe), so the
callbacks run on the UI thread between frames; tests of pure code may pass a
direct call instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)


class Background:
    def __init__(self, deliver: Callable[[Callable[[Any], None]], Any], *, name: str,
                 workers: int = 1) -> None:
        self._deliver = deliver
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"kiosk-{name}")

    def run(self, work: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[Exception], None]) -> Future:
        def finished(future: Future) -> None:
            if future.cancelled():  # the app is closing
                return
            error = future.exception()
            if error is not None:
                if not isinstance(error, Exception):
                    raise error
                self._deliver(lambda _dt: on_error(error))
            else:
                result = future.result()
                self._deliver(lambda _dt: on_done(result))

        future = self._pool.submit(work)
        future.add_done_callback(finished)
        return future

    def submit(self, work: Callable[[], Any]) -> Future:
        """Queue ``work`` on this worker for a caller on another thread that waits for it."""
        return self._pool.submit(work)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
