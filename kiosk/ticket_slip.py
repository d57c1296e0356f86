"""The paper ticket built from the server's ticket view: one place for the kiosk's own
tickets and for the ones the administrator console asks it to print."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kiosk.i18n import LANGUAGES, pick
from kiosk.office import Office, office_now
from kiosk.printing.slip import TicketSlip


def build_ticket_slip(ticket: dict[str, Any], office: Office | None, *, server_url: str,
                      fallback_language: str = "ru") -> TicketSlip:
    """A TicketSlip in the ticket's language, with the office's names and destinations.

    ``ticket`` is the answer of ``POST /api/v1/tickets`` or the ``ticket`` of a
    ``ticket.print_requested`` event (both carry number, queue, language, life
    situation, people ahead, wait, issue time and ``status_url``).  Raises KeyError
    or ValueError when it has no usable number.  The life situation is printed only
    when the office marks it ``printed`` (the one place the kiosk applies that flag).
    """
    language = ticket.get("language") or fallback_language
    if language not in LANGUAGES:
        language = "ru"
    situation = office.situation(ticket.get("life_situation") or "") if office else None
    if situation is not None and not situation.printed:
        situation = None  # a sensitive situation is never on paper: a dropped ticket tells the hall
    try:
        issued_at = datetime.fromisoformat(ticket["issued_at"])
    except (KeyError, TypeError, ValueError):
        issued_at = office_now(office)
    status_url = ticket.get("status_url") or ""
    if status_url.startswith("/"):
        status_url = server_url.rstrip("/") + status_url
    return TicketSlip(
        office_name_ru=pick(office.name, "ru") if office else "",
        office_name_tt=pick(office.name, "tt") if office else "",
        number=str(ticket["number"]),
        life_situation=pick(situation.name, language) if situation else "",
        destination=office.destination(ticket.get("queue") or "", language) if office else "",
        issued_at=issued_at,
        people_ahead=int(ticket.get("people_ahead") or 0),
        estimated_wait_min=int(ticket.get("estimated_wait_min") or 0),
        status_url=status_url,
        language=language,
    )
