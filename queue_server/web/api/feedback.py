"""Visitors' ratings from a feedback tablet at a workplace or from the kiosk."""

from __future__ import annotations

from flask import request

from queue_server.domain import feedback as rules
from queue_server.service.errors import BadRequest
from queue_server.web import services
from queue_server.web.api import blueprint
from queue_server.web.api.body import field, json_body
from queue_server.web.auth import current_principal, require


@blueprint.post("/feedback")
@require("rate visits")
def rate_visit():
    body = json_body()
    principal = current_principal()
    source = "kiosk" if principal.role == "kiosk" else "tablet"
    feedback_id = services().feedback.rate(
        field(body, "ticket_id", str, max_length=64),
        body.get("rating"), body.get("reasons"), body.get("comment"),
        source=source, workplace=field(body, "workplace", str, default=None, max_length=64),
        recorded_by=principal.actor)
    return {"id": feedback_id}, 201


@blueprint.get("/feedback/pending")
@require("rate visits")
def pending_rating():
    """The visit a workplace's tablet may still ask about (finished there moments ago, unrated)."""
    workplace = request.args.get("workplace")
    if not workplace:
        raise BadRequest("workplace: required")
    ticket_id = services().feedback.visitor_at(workplace)
    if ticket_id is None:
        return {"ticket": None, "idle_after_s": rules.IDLE_AFTER_S}
    ticket = services().tickets.ticket(ticket_id)
    return {"ticket": {"id": ticket.id, "number": ticket.number, "language": ticket.language},
            "idle_after_s": rules.IDLE_AFTER_S}
