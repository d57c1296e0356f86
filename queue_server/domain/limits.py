"""Limits on what staff and devices may write into a visit, each stated once.

The lifecycle commands check them; the web layer only reads the fields and turns an
``InvalidInput`` into a 400 answer naming the field.
"""

from __future__ import annotations

MAX_POSTPONE_MINUTES = 24 * 60

# Free text that staff or a kiosk attach to an event, by field name.
TEXT_LIMITS: dict[str, int] = {
    "comment": 500,  # a redirect's note for the next specialist
    "reason": 300,  # why a ticket was cancelled, restored or re-prioritised
    "result": 200,  # the outcome recorded when a service ends
    "detail": 300,  # a kiosk's printer report
}


class InvalidInput(ValueError):
    """A value outside its limits; the message starts with the field's name."""


def text(name: str, value: str) -> str:
    """``value`` stripped, or InvalidInput when it is longer than the field allows."""
    limit = TEXT_LIMITS[name]
    if len(value) > limit:
        raise InvalidInput(f"{name}: at most {limit} characters")
    return value.strip()


def postpone_minutes(minutes: float | None) -> float | None:
    if minutes is not None and not 0 < minutes <= MAX_POSTPONE_MINUTES:
        raise InvalidInput(f"minutes: more than 0 and at most {MAX_POSTPONE_MINUTES}")
    return minutes


# Staff passwords: the same bounds wherever one is set (command line, accounts page).
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256


def password(value: str) -> str:
    if not MIN_PASSWORD_LENGTH <= len(value) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"password: {MIN_PASSWORD_LENGTH}–{MAX_PASSWORD_LENGTH} characters")
    return value
