"""Staff pages in real headless Chromium against a real server process.

Three separate browser sessions (own profiles, own cookies): the hall administrator,
a curator (window 3) and the psychologist (room 12).  Every step waits for a DOM
condition in each browser that must see it; nothing sleeps.  How fast a change
reaches the pages is measured by ``python -m bench.staff_live_latency``, not here.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

pytestmark = [pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--autoplay-policy=no-user-gesture-required")
PATIENCE = 10.0  # seconds; generous for a loaded 2-core machine, a wait ends as soon as it holds
SCREENSHOTS = os.environ.get("STAFF_SCREENSHOTS")  # a directory: write the docs screenshots
AXE = Path(__file__).parent / "support" / "axe" / "axe.min.js"  # axe-core, vendored: see its README
BLOCKING_IMPACTS = ("serious", "critical")


class StaffBrowser:
    """One member of staff at their own browser (own profile, own cookies)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.profile = tempfile.mkdtemp(prefix="staff-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in (*FLAGS, f"--user-data-dir={self.profile}"):
            options.add_argument(flag)
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": 1440, "height": 900, "deviceScaleFactor": 1, "mobile": False})

    def quit(self) -> None:
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)

    def sign_in(self, username: str, path: str) -> None:
        self.driver.get(f"{self.base_url}/staff/login?next={path}")
        self.driver.find_element(By.ID, "username").send_keys(username)
        self.driver.find_element(By.ID, "password").send_keys("demo")
        self.driver.find_element(By.ID, "password").submit()
        self.wait_js("return document.body.dataset.ready === 'yes'")

    def wait_js(self, script: str, *args, timeout: float = PATIENCE):
        return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(
            lambda driver: driver.execute_script(script, *args),
            message=f"never true: {script} {args}")

    def wait_text(self, element_id: str, expected: str, timeout: float = PATIENCE) -> None:
        self.wait_js("const e = document.getElementById(arguments[0]);"
                     "return e && !e.closest('[hidden]') && e.textContent.includes(arguments[1]);",
                     element_id, expected, timeout=timeout)

    def wait_gone(self, element_id: str, unexpected: str) -> None:
        self.wait_js("const e = document.getElementById(arguments[0]);"
                     "return e && !e.textContent.includes(arguments[1]);", element_id, unexpected)

    def key(self, letter: str) -> None:
        ActionChains(self.driver).send_keys(letter).perform()

    def css(self, selector: str):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def click(self, selector: str) -> None:
        """Click what matches now: live panels re-render, so a found element may be replaced."""
        for attempt in range(5):
            try:
                self.css(selector).click()
                return
            except StaleElementReferenceException:
                if attempt == 4:
                    raise

    def accessibility_violations(self) -> list[str]:
        """What axe-core finds on the page as it is now, serious and critical only."""
        self.driver.execute_script(AXE.read_text("utf-8"))
        violations = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document).then((result) => done(result.violations), (error) => done(String(error)));")
        assert isinstance(violations, list), violations
        return [f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes']]}"
                for v in violations if v["impact"] in BLOCKING_IMPACTS]

    def visitor(self) -> str:
        return self.driver.execute_script(
            "const v = document.getElementById('visitor');"
            "return v.hidden ? '' : document.getElementById('visitor-number').textContent;")


@pytest.fixture(scope="module")
def staff(shared_server):
    browsers = {name: StaffBrowser(shared_server.url) for name in ("hall", "curator1", "psychologist")}
    try:
        browsers["hall"].sign_in("hall", "/staff/console")
        browsers["curator1"].sign_in("curator1", "/staff/")
        browsers["psychologist"].sign_in("psychologist", "/staff/")
        yield browsers
    finally:
        for browser in browsers.values():
            browser.quit()


def chip(number: str) -> str:
    return f"return !!document.querySelector('#queues .chip[data-number=\"{number}\"]')"


def test_a_visit_through_curator_psychologist_and_back_is_seen_live_everywhere(shared_server, staff):
    hall, curator, psychologist = staff["hall"], staff["curator1"], staff["psychologist"]

    # The curator opens the window; the console sees who is there.
    curator.key("b")
    curator.wait_text("workplace-status", "Работает")
    hall.wait_js("const row = document.querySelector('tr[data-workplace=\"window_3\"]');"
                 "return row && row.dataset.status === 'open' && row.textContent.includes('curator1');")

    # A kiosk issues a ticket: the console and the curator's queue panel show it.
    ticket = shared_server.issue("disability", language="tt")
    number = ticket["number"]
    hall.wait_js(chip(number))
    curator.wait_text("my-queues", number)

    # The curator calls (keyboard N) and starts (S); the console follows.
    curator.key("n")
    curator.wait_text("visitor-number", number)
    assert curator.css("#visitor-language").text == "татарский"
    assert curator.css("#visitor-situation").text  # the life situation is shown to staff
    hall.wait_js(f"return !({chip(number)[7:]})")
    hall.wait_js("return document.querySelector('tr[data-workplace=\"window_3\"] .workplace-ticket')"
                 ".textContent.includes(arguments[0])", number)
    curator.key("s")
    curator.wait_text("visitor-status", "на приёме")

    # Redirect to the psychologist by name, with a note and "return to me".
    curator.key("t")
    Select(curator.css("#redirect-target")).select_by_value("workplace:room_12")
    curator.css("#redirect-comment").send_keys("Просит консультацию психолога")
    curator.css("#redirect-return").click()
    curator.css("#redirect-form button[type=submit]").click()
    curator.wait_text("visitor-empty", "Посетителя нет")
    psychologist.wait_text("personal", number)
    hall.wait_js("return !!document.querySelector(arguments[0])",
                 f"#queues [data-queue='psychologist'] .chip[data-number='{number}']")

    # The psychologist calls that ticket, sees the curator's note and the history.
    psychologist.click(f"#personal li[data-ticket='{ticket['id']}'] button")
    psychologist.wait_text("visitor-number", number)
    psychologist.wait_text("visitor-comment", "Просит консультацию психолога")
    psychologist.wait_text("visitor-history", "Перенаправлен")
    psychologist.key("s")
    psychologist.wait_text("visitor-status", "на приёме")

    # Finishing offers the disability complex's services; one is ticked.
    psychologist.key("f")
    psychologist.wait_js("return document.querySelectorAll('#finish-services input').length === 49")
    psychologist.css("#finish-services input[type=checkbox]").click()
    psychologist.css("#finish-form button[type=submit]").click()
    psychologist.wait_text("visitor-empty", "Посетителя нет")

    # The ticket comes back to the curator personally.
    curator.wait_text("personal", number)
    curator.wait_text("personal", "возвращается к вам")
    curator.click(f"#personal li[data-ticket='{ticket['id']}'] button")
    curator.wait_text("visitor-number", number)
    curator.wait_text("visitor-history", "Приём завершён")  # the psychologist's leg
    curator.key("s")
    curator.wait_text("visitor-status", "на приёме")
    curator.key("f")
    boxes = curator.driver.find_elements(By.CSS_SELECTOR, "#finish-services input[type=checkbox]")
    boxes[0].click()
    boxes[1].click()
    Select(curator.css("#finish-result")).select_by_value("served")
    curator.css("#finish-form button[type=submit]").click()
    curator.wait_text("visitor-empty", "Посетителя нет")
    curator.wait_text("today", number)
    hall.wait_js("return !document.querySelector('tr[data-workplace=\"window_3\"] .workplace-ticket')"
                 ".textContent.includes(arguments[0])", number)

    # What the pages did is what the server recorded.
    status, body = shared_server.request("GET", f"/api/v1/tickets/{ticket['id']}",
                                         token=shared_server.login("admin"))
    assert status == 200 and body["status"] == "finished"
    finishes = [event for event in body["events"] if event["type"] == "ticket.finished"]
    assert [len(event["data"]["services"]) for event in finishes] == [1, 2]
    assert [event["workplace"] for event in finishes] == ["room_12", "window_3"]


def test_help_call_rings_and_stays_until_acknowledged(shared_server, staff):
    hall = staff["hall"]
    chimes = int(hall.driver.execute_script("return Number(document.body.dataset.chimes || 0)"))
    status, body = shared_server.request("POST", "/api/v1/help-calls", token=shared_server.kiosk_token)
    assert status == 201
    selector = f"#alerts [data-help='{body['id']}']"
    hall.wait_js(f"return !!document.querySelector(\"{selector}\")")
    hall.wait_js("return Number(document.body.dataset.chimes || 0) > arguments[0]", chimes)
    hall.driver.refresh()  # still there after a reload: it lives on the server until answered
    hall.wait_js(f"return !!document.querySelector(\"{selector}\")")
    hall.click(f"{selector} button")
    hall.wait_js(f"return !document.querySelector(\"{selector}\")")
    status, body = shared_server.request("GET", "/api/v1/help-calls", token=shared_server.login("hall"))
    assert body["help_calls"] == []


def test_printer_fault_is_shown_until_acknowledged(shared_server, staff):
    hall = staff["hall"]
    status, _ = shared_server.request("POST", "/api/v1/devices/status", token=shared_server.kiosk_token,
                                      body={"printer": "paper_out", "detail": "рулон закончился"})
    assert status == 204
    hall.wait_text("alerts", "закончилась бумага")
    # The report's time in office time (Moscow), whatever the zone of this machine.
    _, body = shared_server.request("GET", "/api/v1/devices", token=shared_server.login("hall"))
    seen_at = datetime.fromisoformat(next(d["seen_at"] for d in body["devices"] if d["kind"] == "kiosk"))
    office_clock = seen_at.astimezone(ZoneInfo("Europe/Moscow")).strftime("%H:%M")
    assert f"сообщено в {office_clock}" in hall.css("#alerts .alert-fault").text
    hall.click("#alerts .alert-fault button")
    hall.wait_gone("alerts", "закончилась бумага")


def test_console_issues_a_ticket_for_a_visitor_and_acts_on_it_with_a_reason(shared_server, staff):
    hall = staff["hall"]
    Select(hall.css("#issue-situation")).select_by_value("job_search")
    Select(hall.css("#issue-language")).select_by_value("en")
    hall.css("#issue-priority").click()
    hall.css("#issue-form button[type=submit]").click()
    hall.wait_js("return document.getElementById('issued-number').textContent.length > 0")
    number = hall.css("#issued-number").text
    hall.wait_js(chip(number))
    hall.css("#issued-speak").click()  # read out from the screen: the server's own speech
    hall.wait_js("return document.getElementById('issued').dataset.spoken === '1'")
    # Lower its priority, with a reason.
    hall.click(f"#queues .chip[data-number='{number}']")
    hall.css("#ticket-form input[value=priority]").click()
    hall.css("#ticket-reason").send_keys("Ошибочно отмечен")
    hall.css("#ticket-form button[type=submit]").click()
    hall.wait_js("return !document.getElementById('ticket-dialog').open")
    # Cancel it, then restore it from today's list.
    hall.click(f"#queues .chip[data-number='{number}']")
    hall.css("#ticket-form input[value=cancel]").click()
    hall.css("#ticket-form button[type=submit]").click()  # no reason yet: refused on the page
    hall.wait_text("ticket-message", "Укажите причину")
    hall.css("#ticket-reason").send_keys("Посетитель ушёл")
    hall.css("#ticket-form button[type=submit]").click()
    hall.wait_text("restorable", number)
    hall.click("#restorable li button")
    hall.css("#restore-reason").send_keys("Вернулся")
    hall.css("#restore-form button[type=submit]").click()
    hall.wait_js(chip(number))
    ticket_id = hall.driver.execute_script("return document.querySelector(arguments[0]).dataset.ticket",
                                           f"#queues .chip[data-number='{number}']")
    _, body = shared_server.request("GET", f"/api/v1/tickets/{ticket_id}",
                                    token=shared_server.login("admin"))
    assert body["priority"] is False and body["status"] == "waiting" and body["language"] == "en"
    reasons = [event["data"].get("reason") for event in body["events"]]
    assert {"Ошибочно отмечен", "Посетитель ушёл", "Вернулся"} <= set(reasons)


def test_reception_postpones_recalls_and_passes_a_visitor_on_with_consent(shared_server, staff):
    reception = StaffBrowser(shared_server.url)
    try:
        reception.sign_in("reception", "/staff/")
        shared_server.issue("not_sure")
        reception.key("n")  # whoever is first in the reception queue (earlier tests left some)
        reception.wait_js("return document.getElementById('operator').dataset.ticketStatus === 'called'")
        unsure = reception.driver.execute_script(
            "return {id: document.getElementById('operator').dataset.ticket,"
            " number: document.getElementById('visitor-number').textContent}")
        # Postpone for 30 minutes: it waits in "my postponed" and can be called back.
        reception.key("p")
        reception.css("#postpone-minutes").send_keys("30")
        reception.css("#postpone-form button[type=submit]").click()
        reception.wait_text("postponed", unsure["number"])
        reception.click(f"#postponed li[data-ticket='{unsure['id']}'] button")
        reception.wait_text("visitor-number", unsure["number"])
        reception.key("s")
        reception.wait_text("visitor-status", "на приёме")
        # The situation becomes "disability"; passing it on needs the visitor's consent.
        _, before = shared_server.request("GET", f"/api/v1/tickets/{unsure['id']}",
                                          token=shared_server.login("admin"))
        reception.key("l")
        Select(reception.css("#situation-select")).select_by_value("disability")
        reception.css("#situation-form button[type=submit]").click()
        reception.wait_js("return document.getElementById('situation-consent')"
                          ".getAttribute('aria-invalid') === 'true'")
        assert reception.driver.execute_script("return document.getElementById('situation-dialog').open")
        _, body = shared_server.request("GET", f"/api/v1/tickets/{unsure['id']}",
                                        token=shared_server.login("admin"))
        assert body["life_situation"] == before["life_situation"]  # unchanged without consent
        reception.css("#situation-consent").click()
        reception.css("#situation-form button[type=submit]").click()
        reception.wait_text("visitor-empty", "Посетителя нет")
        staff["hall"].wait_js("return !!document.querySelector(arguments[0])",
                              f"#queues [data-queue='curator'] .chip[data-number='{unsure['number']}']")
        _, body = shared_server.request("GET", f"/api/v1/tickets/{unsure['id']}",
                                        token=shared_server.login("admin"))
        assert (body["life_situation"], body["queue"], body["status"]) == ("disability", "curator", "waiting")
        assert "согласия" in body["comment"]

        # A visitor who does not come after three calls is marked; the console can restore them.
        shared_server.issue("job_search")
        reception.key("n")
        reception.wait_js("return document.getElementById('operator').dataset.ticketStatus === 'called'")
        absent = {"number": reception.css("#visitor-number").text}
        reception.key("r")
        reception.wait_js("return document.getElementById('visitor-history')"
                          ".textContent.includes('Вызван повторно')")
        reception.key("r")
        reception.wait_js("return document.getElementById('visitor-history')"
                          ".textContent.split('Вызван повторно').length === 3")
        reception.key("x")
        reception.wait_text("visitor-empty", "Посетителя нет")
        staff["hall"].wait_text("restorable", absent["number"])
    finally:
        reception.quit()


def test_pages_meet_target_size_and_show_focus(staff):
    for browser in staff.values():
        small = browser.driver.execute_script("""
            return [...document.querySelectorAll('button, input, select, textarea, summary')]
              .filter(e => e.offsetParent !== null && !e.closest('dialog:not([open])'))
              .map(e => [e.id || e.name || e.textContent.trim().slice(0, 20), e.getBoundingClientRect()])
              .filter(([, r]) => r.width < 24 || r.height < 24)
              .map(([n, r]) => `${n} ${r.width}x${r.height}`);
        """)
        assert small == []
        # The focus ring (outline + offset) reaches 5px out: no other control within it.
        crowded = browser.driver.execute_script("""
            const reach = 5;
            const shown = [...document.querySelectorAll('button, input, select, textarea, summary, a[href]')]
              .filter(e => e.offsetParent !== null && !e.closest('dialog:not([open])'));
            const rects = shown.map(e => e.getBoundingClientRect());
            const gap = (a, b) => Math.max(a.left - b.right, b.left - a.right,
                                           a.top - b.bottom, b.top - a.bottom);
            const name = (e) => e.id || e.name || e.textContent.trim().slice(0, 20);
            const found = [];
            rects.forEach((a, i) => rects.slice(i + 1).forEach((b, k) => {
              const other = shown[i + 1 + k];
              if (!shown[i].contains(other) && !other.contains(shown[i]) && gap(a, b) < reach)
                found.push(`${name(shown[i])} / ${name(other)}: ${gap(a, b).toFixed(1)}px`);
            }));
            return found;
        """)
        assert crowded == [], crowded
        browser.driver.refresh()  # a fresh page: Tab starts at the top
        browser.wait_js("return document.body.dataset.ready === 'yes'")
        browser.key("\ue004")  # Tab
        outline = browser.driver.execute_script(
            "const a = document.activeElement, s = getComputedStyle(a);"
            "return [a.tagName + '.' + a.className, s.outlineStyle, s.outlineWidth];")
        assert outline[1] != "none" and outline[2] != "0px", outline


def test_console_and_operator_pages_pass_axe(shared_server, staff):
    hall, curator = staff["hall"], staff["curator1"]
    ticket = shared_server.issue("disability", language="tt", priority=True)
    hall.wait_js(chip(ticket["number"]))  # the queue chips are on the page when axe looks
    curator.wait_text("my-queues", ticket["number"])
    assert hall.accessibility_violations() == []
    assert curator.accessibility_violations() == []


@pytest.mark.skipif(not SCREENSHOTS, reason="set STAFF_SCREENSHOTS=docs/screenshots to refresh them")
def test_screenshots_for_the_docs(shared_server, staff):
    hall, curator = staff["hall"], staff["curator1"]
    for situation, language, priority in (("disability", "tt", True), ("lost_job", "ru", False),
                                          ("job_search", "ru", False), ("pre_pension", "ru", False),
                                          ("youth", "en", False)):
        shared_server.issue(situation, language=language, priority=priority)
    curator.key("n")
    curator.wait_js("return document.getElementById('operator').dataset.ticketStatus === 'called'")
    curator.key("s")
    curator.wait_text("visitor-status", "на приёме")
    for browser in (hall, curator):  # fresh pages: no focus ring left from earlier tests
        browser.driver.refresh()
        browser.wait_js("return document.body.dataset.ready === 'yes'")
    curator.wait_text("visitor-status", "на приёме")
    out = Path(SCREENSHOTS)
    out.mkdir(parents=True, exist_ok=True)
    curator.driver.save_screenshot(str(out / "staff-operator.png"))
    hall.wait_js("return document.querySelectorAll('#queues .chip').length >= 4")
    hall.driver.save_screenshot(str(out / "staff-console.png"))


def test_pages_carry_on_after_a_server_restart(shared_server, staff):
    hall, curator = staff["hall"], staff["curator1"]
    opens = {name: browser.driver.execute_script("return Number(document.body.dataset.streamOpens)")
             for name, browser in (("hall", hall), ("curator", curator))}
    shared_server.restart()
    for name, browser in (("hall", hall), ("curator", curator)):  # each event stream came back
        browser.wait_js("return Number(document.body.dataset.streamOpens) > arguments[0]"
                        " && document.getElementById('connection').dataset.state === 'live'",
                        opens[name], timeout=30)
    ticket = shared_server.issue("legal", language="ru")
    hall.wait_js(chip(ticket["number"]))
    curator.wait_text("my-queues", ticket["number"])
    # The session survived too, and the page shows what the server holds for window 3.
    _, body = shared_server.request("GET", "/api/v1/workplaces", token=shared_server.login("hall"))
    at_desk = next(place["ticket"] for place in body["workplaces"] if place["id"] == "window_3")
    curator.wait_js("return document.getElementById('operator').dataset.ticket === arguments[0]",
                    at_desk["id"] if at_desk else "")
    assert curator.driver.execute_script(
        "return document.querySelector('[data-action=\"call-next\"]').disabled") == bool(at_desk)
