"""GET /queues: waiting counts and the oldest wait of every queue."""

from __future__ import annotations

from queue_server.domain import routing
from queue_server.domain.tickets import Status
from queue_server.web import services
from queue_server.web.api import blueprint
from queue_server.web.api.views import ticket_staff
from queue_server.web.auth import current_principal, require


@blueprint.get("/queues")
@require("read queues")
def get_queues():
    office = services().office
    staff = current_principal().is_staff
    now = services().now()
    tickets = services().tickets.open_tickets()
    queues = []
    for queue in office.queues:
        line = routing.queue_order(tickets, queue.id, now, office.rules)
        personal = [t for t in tickets if t.status is Status.WAITING and t.queue == queue.id
                    and t.target_workplace is not None]
        waiting = line + personal
        oldest = max(((now - t.queued_at).total_seconds() for t in waiting), default=0)
        entry = {
            "id": queue.id, "name": queue.name.as_dict(), "prefix": queue.prefix,
            "waiting": len(waiting), "oldest_wait_min": round(oldest / 60, 1),
            "open_workplaces": services().desk.open_workplace_count(queue.id),
        }
        if staff:
            entry["tickets"] = [
                {**ticket_staff(t, office), "wait_min": round((now - t.queued_at).total_seconds() / 60, 1),
                 "overdue": routing.overdue(t, now, office.rules)}
                for t in waiting
            ]
        queues.append(entry)
    return {"queues": queues, "wait_norm_min": office.rules.wait_norm_min}
