"""Appointments end to end: booked through the API of a real server, checked in at the
offscreen Kivy kiosk by touch and by keypad (early, on time, late), then called from
the curator's window; and the kiosk outside opening hours.

The server's clock is started at known moments (``--clock-start``) on Monday
30 November 2026, office time; it runs on in real time from there.
"""

from __future__ import annotations

import tempfile
from datetime import datetime

from kiosk.harness import prepare_offscreen

prepare_offscreen(tempfile.mkdtemp(prefix="kivy-home-"))  # before Kivy is imported

import pytest  # noqa: E402

from kiosk.flow import Step  # noqa: E402
from kiosk.i18n import tr  # noqa: E402
from tests import test_kiosk_app as kiosk_tests  # noqa: E402
from tests.support.live_server import LiveServer  # noqa: E402
from tests.test_kiosk_app import (  # noqa: E402
    KEY,
    KeyCommand,
    press,
    press_until_focused,
    take_ticket,
    visible_texts,
)

pytestmark = [pytest.mark.kivy]
window = kiosk_tests.window  # the offscreen window and the kiosk starter of the kiosk tests
start_kiosk = kiosk_tests.start_kiosk
MONDAY_10_00 = datetime.fromisoformat("2026-11-30T10:00+03:00")
SATURDAY_10_00 = datetime.fromisoformat("2026-12-05T10:00+03:00")


@pytest.fixture
def server(tmp_path):
    started = LiveServer(tmp_path, clock_start=MONDAY_10_00).start()
    yield started
    started.stop()


def book(server: LiveServer, slot: str, queue: str = "curator") -> dict:
    status, booked = server.request("POST", "/api/v1/appointments", token=server.login("callcentre"),
                                    body={"queue": queue, "slot": slot, "name": "Ирина"})
    assert status == 201, booked
    return booked


def restart_at(server: LiveServer, moment: str) -> None:
    """The same office and data, its clock moved on (the visitor comes later)."""
    server.stop()
    args = list(server.extra_args)
    args[args.index("--clock-start") + 1] = moment
    server.extra_args = tuple(args)
    server.start()


def digit_button(kiosk, digit: str):
    return next(b for b in kiosk.app.current_screen.ids.keypad.children
                if getattr(b, "text", None) == digit)


def type_by_touch(kiosk, code: str) -> None:
    press(kiosk, kiosk.control("appointment"))
    assert kiosk.app.screens.current == "appointment"
    for digit in code:
        press(kiosk, digit_button(kiosk, digit))
    assert kiosk.app.flow.code == code
    press(kiosk, kiosk.control("check_in"))


def call_next(server: LiveServer) -> dict:
    token = server.login("curator1")
    status, _ = server.request("POST", "/api/v1/workplaces/window_3/status", token=token,
                               body={"status": "open"})
    assert status == 204
    status, called = server.request("POST", "/api/v1/workplaces/window_3/call-next", token=token)
    assert status == 200, called
    return called


def test_the_button_is_on_once_the_server_checks_bookings_in(server, start_kiosk):
    kiosk = start_kiosk(server)  # the default configuration
    assert kiosk.app.appointments_enabled and kiosk.control("appointment") in kiosk.app.focus_order()


def test_check_in_by_touch_early_then_on_time(server, start_kiosk):
    booked = book(server, "2026-11-30T11:20")
    kiosk = start_kiosk(server)
    type_by_touch(kiosk, booked["code"])
    kiosk.wait_until(lambda: kiosk.app.flow.message_key is not None, what="too early")
    assert kiosk.app.flow.message_key == "appointment_too_early"
    shown = "\n".join(visible_texts(kiosk.app.current_screen))
    assert tr("appointment_too_early", "ru", time="10:50") in shown
    ordinary = kiosk.control("ordinary")
    assert ordinary.shown, "too early: the ordinary queue is offered"

    on_time = book(server, "2026-11-30T10:20")
    press(kiosk, kiosk.control("back_button"))
    type_by_touch(kiosk, on_time["code"])
    kiosk.wait_until(lambda: kiosk.app.screens.current == "ticket", what="ticket on screen")
    ticket = kiosk.app.flow.ticket
    assert ticket["number"].startswith("К") and ticket["appointment_at"] == "2026-11-30T10:20"
    status, again = server.request("POST", "/api/v1/appointments/check-in",
                                   token=server.kiosk_token, body={"code": on_time["code"]})
    assert status == 404 and again["error"] == "unknown_code", "a code checks in once"


@pytest.mark.parametrize("language", ["ru", "tt"])
def test_check_in_by_keypad_each_digit_spoken(server, start_kiosk, language):
    booked = book(server, "2026-11-30T10:20")
    kiosk = start_kiosk(server)
    app, speaker = kiosk.app, kiosk.app.speaker
    kiosk.key(KEY[KeyCommand.REPEAT])  # the first key: speech on, keys explained
    while app.lang != language:
        kiosk.key(KEY[KeyCommand.LANGUAGE])
    press_until_focused(kiosk, kiosk.control("appointment"))
    kiosk.key(KEY[KeyCommand.ACTIVATE])
    assert app.screens.current == "appointment"
    for digit in booked["code"]:
        kiosk.key(256 + int(digit))
        assert speaker.said[-1] == (digit, language)
    kiosk.key(271)  # Enter: check in
    kiosk.wait_until(lambda: app.flow.step is Step.TICKET, what="ticket")
    assert app.flow.ticket["language"] == language
    assert app.flow.ticket["spoken_number"] in speaker.last


def test_late_is_sent_to_the_ordinary_queue_and_recorded_as_missed(server, start_kiosk):
    booked = book(server, "2026-11-30T10:20")
    restart_at(server, "2026-11-30T10:40+03:00")  # window closed at 10:35
    kiosk = start_kiosk(server)
    type_by_touch(kiosk, booked["code"])
    kiosk.wait_until(lambda: kiosk.app.flow.message_key is not None, what="too late")
    assert kiosk.app.flow.message_key in ("appointment_too_late", "appointment_not_found")
    press(kiosk, kiosk.control("back_button"))

    def missed() -> list:
        return server.request("GET", "/api/v1/appointments/missed",
                              token=server.login("callcentre"))[1]["appointments"]

    kiosk.wait_until(lambda: [a["code"] for a in missed()] == [booked["code"]], timeout=20,
                     what="the ticker records the booking as missed")


def test_the_checked_in_visitor_is_called_ahead_of_walk_ins_only_from_the_slot(server, start_kiosk):
    booked = book(server, "2026-11-30T10:20")
    kiosk = start_kiosk(server)
    first_walk_in = take_ticket(kiosk, "ru", "pre_pension")  # the curator queue, before the check-in
    press(kiosk, kiosk.control("done"))
    second_walk_in = take_ticket(kiosk, "ru", "pre_pension")
    press(kiosk, kiosk.control("done"))
    type_by_touch(kiosk, booked["code"])
    kiosk.wait_until(lambda: kiosk.app.screens.current == "ticket", what="checked in")
    checked_in = kiosk.app.flow.ticket
    assert call_next(server)["id"] == first_walk_in["id"], "before 10:20 the booking waits like anyone"

    restart_at(server, "2026-11-30T10:25+03:00")  # the slot has come
    token = server.login("curator1")
    status, _ = server.request("POST", f"/api/v1/tickets/{first_walk_in['id']}/cancel", token=token,
                               body={"reason": "served"})
    assert status == 200
    assert call_next(server)["id"] == checked_in["id"], "from its time, ahead of the earlier walk-in"
    assert second_walk_in["id"] != checked_in["id"]


def test_outside_hours_the_kiosk_shows_and_says_when_it_opens(tmp_path, start_kiosk):
    server = LiveServer(tmp_path, clock_start=SATURDAY_10_00).start()
    try:
        status, refused = server.request("POST", "/api/v1/tickets", token=server.kiosk_token,
                                         body={"life_situation": "job_search"})
        assert status == 409 and refused["error"] == "office_closed"
        assert refused["opens_at"] == "2026-12-07T08:00"
        status, _ = server.request("POST", "/api/v1/tickets", token=server.login("hall"),
                                         body={"life_situation": "job_search"})
        assert status == 201, "the administrator may still issue at the desk"
        kiosk = start_kiosk(server)
        for language in ("ru", "tt", "en"):
            press(kiosk, kiosk.control(f"lang_{language}"))
            kiosk.wait_until(lambda: kiosk.app.flow.step is Step.CLOSED, what="closed screen")
            shown = "\n".join(visible_texts(kiosk.app.current_screen))
            assert tr("closed_title", language) in shown and "08:00" in shown
            text, spoken_in = kiosk.app.speaker.said[-1]
            assert spoken_in == language and tr("closed_title", language) in text and "08:00" in text
            press(kiosk, kiosk.control("back_button"))
            assert kiosk.app.flow.step is Step.START
    finally:
        server.stop()
