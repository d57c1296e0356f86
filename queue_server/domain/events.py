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
from enum import StrEnum
from typing import Any, ClassVar

SYSTEM = "system"


class Audience(StrEnum):
    """Who may receive an event on the stream (staff receive every event)."""

    PUBLIC = "public"  # every reader: kiosks, hall displays and staff
    STAFF = "staff"  # staff only
    KIOSK = "kiosk"  # staff, and the one kiosk the event names


@dataclass(frozen=True, kw_only=True)
class Event:
    type: ClassVar[str]
    audience: ClassVar[Audience]
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
    audience: ClassVar[Audience] = Audience.PUBLIC
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
    audience: ClassVar[Audience] = Audience.PUBLIC


@dataclass(frozen=True, kw_only=True)
class TicketRecalled(TicketEvent):
    type: ClassVar[str] = "ticket.recalled"
    audience: ClassVar[Audience] = Audience.PUBLIC


@dataclass(frozen=True, kw_only=True)
class ServiceStarted(TicketEvent):
    type: ClassVar[str] = "ticket.started"
    audience: ClassVar[Audience] = Audience.PUBLIC


@dataclass(frozen=True, kw_only=True)
class TicketRedirected(TicketEvent):
    type: ClassVar[str] = "ticket.redirected"
    audience: ClassVar[Audience] = Audience.PUBLIC
    to_queue: str
    to_workplace: str | None = None
    comment: str = ""
    return_to: str | None = None  # the workplace the visitor comes back to afterwards


@dataclass(frozen=True, kw_only=True)
class TicketPostponed(TicketEvent):
    type: ClassVar[str] = "ticket.postponed"
    audience: ClassVar[Audience] = Audience.PUBLIC
    until: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class TicketReturned(TicketEvent):
    """Back to waiting by itself: a postponement ran out, or "return to me" after a leg."""

    type: ClassVar[str] = "ticket.returned"
    audience: ClassVar[Audience] = Audience.PUBLIC
    to_workplace: str
    to_queue: str
    reason: str  # "postponement_over" | "return_to_sender"


@dataclass(frozen=True, kw_only=True)
class TicketNoShow(TicketEvent):
    type: ClassVar[str] = "ticket.no_show"
    audience: ClassVar[Audience] = Audience.PUBLIC


@dataclass(frozen=True, kw_only=True)
class TicketRestored(TicketEvent):
    type: ClassVar[str] = "ticket.restored"
    audience: ClassVar[Audience] = Audience.PUBLIC
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class ServiceFinished(TicketEvent):
    type: ClassVar[str] = "ticket.finished"
    audience: ClassVar[Audience] = Audience.PUBLIC
    services: tuple[str, ...] = ()
    result: str = ""


@dataclass(frozen=True, kw_only=True)
class TicketCancelled(TicketEvent):
    type: ClassVar[str] = "ticket.cancelled"
    audience: ClassVar[Audience] = Audience.PUBLIC
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class PriorityChanged(TicketEvent):
    type: ClassVar[str] = "ticket.priority_changed"
    audience: ClassVar[Audience] = Audience.STAFF
    priority: bool
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class SituationChanged(TicketEvent):
    type: ClassVar[str] = "ticket.situation_changed"
    audience: ClassVar[Audience] = Audience.STAFF
    life_situation: str


@dataclass(frozen=True, kw_only=True)
class TicketPrintRequested(TicketEvent):
    """The administrator console asked a kiosk to print this ticket; the ticket is unchanged.

    The queue position is the one answered at issue, so a replayed request prints the
    same paper as the live one.
    """

    type: ClassVar[str] = "ticket.print_requested"
    audience: ClassVar[Audience] = Audience.KIOSK
    device: str  # the kiosk's registered device name
    people_ahead: int
    estimated_wait_min: int


@dataclass(frozen=True, kw_only=True)
class WorkplaceStatusChanged(Event):
    type: ClassVar[str] = "workplace.status_changed"
    audience: ClassVar[Audience] = Audience.PUBLIC
    status: str  # "open" | "break" | "closed"
    user: str | None = None


@dataclass(frozen=True, kw_only=True)
class HelpRequested(Event):
    type: ClassVar[str] = "help.requested"
    audience: ClassVar[Audience] = Audience.STAFF
    help_call_id: int
    device: str


@dataclass(frozen=True, kw_only=True)
class HelpAcknowledged(Event):
    type: ClassVar[str] = "help.acknowledged"
    audience: ClassVar[Audience] = Audience.STAFF
    help_call_id: int
    device: str


@dataclass(frozen=True, kw_only=True)
class DeviceStatusReported(Event):
    type: ClassVar[str] = "device.status"
    audience: ClassVar[Audience] = Audience.STAFF
    device: str
    printer: str  # "ok" | "offline" | "paper_out" | "error"
    detail: str = ""


@dataclass(frozen=True, kw_only=True)
class DeviceSilent(Event):
    """A kiosk or screen sent no heartbeat for longer than the office allows: the console alarms."""

    type: ClassVar[str] = "device.silent"
    audience: ClassVar[Audience] = Audience.STAFF
    device: str
    kind: str  # "kiosk" | "display"
    last_seen: datetime


@dataclass(frozen=True, kw_only=True)
class DeviceBack(Event):
    """A silent device is heard from again: the console's alarm ends."""

    type: ClassVar[str] = "device.back"
    audience: ClassVar[Audience] = Audience.STAFF
    device: str


@functools.cache
def _own_fields(cls: type[Event]) -> tuple[str, ...]:
    common = {"at", "actor", "workplace", "ticket_id"}
    return tuple(field.name for field in dataclasses.fields(cls) if field.name not in common)


def _concrete_events(base: type[Event]) -> list[type[Event]]:
    """Every event class below ``base`` that names its own type, in definition order."""
    found = []
    for cls in base.__subclasses__():
        if "type" in vars(cls):
            found.append(cls)
        found.extend(_concrete_events(cls))
    return found


EVENT_TYPES: dict[str, type[Event]] = {cls.type: cls for cls in _concrete_events(Event)}
"""Every event type, from the classes above: the one list the API, its docs and the pages use."""


def event_types(*audiences: Audience) -> tuple[str, ...]:
    """The types of the events meant for any of ``audiences``."""
    return tuple(name for name, cls in EVENT_TYPES.items() if cls.audience in audiences)


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
