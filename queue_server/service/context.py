"""What every part of the application layer shares: the store, the office, the clock, the bus,
and the in-memory projection of the open tickets and the workplaces' states."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from queue_server.domain import events as ev
from queue_server.domain.numbering import office_day
from queue_server.domain.office import Office, UnknownId, Workplace
from queue_server.domain.tickets import Status, Ticket
from queue_server.eventbus import EventBus
from queue_server.service.errors import NotFound
from queue_server.store import desk as desk_store
from queue_server.store import tickets as repo
from queue_server.store.database import Store

AT_DESK = (Status.CALLED, Status.SERVING)


class Projection:
    """The open tickets and the workplaces' states, kept in memory from the committed events.

    This process is the only writer, so every hot path (issue, call next, queue counts)
    reads them without touching the history.  Fed by ``committed`` after each commit,
    under the write lock, in log order.
    """

    def __init__(self, store: Store, office: Office):
        self.office = office
        self._open: dict[str, Ticket] = {}
        self._line_size: dict[str, int] = {}  # waiting tickets in each queue's shared line
        for ticket in repo.open_tickets(store.db):
            self.remember(ticket)
        recorded = desk_store.workplace_states(store.db)
        self._workplaces = {
            workplace.id: recorded.get(workplace.id, {"status": "closed", "user": None, "since": None})
            for workplace in office.workplaces
        }

    def committed(self, items: list[ev.StoredEvent]) -> None:
        for stored in items:
            if stored.ticket is not None:
                self.remember(stored.ticket)
            elif isinstance(stored.event, ev.WorkplaceStatusChanged):
                event = stored.event
                self._workplaces = {**self._workplaces, event.workplace: {
                    "status": event.status, "user": event.user if event.status != "closed" else None,
                    "since": event.at.isoformat()}}

    def remember(self, ticket: Ticket) -> None:
        previous = self._open.pop(ticket.id, None)
        if previous is not None and in_shared_line(previous):
            self._line_size[previous.queue] -= 1
        if ticket.is_active:
            self._open[ticket.id] = ticket
            if in_shared_line(ticket):
                self._line_size[ticket.queue] = self._line_size.get(ticket.queue, 0) + 1

    def open_tickets(self) -> list[Ticket]:
        return list(self._open.values())

    def open_ticket(self, ticket_id: str) -> Ticket | None:
        return self._open.get(ticket_id)

    def line_size(self, queue_id: str) -> int:
        return self._line_size.get(queue_id, 0)

    def at_desk(self, workplace_id: str) -> Ticket | None:
        """The visitor called to or served at the workplace, if any."""
        return next((t for t in self._open.values()
                     if t.workplace == workplace_id and t.status in AT_DESK), None)

    def workplace_states(self) -> dict[str, dict]:
        return self._workplaces

    def open_workplace_count(self, queue_id: str) -> int:
        return sum(1 for w in self.office.workplaces_serving(queue_id)
                   if self._workplaces[w.id]["status"] == "open")


def in_shared_line(ticket: Ticket) -> bool:
    return ticket.status is Status.WAITING and ticket.target_workplace is None


class Context:
    """The shared parts, handed to each service module."""

    def __init__(self, store: Store, office: Office, clock, bus: EventBus):
        self.store = store
        self.office = office
        self.clock = clock
        self.bus = bus
        self.zone = ZoneInfo(office.time_zone)
        self.projection = Projection(store, office)
        self.last_seq = repo.last_seq(store.db)  # the newest committed event
        store.publisher = self._committed

    def _committed(self, items: list[ev.StoredEvent]) -> None:
        self.projection.committed(items)
        self.last_seq = max(self.last_seq, items[-1].seq)
        self.bus.publish(items)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return office_day(self.now(), self.zone)

    def workplace(self, workplace_id: str) -> Workplace:
        try:
            return self.office.workplace(workplace_id)
        except UnknownId as error:
            raise NotFound(str(error)) from None
