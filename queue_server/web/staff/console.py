"""The hall administrator's console, and the page for roles with no workplace here."""

from __future__ import annotations

from flask import render_template

from queue_server.web import services
from queue_server.web.staff import blueprint
from queue_server.web.staff.access import requires
from queue_server.web.staff.forms import PlainForm


@blueprint.get("/console")
@requires("console")
def console():
    """The console, with the booked visitors to meet at the entrance in the next hours."""
    return render_template("staff/console.html", door=services().appointments.expected_at_door(),
                           door_form=PlainForm(formdata=None))


@blueprint.get("/home")
@requires("home")
def no_workplace():
    """Signed in, but the role works elsewhere (reports, call centre)."""
    return render_template("staff/home.html")
