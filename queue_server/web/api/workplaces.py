"""Workplaces: their state, break/back, and "call next"."""

from __future__ import annotations

from queue_server.service.context import AT_DESK
from queue_server.service.errors import Forbidden
from queue_server.web import services
from queue_server.web.api import blueprint
from queue_server.web.api.body import field, json_body
from queue_server.web.api.views import ticket_for, ticket_with_position
from queue_server.web.auth import current_principal, require


@blueprint.get("/workplaces")
@require("read workplaces")
def list_workplaces():
    office = services().office
    staff = current_principal().is_staff
    states = services().desk.workplace_states()
    current = {t.workplace: t for t in services().tickets.open_tickets() if t.status in AT_DESK}
    answer = []
    for workplace in office.workplaces:
        state = states[workplace.id]
        ticket = current.get(workplace.id)
        answer.append({
            "id": workplace.id, "number": workplace.number, "kind": workplace.kind,
            "zone": workplace.zone, "label": workplace.label.as_dict(),
            "status": state["status"], "since": state["since"],
            "user": state["user"] if staff else None,
            "ticket": ticket_for(ticket, office, staff=staff) if ticket else None,
        })
    return {"workplaces": answer}


def _own_workplace(workplace_id: str) -> None:
    principal = current_principal()
    if not principal.works_at(workplace_id):
        raise Forbidden(f"{principal.name} does not work at {workplace_id}")


@blueprint.post("/workplaces/<workplace_id>/status")
@require("set workplace status")
def set_status(workplace_id: str):
    _own_workplace(workplace_id)
    status = field(json_body(), "status", str, max_length=16)
    principal = current_principal()
    services().desk.set_workplace_status(workplace_id, status, user=principal.name,
                                         actor=principal.actor)
    return "", 204


@blueprint.post("/workplaces/<workplace_id>/call-next")
@require("call visitors")
def call_next(workplace_id: str):
    _own_workplace(workplace_id)
    ticket = services().tickets.call_next(workplace_id, actor=current_principal().actor)
    if ticket is None:
        return "", 204
    return ticket_with_position(services(), ticket, staff=True)
