"""Appointments: free slots, booking, the day's lists, check-in at the kiosk, the door."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import request

from queue_server.service.appointments import Appointment
from queue_server.service.errors import BadRequest
from queue_server.web import services
from queue_server.web.api import blueprint
from queue_server.web.api.body import field, json_body
from queue_server.web.api.views import ticket_with_position
from queue_server.web.auth import current_principal, require

PERSONAL = ("name", "phone", "email", "consent")


def appointment_view(appointment: Appointment) -> dict[str, Any]:
    """A booking as staff see it; the slot in office wall time (``2026-12-28T10:20``)."""
    office = services().office
    return {
        "id": appointment.id,
        "code": appointment.code,
        "queue": appointment.queue,
        "queue_name": office.queue(appointment.queue).name.as_dict(),
        "life_situation": appointment.life_situation,
        "slot_at": appointment.slot_at.isoformat(timespec="minutes"),
        "status": appointment.status,
        "name": appointment.name,
        "phone": appointment.phone,
        "email": appointment.email,
        "consent": appointment.consent,
        "needs_help": appointment.needs_help,
        "companion": appointment.companion,
        "help_taken_by": appointment.help_taken_by,
        "ticket_id": appointment.ticket_id,
    }


def parse_slot(value: str, name: str = "slot") -> datetime:
    try:
        slot = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name}: must be office time like 2026-12-28T10:20") from None
    if slot.tzinfo is not None:
        raise BadRequest(f"{name}: give office wall time without an offset, like 2026-12-28T10:20")
    return slot


def parse_day(value: str | None, name: str = "day") -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name}: must be a day like 2026-12-28") from None


def _target(source: dict) -> dict[str, str | None]:
    return {"queue": source.get("queue") or None,
            "life_situation": source.get("life_situation") or None}


@blueprint.get("/appointments/slots")
@require("read appointments")
def free_slots():
    args = request.args
    try:
        days = int(args.get("days", "7"))
    except ValueError:
        raise BadRequest("days: must be a whole number") from None
    slots = services().appointments.free_slots(
        **_target(args), days=days, start=parse_day(args.get("start"), "start"))
    return {"slots": [{"queue": s.queue, "at": s.text, "free": s.free} for s in slots]}


@blueprint.post("/appointments")
@require("book appointments")
def book():
    body = json_body()
    appointment = services().appointments.book(
        slot=parse_slot(field(body, "slot", str, max_length=32)),
        queue=field(body, "queue", str, default=None, max_length=64),
        life_situation=field(body, "life_situation", str, default=None, max_length=64),
        name=field(body, "name", str, default=""),
        phone=field(body, "phone", str, default="", max_length=32),
        email=field(body, "email", str, default=""),
        consent=field(body, "consent", bool, default=False),
        needs_help=field(body, "needs_help", bool, default=False),
        companion=field(body, "companion", bool, default=False),
        actor=current_principal().actor,
    )
    return appointment_view(appointment), 201


@blueprint.get("/appointments")
@require("read appointments")
def day_list():
    appointments = services().appointments
    day = parse_day(request.args.get("day")) or appointments.local_now().date()
    queue = request.args.get("queue") or None
    return {"day": day.isoformat(),
            "appointments": [appointment_view(a) for a in appointments.of_day(day, queue)]}


@blueprint.get("/appointments/missed")
@require("read appointments")
def missed():
    return {"appointments": [appointment_view(a) for a in services().appointments.missed()]}


@blueprint.get("/appointments/door")
@require("meet at the door")
def expected_at_door():
    return {"appointments": [appointment_view(a)
                             for a in services().appointments.expected_at_door()]}


@blueprint.get("/appointments/<int:appointment_id>")
@require("read appointments")
def get_appointment(appointment_id: int):
    return appointment_view(services().appointments.get(appointment_id))


@blueprint.post("/appointments/<int:appointment_id>/move")
@require("book appointments")
def move(appointment_id: int):
    body = json_body()
    moved = services().appointments.move(
        appointment_id, slot=parse_slot(field(body, "slot", str, max_length=32)),
        queue=field(body, "queue", str, default=None, max_length=64),
        actor=current_principal().actor)
    return appointment_view(moved)


@blueprint.post("/appointments/<int:appointment_id>/cancel")
@require("book appointments")
def cancel(appointment_id: int):
    return appointment_view(services().appointments.cancel(
        appointment_id, actor=current_principal().actor))


@blueprint.post("/appointments/<int:appointment_id>/take-on")
@require("meet at the door")
def take_on(appointment_id: int):
    return appointment_view(services().appointments.take_on(
        appointment_id, actor=current_principal().actor))


@blueprint.post("/appointments/check-in")
@require("check in")
def check_in():
    body = json_body()
    principal = current_principal()
    checked = services().appointments.check_in(
        field(body, "code", str, max_length=16),
        language=field(body, "language", str, default="ru", max_length=8),
        device=principal.name, actor=principal.actor)
    issued = checked.issued
    view = ticket_with_position(services(), issued.ticket, staff=principal.is_staff,
                                life_situation=True,
                                position=(issued.people_ahead, issued.estimated_wait_min))
    view["appointment_at"] = checked.appointment.slot_at.isoformat(timespec="minutes")
    return view, 201 if issued.created else 200
