"""Ticket numbers: a queue's prefix letter and a counter per office day.

The office day follows the office's local calendar, not UTC: in Naberezhnye
Chelny (UTC+3) a ticket issued at 23:30 UTC belongs to the next local day.
"""

from __future__ import annotations

import re
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


# Tatar ordinals take -нчы after a back-vowel number word (алты, тугыз, ун, утыз,
# кырык, алтмыш, туксан) and -нче otherwise (беренче, бишенче, егерменче, йөзенче).
_TATAR_BACK_UNITS = {"6", "9"}
_TATAR_BACK_TENS = {"1", "3", "4", "6", "9"}  # ун, утыз, кырык, алтмыш, туксан


def tatar_ordinal(place: str) -> str:
    """"5" -> "5 нче", "6" -> "6 нчы"; a place that is not a plain number stays as it is."""
    digits = place.strip()
    if not re.fullmatch(r"\d{1,6}", digits):
        return digits
    number = int(digits)
    if number == 0:
        return digits
    units, tens = number % 10, (number // 10) % 10
    if units:
        back = str(units) in _TATAR_BACK_UNITS
    elif tens:
        back = str(tens) in _TATAR_BACK_TENS
    else:  # йөзенче, меңенче
        back = False
    return f"{digits} {'нчы' if back else 'нче'}"
