"""The texts of visitors' messages, from the ``messages`` catalogue (ru, tt, en)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from queue_server.domain import notify
from queue_server.domain.notify import Booking, Outgoing
from queue_server.domain.numbering import tatar_ordinal
from queue_server.domain.office import Workplace
from queue_server.i18n import translate

DOMAIN = "messages"


def place(workplace: Workplace, language: str) -> str:
    """«окно 5», «5 нче тәрәзә», «room 12»: where a called visitor goes."""
    n = tatar_ordinal(workplace.number) if language == "tt" else workplace.number
    key = "place_room" if workplace.kind == "room" else "place_window"
    return translate(DOMAIN, key, language, n=n)


def turn_near(number: str, ahead: int, language: str) -> str:
    return translate(DOMAIN, "turn_near_sms", language, number=number, ahead=ahead)


def called(number: str, workplace: Workplace, language: str) -> str:
    return translate(DOMAIN, "called_sms", language, number=number, place=place(workplace, language))


def booking_messages(booking: Booking, *, now: datetime, zone: ZoneInfo, reminder_hour: int,
                     phone_error: str | None = None, email_error: str | None = None) -> list[Outgoing]:
    """The confirmation now and, when there is still time, the reminder the day before:
    by SMS to the phone and by e-mail to the address the booking gave (either or both).

    ``booking.phone`` / ``booking.email`` are already checked; a refused one comes with
    its ``*_error`` and is stored as failed, so the administrator sees it.
    """
    local = booking.at.astimezone(zone)
    values = {"date": f"{local:%d.%m}", "time": f"{local:%H:%M}", "code": booking.code}
    remind_at = datetime.combine(local.date() - timedelta(days=1), datetime.min.time(),
                                 tzinfo=zone).replace(hour=reminder_hour)
    kinds = [(notify.BOOKING_CONFIRMATION, None)]
    if remind_at > now:
        kinds.append((notify.BOOKING_REMINDER, remind_at))
    language = booking.language
    greeting = (translate(DOMAIN, "booking_greeting", language, name=booking.name) if booking.name
                else translate(DOMAIN, "booking_greeting_plain", language))
    result = []
    for kind, not_before in kinds:
        common = {"kind": kind, "expires_at": booking.at, "not_before": not_before,
                  "booking": booking.code}
        if booking.phone or phone_error:
            result.append(Outgoing(
                channel=notify.SMS, recipient=booking.phone,
                body=translate(DOMAIN, f"{kind}_sms", language, **values),
                dedupe=f"{kind}:{booking.code}:{booking.at.isoformat()}:sms", error=phone_error, **common))
        if booking.email or email_error:
            result.append(Outgoing(
                channel=notify.EMAIL, recipient=booking.email,
                subject=translate(DOMAIN, f"{kind}_subject", language, **values),
                body=translate(DOMAIN, f"{kind}_email", language, greeting=greeting,
                               place=booking.place, **values),
                dedupe=f"{kind}:{booking.code}:{booking.at.isoformat()}:email", error=email_error, **common))
    return result
