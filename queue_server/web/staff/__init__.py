"""Staff workplaces in the browser: sign-in, operator, administrator console, accounts.

Pages are rendered here; their scripts talk to the JSON API with the session's
bearer token and follow the event stream.  The blueprint's own forms carry CSRF
tokens (flask-wtf, per form: a global CSRFProtect would break the bearer API).
"""

from __future__ import annotations

from flask import Blueprint, Response, request

blueprint = Blueprint(
    "staff", __name__, url_prefix="/staff", template_folder="templates", static_folder="static"
)

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


@blueprint.after_request
def secure_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    if request.endpoint != "staff.static":
        # Pages carry the session's API token: never keep them in a cache.
        response.headers["Cache-Control"] = "no-store"
    return response


from queue_server.web.staff import (  # noqa: E402  (views register on the blueprint)
    accounts,
    appointments,
    console,
    errors,
    feedback,
    messages,
    operator,
    page_context,
    page_data,
    reports,
    signin,
    speech,
)

__all__ = ["accounts", "appointments", "blueprint", "console", "errors", "feedback", "messages",
           "operator", "page_context", "page_data", "reports", "signin", "speech"]
