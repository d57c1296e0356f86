"""Ticket numbers: a queue's prefix letter and a counter per office day.

The office day follows the office's local calendar, not UTC: in Naberezhnye
Chelny (UTC+3) a ticket issued at 23:30 UTC belongs to the next local day.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

MIN_DIGITS = 3


def office_day(moment: datetime, time_zone: str | ZoneInfo) -> date:
    zone = time_zone if isinstance(time_zone, ZoneInfo) else ZoneInfo(time_zone)
    return moment.astimezone(zone).date()


def printed_number(prefix: str, seq: int) -> str:
    """What the ticket, the screens and the staff see: ``А012``."""
    return f"{prefix}{seq:0{MIN_DIGITS}d}"


def spoken_number(prefix: str, seq: int) -> str:
    """What the voice says: ``А 12`` — a letter, then the number without leading zeros."""
    return f"{prefix} {seq}"
