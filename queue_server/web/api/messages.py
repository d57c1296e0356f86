"""Messages to visitors: what the administrator sees of the outbox, and resending."""

from __future__ import annotations

from typing import Any

from flask import request

from queue_server.domain import notify
from queue_server.web import services
from queue_server.web.api import blueprint
from queue_server.web.api.views import message_for
from queue_server.web.auth import require


@blueprint.get("/messages")
@require("read messages")
def list_messages():
    asked = request.args.get("status")
    statuses = tuple(s for s in asked.split(",") if s) if asked else (notify.PENDING, notify.SENDING,
                                                                       notify.FAILED)
    notifier, office = services().notifier, services().office
    result: dict[str, Any] = {"messages": [message_for(m, office) for m in notifier.messages(statuses)],
                              "counts": notifier.counts()}
    return result


@blueprint.post("/messages/<int:message_id>/resend")
@require("resend messages")
def resend_message(message_id: int):
    return message_for(services().notifier.resend(message_id), services().office)
