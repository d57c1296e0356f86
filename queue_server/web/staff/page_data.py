"""Read-only JSON for the staff pages that the public API does not offer (yet).

The operator page needs its own workplace's day (the visitor at the desk, the
visitors it postponed, the numbers it served today); the console needs today's
no-shows and cancellations to restore one.  Signed in by the session cookie,
role-checked like the pages; GET only, so there is nothing to forge.
"""

from __future__ import annotations

from flask import abort, jsonify

from queue_server.domain.tickets import Status
from queue_server.store import tickets as repo
from queue_server.web.api.views import ticket_staff
from queue_server.web.staff import blueprint
from queue_server.web.staff.access import current_principal, requires
from queue_server.web.staff.backend import read_db, services

AT_DESK = (Status.CALLED, Status.SERVING)
RESTORABLE = (Status.NO_SHOW, Status.CANCELLED)


@blueprint.get("/data/workplace/<workplace_id>")
@requires("operator")
def workplace_day(workplace_id: str):
    principal = current_principal()
    if workplace_id not in principal.workplaces:
        abort(403)
    service = services()
    office, db = service.office, read_db()
    open_now = repo.open_tickets(db)
    current = next((t for t in open_now if t.workplace == workplace_id and t.status in AT_DESK), None)
    postponed = [t for t in open_now if t.status is Status.POSTPONED and t.postponed_by == workplace_id]
    # Today's tickets first (index tickets_day), then their events (index events_ticket):
    # the cost follows today's traffic, not the size of the whole history.
    handled_ids = [row["ticket_id"] for row in db.query(
        "SELECT ticket_id, MIN(seq) AS first FROM events "
        "WHERE ticket_id IN (SELECT id FROM tickets WHERE day = ?) "
        "AND type = 'ticket.called' AND workplace = ? "
        "GROUP BY ticket_id ORDER BY first",
        [service.today().isoformat(), workplace_id])]
    handled = [repo.get_ticket(db, ticket_id) for ticket_id in handled_ids]
    state = service.workplace_states()[workplace_id]
    return jsonify({
        "workplace": workplace_id,
        "status": state["status"],
        "current": ticket_staff(current, office) if current else None,
        "postponed": [ticket_staff(t, office) for t in postponed],
        "handled": [{"id": t.id, "number": t.number, "status": t.status.value}
                    for t in handled if t is not None],
    })


@blueprint.get("/data/restorable")
@requires("console")
def restorable_today():
    service = services()
    day = repo.tickets_of_day(read_db(), service.today())
    closed = [t for t in day if t.status in RESTORABLE]
    closed.sort(key=lambda t: t.finished_at or t.issued_at, reverse=True)
    return jsonify({"tickets": [ticket_staff(t, service.office) for t in closed[:50]]})

