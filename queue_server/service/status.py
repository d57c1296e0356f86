"""What the visitor's status page shows: a ticket, the people ahead and the wait.

Hundreds of phones may hold the page open, and each call moves everyone in the line
up by one.  So the positions of every waiting ticket are worked out once per
committed change (and once a minute, as waits depend on the time) and shared by
all the pages, each of which then only looks its ticket up.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from queue_server.domain import routing
from queue_server.domain.tickets import Status, Ticket
from queue_server.service.context import Context
from queue_server.service.errors import NotFound
from queue_server.service.tickets import Tickets


@dataclass(frozen=True)
class TicketStatus:
    seq: int  # the newest committed event this state reflects
    ticket: Ticket
    people_ahead: int
    estimated_wait_min: int


class StatusBoard:
    def __init__(self, context: Context, tickets: Tickets):
        self._ctx = context
        self._tickets = tickets
        self._lock = threading.Lock()
        self._key: tuple[int, int] | None = None
        self._positions: dict[str, tuple[int, int]] = {}

    @property
    def last_seq(self) -> int:
        return self._ctx.last_seq

    def status(self, ticket_id: str) -> TicketStatus:
        """The ticket's state now (NotFound for an unknown id)."""
        seq = self._ctx.last_seq
        ticket = self._ctx.projection.open_ticket(ticket_id)
        if ticket is None:  # closed (or unknown): from the store, no position
            return TicketStatus(seq, self._tickets.ticket(ticket_id), 0, 0)
        ahead, wait = self._board(seq).get(ticket_id, (0, 0))
        return TicketStatus(seq, ticket, ahead, wait)

    def statuses(self, ticket_ids: set[str]) -> dict[str, TicketStatus]:
        """The state of many tickets at once (the status pages' feed); unknown ids are left out."""
        seq = self._ctx.last_seq
        board, projection = self._board(seq), self._ctx.projection
        result = {}
        for ticket_id in ticket_ids:
            ticket = projection.open_ticket(ticket_id)
            if ticket is not None:
                ahead, wait = board.get(ticket_id, (0, 0))
                result[ticket_id] = TicketStatus(seq, ticket, ahead, wait)
            else:
                try:
                    result[ticket_id] = self.status(ticket_id)
                except NotFound:
                    continue
        return result

    def _board(self, seq: int) -> dict[str, tuple[int, int]]:
        now = self._ctx.now()
        key = (seq, int(now.timestamp() // 60))  # waits may change with the minute
        with self._lock:
            if key != self._key:
                self._positions = self._compute(now)
                self._key = key
            return self._positions

    def _compute(self, now) -> dict[str, tuple[int, int]]:
        office, projection = self._ctx.office, self._ctx.projection
        open_now = projection.open_tickets()
        queues = {t.queue for t in open_now if t.status is Status.WAITING and t.target_workplace is None}
        positions = {}
        for queue_id in queues:
            minutes = office.queue(queue_id).service_minutes
            workplaces = projection.open_workplace_count(queue_id)
            for ahead, ticket in enumerate(routing.queue_order(open_now, queue_id, now, office.rules)):
                if ticket.target_workplace is None:
                    positions[ticket.id] = (ahead, routing.estimated_wait_minutes(ahead, minutes, workplaces))
        return positions
