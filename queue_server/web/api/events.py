"""GET /events: server-sent events of every change, with pings and resynchronisation."""

from __future__ import annotations

import json
from collections.abc import Iterator

from flask import Response, current_app, request

from queue_server.domain.events import TicketEvent, TicketPrintRequested
from queue_server.domain.tickets import Ticket, apply
from queue_server.eventbus import CLOSED, OVERFLOW
from queue_server.service import BadRequest
from queue_server.store.tickets import StoredEvent, event_records, last_seq, stored_event
from queue_server.web.api import blueprint
from queue_server.web.api.contract import RESYNC
from queue_server.web.api.views import event_for
from queue_server.web.auth import current_principal, require

RETRY_MS = 2000  # how soon a browser reconnects after losing the stream
RENDERED_KEPT = 512
MAX_EVENT_ID = 2**63 - 1  # SQLite's largest integer; a bigger one would fail inside the stream


def _message(body: dict) -> str:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return f"id: {body['seq']}\nevent: {body['type']}\ndata: {data}\n\n"


def _resync(seq: int) -> str:
    return f"id: {seq}\nevent: {RESYNC}\ndata: {json.dumps({'seq': seq, 'type': RESYNC})}\n\n"


def _resume_point() -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.args.get("after")
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest("Last-Event-ID / after: must be an event number") from None
    if not 0 <= value <= MAX_EVENT_ID:
        raise BadRequest(f"Last-Event-ID / after: must be between 0 and {MAX_EVENT_ID}")
    return value


def _ticket_states(db, ticket_ids: set[str]) -> dict[int, Ticket]:
    """Each ticket as it was right after each of its events, keyed by event number.

    A replayed event then carries the same ticket as it did live, not today's state.
    """
    states: dict[int, Ticket] = {}
    for ticket_id in ticket_ids:
        ticket: Ticket | None = None
        for record in event_records(db, ticket_id=ticket_id):
            event = stored_event(record).event
            if isinstance(event, TicketEvent):
                ticket = apply(ticket, event)
                states[record["seq"]] = ticket
    return states


@blueprint.get("/events")
@require("read events")
def event_stream():
    service = current_app.extensions["odno_okno"]
    office = service.office
    principal = current_principal()
    staff = principal.is_staff
    kiosk = principal.name if principal.kind == "device" and principal.role == "kiosk" else None
    ping = float(current_app.config["PING_SECONDS"])
    limit = int(current_app.config["REPLAY_LIMIT"])
    after = _resume_point()
    # Subscribe before reading the backlog, so nothing falls between the two.
    subscription = service.bus.subscribe()

    # Each event is turned into text once per audience (staff, public), not once per
    # connected screen.  Keyed by log position, unique in this application's log;
    # dict operations are atomic under the GIL, and a lost race only renders twice.
    _rendered = service.rendered_events

    def render(stored: StoredEvent) -> str | None:
        if isinstance(stored.event, TicketPrintRequested):  # addressed to one kiosk: not shared
            body = event_for(stored, office, staff=staff, kiosk=kiosk)
            return _message(body) if body is not None else None
        key = (stored.seq, staff)
        if key in _rendered:  # hundreds of screens receive the very same text
            return _rendered[key]
        body = event_for(stored, office, staff=staff, kiosk=kiosk)
        text = _message(body) if body is not None else None
        _rendered[key] = text
        while len(_rendered) > RENDERED_KEPT:
            _rendered.pop(next(iter(_rendered)), None)
        return text

    def backlog() -> tuple[list[str], int]:
        db = service.store.db
        if after is None:  # a new client: everything in its inbox is news
            return [], 0
        records = event_records(db, after=after, limit=limit + 1)
        if len(records) > limit:
            newest = last_seq(db)
            return [_resync(newest)], newest
        messages, newest = [], after
        states = _ticket_states(db, {r["ticket_id"] for r in records if r["ticket_id"]})
        for record in records:
            stored = stored_event(record)
            stored = StoredEvent(stored.seq, stored.event, states.get(stored.seq))
            if (text := render(stored)) is not None:
                messages.append(text)
            newest = stored.seq
        return messages, newest

    def stream() -> Iterator[str]:
        try:
            yield f"retry: {RETRY_MS}\n: connected\n\n"
            messages, newest = backlog()
            yield from messages
            while True:
                item = subscription.get(timeout=ping)
                if item is CLOSED:
                    return
                if item is None:
                    yield ": ping\n\n"
                elif item is OVERFLOW:
                    newest = last_seq(service.store.db)
                    yield _resync(newest)
                elif item.seq > newest:
                    newest = item.seq
                    if (text := render(item)) is not None:
                        yield text
        finally:
            subscription.close()

    return Response(stream(), mimetype="text/event-stream", headers={
        "Cache-Control": "no-cache", "X-Accel-Buffering": "no",
    })
