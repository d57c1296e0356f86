"""The call centre's page (and a curator's follow-up booking): find a free time, book,
read back or print, move, cancel; today's and tomorrow's lists; the missed.

Plain HTML forms, rendered here, posted with a CSRF token; the rules and refusals are
the appointments service's, shown as the page's alert.  The hall administrator's
"expected at the door" list lives on the console (``door`` below).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for

from queue_server.domain.limits import InvalidInput
from queue_server.service.errors import NotFound, Refused
from queue_server.web import services
from queue_server.web.staff import blueprint
from queue_server.web.staff.access import requires
from queue_server.web.staff.backend import acting
from queue_server.web.staff.forms import BookingForm, PlainForm
from queue_server.web.staff.texts import t

SEARCH_DAYS = 7


def _bookable_queues() -> list:
    office = services().office
    return [office.queue(s.queue) for s in office.schedules]


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _page(form: BookingForm | None = None, status: int = 200, page_error: str | None = None):
    appointments = services().appointments
    queues = _bookable_queues()
    args = request.values
    queue = args.get("queue") or (queues[0].id if queues else "")
    if queue not in {q.id for q in queues}:
        queue = queues[0].id if queues else ""
    start = _parse_day(args.get("start"))
    moving = None
    if args.get("move", "").isdigit():
        try:
            moving = appointments.get(int(args["move"]))
        except NotFound:
            moving = None
    slots = appointments.free_slots(queue=queue, days=SEARCH_DAYS, start=start) if queue else []
    today = appointments.local_now().date()
    days = [(today, appointments.of_day(today)),
            (today + timedelta(days=1), appointments.of_day(today + timedelta(days=1)))]
    return render_template(
        "staff/appointments.html",
        queues=queues, queue=queue, start=(start or today).isoformat(), slots=slots,
        form=form or BookingForm(formdata=None), moving=moving, days=days,
        missed=appointments.missed(), plain=PlainForm(formdata=None), page_error=page_error,
        office=services().office,
    ), status


@blueprint.get("/appointments")
@requires("appointments")
def appointments():
    return _page()


@blueprint.post("/appointments")
@requires("appointments")
def book_appointment():
    form = BookingForm()
    if not form.validate():
        return _page(form, 400, t("form_invalid"))
    try:
        booked = services().appointments.book(
            slot=_slot(request.form.get("slot", "")), queue=request.form.get("queue") or None,
            name=form.name.data or "", phone=form.phone.data or "", email=form.email.data or "",
            consent=bool(form.consent.data), needs_help=bool(form.needs_help.data),
            companion=bool(form.companion.data), actor=acting()["actor"])
    except (InvalidInput, Refused) as error:
        return _page(form, 409 if isinstance(error, Refused) else 400, _reason(error))
    flash(t("booking_done", code=booked.code))
    return redirect(url_for("staff.booking", appointment_id=booked.id))


@blueprint.post("/appointments/<int:appointment_id>/move")
@requires("appointments")
def move_appointment(appointment_id: int):
    if not PlainForm().validate():
        return _page(status=400, page_error=t("form_expired"))
    try:
        moved = services().appointments.move(
            appointment_id, slot=_slot(request.form.get("slot", "")),
            queue=request.form.get("queue") or None, actor=acting()["actor"])
    except (InvalidInput, Refused) as error:
        return _page(status=409 if isinstance(error, Refused) else 400, page_error=_reason(error))
    except NotFound:
        abort(404)
    flash(t("booking_moved", code=moved.code))
    return redirect(url_for("staff.booking", appointment_id=moved.id))


@blueprint.post("/appointments/<int:appointment_id>/cancel")
@requires("appointments")
def cancel_appointment(appointment_id: int):
    if not PlainForm().validate():
        return _page(status=400, page_error=t("form_expired"))
    try:
        cancelled = services().appointments.cancel(appointment_id, actor=acting()["actor"])
    except Refused as error:
        return _page(status=409, page_error=_reason(error))
    except NotFound:
        abort(404)
    flash(t("booking_cancelled", code=cancelled.code))
    return redirect(url_for("staff.appointments"))


@blueprint.get("/appointments/<int:appointment_id>")
@requires("appointments")
def booking(appointment_id: int):
    """One booking to read back to the visitor or print (the browser's Print)."""
    try:
        found = services().appointments.get(appointment_id)
    except NotFound:
        abort(404)
    return render_template("staff/booking.html", booking=found, office=services().office,
                           plain=PlainForm(formdata=None))


@blueprint.post("/appointments/<int:appointment_id>/take-on")
@requires("console")
def take_on_door_help(appointment_id: int):
    if not PlainForm().validate():
        flash(t("form_expired"))
        return redirect(url_for("staff.console"))
    try:
        found = services().appointments.take_on(appointment_id, actor=acting()["actor"])
    except (InvalidInput, Refused) as error:
        flash(_reason(error))
    except NotFound:
        abort(404)
    else:
        flash(t("door_taken", time=f"{found.slot_at:%H:%M}"))
    return redirect(url_for("staff.console"))


def _slot(value: str) -> datetime:
    try:
        slot = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("slot: choose a free time") from None
    if slot.tzinfo is not None:
        raise InvalidInput("slot: choose a free time")
    return slot


def _reason(error: Exception) -> str:
    """The service's reason, after the catalogue's words for the kinds clients act on."""
    code = getattr(error, "code", None)
    if code == "slot_full":
        return t("err_slot_full")
    return f"{t('form_invalid')} {error}"
