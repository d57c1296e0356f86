"""GET /t/<id> (the page), /t/<id>/state (JSON) and /t/<id>/events (live, server-sent events).

The stream sends the ticket's state when it changes, never the office's events: a
phone learns nothing about other visitors.  The positions are shared by every open
page (``service.status.StatusBoard``), so a call costs each page a dictionary look-up.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from flask import Response, abort, current_app, render_template, request

from queue_server.domain.office import LANGUAGES, Office, UnknownId
from queue_server.domain.tickets import Status
from queue_server.eventbus import CLOSED
from queue_server.i18n import catalogue, translate
from queue_server.service import NotFound
from queue_server.service.messages import place as place_text
from queue_server.service.status import TicketStatus
from queue_server.web import services
from queue_server.web.visitor import blueprint

DOMAIN = "status"
TICKET_ID = re.compile(r"t[0-9a-f]{16}")
RETRY_MS = 3000
_CLOSED = {Status.FINISHED.value: "state_finished"}


def _status(ticket_id: str) -> TicketStatus:
    if not TICKET_ID.fullmatch(ticket_id):
        abort(404)
    try:
        return services().status.status(ticket_id)
    except NotFound:
        abort(404)


def _language(status: TicketStatus) -> str:
    asked = request.args.get("lang", "")
    return asked if asked in LANGUAGES else status.ticket.language


def state_for(status: TicketStatus, language: str, office: Office) -> dict[str, Any]:
    """The page's content in ``language``: what changes while the page is open."""
    ticket = status.ticket
    place = way = ""
    if ticket.workplace is not None:
        try:
            workplace = office.workplace(ticket.workplace)
            place = place_text(workplace, language)
            way = translate(DOMAIN, "way", language, zone=office.zone(workplace.zone).name.get(language))
        except UnknownId:  # a workplace since removed from the configuration
            place = ticket.workplace
    state = ticket.status.value
    if state in ("called", "serving"):
        line = translate(DOMAIN, f"state_{state}", language, place=place)
    elif state in ("waiting", "postponed"):
        line = translate(DOMAIN, f"state_{state}", language)
        place = way = ""
    else:
        line = translate(DOMAIN, _CLOSED.get(state, "state_closed"), language)
        place = way = ""
    waiting = state == "waiting"
    return {
        "seq": status.seq, "number": ticket.number, "status": state, "line": line,
        "place": place, "way": way, "called": state == "called",
        "people_ahead": status.people_ahead if waiting else None,
        "people_ahead_text": (translate(DOMAIN, "people_ahead_value", language, count=status.people_ahead)
                              if waiting else ""),
        "wait_text": (translate(DOMAIN, "wait_value", language, minutes=status.estimated_wait_min)
                      if waiting else ""),
    }


@blueprint.get("/<ticket_id>")
def page(ticket_id: str):
    status = _status(ticket_id)
    language = _language(status)
    texts = {key: message.get(language) or message["ru"] for key, message in catalogue(DOMAIN).items()}
    return render_template("visitor/status.html", lang=language, texts=texts,
                           state=state_for(status, language, services().office), ticket_id=ticket_id,
                           languages=LANGUAGE_NAMES)


LANGUAGE_NAMES = {"ru": "Русский", "tt": "Татарча", "en": "English"}


@blueprint.get("/<ticket_id>/state")
def state(ticket_id: str):
    status = _status(ticket_id)
    return state_for(status, _language(status), services().office)


@blueprint.get("/<ticket_id>/events")
def events(ticket_id: str):
    first = _status(ticket_id)
    language = _language(first)
    board, office = services().status, services().office
    ping = float(current_app.config["PING_SECONDS"])
    subscription = services().bus.subscribe()  # before the first state: nothing falls between

    def message(state: dict[str, Any]) -> str:
        return f"id: {state['seq']}\nevent: state\ndata: {json.dumps(state, ensure_ascii=False)}\n\n"

    def stream() -> Iterator[str]:
        try:
            last = state_for(first, language, office)
            yield f"retry: {RETRY_MS}\n" + message(last)
            while True:
                item = subscription.get(timeout=ping)
                if item is CLOSED:
                    return
                if item is None:
                    yield ": ping\n\n"
                    continue
                if subscription.inbox.qsize():
                    continue  # more of the same commit is queued: answer once, after the last
                now = state_for(board.status(ticket_id), language, office)
                if {**now, "seq": 0} != {**last, "seq": 0}:
                    yield message(now)
                last = now
        finally:
            subscription.close()

    return Response(stream(), mimetype="text/event-stream", headers={
        "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@blueprint.errorhandler(404)
def not_found(_error):
    message = catalogue(DOMAIN)["not_found"]
    return render_template("visitor/not_found.html", texts={code: message[code] for code in LANGUAGES}), 404
