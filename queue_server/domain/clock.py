"""Time as a dependency, so tests can play a whole office day in a second."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, **delta: float) -> datetime:
        with self._lock:
            self._now += timedelta(**delta)
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment.astimezone(UTC)


class ShiftedClock:
    """The system clock, running, but started at a chosen moment (demos, training, tests).

    ``queue-server run|demo --clock-start`` uses it to show the office at, say, 10:00 on
    a Monday whatever the time of the machine; ``--clock-speed`` runs it faster, so a
    bench replays a whole office day (appointment slots, check-in windows) in minutes.
    """

    def __init__(self, start: datetime, speed: float = 1.0):
        if start.tzinfo is None:
            raise ValueError("ShiftedClock needs a timezone-aware start")
        if speed <= 0:
            raise ValueError("ShiftedClock needs a positive speed")
        self._start = start.astimezone(UTC)
        self._origin = time.monotonic()
        self._speed = speed

    def now(self) -> datetime:
        return self._start + timedelta(seconds=(time.monotonic() - self._origin) * self._speed)
