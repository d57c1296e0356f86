"""Tickets: issue, look up, and act on them."""

from __future__ import annotations

from queue_server.domain.tickets import Ticket
from queue_server.service.errors import BadRequest, Forbidden
from queue_server.web import services
from queue_server.web.api import blueprint
from queue_server.web.api.body import field, json_body
from queue_server.web.api.views import local_time, ticket_with_position
from queue_server.web.auth import Principal, current_principal, require


@blueprint.post("/tickets")
@require("issue tickets")
def issue_ticket():
    body = json_body()
    principal = current_principal()
    request_id = field(body, "request_id", str, default=None, max_length=64)
    if request_id is not None and not request_id.strip():
        raise BadRequest("request_id: must not be empty (leave it out instead)")
    print_on = field(body, "print_on", str, default=None, max_length=64)
    phone = field(body, "phone", str, default=None, max_length=64)
    if phone is not None:
        _check_consent(body)
    if print_on is not None and not principal.may("print on a kiosk"):
        raise Forbidden(f"{principal.role} may not print on a kiosk")
    issued = services().tickets.issue(
        life_situation=field(body, "life_situation", str, max_length=64),
        language=field(body, "language", str, default="ru", max_length=8),
        priority=field(body, "priority", bool, default=False),
        actor=principal.actor,
        request_id=request_id,
        print_on=print_on,
        in_hours_only=not principal.is_staff,  # staff may still issue at the desk
        phone=phone or None,
    )
    view = ticket_with_position(services(), issued.ticket, staff=principal.is_staff,
                                life_situation=True,
                                position=(issued.people_ahead, issued.estimated_wait_min))
    if print_on is not None:
        view["print_requested"] = issued.print_requested
    if phone:  # the kiosk says whether the number was taken; never echoes the number
        view["phone_accepted"] = issued.phone_refused is None
        if issued.phone_refused:
            view["phone_refused"] = issued.phone_refused
    return view, 201 if issued.created else 200


@blueprint.get("/tickets/<ticket_id>")
def get_ticket(ticket_id: str):
    """Public by its unguessable id (the QR code on the ticket); staff see the whole visit."""
    tickets, office = services().tickets, services().office
    ticket = tickets.ticket(ticket_id)
    principal = current_principal()
    staff = principal is not None and principal.is_staff
    view = ticket_with_position(services(), ticket, staff=staff)
    if staff:
        view["events"] = [
            {"seq": s.seq, "type": s.event.type, "at": local_time(s.event.at, office),
             "actor": s.event.actor, "workplace": s.event.workplace, "data": s.event.payload()}
            for s in tickets.history(ticket_id)
        ]
    return view


def acting_workplace(principal: Principal, ticket: Ticket, body: dict) -> str | None:
    """The workplace a member of staff acts from; refused if the office did not give it to them."""
    requested = field(body, "workplace", str, default=None, max_length=64)
    if requested is not None and not principal.works_at(requested):
        raise Forbidden(f"{principal.name} does not work at {requested}")
    if ticket.workplace is not None and not principal.works_at(ticket.workplace):
        # Naming one's own workplace does not reach a visitor at someone else's window.
        if principal.may("act at any workplace"):
            return None
        raise Forbidden(f"ticket {ticket.number} is at {ticket.workplace}, not at your workplace")
    if requested is not None:
        return requested
    if ticket.workplace is not None:
        return ticket.workplace
    if len(principal.workplaces) == 1:
        return principal.workplaces[0]
    return None


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
    "phone": "issue tickets",  # the kiosk's ticket screen: a phone for «your turn is near»
}


@blueprint.post("/tickets/<ticket_id>/<action>")
def act_on_ticket(ticket_id: str, action: str):
    if action not in ACTION_PERMISSION:
        raise BadRequest(f"unknown action {action!r}; one of {', '.join(ACTION_PERMISSION)}")
    return require(ACTION_PERMISSION[action])(_act)(ticket_id, action)


def _act(ticket_id: str, action: str):
    """Read the action's fields and run its use case; the rules are the service's and domain's."""
    tickets = services().tickets
    principal = current_principal()
    body = json_body(optional=True)
    if action == "phone":
        return _leave_phone(ticket_id, body)
    ticket = tickets.ticket(ticket_id)
    actor = principal.actor
    if action == "call":
        workplace = field(body, "workplace", str, max_length=64)
        if not principal.works_at(workplace):
            raise Forbidden(f"{principal.name} does not work at {workplace}")
        result = tickets.call(ticket_id, workplace, actor=actor)
    elif action == "redirect":  # here "workplace" names the destination, not the sender
        result = tickets.redirect(
            ticket_id,
            queue=field(body, "queue", str, default=None, max_length=64),
            workplace=field(body, "workplace", str, default=None, max_length=64),
            comment=field(body, "comment", str, default=""),
            return_to_me=field(body, "return_to_me", bool, default=False),
            from_workplace=acting_workplace(principal, ticket, {}), actor=actor)
    else:
        at = {"workplace": acting_workplace(principal, ticket, body), "actor": actor}
        result = _serve(tickets, action, ticket_id, body, at)
    return ticket_with_position(services(), result, staff=True)


def _leave_phone(ticket_id: str, body: dict):
    phone = field(body, "phone", str, max_length=64)
    _check_consent(body)
    refused = services().notifier.leave_phone(ticket_id, phone)
    return {"phone_accepted": refused is None, **({"phone_refused": refused} if refused else {})}


def _check_consent(body: dict) -> None:
    if field(body, "phone_consent", bool, default=False) is not True:
        raise BadRequest("phone_consent: must be true when a phone is given (the visitor agreed "
                         "to the consent line)")


def _serve(tickets, action: str, ticket_id: str, body: dict, at: dict) -> Ticket:
    if action == "recall":
        return tickets.recall(ticket_id, **at)
    if action == "start":
        return tickets.start(ticket_id, **at)
    if action == "postpone":
        return tickets.postpone(ticket_id, minutes=field(body, "minutes", (int, float), default=None), **at)
    if action == "no-show":
        return tickets.no_show(ticket_id, **at)
    if action == "finish":
        return tickets.finish(ticket_id, services=_string_list(body, "services"),
                              result=field(body, "result", str, default=""), **at)
    if action == "situation":
        return tickets.change_situation(ticket_id, field(body, "life_situation", str, max_length=64),
                                        **at)
    reason = field(body, "reason", str, default="")
    if action == "cancel":
        return tickets.cancel(ticket_id, reason=reason, **at)
    if action == "restore":
        return tickets.restore(ticket_id, reason=reason, **at)
    if action == "priority":
        return tickets.change_priority(ticket_id, priority=field(body, "priority", bool),
                                       reason=reason, **at)
    raise BadRequest(f"unknown action {action!r}")


def _string_list(body: dict, name: str) -> list[str]:
    values = field(body, name, list, default=[], max_length=100)
    if not all(isinstance(v, str) for v in values):
        raise BadRequest(f"{name}: must be a list of strings")
    return values
