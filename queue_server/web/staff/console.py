"""The hall administrator's console, and the page for roles with no workplace here."""

from __future__ import annotations

from flask import current_app, render_template

from queue_server.web import services
from queue_server.web.staff import blueprint
from queue_server.web.staff.access import requires
from queue_server.web.staff.forms import PlainForm

DOOR_REFRESH_MS = 60_000  # the console draws its door list again this often


@blueprint.get("/console")
@requires("console")
def console():
    """The console, with the booked visitors to meet at the entrance in the next hours."""
    return render_template("staff/console.html", door=services().appointments.expected_at_door(),
                           door_form=PlainForm(formdata=None),
                           door_refresh_ms=current_app.config.get("DOOR_REFRESH_MS", DOOR_REFRESH_MS))


@blueprint.get("/console/door")
@requires("console")
def console_door():
    """The door list alone: the console fetches it again every minute, so a booking made
    after the page opened, or one coming into the next hours, shows without a reload."""
    return render_template("staff/_door.html", door=services().appointments.expected_at_door(),
                           door_form=PlainForm(formdata=None))


@blueprint.get("/home")
@requires("home")
def no_workplace():
    """Signed in, but the role works elsewhere (reports, call centre)."""
    return render_template("staff/home.html")
