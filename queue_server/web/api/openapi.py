"""GET /openapi.json: the API described for other systems.

tests/test_openapi.py checks that every route is described and every description
has a route, so this document cannot drift from the code.  The error codes and the
event stream's message types come from ``contract`` (``x-error-codes``, ``x-event-types``).
"""

from __future__ import annotations

from typing import Any

from queue_server import __version__
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


def _path_param(name: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


TICKET_ACTIONS = ["call", "recall", "start", "redirect", "postpone", "no-show", "restore",
                  "finish", "cancel", "priority", "situation"]

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
        "request_id": {"type": "string", "maxLength": 64,
                       "description": "retry key: the same id answers the same ticket"},
        "print_on": {"type": "string", "maxLength": 64, "example": "kiosk-1",
                     "description": "administrator, admin: a registered kiosk prints the "
                                    "ticket (event ticket.print_requested)"}}},
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
                            "description": "issue with print_on: the kiosk was asked to print"}}},
    "TicketAction": {"type": "object", "description": "fields depend on the action", "properties": {
        "workplace": {"type": "string", "description": "call: calling workplace; redirect: destination"},
        "queue": {"type": "string", "description": "redirect: destination queue"},
        "comment": {"type": "string", "maxLength": 500},
        "return_to_me": {"type": "boolean"},
        "minutes": {"type": "number", "description": "postpone: back by itself after"},
        "services": {"type": "array", "items": {"type": "string"}},
        "result": {"type": "string"}, "reason": {"type": "string"},
        "priority": {"type": "boolean"}, "life_situation": {"type": "string"}}},
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
        body={"type": "object", "properties": {"status": {"type": "string",
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
                 "content": {"text/event-stream": {"schema": {"type": "string"}}}}})},
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
