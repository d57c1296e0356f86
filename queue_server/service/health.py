"""What the office looks like to monitoring: /healthz and the Prometheus metrics read it here."""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from queue_server.domain.tickets import Status
from queue_server.service.context import Context
from queue_server.service.desk import Desk
from queue_server.store import health as health_store


@dataclass(frozen=True)
class DeviceSeen:
    name: str
    kind: str
    seconds_ago: float | None  # None: never heard from
    silent: bool


class Health:
    def __init__(self, context: Context, desk: Desk):
        self._ctx = context
        self._desk = desk

    def database_problem(self) -> str | None:
        """None when the database answers, else why not."""
        try:
            health_store.ping(self._ctx.store.db)
        except sqlite3.Error as error:
            return str(error)
        return self.write_fault()

    def write_fault(self) -> str | None:
        """Why the last write failed, while no write has succeeded since (heartbeats write often)."""
        fault = self._ctx.store.write_fault
        return f"writes failing: {fault}" if fault else None

    def disk_free_bytes(self) -> int:
        return shutil.disk_usage(self._ctx.store.path.parent).free

    def queue_lengths(self) -> dict[str, int]:
        """Waiting visitors in each queue of the office (0 for an empty one)."""
        counts = Counter(t.queue for t in self._ctx.projection.open_tickets() if t.status is Status.WAITING)
        return {queue.id: counts.get(queue.id, 0) for queue in self._ctx.office.queues}

    def longest_waits(self) -> dict[str, float]:
        """Seconds the longest-waiting visitor of each queue has waited (0 for an empty one)."""
        now = self._ctx.now()
        waits = {queue.id: 0.0 for queue in self._ctx.office.queues}
        for ticket in self._ctx.projection.open_tickets():
            if ticket.status is Status.WAITING:
                waits[ticket.queue] = max(waits.get(ticket.queue, 0.0),
                                          (now - ticket.queued_at).total_seconds())
        return waits

    def stream_count(self) -> int:
        """Open event streams (hall screens, staff pages, kiosks)."""
        return self._ctx.bus.subscriber_count

    def outbox_backlog(self) -> int:
        """Messages to visitors not yet delivered (0 until the office has an outbox)."""
        return health_store.outbox_backlog(self._ctx.store.db)

    def devices(self, silent_after_seconds: float) -> list[DeviceSeen]:
        now = self._ctx.now()
        return [DeviceSeen(device["name"], device["kind"],
                           (now - datetime.fromisoformat(device["seen_at"])).total_seconds()
                           if device["seen_at"] else None, device["silent"])
                for device in self._desk.devices(silent_after_seconds)]
