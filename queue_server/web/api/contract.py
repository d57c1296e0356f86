"""What clients may rely on: the API's error codes and the event stream's message types.

Both are published in ``GET /api/v1/openapi.json`` (``x-error-codes``,
``x-event-types``) and listed in docs/api.md; tests keep the three equal.  Clients
act on these machine codes, never on the words of a reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from queue_server.domain.events import EVENT_TYPES, Audience, event_types


@dataclass(frozen=True)
class ErrorCode:
    status: int
    meaning: str


ERROR_CODES: dict[str, ErrorCode] = {
    "bad_request": ErrorCode(400, "malformed JSON, a missing or wrong field (the reason names the field)"),
    "unauthorized": ErrorCode(401, "no token, an unknown or expired token, or a refused sign-in"),
    "forbidden": ErrorCode(403, "the token's role may not do this, or not from this workplace"),
    "not_found": ErrorCode(404, "no such ticket, queue, workplace or help call"),
    "no_route": ErrorCode(404, "no such API route: this server does not offer the address "
                               "(a capability it lacks)"),
    "method_not_allowed": ErrorCode(405, "the route exists, but not with this method"),
    "wrong_state": ErrorCode(409, "the ticket is not in a state that allows the action"),
    "busy": ErrorCode(409, "the workplace already has a called or serving visitor"),
    "office_closed": ErrorCode(409, "a kiosk may not issue outside the office's hours; `opens_at` "
                                    "(office time) says when it opens"),
    "slot_full": ErrorCode(409, "the booked slot has no place left (another booking took it)"),
    "unknown_code": ErrorCode(404, "check-in: no booking with this code waits for a check-in"),
    "too_early": ErrorCode(409, "check-in: before the window; `come_back_at` (office time) says "
                                "when it opens"),
    "too_late": ErrorCode(409, "check-in: the window has closed; the visitor takes an ordinary "
                               "ticket"),
    "too_many_attempts": ErrorCode(429, "repeated failed sign-ins or wrong booking codes from one "
                                        "kiosk; `retry_after` (seconds) and the Retry-After header "
                                        "say when to try again"),
    "too_many_streams": ErrorCode(503, "the server's event streams are all taken (`--max-streams`); "
                                       "retry after Retry-After seconds, other requests still work"),
    "internal_server_error": ErrorCode(500, "a fault in the server, never bad input"),
    "storage_unavailable": ErrorCode(503, "the server cannot write to its database (disk full, read-only "
                                          "or failing): nothing was recorded; retry, Retry-After says when"),
}

RESYNC = "resync"
"""Sent on the stream instead of a replay too long to send: reload the state from the API."""


def stream_event_types(*, staff: bool) -> tuple[str, ...]:
    """The event types a page's reader of ``GET /events`` may receive, besides ``resync``.

    Staff receive every event, a hall display the public ones.
    """
    return tuple(EVENT_TYPES) if staff else event_types(Audience.PUBLIC)


def stream_message_audiences() -> dict[str, Audience]:
    """Every message type of the stream with who may receive it, ``resync`` included."""
    return {**{name: cls.audience for name, cls in EVENT_TYPES.items()}, RESYNC: Audience.PUBLIC}
