"""Messages fit in text messages: queue ones in one SMS part, booking ones in two.

Each template is rendered with the longest values an office produces and counted
as the phone network does (any Cyrillic letter: UCS-2, 70 characters a part, 67 in
a longer message).  Addresses are checked with the real numbering plan.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from queue_server.domain import notify
from queue_server.domain.limits import InvalidInput
from queue_server.domain.notify import Booking, email_address, phone_number, sms_segments
from queue_server.domain.office import LANGUAGES, Workplace
from queue_server.i18n import translate
from queue_server.service import messages

LONG_NUMBER = "Щ 999"  # a printed number at its widest
ROOM = Workplace("room_12", "112", "room", "z", None)  # type: ignore[arg-type]


@pytest.mark.parametrize("language", LANGUAGES)
def test_queue_messages_fit_in_one_part(language):
    texts = [messages.turn_near(LONG_NUMBER, 10, language), messages.called(LONG_NUMBER, ROOM, language)]
    for text in texts:
        assert sms_segments(text) == 1, (len(text), text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_booking_messages_fit_in_two_parts(language):
    booking = Booking(code="ABCD-1234", at=datetime(2026, 12, 24, 14, 30, tzinfo=UTC), language=language,
                      phone="+79123456789")
    items = messages.booking_messages(booking, now=datetime(2026, 12, 1, tzinfo=UTC),
                                      zone=ZoneInfo("Europe/Moscow"), reminder_hour=12)
    assert [i.kind for i in items] == [notify.BOOKING_CONFIRMATION, notify.BOOKING_REMINDER]
    for item in items:
        assert sms_segments(item.body) <= notify.MAX_SMS_SEGMENTS, (len(item.body), item.body)
        assert "ABCD-1234" in item.body and "17:30" in item.body  # the office's time, not UTC


def test_segments_are_counted_as_the_network_does():
    assert sms_segments("a" * 160) == 1 and sms_segments("a" * 161) == 2
    assert sms_segments("я" * 70) == 1 and sms_segments("я" * 71) == 2 and sms_segments("я" * 135) == 3
    assert sms_segments("{" * 80) == 1 and sms_segments("{" * 81) == 2  # escaped: two septets
    assert sms_segments("Талон") == 1 and sms_segments("ә" * 134) == 2


@pytest.mark.parametrize(("text", "expected"), [
    ("+7 912 345-67-89", "+79123456789"), ("8 912 345 67 89", "+79123456789"),
    ("9123456789", "+79123456789"), ("+7(912)3456789", "+79123456789"),
])
def test_russian_mobiles_are_accepted(text, expected):
    assert phone_number(text) == expected


@pytest.mark.parametrize(("text", "why"), [
    ("+1 202 555 0100", "only Russian"), ("+7 701 123 45 67", "only Russian"),  # Kazakhstan shares +7
    ("8 (843) 555-12-34", "mobile"), ("12345", "valid"), ("позвоните", "not a phone"),
    ("+7" + "9" * 40, "too long"), ("", "not a phone"),
])
def test_other_numbers_are_refused_with_a_reason(text, why):
    with pytest.raises(InvalidInput, match=why):
        phone_number(text)


@pytest.mark.parametrize("text", ["anna at example.ru", "anna@localhost", "a b@c.ru", "@example.ru",
                                  "anna@", "<anna@example.ru>", "x" * 250 + "@mail.ru"])
def test_malformed_email_is_refused(text):
    with pytest.raises(InvalidInput, match="email"):
        email_address(text)


def test_tatar_place_is_an_ordinal():
    window = Workplace("w6", "6", "window", "z", None)  # type: ignore[arg-type]
    assert messages.place(window, "tt") == "6 нчы тәрәзә"
    assert translate("messages", "place_room", "en", n="12") == "room 12"
