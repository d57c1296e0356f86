"""JSON API under /api/v1: one module per resource, errors as JSON from one place."""

from flask import Blueprint

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

from queue_server.web.api import (  # noqa: E402,F401  (modules register their routes)
    appointments,
    errors,
    events,
    feedback,
    help_calls,
    messages,
    metrics,
    office,
    openapi,
    queues,
    sessions,
    tickets,
    workplaces,
)
