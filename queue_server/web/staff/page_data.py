"""Read-only JSON for the staff pages that the public API does not offer (yet).

The operator page needs its own workplace's day (the visitor at the desk, the
visitors it postponed, the numbers it served today); the console needs today's
no-shows and cancellations to restore one.  Signed in by the session cookie,
role-checked like the pages; GET only, so there is nothing to forge.
"""

from __future__ import annotations

from flask import abort, jsonify

from queue_server.web import services
from queue_server.web.api.views import ticket_staff
from queue_server.web.staff import blueprint
from queue_server.web.staff.access import current_principal, requires


@blueprint.get("/data/workplace/<workplace_id>")
@requires("operator")
def workplace_day(workplace_id: str):
    if workplace_id not in current_principal().workplaces:
        abort(403)
    office = services().office
    day = services().tickets.workplace_day(workplace_id)
    return jsonify({
        "workplace": workplace_id,
        "status": day.status,
        "current": ticket_staff(day.current, office) if day.current else None,
        "postponed": [ticket_staff(t, office) for t in day.postponed],
        "handled": [{"id": t.id, "number": t.number, "status": t.status.value} for t in day.handled],
    })


@blueprint.get("/data/restorable")
@requires("console")
def restorable_today():
    office = services().office
    return jsonify({"tickets": [ticket_staff(t, office) for t in services().tickets.restorable_today()]})
