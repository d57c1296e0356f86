"""Messages to visitors, as data: the settings, the kinds, the addresses and SMS length.

Pure Python: the outbox (store), the worker and the channels (service) build on it.
A message never decides anything about a ticket; it only reports what happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import phonenumbers

from queue_server.domain.limits import InvalidInput

# kinds: what a message says (catalogue key "<kind>_sms" / "<kind>_email" in assets/i18n/messages.toml)
TURN_NEAR = "turn_near"
CALLED = "called"
BOOKING_CONFIRMATION = "booking_confirmation"
BOOKING_REMINDER = "booking_reminder"
KINDS = (TURN_NEAR, CALLED, BOOKING_CONFIRMATION, BOOKING_REMINDER)

SMS, EMAIL = "sms", "email"  # how a message reaches its recipient
PENDING, SENDING, SENT, FAILED, CANCELLED = "pending", "sending", "sent", "failed", "cancelled"
STATUSES = (PENDING, SENDING, SENT, FAILED, CANCELLED)

GSM_SEGMENT, GSM_PART = 160, 153  # 7-bit alphabet: one message, each part of a longer one
UCS2_SEGMENT, UCS2_PART = 70, 67  # any Cyrillic letter makes the whole text UCS-2
MAX_SMS_SEGMENTS = 2  # templates are kept within two parts (tests/test_notify_texts.py)
_GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
            "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM7_EXTENDED = set("^{}\\[~]|€")  # two septets each

MAX_ADDRESS = 254  # RFC 5321's longest path; a longer "phone" or "e-mail" is not one


@dataclass(frozen=True)
class SmsGateway:
    """An operator's HTTP SMS gateway: POST to ``url`` with basic auth, as JSON or a form."""

    url: str
    sender: str
    username: str = ""
    password: str = ""
    format: str = "json"  # "json" or "form"
    to_field: str = "to"
    text_field: str = "text"
    sender_field: str = "from"
    id_field: str = "id"  # the outbox id, so a gateway can drop a repeat after a crash
    ok_contains: str = ""  # when set, a 2xx answer without it is garbage, not a delivery
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class Smtp:
    host: str
    sender: str
    port: int = 25
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class Notifications:
    """``[notifications]`` of the office file.  Without sms/email both go to the file outbox."""

    near_people_ahead: int = 3  # «your turn is near» when this many or fewer are ahead
    attempts: int = 5  # tries of one message before it is marked failed
    backoff_seconds: float = 30.0  # wait after the first failure; doubled after each next one
    give_up_minutes: int = 30  # a queue message older than this is of no use: failed
    reminder_hour: int = 12  # office time on the day before an appointment
    sms: SmsGateway | None = None
    email: Smtp | None = None
    file_outbox: str = "outbox"  # directory (relative: in the data directory) of the demo channel


@dataclass(frozen=True)
class Retention:
    """``[retention]``: how long personal data outlives the visit."""

    personal_days: int = 30


@dataclass(frozen=True)
class Outgoing:
    """One message to enqueue; ``dedupe`` makes a second enqueue of the same thing a no-op."""

    kind: str
    channel: str
    recipient: str
    body: str
    dedupe: str
    expires_at: datetime
    subject: str = ""
    not_before: datetime | None = None
    ticket_id: str | None = None
    booking: str | None = None
    error: str | None = None  # refused before sending (a bad address): stored as failed


@dataclass(frozen=True)
class Booking:
    """What the booking messages need from an appointment (the appointments code builds it)."""

    code: str  # the check-in code the visitor types at the kiosk
    at: datetime  # the appointment, aware
    language: str = "ru"
    name: str = ""
    phone: str = ""
    email: str = ""
    place: str = ""  # where to come, already in the visitor's language (office name or address)
    extra: dict = field(default_factory=dict)


def phone_number(text: str) -> str:
    """A Russian mobile number as E.164 (+79…), or InvalidInput saying why not."""
    raw = text.strip()
    if len(raw) > 32:
        raise InvalidInput("phone: too long for a phone number")
    try:
        parsed = phonenumbers.parse(raw, "RU")
    except phonenumbers.NumberParseException:
        raise InvalidInput("phone: not a phone number") from None
    if parsed.country_code != 7 or phonenumbers.region_code_for_number(parsed) not in ("RU", None):
        raise InvalidInput("phone: only Russian numbers (+7) are accepted")
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput("phone: not a valid Russian number")
    if phonenumbers.number_type(parsed) not in (phonenumbers.PhoneNumberType.MOBILE,
                                                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise InvalidInput("phone: not a mobile number; text messages need one")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def email_address(text: str) -> str:
    """A plain e-mail address (one @, a dotted domain, no spaces), or InvalidInput."""
    value = text.strip()
    local, at, domain = value.rpartition("@")
    if (not at or not local or len(value) > MAX_ADDRESS or any(c.isspace() for c in value)
            or "." not in domain.strip(".") or any(c in value for c in "<>,;:\"()[]\\")):
        raise InvalidInput("email: not an e-mail address")
    return value


def sms_segments(text: str) -> int:
    """How many SMS parts ``text`` takes (GSM 7-bit or, with any other letter, UCS-2)."""
    if all(c in _GSM7 or c in _GSM7_EXTENDED for c in text):
        length = sum(2 if c in _GSM7_EXTENDED else 1 for c in text)
        single, part = GSM_SEGMENT, GSM_PART
    else:
        length = sum(2 if ord(c) > 0xFFFF else 1 for c in text)
        single, part = UCS2_SEGMENT, UCS2_PART
    if length <= single:
        return 1
    return -(-length // part)


def masked(recipient: str) -> str:
    """What the administrator's page shows of an address: enough to recognise, not to copy."""
    if "@" in recipient:
        local, _, domain = recipient.partition("@")
        return f"{local[:1]}…@{domain}"
    return f"{recipient[:2]}…{recipient[-4:]}" if len(recipient) > 6 else "…"
