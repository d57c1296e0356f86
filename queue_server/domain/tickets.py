"""A ticket is one visit: its state is the fold of its events.

A visitor keeps the same number across every redirect; each stop at a workplace is
a *leg* of the visit, and the event history keeps them all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from queue_server.domain import events as ev
from queue_server.domain.numbering import printed_number, spoken_number


class Status(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    POSTPONED = "postponed"
    NO_SHOW = "no_show"
    FINISHED = "finished"
    CANCELLED = "cancelled"


ACTIVE = frozenset({Status.WAITING, Status.CALLED, Status.SERVING, Status.POSTPONED})


@dataclass(frozen=True)
class Ticket:
    id: str
    day: date
    prefix: str
    seq: int
    queue: str
    life_situation: str
    language: str
    priority: bool
    status: Status
    issued_at: datetime
    queued_at: datetime  # when it began waiting in its current queue; orders the queue
    workplace: str | None = None  # the workplace that called or serves it
    target_workplace: str | None = None  # waiting for this workplace only
    returning: bool = False  # waiting to come back to the workplace that sent it away
    # Where to come back to after "return to me": (workplace, queue) pairs, innermost last.
    return_stack: tuple[tuple[str, str], ...] = ()
    calls: int = 0
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    postponed_until: datetime | None = None
    postponed_by: str | None = None
    appointment_at: datetime | None = None
    comment: str = ""  # the last redirect comment, for the next specialist
    request_id: str | None = None

    @property
    def number(self) -> str:
        return printed_number(self.prefix, self.seq)

    @property
    def spoken_number(self) -> str:
        return spoken_number(self.prefix, self.seq)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


def apply(ticket: Ticket | None, event: ev.TicketEvent) -> Ticket:
    """The ticket after ``event``; ``ticket`` is None only before ``TicketIssued``."""
    if isinstance(event, ev.TicketIssued):
        return Ticket(
            id=event.ticket_id, day=event.day, prefix=event.prefix, seq=event.seq,
            queue=event.queue, life_situation=event.life_situation, language=event.language,
            priority=event.priority, status=Status.WAITING, issued_at=event.at,
            queued_at=event.at, appointment_at=event.appointment_at,
            request_id=event.request_id,
        )
    if ticket is None:
        raise ValueError(f"{event.type} before ticket.issued for {event.ticket_id}")
    match event:
        case ev.TicketCalled():
            return replace(
                ticket, status=Status.CALLED, workplace=event.workplace, calls=1,
                called_at=event.at, target_workplace=None, returning=False,
                postponed_until=None, postponed_by=None,
            )
        case ev.TicketRecalled():
            return replace(ticket, calls=ticket.calls + 1, called_at=event.at)
        case ev.ServiceStarted():
            return replace(ticket, status=Status.SERVING, started_at=event.at)
        case ev.TicketRedirected():
            back = ((event.return_to, ticket.queue),) if event.return_to else ()
            stack = ticket.return_stack + back
            return replace(
                ticket, status=Status.WAITING, queue=event.to_queue,
                target_workplace=event.to_workplace, returning=False, workplace=None,
                queued_at=event.at, comment=event.comment, return_stack=stack, calls=0,
                started_at=None, called_at=None,
            )
        case ev.TicketPostponed():
            return replace(
                ticket, status=Status.POSTPONED, postponed_until=event.until,
                postponed_by=event.workplace, workplace=None, calls=0,
                started_at=None, called_at=None,
            )
        case ev.TicketReturned():
            stack = ticket.return_stack
            if event.reason == "return_to_sender" and stack:
                stack = stack[:-1]
            return replace(
                ticket, status=Status.WAITING, queue=event.to_queue,
                target_workplace=event.to_workplace, returning=True, workplace=None,
                return_stack=stack, postponed_until=None, postponed_by=None, calls=0,
                finished_at=None, queued_at=event.at,
            )
        case ev.TicketNoShow():
            return replace(ticket, status=Status.NO_SHOW, finished_at=event.at)
        case ev.TicketRestored():
            # Back to its place in the queue: the original queued_at is kept.
            return replace(
                ticket, status=Status.WAITING, workplace=None, calls=0, finished_at=None,
            )
        case ev.ServiceFinished():
            return replace(ticket, status=Status.FINISHED, finished_at=event.at)
        case ev.TicketCancelled():
            return replace(ticket, status=Status.CANCELLED, finished_at=event.at)
        case ev.PriorityChanged():
            return replace(ticket, priority=event.priority)
        case ev.SituationChanged():
            return replace(ticket, life_situation=event.life_situation)
        case ev.TicketPrintRequested():
            return ticket
    raise ValueError(f"unknown ticket event {event.type}")


def replay(events: list[ev.TicketEvent]) -> dict[str, Ticket]:
    """Current state of every ticket, rebuilt from the event log alone."""
    tickets: dict[str, Ticket] = {}
    for event in events:
        tickets[event.ticket_id] = apply(tickets.get(event.ticket_id), event)
    return tickets
