"""Every change in the office is one of these events.

One append-only log of them feeds the current state, the hall screens, the staff
pages, the audit trail and the reports.  Each carries who (``actor``), where
(``workplace``) and when (``at``).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

SYSTEM = "system"


@dataclass(frozen=True, kw_only=True)
class Event:
    type: ClassVar[str]
    at: datetime
    actor: str  # "user:curator1", "device:kiosk-1" or "system"
    workplace: str | None = None

    def payload(self) -> dict[str, Any]:
        """The event's own fields, JSON-ready (without type, at, actor, workplace)."""
        return {name: _jsonable(getattr(self, name)) for name in _own_fields(type(self))}


@dataclass(frozen=True, kw_only=True)
class TicketEvent(Event):
    ticket_id: str


@dataclass(frozen=True, kw_only=True)
class TicketIssued(TicketEvent):
    type: ClassVar[str] = "ticket.issued"
    day: date
    prefix: str
    seq: int
    queue: str
    life_situation: str
    language: str
    priority: bool
    appointment_at: datetime | None = None
    request_id: str | None = None  # the client's retry key


@dataclass(frozen=True, kw_only=True)
class TicketCalled(TicketEvent):
    type: ClassVar[str] = "ticket.called"


@dataclass(frozen=True, kw_only=True)
class TicketRecalled(TicketEvent):
    type: ClassVar[str] = "ticket.recalled"


@dataclass(frozen=True, kw_only=True)
class ServiceStarted(TicketEvent):
    type: ClassVar[str] = "ticket.started"


@dataclass(frozen=True, kw_only=True)
class TicketRedirected(TicketEvent):
    type: ClassVar[str] = "ticket.redirected"
    to_queue: str
    to_workplace: str | None = None
    comment: str = ""
    return_to: str | None = None  # the workplace the visitor comes back to afterwards


@dataclass(frozen=True, kw_only=True)
class TicketPostponed(TicketEvent):
    type: ClassVar[str] = "ticket.postponed"
    until: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class TicketReturned(TicketEvent):
    """Back to waiting by itself: a postponement ran out, or "return to me" after a leg."""

    type: ClassVar[str] = "ticket.returned"
    to_workplace: str
    to_queue: str
    reason: str  # "postponement_over" | "return_to_sender"


@dataclass(frozen=True, kw_only=True)
class TicketNoShow(TicketEvent):
    type: ClassVar[str] = "ticket.no_show"


@dataclass(frozen=True, kw_only=True)
class TicketRestored(TicketEvent):
    type: ClassVar[str] = "ticket.restored"
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class ServiceFinished(TicketEvent):
    type: ClassVar[str] = "ticket.finished"
    services: tuple[str, ...] = ()
    result: str = ""


@dataclass(frozen=True, kw_only=True)
class TicketCancelled(TicketEvent):
    type: ClassVar[str] = "ticket.cancelled"
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class PriorityChanged(TicketEvent):
    type: ClassVar[str] = "ticket.priority_changed"
    priority: bool
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class SituationChanged(TicketEvent):
    type: ClassVar[str] = "ticket.situation_changed"
    life_situation: str


@dataclass(frozen=True, kw_only=True)
class TicketPrintRequested(TicketEvent):
    """The administrator console asked a kiosk to print this ticket; the ticket is unchanged.

    The queue position is the one answered at issue, so a replayed request prints the
    same paper as the live one.
    """

    type: ClassVar[str] = "ticket.print_requested"
    device: str  # the kiosk's registered device name
    people_ahead: int
    estimated_wait_min: int


@dataclass(frozen=True, kw_only=True)
class WorkplaceStatusChanged(Event):
    type: ClassVar[str] = "workplace.status_changed"
    status: str  # "open" | "break" | "closed"
    user: str | None = None


@dataclass(frozen=True, kw_only=True)
class HelpRequested(Event):
    type: ClassVar[str] = "help.requested"
    help_call_id: int
    device: str


@dataclass(frozen=True, kw_only=True)
class HelpAcknowledged(Event):
    type: ClassVar[str] = "help.acknowledged"
    help_call_id: int
    device: str


@dataclass(frozen=True, kw_only=True)
class DeviceStatusReported(Event):
    type: ClassVar[str] = "device.status"
    device: str
    printer: str  # "ok" | "offline" | "paper_out" | "error"
    detail: str = ""


@functools.cache
def _own_fields(cls: type[Event]) -> tuple[str, ...]:
    common = {"at", "actor", "workplace", "ticket_id"}
    return tuple(field.name for field in dataclasses.fields(cls) if field.name not in common)


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        TicketIssued, TicketCalled, TicketRecalled, ServiceStarted, TicketRedirected,
        TicketPostponed, TicketReturned, TicketNoShow, TicketRestored, ServiceFinished,
        TicketCancelled, PriorityChanged, SituationChanged, TicketPrintRequested,
        WorkplaceStatusChanged,
        HelpRequested, HelpAcknowledged, DeviceStatusReported,
    )
}


def event_from_record(
    type_: str, at: datetime, actor: str, workplace: str | None,
    ticket_id: str | None, payload: dict[str, Any],
) -> Event:
    """Rebuild an event from its stored form (the inverse of ``payload``)."""
    cls = EVENT_TYPES[type_]
    fields = {field.name: field for field in dataclasses.fields(cls)}
    values: dict[str, Any] = {"at": at, "actor": actor, "workplace": workplace}
    if "ticket_id" in fields:
        values["ticket_id"] = ticket_id
    for name, raw in payload.items():
        if name in fields:
            values[name] = _from_json(fields[name].type, raw)
    return cls(**values)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _from_json(annotation: Any, raw: Any) -> Any:
    text = str(annotation)
    if raw is None:
        return None
    if "datetime" in text:
        return datetime.fromisoformat(raw)
    if text.startswith("date"):
        return date.fromisoformat(raw)
    if "tuple" in text:
        return tuple(raw)
    return raw


@dataclass(frozen=True)
class StoredEvent:
    """An event with its position in the log; the position is its id on the event stream."""

    seq: int
    event: Event
    ticket: Any = None  # the Ticket as it was right after this event (domain.tickets)
