"""Every API error is JSON: a stable code (``contract.ERROR_CODES``) and a reason a person can read."""

from __future__ import annotations

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from queue_server.domain.lifecycle import WrongState
from queue_server.domain.limits import InvalidInput
from queue_server.service.errors import (
    Busy,
    Forbidden,
    NotFound,
    Refused,
    SignInRefused,
    StorageFault,
    Unauthorized,
)
from queue_server.web.api import blueprint
from queue_server.web.api.contract import ERROR_CODES


def error_response(code: str, reason: str, **extra):
    response = jsonify({"error": code, "reason": reason, **extra})
    response.status_code = ERROR_CODES[code].status
    return response


@blueprint.errorhandler(InvalidInput)
def bad_request(error):
    return error_response("bad_request", str(error))


@blueprint.errorhandler(Unauthorized)
def unauthorized(error):
    response = error_response("unauthorized", str(error))
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


@blueprint.errorhandler(Forbidden)
def forbidden(error):
    return error_response("forbidden", str(error))


@blueprint.errorhandler(NotFound)
def not_found(error):
    return error_response("not_found", str(error))


@blueprint.errorhandler(WrongState)
def wrong_state(error):
    return error_response("wrong_state", str(error))


@blueprint.errorhandler(Busy)
def busy(error):
    return error_response("busy", str(error))


@blueprint.errorhandler(Refused)
def refused(error):
    extra = {key: value for key, value in error.extra.items() if value is not None}
    response = error_response(error.code, error.reason, **extra)
    if "retry_after" in extra:
        response.headers["Retry-After"] = str(extra["retry_after"])
    return response


@blueprint.errorhandler(SignInRefused)
def sign_in_refused(error):
    if error.retry_after:
        response = error_response("too_many_attempts", error.reason,
                                  retry_after=round(error.retry_after))
        response.headers["Retry-After"] = str(max(1, round(error.retry_after)))
        return response
    return error_response("unauthorized", error.reason)


STORAGE_RETRY_SECONDS = 30


@blueprint.errorhandler(StorageFault)
def storage_unavailable(error):
    """Every client learns that nothing was recorded and may retry (kiosks retry with the same
    request id, so a visitor never gets two tickets)."""
    response = error_response("storage_unavailable", str(error), retry_after=STORAGE_RETRY_SECONDS)
    response.headers["Retry-After"] = str(STORAGE_RETRY_SECONDS)
    return response


@blueprint.errorhandler(HTTPException)
def http_error(error):
    return error_response(_code_of(error), error.description or error.name)


def _code_of(error: HTTPException) -> str:
    """Werkzeug's own errors (e.g. a body that cannot be read) in the table's terms."""
    code = (error.name or "").lower().replace(" ", "_")
    if code in ERROR_CODES and ERROR_CODES[code].status == error.code:
        return code
    return "bad_request" if (error.code or 500) < 500 else "internal_server_error"


# Registered on the app: an address that matches no route never reaches the blueprint.

def no_route(error):
    """Unknown addresses under /api/ answer JSON too, with a code of their own: a client
    tells a missing capability (an older server) from a missing ticket without reading."""
    if request.path.startswith("/api/"):
        return error_response("no_route", "no such API route")
    return error


def method_not_allowed(error):
    if request.path.startswith("/api/"):
        response = error_response("method_not_allowed", f"{request.method} is not allowed here")
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods or ()))  # RFC 9110 15.5.6
        return response
    return error
