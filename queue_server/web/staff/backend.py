"""The server's services as the staff pages use them, and who is acting from where."""

from __future__ import annotations

from flask import session

from queue_server.domain.office import Office
from queue_server.web import services


def current_office() -> Office:
    return services().office


def acting() -> dict[str, str | None]:
    """``actor`` and ``workplace`` of the staff member behind this page, for the audit log."""
    from queue_server.web.staff.access import current_principal

    principal = current_principal()
    return {"actor": principal.actor if principal else "unknown", "workplace": session.get("workplace")}
