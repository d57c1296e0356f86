"""How tickets, events and the office look on the wire, per audience.

The *public* view (kiosks, hall screens, the ticket's QR status page) carries the
number and destination only.  The life situation, the priority flag, comments and
history are for staff.  This module is the one place that decides that, and the
privacy tests read what it produces.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from queue_server.domain.events import StoredEvent, TicketPrintRequested
from queue_server.domain.notify import masked
from queue_server.domain.office import Office, UnknownId
from queue_server.domain.tickets import Ticket
from queue_server.service import Services
from queue_server.web.api.contract import stream_event_types


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_time(value, office: Office) -> str | None:
    """Times on the wire carry the office's own UTC offset."""
    return value.astimezone(_zone(office.time_zone)).isoformat() if value is not None else None


def _stored_time(value: str | None, office: Office) -> str | None:
    """A time the store keeps as ISO text (UTC), in the office's time."""
    return local_time(datetime.fromisoformat(value), office) if value else None


def device_for(device: dict[str, Any], office: Office) -> dict[str, Any]:
    """A kiosk or display with its last printer report, the report's time in office time."""
    return {**device, "seen_at": _stored_time(device.get("seen_at"), office)}


def message_for(message: dict[str, Any], office: Office) -> dict[str, Any]:
    """An outbox message for the administrator: the address masked, the text left out."""
    return {
        "id": message["id"], "kind": message["kind"], "channel": message["channel"],
        "recipient": masked(message["recipient"]), "status": message["status"],
        "attempts": message["attempts"], "last_error": message["last_error"],
        "ticket_id": message["ticket_id"], "booking": message["booking"],
        **{key: _stored_time(message[key], office) for key in ("created_at", "next_attempt_at", "sent_at")},
    }


def help_call_for(call: dict[str, Any], office: Office) -> dict[str, Any]:
    return {**call, "at": _stored_time(call.get("at"), office)}


def workplace_ref(office: Office, workplace_id: str | None) -> dict[str, Any] | None:
    if workplace_id is None:
        return None
    workplace = office.workplace(workplace_id)
    return {"id": workplace.id, "number": workplace.number, "kind": workplace.kind,
            "zone": workplace.zone}


def ticket_public(ticket: Ticket, office: Office) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "number": ticket.number,
        "spoken_number": ticket.spoken_number,
        "queue": ticket.queue,
        "status": ticket.status.value,
        "language": ticket.language,
        "calls": ticket.calls,
        "workplace": workplace_ref(office, ticket.workplace),
    }


def ticket_staff(ticket: Ticket, office: Office) -> dict[str, Any]:
    return {
        **ticket_public(ticket, office),
        "day": ticket.day.isoformat(),
        "life_situation": ticket.life_situation,
        "priority": ticket.priority,
        "issued_at": local_time(ticket.issued_at, office),
        "queued_at": local_time(ticket.queued_at, office),
        "called_at": local_time(ticket.called_at, office),
        "started_at": local_time(ticket.started_at, office),
        "finished_at": local_time(ticket.finished_at, office),
        "target_workplace": ticket.target_workplace,
        "returning": ticket.returning,
        "return_to": ticket.return_stack[-1][0] if ticket.return_stack else None,
        "postponed_until": local_time(ticket.postponed_until, office),
        "postponed_by": ticket.postponed_by,
        "appointment_at": local_time(ticket.appointment_at, office),
        "comment": ticket.comment,
    }


def ticket_for(ticket: Ticket, office: Office, *, staff: bool) -> dict[str, Any]:
    return ticket_staff(ticket, office) if staff else ticket_public(ticket, office)


def ticket_with_position(services: Services, ticket: Ticket, *, staff: bool,
                         life_situation: bool = False,
                         position: tuple[int, int] | None = None) -> dict[str, Any]:
    ahead, wait = position if position is not None else services.tickets.position(ticket)
    view = ticket_for(ticket, services.office, staff=staff)
    if life_situation:  # the kiosk that issued it shows the visitor their own choice
        view["life_situation"] = ticket.life_situation
    view.update(
        people_ahead=ahead, estimated_wait_min=wait,
        issued_at=local_time(ticket.issued_at, services.office),
        status_url=status_url(ticket, services.office),
    )
    return view


def status_url(ticket: Ticket, office: Office) -> str:
    """The visitor's status page (the QR code): on the office's public address when it has
    one, so it opens from the street; otherwise relative, completed by the kiosk."""
    return f"{office.public_url}/t/{ticket.id}"


PUBLIC_EVENT_TYPES = frozenset(stream_event_types(staff=False))


def event_for(stored: StoredEvent, office: Office, *, staff: bool,
              kiosk: str | None = None) -> dict[str, Any] | None:
    """The event as an audience may see it, or None when it is not theirs to see.

    ``kiosk`` is the device name when a kiosk reads the stream: a print request
    reaches only the kiosk it names, and no hall display at all.
    """
    event = stored.event
    if isinstance(event, TicketPrintRequested) and not staff:
        return print_request_for_kiosk(stored, office) if kiosk == event.device else None
    if not staff and event.type not in PUBLIC_EVENT_TYPES:
        return None
    body: dict[str, Any] = {
        "seq": stored.seq, "type": event.type, "at": local_time(event.at, office),
        "workplace": workplace_ref(office, event.workplace),
    }
    if stored.ticket is not None:
        body["ticket"] = ticket_for(stored.ticket, office, staff=staff)
    if staff:
        body["actor"] = event.actor
        body["data"] = event.payload()
    elif event.type == "workplace.status_changed":
        body["status"] = event.payload()["status"]
    return body


def print_request_for_kiosk(stored: StoredEvent, office: Office) -> dict[str, Any] | None:
    """What the kiosk prints: the public ticket plus the lines of the paper ticket.

    The life situation goes along only when the paper may name it
    (``LifeSituation.printed``: a sensitive one never is, and is not even sent); the
    priority flag and who asked are not sent.
    """
    event, ticket = stored.event, stored.ticket
    assert isinstance(event, TicketPrintRequested)
    if ticket is None:
        return None
    printable = _situation_printed(office, ticket.life_situation)
    return {
        "seq": stored.seq, "type": event.type, "at": local_time(event.at, office),
        "workplace": None, "device": event.device,
        "ticket": {
            **ticket_public(ticket, office),
            **({"life_situation": ticket.life_situation} if printable else {}),
            "people_ahead": event.people_ahead,
            "estimated_wait_min": event.estimated_wait_min,
            "issued_at": local_time(ticket.issued_at, office),
            "status_url": status_url(ticket, office),
        },
    }


def _situation_printed(office: Office, situation_id: str) -> bool:
    try:
        return office.life_situation(situation_id).printed
    except UnknownId:  # a situation since removed from the configuration: print nothing
        return False


def office_for(office: Office, *, staff: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": office.id,
        "name": office.name.as_dict(),
        "time_zone": office.time_zone,
        "languages": list(office.languages),
        "rules": {
            "wait_norm_min": office.rules.wait_norm_min,
            "appointment_wait_norm_min": office.rules.appointment_wait_norm_min,
            "calls_before_no_show": office.rules.calls_before_no_show,
        },
        "zones": [{"id": z.id, "name": z.name.as_dict()} for z in office.zones],
        "queues": [{"id": q.id, "name": q.name.as_dict(), "prefix": q.prefix}
                   for q in office.queues],
        "workplaces": [
            {"id": w.id, "number": w.number, "kind": w.kind, "zone": w.zone,
             "label": w.label.as_dict(),
             "serves": [{"queue": s.queue, "weight": s.weight} for s in w.serves]}
            for w in office.workplaces
        ],
        "life_situations": [
            {"id": s.id, "kind": s.kind, "name": s.name.as_dict(),
             "description": s.description.as_dict(), "pictogram": s.pictogram, "queue": s.queue,
             "printed": s.printed, "ask_priority": s.ask_priority}
            for s in office.life_situations
        ],
    }
    if staff:
        for situation, source in zip(data["life_situations"], office.life_situations, strict=True):
            situation["services"] = list(source.services)
        data["services"] = [{"id": s.id, "name": s.name.as_dict(), "group": s.group}
                            for s in office.services]
    return data
