"""The visitor's status page, opened from the QR code on the ticket, on the visitor's phone.

No sign-in and nothing personal: the ticket's unguessable id (64 random bits, see
``service.tickets.new_ticket_id``) is the key, and the page shows the number, the
people ahead, the wait and, once called, the place.  It is the one part of the
server meant to be published to the street (docs/public-access.md).
"""

from __future__ import annotations

from flask import Blueprint, Response

blueprint = Blueprint("visitor", __name__, url_prefix="/t", template_folder="templates",
                      static_folder="static")

CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; "
                           "connect-src 'self'; img-src 'self'; base-uri 'none'; "
                           "form-action 'none'; frame-ancestors 'none'")


@blueprint.after_request
def secure_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"  # the ticket's id never leaks onward
    response.headers.setdefault("Cache-Control", "no-store")
    return response


from queue_server.web.visitor import status_page  # noqa: E402,F401  (registers the routes)
