"""GET /openapi.json: the API described for other systems.

tests/test_openapi.py checks that every route is described and every description
has a route, so this document cannot drift from the code.  The error codes and the
event stream's message types come from ``contract`` (``x-error-codes``, ``x-event-types``).
"""

from __future__ import annotations

from typing import Any

from queue_server import __version__
from queue_server.domain import notify
from queue_server.domain.feedback import REASONS as FEEDBACK_REASONS
from queue_server.web.api import blueprint
from queue_server.web.api.contract import ERROR_CODES, stream_message_audiences


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _json(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description}
    if schema is not None:
        answer["content"] = {"application/json": {"schema": schema}}
    return answer


def _errors(*statuses: int) -> dict[str, Any]:
    """The answers of these statuses, each naming its codes from the contract."""
    return {
        str(status): _json("; ".join(f"{code}: {error.meaning}" for code, error in ERROR_CODES.items()
                                     if error.status == status), _ref("Error"))
        for status in statuses
    }


ERRORS = _errors(400, 401, 403, 404, 409, 503)


def _op(summary: str, responses: dict[str, Any], *, body: dict | None = None,
        public: bool = False, params: list | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "responses": {**responses, **ERRORS}}
    if body is not None:
        operation["requestBody"] = _body(body)
    if public:
        operation["security"] = []
    if params:
        operation["parameters"] = params
    return operation


def _query(name: str, kind: str = "string", **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": {"type": kind, **schema}}


def _path_param(name: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


TICKET_ACTIONS = ["call", "recall", "start", "redirect", "postpone", "no-show", "restore",
                  "finish", "cancel", "priority", "situation", "phone"]

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error", "reason"], "properties": {
        "error": {"type": "string", "enum": list(ERROR_CODES), "example": "wrong_state"},
        "reason": {"type": "string"}}},
    "Text": {"type": "object", "properties": {
        "ru": {"type": "string"}, "tt": {"type": "string"}, "en": {"type": "string"}}},
    "NewTicket": {"type": "object", "required": ["life_situation"], "properties": {
        "life_situation": {"type": "string", "example": "job_search"},
        "language": {"type": "string", "enum": ["ru", "tt", "en"], "default": "ru"},
        "priority": {"type": "boolean", "default": False,
                     "description": "out-of-turn service; a flag only, never a reason"},
        "request_id": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "\\S",
                       "description": "retry key: the same id answers the same ticket"},
        "print_on": {"type": "string", "maxLength": 64, "example": "kiosk-1",
                     "description": "administrator, admin: a registered kiosk prints the "
                                    "ticket (event ticket.print_requested)"},
        "phone": {"type": "string", "maxLength": 64, "example": "+7 912 345-67-89",
                  "description": "optional: a Russian mobile for «your turn is near» and «you are "
                                 "called»; a refused one never refuses the ticket"},
        "phone_consent": {"type": "boolean",
                          "description": "must be true with a phone: the visitor saw the consent line"}}},
    "Ticket": {"type": "object", "properties": {
        "id": {"type": "string"}, "number": {"type": "string", "example": "А012"},
        "spoken_number": {"type": "string", "example": "А 12"},
        "queue": {"type": "string"}, "status": {"type": "string", "enum": [
            "waiting", "called", "serving", "postponed", "no_show", "finished", "cancelled"]},
        "language": {"type": "string"}, "calls": {"type": "integer"},
        "workplace": {"type": "object", "nullable": True},
        "people_ahead": {"type": "integer"}, "estimated_wait_min": {"type": "integer"},
        "status_url": {"type": "string"},
        "life_situation": {"type": "string", "description": "staff, and the issuing kiosk"},
        "priority": {"type": "boolean", "description": "staff only"},
        "print_requested": {"type": "boolean",
                            "description": "issue with print_on: the kiosk was asked to print"},
        "phone_accepted": {"type": "boolean", "description": "issue with a phone: it was taken"},
        "phone_refused": {"type": "string", "description": "issue with a phone: why it was not"}}},
    "Message": {"type": "object", "description": "a message to a visitor (outbox)", "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string", "enum": list(notify.KINDS)},
        "channel": {"type": "string", "enum": [notify.SMS, notify.EMAIL]},
        "recipient": {"type": "string", "description": "masked: +7…6789, a…@mail.ru"},
        "status": {"type": "string", "enum": list(notify.STATUSES)},
        "attempts": {"type": "integer"}, "last_error": {"type": "string", "nullable": True},
        "created_at": {"type": "string"}, "next_attempt_at": {"type": "string"},
        "sent_at": {"type": "string", "nullable": True}}},
    "TicketAction": {"type": "object", "description": "fields depend on the action", "properties": {
        "workplace": {"type": "string", "description": "call: calling workplace; redirect: destination"},
        "queue": {"type": "string", "description": "redirect: destination queue"},
        "comment": {"type": "string", "maxLength": 500},
        "return_to_me": {"type": "boolean"},
        "minutes": {"type": "number", "description": "postpone: back by itself after"},
        "services": {"type": "array", "items": {"type": "string"}},
        "result": {"type": "string"}, "reason": {"type": "string"},
        "priority": {"type": "boolean"}, "life_situation": {"type": "string"},
        "phone": {"type": "string", "description": "phone (kiosk): a Russian mobile for messages"},
        "phone_consent": {"type": "boolean", "description": "phone: must be true"}}},
    "NewAppointment": {"type": "object", "required": ["slot"], "properties": {
        "queue": {"type": "string", "example": "curator",
                  "description": "a queue with a schedule; or give life_situation"},
        "life_situation": {"type": "string", "description": "books its entry queue"},
        "slot": {"type": "string", "example": "2026-12-28T10:20",
                 "description": "office wall time of a free slot (from /appointments/slots)"},
        "name": {"type": "string", "maxLength": 100, "description": "personal data, optional"},
        "phone": {"type": "string", "example": "+7 900 123-45-67",
                  "description": "personal data, optional; a Russian number"},
        "email": {"type": "string", "maxLength": 120, "description": "personal data, optional"},
        "consent": {"type": "boolean", "description": "the visitor agrees to reminders"},
        "needs_help": {"type": "boolean", "description": "meet at the entrance (a flag only)"},
        "companion": {"type": "boolean", "description": "comes with a companion (a flag only)"}}},
    "Appointment": {"type": "object", "properties": {
        "id": {"type": "integer"}, "code": {"type": "string", "example": "048213"},
        "queue": {"type": "string"}, "queue_name": _ref("Text"),
        "life_situation": {"type": "string"},
        "slot_at": {"type": "string", "example": "2026-12-28T10:20"},
        "status": {"type": "string", "enum": ["booked", "checked_in", "cancelled", "missed"]},
        "name": {"type": "string"}, "phone": {"type": "string"}, "email": {"type": "string"},
        "consent": {"type": "boolean"}, "needs_help": {"type": "boolean"},
        "companion": {"type": "boolean"}, "help_taken_by": {"type": "string", "nullable": True},
        "ticket_id": {"type": "string", "nullable": True}}},
    "CheckIn": {"type": "object", "required": ["code"], "properties": {
        "code": {"type": "string", "example": "048213", "description": "6 digits"},
        "language": {"type": "string", "enum": ["ru", "tt", "en"], "default": "ru"}}},
    "Rating": {"type": "object", "required": ["ticket_id", "rating"], "properties": {
        "ticket_id": {"type": "string"}, "rating": {"type": "integer", "minimum": 1, "maximum": 5},
        "reasons": {"type": "array", "items": {"type": "string", "enum": list(FEEDBACK_REASONS)}},
        "comment": {"type": "string", "maxLength": 1000},
        "workplace": {"type": "string", "description": "the tablet's workplace"}}},
    "Login": {"type": "object", "required": ["username", "password"], "properties": {
        "username": {"type": "string"}, "password": {"type": "string"}}},
}

PATHS: dict[str, dict[str, Any]] = {
    "/auth/login": {"post": _op("Staff sign-in; answers a bearer token",
                                {"200": _json("Signed in"), "429": _json("Too many attempts")},
                                body=_ref("Login"), public=True)},
    "/auth/logout": {"post": _op("End this staff session", {"204": _json("Signed out")})},
    "/auth/me": {"get": _op("Who this token belongs to", {"200": _json("The principal")})},
    "/office": {"get": _op("The office: languages, life situations, queues, workplaces",
                           {"200": _json("The office")})},
    "/queues": {"get": _op("Waiting counts and oldest wait of every queue",
                           {"200": _json("Queues")})},
    "/workplaces": {"get": _op("State of every workplace", {"200": _json("Workplaces")})},
    "/workplaces/{workplace_id}/status": {"post": _op(
        "Open, break or closed", {"204": _json("Changed")},
        body={"type": "object", "required": ["status"], "properties": {"status": {"type": "string",
              "enum": ["open", "break", "closed"]}}}, params=[_path_param("workplace_id")])},
    "/workplaces/{workplace_id}/call-next": {"post": _op(
        "Call the next visitor", {"200": _json("Called", _ref("Ticket")),
                                  "204": _json("Nobody waits")},
        params=[_path_param("workplace_id")])},
    "/tickets": {"post": _op("Issue a ticket", {"201": _json("Issued", _ref("Ticket")),
                                                "200": _json("Same request_id again", _ref("Ticket"))},
                             body=_ref("NewTicket"))},
    "/tickets/{ticket_id}": {"get": _op(
        "A ticket; public by its id, the whole visit for staff",
        {"200": _json("The ticket", _ref("Ticket"))}, public=True,
        params=[_path_param("ticket_id")])},
    "/tickets/{ticket_id}/{action}": {"post": _op(
        "Act on a ticket: " + ", ".join(TICKET_ACTIONS),
        {"200": _json("The ticket after the action", _ref("Ticket"))}, body=_ref("TicketAction"),
        params=[_path_param("ticket_id"),
                {"name": "action", "in": "path", "required": True,
                 "schema": {"type": "string", "enum": TICKET_ACTIONS}}])},
    "/events": {"get": _op(
        "Server-sent events of every change; Last-Event-ID or ?after= resumes",
        {"200": {"description": "text/event-stream",
                 "content": {"text/event-stream": {"schema": {"type": "string"}}}},
         **_errors(503)})},
    "/help-calls": {
        "post": _op("A kiosk asks for the administrator", {"201": _json("Help call opened")}),
        "get": _op("Open help calls", {"200": _json("Help calls")}),
    },
    "/help-calls/{call_id}/acknowledge": {"post": _op(
        "Someone is coming", {"204": _json("Acknowledged")},
        params=[_path_param("call_id", "integer")])},
    "/devices/status": {"post": _op(
        "A kiosk reports its printer", {"204": _json("Recorded")},
        body={"type": "object", "properties": {
            "printer": {"type": "string", "enum": ["ok", "offline", "paper_out", "error"]},
            "detail": {"type": "string"}}})},
    "/devices/heartbeat": {"post": _op(
        "A kiosk or screen is alive (every 30 s); silence raises the console's alarm",
        {"204": _json("Recorded")})},
    "/devices": {"get": _op("Kiosks and displays with their last printer state and heartbeat",
                            {"200": _json("Devices")})},
    "/appointments/slots": {"get": _op(
        "Free slots of a queue (or a life situation's queue) over the coming days",
        {"200": _json("Slots with places left: queue, at (office time), free")},
        params=[_query("queue"), _query("life_situation"), _query("days", "integer", default=7),
                _query("start", format="date")])},
    "/appointments": {
        "post": _op("Book a slot; answers the booking with its code",
                    {"201": _json("Booked", _ref("Appointment"))}, body=_ref("NewAppointment")),
        "get": _op("A day's bookings (default today), optionally of one queue",
                   {"200": _json("Bookings")},
                   params=[_query("day", format="date"), _query("queue")]),
    },
    "/appointments/missed": {"get": _op("Bookings of the last week nobody checked in",
                                        {"200": _json("Bookings")})},
    "/appointments/door": {"get": _op(
        "Booked visitors to meet at the entrance in the next two hours", {"200": _json("Bookings")})},
    "/appointments/{appointment_id}": {"get": _op(
        "One booking", {"200": _json("The booking", _ref("Appointment"))},
        params=[_path_param("appointment_id", "integer")])},
    "/appointments/{appointment_id}/move": {"post": _op(
        "Move a booking to another free slot", {"200": _json("Moved", _ref("Appointment"))},
        body={"type": "object", "required": ["slot"], "properties": {
            "slot": {"type": "string"}, "queue": {"type": "string"}}},
        params=[_path_param("appointment_id", "integer")])},
    "/appointments/{appointment_id}/cancel": {"post": _op(
        "Cancel a booking (its place is free again)", {"200": _json("Cancelled", _ref("Appointment"))},
        params=[_path_param("appointment_id", "integer")])},
    "/appointments/{appointment_id}/take-on": {"post": _op(
        "The administrator will meet this visitor at the door (audited)",
        {"200": _json("Recorded", _ref("Appointment"))},
        params=[_path_param("appointment_id", "integer")])},
    "/appointments/check-in": {"post": _op(
        "A kiosk checks a booking in: a ticket ranked as an appointment",
        {"201": _json("Checked in", _ref("Ticket")), "429": _json("Too many wrong codes")},
        body=_ref("CheckIn"))},
    "/messages": {"get": _op(
        "Messages to visitors not yet sent or failed (?status=failed,pending,sending,sent,cancelled)",
        {"200": _json("Messages and counts per status")})},
    "/messages/{message_id}/resend": {"post": _op(
        "Send a failed message again, with fresh attempts", {"200": _json("The message", _ref("Message"))},
        params=[_path_param("message_id", "integer")])},
    "/feedback": {"post": _op(
        "A visitor rates a finished visit, once (feedback tablet, kiosk)",
        {"201": _json("Recorded")}, body=_ref("Rating"))},
    "/feedback/pending": {"get": _op(
        "The visit a workplace finished moments ago and nobody rated yet (feedback tablet)",
        {"200": _json("The ticket (id, number, language) or null")},
        params=[{"name": "workplace", "in": "query", "required": True, "schema": {"type": "string"}}])},
    "/metrics": {"get": _op(
        "Prometheus metrics: queues, waits, request latency, streams, outbox, devices",
        {"200": {"description": "Prometheus text format",
                 "content": {"text/plain": {"schema": {"type": "string"}}}}})},
    "/openapi.json": {"get": _op("This document", {"200": _json("OpenAPI 3.0")}, public=True)},
}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Одно окно queue server", "version": __version__,
                 "description": "See docs/api.md for the event stream and examples."},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "query": {"type": "apiKey", "in": "query", "name": "token"},
            },
        },
        "security": [{"bearer": []}, {"query": []}],
        "paths": PATHS,
        "x-error-codes": {code: {"status": error.status, "meaning": error.meaning}
                          for code, error in ERROR_CODES.items()},
        "x-event-types": {name: {"audience": audience.value}
                          for name, audience in stream_message_audiences().items()},
    }


@blueprint.get("/openapi.json")
def openapi_document():
    return document()
