"""Every API error is JSON: a stable code and a reason a person can read."""

from __future__ import annotations

from flask import jsonify
from werkzeug.exceptions import HTTPException

from queue_server.domain.lifecycle import WrongState
from queue_server.domain.limits import InvalidInput
from queue_server.service.errors import Busy, Forbidden, NotFound, SignInRefused, Unauthorized
from queue_server.web.api import blueprint


def error_response(status: int, code: str, reason: str, **extra):
    response = jsonify({"error": code, "reason": reason, **extra})
    response.status_code = status
    return response


@blueprint.errorhandler(InvalidInput)
def bad_request(error):
    return error_response(400, "bad_request", str(error))


@blueprint.errorhandler(Unauthorized)
def unauthorized(error):
    response = error_response(401, "unauthorized", str(error))
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


@blueprint.errorhandler(Forbidden)
def forbidden(error):
    return error_response(403, "forbidden", str(error))


@blueprint.errorhandler(NotFound)
def not_found(error):
    return error_response(404, "not_found", str(error))


@blueprint.errorhandler(WrongState)
def wrong_state(error):
    return error_response(409, "wrong_state", str(error))


@blueprint.errorhandler(Busy)
def busy(error):
    return error_response(409, "busy", str(error))


@blueprint.errorhandler(SignInRefused)
def sign_in_refused(error):
    if error.retry_after:
        response = error_response(429, "too_many_attempts", error.reason,
                                  retry_after=round(error.retry_after))
        response.headers["Retry-After"] = str(max(1, round(error.retry_after)))
        return response
    return error_response(401, "unauthorized", error.reason)


@blueprint.errorhandler(HTTPException)
def http_error(error):
    code = (error.name or "error").lower().replace(" ", "_")
    return error_response(error.code or 500, code, error.description or error.name)
