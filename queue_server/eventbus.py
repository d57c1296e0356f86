"""Publish/subscribe of recorded events inside the server process.

Each open event stream is one subscriber with a bounded inbox.  A subscriber that
falls too far behind (a frozen browser) is told to resynchronise instead of
making the server hold an ever-growing backlog for it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable
from typing import Any

INBOX_LIMIT = 1000
OVERFLOW = object()  # sentinel: the subscriber missed events and must resynchronise
CLOSED = object()  # sentinel: the server is stopping; the stream ends


class Subscription:
    def __init__(self, bus: EventBus):
        self._bus = bus
        self.inbox: queue.Queue[Any] = queue.Queue(maxsize=INBOX_LIMIT)
        self.overflowed = False

    def deliver(self, item: Any) -> None:
        if self.overflowed:
            return
        try:
            self.inbox.put_nowait(item)
        except queue.Full:
            self.overflowed = True
            self.inbox = queue.Queue()
            self.inbox.put_nowait(OVERFLOW)

    def get(self, timeout: float) -> Any:
        """The next item, or None after ``timeout`` seconds of quiet."""
        try:
            item = self.inbox.get(timeout=timeout)
        except queue.Empty:
            return None
        if item is OVERFLOW:
            self.overflowed = False
        return item

    def end(self) -> None:
        """Tell the stream to finish (server shutdown); never blocks, even on a full inbox."""
        try:
            self.inbox.put_nowait(CLOSED)
        except queue.Full:  # a stalled client: what it has not read is of no use now
            self.inbox = queue.Queue()
            self.inbox.put_nowait(CLOSED)

    def close(self) -> None:
        self._bus.unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class EventBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: set[Subscription] = set()

    def subscribe(self) -> Subscription:
        subscription = Subscription(self)
        with self._lock:
            self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(subscription)

    def publish(self, items: Iterable[Any]) -> None:
        items = list(items)
        if not items:
            return
        with self._lock:
            subscribers = list(self._subscribers)
        for subscription in subscribers:
            for item in items:
                subscription.deliver(item)

    def close_all(self) -> None:
        """End every open stream now (shutdown), instead of at its next ping."""
        with self._lock:
            subscribers = list(self._subscribers)
        for subscription in subscribers:
            subscription.end()

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)
