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
    "feedback_comment": 1000,  # what a visitor said, typed on a tablet or by a curator
    "response": 1000,  # what the staff answered or did about a rating
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


# --- a booking's contact details (personal data: see docs/storage.md) -----------------

CODE_LENGTH = 6  # digits of a booking code, read to the visitor and typed at the kiosk
MAX_NAME = 100
MAX_EMAIL = 120
_PHONE_SEPARATORS = str.maketrans("", "", " -()")


def booking_code(value: str) -> str:
    value = value.strip()
    if not (value.isascii() and value.isdigit() and len(value) == CODE_LENGTH):
        raise InvalidInput(f"code: must be {CODE_LENGTH} digits")
    return value


def person_name(value: str) -> str:
    if len(value) > MAX_NAME:
        raise InvalidInput(f"name: at most {MAX_NAME} characters")
    return " ".join(value.split())


def phone(value: str) -> str:
    """A Russian phone number as +7XXXXXXXXXX; empty stays empty."""
    digits = value.strip().translate(_PHONE_SEPARATORS)
    if not digits:
        return ""
    if digits.startswith("+7"):
        digits = digits[2:]
    elif len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    if not (digits.isascii() and digits.isdigit() and len(digits) == 10):
        raise InvalidInput("phone: must be a Russian number like +7 900 123-45-67")
    return "+7" + digits


def email(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    local, at, domain = value.partition("@")
    if len(value) > MAX_EMAIL or not at or not local or "." not in domain or " " in value:
        raise InvalidInput("email: must be an address like name@example.ru")
    return value


# Staff passwords: the same bounds wherever one is set (command line, accounts page).
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256


def password(value: str) -> str:
    if not MIN_PASSWORD_LENGTH <= len(value) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"password: {MIN_PASSWORD_LENGTH}–{MAX_PASSWORD_LENGTH} characters")
    return value
