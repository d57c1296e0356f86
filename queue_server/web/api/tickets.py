"""Tickets: issue, look up, and act on them."""

from __future__ import annotations

from flask import current_app

from queue_server.domain import lifecycle
from queue_server.domain.tickets import Ticket
from queue_server.service import BadRequest, QueueService
from queue_server.web.api import blueprint
from queue_server.web.api.body import field, json_body
from queue_server.web.api.views import local_time, ticket_with_position
from queue_server.web.auth import Forbidden, Principal, current_principal, require


def _service() -> QueueService:
    return current_app.extensions["odno_okno"]


@blueprint.post("/tickets")
@require("issue tickets")
def issue_ticket():
    body = json_body()
    principal = current_principal()
    request_id = field(body, "request_id", str, default=None, max_length=64)
    print_on = field(body, "print_on", str, default=None, max_length=64)
    if print_on is not None and not principal.may("print on a kiosk"):
        raise Forbidden(f"{principal.role} may not print on a kiosk")
    issued = _service().issue(
        life_situation=field(body, "life_situation", str, max_length=64),
        language=field(body, "language", str, default="ru", max_length=8),
        priority=field(body, "priority", bool, default=False),
        actor=principal.actor,
        request_id=request_id,
        print_on=print_on,
    )
    view = ticket_with_position(_service(), issued.ticket, staff=principal.is_staff,
                                life_situation=True,
                                position=(issued.people_ahead, issued.estimated_wait_min))
    if print_on is not None:
        view["print_requested"] = issued.print_requested
    return view, 201 if issued.created else 200


@blueprint.get("/tickets/<ticket_id>")
def get_ticket(ticket_id: str):
    """Public by its unguessable id (the QR code on the ticket); staff see the whole visit."""
    service = _service()
    ticket = service.ticket(ticket_id)
    principal = current_principal()
    staff = principal is not None and principal.is_staff
    view = ticket_with_position(service, ticket, staff=staff)
    if staff:
        view["events"] = [
            {"seq": s.seq, "type": s.event.type, "at": local_time(s.event.at, service.office),
             "actor": s.event.actor, "workplace": s.event.workplace, "data": s.event.payload()}
            for s in service.history(ticket_id)
        ]
    return view


def acting_workplace(principal: Principal, ticket: Ticket, body: dict) -> str | None:
    """The workplace a member of staff acts from; refused if the office did not give it to them."""
    requested = field(body, "workplace", str, default=None, max_length=64)
    if requested is not None:
        if not principal.works_at(requested):
            raise Forbidden(f"{principal.name} does not work at {requested}")
        return requested
    if ticket.workplace is not None:
        if principal.works_at(ticket.workplace):
            return ticket.workplace
        if principal.may("act at any workplace"):
            return None
        raise Forbidden(f"ticket {ticket.number} is at {ticket.workplace}, not at your workplace")
    if len(principal.workplaces) == 1:
        return principal.workplaces[0]
    return None


MAX_POSTPONE_MINUTES = 24 * 60

ACTION_PERMISSION = {
    "call": "call visitors",
    "recall": "serve visitors",
    "start": "serve visitors",
    "postpone": "serve visitors",
    "no-show": "serve visitors",
    "finish": "serve visitors",
    "redirect": "redirect tickets",
    "cancel": "cancel tickets",
    "restore": "restore tickets",
    "priority": "change priority",
    "situation": "change life situation",
}


@blueprint.post("/tickets/<ticket_id>/<action>")
def act_on_ticket(ticket_id: str, action: str):
    if action not in ACTION_PERMISSION:
        raise BadRequest(f"unknown action {action!r}; one of {', '.join(ACTION_PERMISSION)}")
    return require(ACTION_PERMISSION[action])(_act)(ticket_id, action)


def _act(ticket_id: str, action: str):
    service = _service()
    principal = current_principal()
    body = json_body(optional=True)
    ticket = service.ticket(ticket_id)
    actor, now = principal.actor, service.now()
    if action == "call":
        workplace = field(body, "workplace", str, max_length=64)
        if not principal.works_at(workplace):
            raise Forbidden(f"{principal.name} does not work at {workplace}")
        result = service.call(ticket_id, workplace, actor=actor)
        return ticket_with_position(service, result, staff=True)
    if action == "redirect":  # here "workplace" names the destination, not the sender
        sender = acting_workplace(principal, ticket, {})
        result = service.redirect(
            ticket_id,
            queue=field(body, "queue", str, default=None, max_length=64),
            workplace=field(body, "workplace", str, default=None, max_length=64),
            comment=field(body, "comment", str, default="", max_length=500),
            return_to_me=field(body, "return_to_me", bool, default=False),
            from_workplace=sender, actor=actor)
        return ticket_with_position(service, result, staff=True)
    workplace = acting_workplace(principal, ticket, body)
    if action == "finish":
        result = service.finish(
            ticket_id, services=_string_list(body, "services"),
            result=field(body, "result", str, default="", max_length=200),
            workplace=workplace, actor=actor)
    elif action == "situation":
        result = service.change_situation(
            ticket_id, field(body, "life_situation", str, max_length=64),
            workplace=workplace, actor=actor)
    else:
        command = _simple_command(action, body, service, workplace, actor, now)
        result = service.act(ticket_id, command)
    return ticket_with_position(service, result, staff=True)


def _string_list(body: dict, name: str) -> list[str]:
    values = field(body, name, list, default=[], max_length=100)
    if not all(isinstance(v, str) for v in values):
        raise BadRequest(f"{name}: must be a list of strings")
    return values


def _simple_command(action, body, service, workplace, actor, now):
    rules = service.office.rules
    reason = field(body, "reason", str, default="", max_length=300)
    common = {"workplace": workplace, "at": now, "actor": actor}
    if action == "recall":
        return lambda t: lifecycle.recall(t, **common)
    if action == "start":
        return lambda t: lifecycle.start(t, **common)
    if action == "postpone":
        minutes = field(body, "minutes", (int, float), default=None)
        if minutes is not None and not 0 < minutes <= MAX_POSTPONE_MINUTES:
            raise BadRequest(f"minutes: more than 0 and at most {MAX_POSTPONE_MINUTES}")
        return lambda t: lifecycle.postpone(t, minutes=minutes, **common)
    if action == "no-show":
        return lambda t: lifecycle.no_show(t, calls_before_no_show=rules.calls_before_no_show,
                                           **common)
    if action == "cancel":
        return lambda t: lifecycle.cancel(t, reason=reason, **common)
    if action == "restore":
        return lambda t: lifecycle.restore(t, reason=reason, **common)
    if action == "priority":
        priority = field(body, "priority", bool)
        return lambda t: lifecycle.change_priority(t, priority=priority, reason=reason, **common)
    raise BadRequest(f"unknown action {action!r}")
