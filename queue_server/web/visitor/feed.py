"""One feed for every open status page: a commit is turned into page updates once, centrally.

A status page waits on its own small inbox, which receives a message only when the
text of *its* page changes.  The feed (one thread, or one greenlet under gevent)
follows the event bus, works out the new state of each watched ticket in the queues
a commit touched, and hands each changed text to the pages showing it.  A call
then wakes only the pages that must be written to, and the positions behind them
are computed once (``service.status.StatusBoard``), not once per page.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable
from typing import Any

from queue_server.eventbus import CLOSED, OVERFLOW, EventBus
from queue_server.service.status import StatusBoard, TicketStatus

INBOX_LIMIT = 64  # a page that falls this far behind only needs the newest text


def state_message(state: dict[str, Any]) -> str:
    return f"id: {state['seq']}\nevent: state\ndata: {json.dumps(state, ensure_ascii=False)}\n\n"


def same_page(one: dict[str, Any], other: dict[str, Any]) -> bool:
    """Equal but for the log position: nothing on the page would change."""
    return {**one, "seq": 0} == {**other, "seq": 0}


class Watcher:
    """One open status page: its ticket, language, last state, and an inbox of texts."""

    def __init__(self, feed: StatusFeed, ticket_id: str, language: str, first: dict[str, Any]):
        self.feed, self.ticket_id, self.language = feed, ticket_id, language
        self.queue_id = first.get("queue")
        self.inbox: queue.Queue = queue.Queue(maxsize=INBOX_LIMIT)

    def deliver(self, item: object) -> None:
        try:
            self.inbox.put_nowait(item)
        except queue.Full:  # a stalled phone: drop what it has not read, keep the newest
            self.inbox = queue.Queue(maxsize=INBOX_LIMIT)
            self.inbox.put_nowait(item)

    def get(self, timeout: float) -> object | None:
        try:
            return self.inbox.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self.feed.unwatch(self)


class StatusFeed:
    def __init__(self, bus: EventBus, board: StatusBoard,
                 render: Callable[[TicketStatus, str], dict[str, Any]]):
        """``render(status, language)``: what the page shows of a ticket's state."""
        self._bus, self._board, self._render = bus, board, render
        self._seen: dict[str, tuple] = {}  # ticket -> what its pages were last rendered from
        self._lock = threading.Lock()
        self._pages: dict[tuple[str, str], tuple[dict[str, Any], set[Watcher]]] = {}
        self._thread: threading.Thread | None = None

    def watch(self, ticket_id: str, language: str, first: dict[str, Any]) -> Watcher:
        watcher = Watcher(self, ticket_id, language, first)
        with self._lock:
            _, watchers = self._pages.setdefault((ticket_id, language), (first, set()))
            watchers.add(watcher)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True, name="status-feed")
                self._thread.start()
        return watcher

    def unwatch(self, watcher: Watcher) -> None:
        with self._lock:
            key = (watcher.ticket_id, watcher.language)
            entry = self._pages.get(key)
            if entry is not None:
                entry[1].discard(watcher)
                if not entry[1]:
                    del self._pages[key]

    def _run(self) -> None:
        subscription = self._bus.subscribe()
        try:
            self._refresh(None)  # anything committed between the first page's state and now
            while True:
                item = subscription.get(timeout=60.0)
                if item is CLOSED:
                    self._end_all()
                    return
                if item is None:
                    continue
                touched = self._touched(item)
                while (more := subscription.get(timeout=0)) is not None:  # the rest of the commit
                    if more is CLOSED:
                        self._end_all()
                        return
                    touched = None if touched is None else _union(touched, self._touched(more))
                self._refresh(touched)
        finally:
            subscription.close()
            with self._lock:
                self._thread = None

    @staticmethod
    def _touched(item) -> set[str] | None:
        """The queues whose lines an event may have changed; None: recompute every page."""
        if item is OVERFLOW or getattr(item, "ticket", None) is None:
            return None
        return {item.ticket.queue, f"ticket:{item.ticket.id}"}

    def _refresh(self, touched: set[str] | None) -> None:
        with self._lock:
            pages = [(key, state, set(watchers)) for key, (state, watchers) in self._pages.items()]
        if touched is not None:  # only pages whose line moved
            pages = [page for page in pages if {page[1].get("queue"), f"ticket:{page[0][0]}"} & touched]
        statuses = self._board.statuses({ticket_id for (ticket_id, _), _, _ in pages})
        fingerprints = {ticket_id: _fingerprint(status) for ticket_id, status in statuses.items()}
        for (ticket_id, language), last, watchers in pages:
            status = statuses.get(ticket_id)
            if status is None:
                continue
            if fingerprints[ticket_id] == self._seen.get(ticket_id) and touched is not None:
                continue  # the same ticket state, place and wait: the same page
            state = self._render(status, language)
            if same_page(state, last):
                continue
            with self._lock:
                if (ticket_id, language) in self._pages:
                    self._pages[(ticket_id, language)] = (state, self._pages[(ticket_id, language)][1])
            text = state_message(state)
            for watcher in watchers:
                watcher.deliver(text)
        self._seen.update(fingerprints)
        if len(self._seen) > 2 * len(pages):  # pages closed meanwhile: forget their tickets
            watched = {ticket_id for (ticket_id, _), _, _ in pages}
            self._seen = {t: f for t, f in self._seen.items() if t in watched}

    def _end_all(self) -> None:
        with self._lock:
            watchers = [w for _, ws in self._pages.values() for w in ws]
        for watcher in watchers:
            watcher.deliver(CLOSED)


def _fingerprint(status: TicketStatus) -> tuple:
    """What a page is rendered from: equal fingerprints, equal pages."""
    ticket = status.ticket
    return (ticket.status, ticket.workplace, status.people_ahead, status.estimated_wait_min)


def _union(one: set[str], other: set[str] | None) -> set[str] | None:
    return None if other is None else one | other
