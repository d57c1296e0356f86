"""What a printed ticket says: built by the kiosk app from the API's answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

LANGUAGES = ("ru", "tt", "en")


@dataclass(frozen=True)
class TicketSlip:
    """Everything printed on one ticket.

    The life situation is printed because the paper stays with the visitor; it
    is never shown on hall screens or spoken in the hall.  It is empty (and the
    line left out) for a situation the office does not let the paper name: a
    sensitive one (kiosk.ticket_slip.build_ticket_slip decides).
    """

    office_name_ru: str
    office_name_tt: str
    number: str
    life_situation: str
    destination: str
    issued_at: datetime
    people_ahead: int
    estimated_wait_min: int
    status_url: str
    language: str

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, not {self.language!r}")
        if not self.number.strip():
            raise ValueError("a ticket needs a number")
        if self.people_ahead < 0 or self.estimated_wait_min < 0:
            raise ValueError("people_ahead and estimated_wait_min cannot be negative")
