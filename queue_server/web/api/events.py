"""GET /events: server-sent events of every change, with pings and resynchronisation."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

from flask import Response, current_app, request

from queue_server.domain.events import StoredEvent, TicketPrintRequested
from queue_server.eventbus import CLOSED, OVERFLOW
from queue_server.service.errors import BadRequest
from queue_server.web import services
from queue_server.web.api import blueprint
from queue_server.web.api.contract import RESYNC
from queue_server.web.api.errors import error_response
from queue_server.web.api.views import event_for
from queue_server.web.auth import current_principal, require

RETRY_MS = 2000  # how soon a browser reconnects after losing the stream
RENDERED_KEPT = 512
RENDERED_KEY = "odno_okno.rendered_events"  # app.extensions: (seq, staff) -> SSE text
MAX_EVENT_ID = 2**63 - 1  # SQLite's largest integer; a bigger one would fail inside the stream
STREAMS_KEY = "odno_okno.streams"  # app.extensions: the open streams' counter
STREAM_RETRY_SECONDS = 10


class OpenStreams:
    """How many event streams are open, against ``MAX_STREAMS``: in threads mode each holds
    a worker thread, so without a limit of their own screens could take every one."""

    def __init__(self, limit: int):
        self.limit = limit
        self.count = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.count >= self.limit:
                return False
            self.count += 1
            return True

    def release(self) -> None:
        with self._lock:
            self.count -= 1


def open_streams() -> OpenStreams:
    streams = current_app.extensions.get(STREAMS_KEY)
    if streams is None:
        streams = current_app.extensions.setdefault(
            STREAMS_KEY, OpenStreams(int(current_app.config["MAX_STREAMS"])))
    return streams


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


@blueprint.get("/events")
@require("read events")
def event_stream():
    tickets = services().tickets
    office = services().office
    principal = current_principal()
    staff = principal.is_staff
    kiosk = principal.name if principal.kind == "device" and principal.role == "kiosk" else None
    ping = float(current_app.config["PING_SECONDS"])
    limit = int(current_app.config["REPLAY_LIMIT"])
    after = _resume_point()
    streams = open_streams()
    if not streams.take():
        refusal = error_response("too_many_streams",
                                 f"all {streams.limit} event streams are open; try again later")
        refusal.headers["Retry-After"] = str(STREAM_RETRY_SECONDS)
        return refusal
    # Subscribe before reading the backlog, so nothing falls between the two.
    subscription = services().bus.subscribe()

    # Each event is turned into text once per audience (staff, public), not once per
    # connected screen.  Keyed by log position, unique in this application's log;
    # dict operations are atomic under the GIL, and a lost race only renders twice.
    _rendered: dict[tuple[int, bool], str | None] = current_app.extensions.setdefault(RENDERED_KEY, {})

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
        if after is None:  # a new client: everything in its inbox is news
            return [], 0
        missed = tickets.backlog(after, limit)
        if missed.resync:
            return [_resync(missed.newest)], missed.newest
        return [text for stored in missed.events if (text := render(stored)) is not None], missed.newest

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
                    newest = tickets.last_seq()
                    yield _resync(newest)
                elif item.seq > newest:
                    newest = item.seq
                    if (text := render(item)) is not None:
                        yield text
        finally:
            subscription.close()

    response = Response(stream(), mimetype="text/event-stream", headers={
        "Cache-Control": "no-cache", "X-Accel-Buffering": "no",
    })
    # The server closes the response when the client goes, even before the first byte
    # (a generator never started runs no ``finally``).
    response.call_on_close(streams.release)
    response.call_on_close(subscription.close)
    return response
