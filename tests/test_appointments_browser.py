"""The call-centre page, the curator's follow-up and the console's door list in real headless
Chromium against a real server whose clock starts on Monday 30 Nov 2026, 10:00 office time."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from selenium.webdriver.common.by import By

from tests.support.live_server import LiveServer
from tests.test_staff_browser import StaffBrowser

pytestmark = [pytest.mark.browser]
MONDAY_10_00 = datetime.fromisoformat("2026-11-30T10:00+03:00")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    started = LiveServer(tmp_path_factory.mktemp("appointments"), clock_start=MONDAY_10_00).start()
    yield started
    started.stop()


@pytest.fixture
def browser(server):
    opened = StaffBrowser(server.url)
    yield opened
    opened.quit()


def sign_in(browser: StaffBrowser, username: str, path: str, landmark: str) -> None:
    browser.driver.get(f"{browser.base_url}/staff/login?next={path}")
    browser.css("#username").send_keys(username)
    browser.css("#password").send_keys("demo")
    browser.css("#password").submit()
    browser.wait_js("return !!document.getElementById(arguments[0])", landmark)


def booking_id(browser: StaffBrowser) -> int:
    browser.wait_js("return !!document.getElementById('booking-code')")
    return int(re.search(r"/appointments/(\d+)$", browser.driver.current_url).group(1))


def api_booking(server: LiveServer, appointment_id: int) -> dict:
    status, body = server.request("GET", f"/api/v1/appointments/{appointment_id}",
                                  token=server.login("admin"))
    assert status == 200
    return body


def test_call_centre_books_moves_and_cancels(server, browser):
    sign_in(browser, "callcentre", "/staff/", "search-heading")  # lands on the page
    assert browser.driver.current_url.endswith("/staff/appointments")
    assert browser.accessibility_violations() == []
    browser.css("#name").send_keys("Ирина Петрова")
    browser.css("#phone").send_keys("8 900 123-45-67")
    browser.css("#consent").click()
    browser.css("#needs_help").click()
    first = browser.driver.find_elements(By.CSS_SELECTOR, ".slot-button")[0]
    assert first.get_attribute("value") == "2026-11-30T10:20"
    first.click()
    booked = booking_id(browser)
    code = browser.css("#booking-code").text
    assert re.fullmatch(r"\d{6}", code)
    assert " ".join(code) in browser.css("#read-back").text  # read to the visitor digit by digit
    assert browser.accessibility_violations() == []
    stored = api_booking(server, booked)
    assert (stored["code"], stored["slot_at"], stored["phone"], stored["needs_help"]) == (
        code, "2026-11-30T10:20", "+79001234567", True)

    browser.css("#move-booking").click()
    browser.wait_js("return !!document.querySelector('.slot-button')")
    browser.driver.find_elements(By.CSS_SELECTOR, ".slot-button")[2].click()
    assert booking_id(browser) == booked
    assert api_booking(server, booked)["slot_at"] == "2026-11-30T11:00"

    browser.css("#cancel-booking").click()
    browser.wait_js("return !!document.getElementById('search-heading')")
    assert code in browser.css(".flashes").text
    assert api_booking(server, booked)["status"] == "cancelled"


def test_bad_phone_is_refused_on_the_page_and_nothing_is_booked(server, browser):
    sign_in(browser, "callcentre", "/staff/appointments", "search-heading")
    before = server.request("GET", "/api/v1/appointments", token=server.login("admin"))[1]
    browser.css("#phone").send_keys("12345")
    browser.css(".slot-button").click()
    browser.wait_js("return !!document.querySelector('.form-alert')")
    assert "phone" in browser.css(".form-alert").text
    after = server.request("GET", "/api/v1/appointments", token=server.login("admin"))[1]
    assert after == before
    assert browser.accessibility_violations() == []


def test_curator_books_the_follow_up_from_the_operator_page(server, browser):
    sign_in(browser, "curator1", "/staff/", "follow-up")
    assert browser.css("#follow-up").get_attribute("href").endswith("/staff/appointments?queue=curator")
    browser.css("#follow-up").click()
    browser.wait_js("return !!document.getElementById('search-heading')")
    browser.css(".slot-button").click()
    booked = api_booking(server, booking_id(browser))
    assert booked["queue"] == "curator" and booked["status"] == "booked"


def test_console_shows_who_to_meet_at_the_door_and_records_who_takes_it_on(server, browser):
    status, booked = server.request("POST", "/api/v1/appointments", token=server.login("callcentre"),
                                    body={"queue": "career", "slot": "2026-11-30T11:00",
                                          "companion": True})
    assert status == 201, booked
    sign_in(browser, "hall", "/staff/console", f"door-{booked['id']}")
    assert browser.accessibility_violations() == []
    browser.css(f"#door-{booked['id']} button").click()
    browser.wait_js("return !!document.querySelector('.flashes')")
    assert api_booking(server, booked["id"])["help_taken_by"] == "user:hall"


def test_a_booking_made_while_the_console_is_open_joins_its_door_list(server, browser):
    sign_in(browser, "hall", "/staff/console", "door-list")
    status, booked = server.request("POST", "/api/v1/appointments", token=server.login("callcentre"),
                                    body={"queue": "career", "slot": "2026-11-30T11:30",
                                          "needs_help": True})
    assert status == 201, booked
    assert not browser.driver.find_elements(By.ID, f"door-{booked['id']}")  # not drawn yet
    server.issue("job_search")  # any event of the office: the console draws the list again
    browser.wait_js("return !!document.getElementById(arguments[0])", f"door-{booked['id']}")
    assert browser.accessibility_violations() == []
