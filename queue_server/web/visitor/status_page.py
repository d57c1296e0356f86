"""GET /t/<id> (the page), /t/<id>/state (JSON) and /t/<id>/events (live, server-sent events).

The stream sends the ticket's state when it changes, never the office's events: a
phone learns nothing about other visitors.  The positions are shared by every open
page (``service.status.StatusBoard``), so a call costs each page a dictionary look-up.
"""

from __future__ import annotations

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
from queue_server.web.visitor.feed import StatusFeed, state_message

DOMAIN = "status"
TICKET_ID = re.compile(r"t[0-9a-f]{16}")
RETRY_MS = 3000
FEED_KEY = "odno_okno.status_feed"  # app.extensions
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
        "seq": status.seq, "number": ticket.number, "queue": ticket.queue, "status": state, "line": line,
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
    status = _status(ticket_id)
    language = _language(status)
    first = state_for(status, language, services().office)
    ping = float(current_app.config["PING_SECONDS"])
    watcher = _feed().watch(ticket_id, language, first)  # before the first state is sent

    def stream() -> Iterator[str]:
        try:
            yield f"retry: {RETRY_MS}\n" + state_message(first)
            while True:
                item = watcher.get(timeout=ping)
                if item is CLOSED:
                    return
                yield ": ping\n\n" if item is None else str(item)
        finally:
            watcher.close()

    return Response(stream(), mimetype="text/event-stream", headers={
        "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _feed() -> StatusFeed:
    """The application's one feed of every open status page (made on first use)."""
    feed = current_app.extensions.get(FEED_KEY)
    if feed is None:
        board, office = services().status, services().office

        def render(status: TicketStatus, language: str) -> dict[str, Any]:
            return state_for(status, language, office)

        feed = current_app.extensions.setdefault(FEED_KEY, StatusFeed(services().bus, board, render))
    return feed


@blueprint.errorhandler(404)
def not_found(_error):
    message = catalogue(DOMAIN)["not_found"]
    return render_template("visitor/not_found.html", texts={code: message[code] for code in LANGUAGES}), 404
