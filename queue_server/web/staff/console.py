"""The hall administrator's console, and the page for roles with no workplace here."""

from __future__ import annotations

from flask import render_template

from queue_server.web.staff import blueprint
from queue_server.web.staff.access import requires


@blueprint.get("/console")
@requires("console")
def console():
    return render_template("staff/console.html")


@blueprint.get("/home")
@requires("home")
def no_workplace():
    """Signed in, but the role works elsewhere (reports, call centre)."""
    return render_template("staff/home.html")
