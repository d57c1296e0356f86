"""The hall and window displays in a real headless Chromium against a real server.

One browser for the module (Chromium is slow to start).  Audio really plays in
the page (muted with --mute-audio: nothing is heard on the machine); the page
records every announcement it played in ``window.announcementLog`` with its start,
end and duration, which these tests read.
"""

from __future__ import annotations

import itertools
import os
import shutil
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

pytestmark = [pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# The docs' screenshots are refreshed only when asked: DISPLAY_SCREENSHOTS=docs/screenshots
SCREENSHOTS = os.environ.get("DISPLAY_SCREENSHOTS")


def keep_screenshot(browser, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(SCREENSHOTS) / name))
TOKEN = "demo-display-token"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("chromium and chromedriver are not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
                 "--autoplay-policy=no-user-gesture-required", "--mute-audio", "--hide-scrollbars",
                 "--window-size=1920,1080"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False})
    yield driver
    driver.quit()


@pytest.fixture(autouse=True)
def empty_office(shared_server):
    """Each test starts with nobody waiting or called, whatever an earlier test left."""
    admin = shared_server.login("admin")
    _, places = shared_server.request("GET", "/api/v1/workplaces", token=admin)
    _, queues = shared_server.request("GET", "/api/v1/queues", token=admin)
    open_tickets = [p["ticket"]["id"] for p in places["workplaces"] if p["ticket"]]
    open_tickets += [t["id"] for q in queues["queues"] for t in q["tickets"]]
    for ticket_id in open_tickets:
        cancel(shared_server, ticket_id)


# --- helpers ------------------------------------------------------------------------------


def wait_for(condition, timeout: float, interval: float = 0.03, message: str = ""):
    """Poll ``condition`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s: {message}")
        time.sleep(interval)


def open_page(driver, server, path: str) -> None:
    driver.get(f"{server.url}{path}{'&' if '?' in path else '?'}token={TOKEN}")
    wait_for(lambda: driver.execute_script(
        "return !!(window.displayState && window.displayState.connection.syncs > 0"
        " && window.displayState.connection.online)"), 10, message="page connected and synced")


def shown_calls(driver) -> list[dict]:
    return driver.execute_script(
        "return [...document.querySelectorAll('.call')].map(e => ({ticket: e.dataset.ticket,"
        " number: e.querySelector('.call-number').textContent,"
        " place: e.querySelector('.call-place').textContent, fresh: e.classList.contains('fresh')}))")


def announcement_log(driver) -> list[dict]:
    return driver.execute_script("return JSON.parse(JSON.stringify(window.announcementLog))")


def call_next(server, workplace: str) -> dict:
    status, ticket = server.request("POST", f"/api/v1/workplaces/{workplace}/call-next",
                                    token=server.login("admin"))
    assert status == 200, (status, ticket)
    return ticket


def cancel(server, ticket_id: str) -> None:
    status, body = server.request("POST", f"/api/v1/tickets/{ticket_id}/cancel",
                                  token=server.login("admin"), body={"reason": "test over"})
    assert status in (200, 204), (status, body)


def played(driver, count: int, timeout: float = 25.0) -> list[dict]:
    return wait_for(lambda: (log := announcement_log(driver)) and len(log) >= count and log,
                    timeout, interval=0.2, message=f"{count} announcements played")


# --- hall ----------------------------------------------------------------------------------


def test_call_shows_within_a_second_and_is_announced(browser, shared_server):
    open_page(browser, shared_server, "/display/hall/all")
    shared_server.issue(language="ru")
    started = time.monotonic()
    ticket = call_next(shared_server, "window_1")
    rows = wait_for(lambda: [r for r in shown_calls(browser) if r["ticket"] == ticket["id"]], 2.0,
                    message="call on the hall screen")
    assert time.monotonic() - started < 1.0
    assert rows[0] == {"ticket": ticket["id"], "number": ticket["number"], "place": "1", "fresh": True}
    assert shown_calls(browser)[0]["ticket"] == ticket["id"], "the newest call is on top"

    entry = played(browser, 1)[0]
    assert entry["ticket"] == ticket["id"] and entry["error"] is None, entry
    # chime (1.3 s) + "Талон А 1, окно 1": a real spoken phrase, not a click or a whole minute
    assert 2.5 < entry["duration"] < 10, entry
    assert entry["endedAt"] - entry["startedAt"] >= entry["duration"] * 1000 * 0.9, "it really played"
    cancel(shared_server, ticket["id"])
    wait_for(lambda: not [r for r in shown_calls(browser) if r["ticket"] == ticket["id"]], 2.0,
             message="a cancelled ticket leaves the screen")


def test_recall_repeats_the_announcement(browser, shared_server):
    open_page(browser, shared_server, "/display/hall/all")
    shared_server.issue(language="ru")
    ticket = call_next(shared_server, "window_2")
    played(browser, 1)
    status, _ = shared_server.request("POST", f"/api/v1/tickets/{ticket['id']}/recall",
                                      token=shared_server.login("admin"))
    assert status == 200
    log = played(browser, 2)
    assert [entry["ticket"] for entry in log] == [ticket["id"], ticket["id"]]
    assert [entry["calls"] for entry in log] == [1, 2]
    assert all(entry["error"] is None for entry in log), log
    cancel(shared_server, ticket["id"])


def test_two_quick_calls_are_announced_one_after_the_other(browser, shared_server):
    open_page(browser, shared_server, "/display/hall/all")
    shared_server.issue(language="ru")
    shared_server.issue(language="tt")
    first = call_next(shared_server, "window_1")
    second = call_next(shared_server, "window_2")
    wait_for(lambda: {r["ticket"] for r in shown_calls(browser)} >= {first["id"], second["id"]}, 2.0,
             message="both calls shown at once")
    assert shown_calls(browser)[0]["ticket"] == second["id"]

    log = played(browser, 2, timeout=35)
    assert [entry["ticket"] for entry in log] == [first["id"], second["id"]]
    assert all(entry["error"] is None for entry in log), log
    assert log[0]["endedAt"] <= log[1]["startedAt"], "announcements overlapped"
    # The second visitor chose Tatar: Tatar, then Russian, so it is longer than a Russian-only call.
    languages = {first["id"]: first["language"], second["id"]: second["language"]}
    assert languages == {first["id"]: "ru", second["id"]: "tt"}
    assert log[1]["duration"] > log[0]["duration"] + 1.0, log
    for ticket in (first, second):
        cancel(shared_server, ticket["id"])


SPOKEN = {"spoken", "fragments"}  # X-Speech of an announcement with speech in it
CHIME_S = 1.3


@pytest.mark.parametrize("waiting_since", ["after the start", "before the start"])
def test_first_call_after_a_cold_start_is_spoken(browser, live_server, waiting_since):
    """A server with an empty phrase cache and a Tatar visitor called at once: speech, not the chime alone.

    "before the start": the ticket was issued before the server (re)started and its
    phrases were thrown away, so nothing was prepared when it was issued.
    """
    if waiting_since == "before the start":
        live_server.issue(language="tt")
        live_server.stop()
        shutil.rmtree(live_server.data_dir / "display-speech")
        live_server.restart()
    open_page(browser, live_server, "/display/hall/all")
    if waiting_since == "after the start":
        live_server.issue(language="tt")
    ticket = call_next(live_server, "window_1")
    assert ticket["language"] == "tt"
    entry = played(browser, 1)[0]
    assert entry["ticket"] == ticket["id"] and entry["error"] is None, entry
    assert entry["speech"] in SPOKEN, entry
    assert entry["chime"] is True, "the first call of a quiet hall has the chime"
    # chime + Tatar + Russian: far longer than the chime alone
    assert entry["duration"] > CHIME_S + 3.0, entry


def test_a_burst_of_six_calls_is_spoken_in_call_order_with_one_chime(browser, live_server):
    open_page(browser, live_server, "/display/hall/all")
    languages = ["ru", "tt", "en", "tt", "ru", "en"]
    for language in languages:
        live_server.issue(language=language)
    calls = []
    for index in range(6):  # six calls within ten seconds
        calls.append(call_next(live_server, f"window_{index + 1}"))
        time.sleep(1.5)
    log = played(browser, 6, timeout=90)
    assert [entry["ticket"] for entry in log] == [ticket["id"] for ticket in calls], "call order"
    assert [ticket["language"] for ticket in calls] == languages
    for entry in log:
        assert entry["error"] is None and entry["speech"] in SPOKEN, entry
        assert entry["duration"] > 1.5, entry
    assert [entry["chime"] for entry in log] == [True] + [False] * 5, "one chime per burst"
    for earlier, later in itertools.pairwise(log):
        assert earlier["endedAt"] <= later["startedAt"], "announcements overlapped"


def test_a_failed_or_not_ready_announcement_is_fetched_again(browser, shared_server):
    """The network fails once, then the server says 202 (still preparing): the third try plays."""
    open_page(browser, shared_server, "/display/hall/all")
    browser.execute_script("""
        const real = window.fetch, answers = ['fail', 202];
        window.announcementFetches = [];
        window.fetch = (url, options) => {
            if (!String(url).includes('announcement.wav')) return real(url, options);
            const answer = answers.shift();
            window.announcementFetches.push([performance.now(), answer || 'real']);
            if (answer === 'fail') return Promise.reject(new TypeError('Failed to fetch'));
            if (answer === 202) return Promise.resolve(new Response('', {status: 202}));
            return real(url, options);
        };""")
    shared_server.issue(language="ru")
    ticket = call_next(shared_server, "window_1")
    entry = played(browser, 1)[0]
    assert entry["ticket"] == ticket["id"] and entry["error"] is None, entry
    assert entry["attempts"] == 3 and entry["speech"] == "spoken", entry
    fetches = browser.execute_script("return window.announcementFetches")
    assert [answer for _, answer in fetches] == ["fail", 202, "real"]
    waits = [later[0] - earlier[0] for earlier, later in itertools.pairwise(fetches)]
    assert waits[0] >= 290 and waits[1] >= 690, waits  # 0.3 s, then 0.7 s
    browser.refresh()  # the next test gets the page's own fetch back
    cancel(shared_server, ticket["id"])


def test_a_call_whose_audio_comes_first_still_waits_for_the_earlier_call(browser, shared_server):
    open_page(browser, shared_server, "/display/hall/all")
    browser.execute_script("""
        const real = window.fetch;
        let first = true;
        window.fetch = (url, options) => {
            if (!String(url).includes('announcement.wav') || !first) return real(url, options);
            first = false;  // the first call's audio arrives 4 s late
            return new Promise((resolve) => setTimeout(() => resolve(real(url, options)), 4000));
        };""")
    shared_server.issue(language="ru")
    shared_server.issue(language="ru")
    earlier = call_next(shared_server, "window_1")
    later = call_next(shared_server, "window_2")
    log = played(browser, 2, timeout=40)
    assert [entry["ticket"] for entry in log] == [earlier["id"], later["id"]]
    assert log[1]["loadedAt"] < log[0]["loadedAt"], "the later call's audio was ready first"
    assert [entry["chime"] for entry in log] == [True, False]
    browser.refresh()
    for ticket in (earlier, later):
        cancel(shared_server, ticket["id"])


def test_hall_of_one_zone_shows_only_its_workplaces(browser, shared_server):
    open_page(browser, shared_server, "/display/hall/reception?sound=0")
    shared_server.issue(language="ru", life_situation="youth")  # the career queue, room 11
    shared_server.issue(language="ru")
    other = call_next(shared_server, "room_11")
    mine = call_next(shared_server, "window_1")
    wait_for(lambda: [r for r in shown_calls(browser) if r["ticket"] == mine["id"]], 2.0,
             message="reception call shown")
    assert other["id"] not in {r["ticket"] for r in shown_calls(browser)}
    assert announcement_log(browser) == [], "?sound=0 keeps the hall silent"
    for ticket in (other, mine):
        cancel(shared_server, ticket["id"])


def test_hall_is_readable_from_five_metres(browser, shared_server):
    """Number ≥ 12 % of the screen height at 1080p, every text at least 7:1 contrast."""
    open_page(browser, shared_server,
              "/display/hall/all?sound=0&counts=1&notice=Приём+документов+до+16:00"
              "&notice=Ярмарка+вакансий+в+пятницу+в+10:00")
    waiting = shared_server.issue(language="ru")  # someone still waiting, for the counts
    tickets = []
    for workplace, situation in (("room_11", "youth"), ("window_4", "pre_pension"),
                                 ("window_1", "job_search")):
        issued = shared_server.issue(language="ru", life_situation=situation)
        status, called = shared_server.request("POST", f"/api/v1/tickets/{issued['id']}/call",
                                               token=shared_server.login("admin"),
                                               body={"workplace": workplace})
        assert status == 200, called
        tickets.append(called)
    ticket = tickets[-1]
    wait_for(lambda: [r for r in shown_calls(browser) if r["ticket"] == ticket["id"] and r["fresh"]], 2.0)
    metrics = browser.execute_script("""
        const parse = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
        const lum = rgb => { const [r, g, b] = rgb.map(v => { v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
        const background = el => { for (; el; el = el.parentElement) {
            const c = getComputedStyle(el).backgroundColor;
            if (!c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return c; }
            return 'rgb(255, 255, 255)'; };
        const ratio = el => {
            const a = lum(parse(getComputedStyle(el).color)), b = lum(parse(background(el)));
            return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };
        const texts = [...document.querySelectorAll('body *')].filter(el =>
            el.offsetParent !== null && [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
            && !el.closest('.offline'));
        return {height: innerHeight,
                numberSize: parseFloat(getComputedStyle(document.querySelector('.call-number')).fontSize),
                placeSize: parseFloat(getComputedStyle(document.querySelector('.call-place')).fontSize),
                worst: Math.min(...texts.map(ratio)), count: texts.length};
    """)
    assert metrics["height"] == 1080
    assert metrics["numberSize"] >= 0.12 * 1080 and metrics["placeSize"] >= 0.12 * 1080, metrics
    assert metrics["count"] > 10 and metrics["worst"] >= 7.0, metrics
    wait_for(lambda: browser.execute_script(
        "const e = document.querySelector('[data-queue=reception]'); return e && e.textContent"
    ) == "А1", 6, message="waiting count refreshed after the issue")
    counts = browser.find_element("id", "waiting").text
    assert "Ожидают" in counts and "Көтәләр" in counts and "А" in counts
    keep_screenshot(browser, "display-hall.png")
    for called in (*tickets, waiting):
        cancel(shared_server, called["id"])


def test_a_burst_of_calls_keeps_the_page_bounded(browser, shared_server):
    """Days of calls must not grow the page: rows, pending sounds and logs are capped."""
    open_page(browser, shared_server, "/display/hall/all")
    last = None
    for _ in range(20):
        shared_server.issue(language="ru")
        last = call_next(shared_server, "window_1")
        cancel(shared_server, last["id"])
    shared_server.issue(language="ru")
    last = call_next(shared_server, "window_1")
    wait_for(lambda: [r["ticket"] for r in shown_calls(browser)] == [last["id"]], 3.0,
             message="only the call still open is shown")
    sizes = browser.execute_script(
        "const s = window.displayState; return {pending: s.announcer.pending.length,"
        " remembered: s.announcer.remembered.size, calls: s.calls.size,"
        " rows: document.querySelectorAll('.call').length}")
    assert sizes["pending"] <= 12 and sizes["calls"] == 1 and sizes["rows"] == 1, sizes
    assert sizes["remembered"] == 21, sizes
    cancel(shared_server, last["id"])


# --- window display --------------------------------------------------------------------------


def place_text(driver) -> tuple[str, str, bool]:
    return driver.execute_script(
        "const b = document.getElementById('place');"
        "return [b.dataset.status || '', b.innerText, b.classList.contains('fresh')]")


def test_window_display_shows_call_serving_break_and_free(browser, shared_server):
    operator = shared_server.login("reception")
    workplace = "window_1"
    open_page(browser, shared_server, f"/display/workplace/{workplace}")
    shared_server.request("POST", f"/api/v1/workplaces/{workplace}/status", token=operator,
                          body={"status": "break"})
    wait_for(lambda: place_text(browser)[0] == "break", 2.0, message="break shown")
    assert "Перерыв" in place_text(browser)[1] and "Тәнәфес" in place_text(browser)[1]

    shared_server.request("POST", f"/api/v1/workplaces/{workplace}/status", token=operator,
                          body={"status": "open"})
    wait_for(lambda: place_text(browser)[0] == "open", 2.0, message="free shown")
    assert "Свободно" in place_text(browser)[1] and "Буш" in place_text(browser)[1]

    shared_server.issue(language="ru")
    status, ticket = shared_server.request("POST", f"/api/v1/workplaces/{workplace}/call-next",
                                           token=operator)
    assert status == 200, ticket
    state = wait_for(lambda: (s := place_text(browser))[0] == "called" and s, 1.0, message="call shown")
    assert ticket["number"] in state[1] and "Пройдите" in state[1] and state[2], state
    keep_screenshot(browser, "display-window.png")

    shared_server.request("POST", f"/api/v1/tickets/{ticket['id']}/start", token=operator)
    wait_for(lambda: place_text(browser)[0] == "serving", 2.0, message="serving shown")
    shared_server.request("POST", f"/api/v1/tickets/{ticket['id']}/finish", token=operator,
                          body={"services": [], "result": "consulted"})
    wait_for(lambda: place_text(browser)[0] == "open", 2.0, message="free again after the visit")
    assert ticket["number"] not in place_text(browser)[1]
    assert announcement_log(browser) == [], "the window display is silent unless ?sound=1"


# --- surviving the server -----------------------------------------------------------------------


def test_hall_resynchronises_after_the_server_dies_and_comes_back(browser, live_server):
    open_page(browser, live_server, "/display/hall/all?sound=0")
    live_server.issue(language="ru")
    live_server.issue(language="ru")
    before = call_next(live_server, "window_1")
    wait_for(lambda: [r for r in shown_calls(browser) if r["ticket"] == before["id"]], 2.0)
    syncs = browser.execute_script("return window.displayState.connection.syncs")

    live_server.kill()  # SIGKILL: no goodbye on the stream
    wait_for(lambda: browser.find_element("id", "offline").is_displayed(), 10,
             message="the hall says it lost the server")
    live_server.start()
    # Changes made right after the restart, before the page is back, must still show.
    cancel(live_server, before["id"])
    after = call_next(live_server, "window_2")
    wait_for(lambda: [r["ticket"] for r in shown_calls(browser)] == [after["id"]], 10,
             message="state after the restart")
    wait_for(lambda: not browser.find_element("id", "offline").is_displayed(), 5)
    assert browser.execute_script("return window.displayState.connection.syncs") > syncs
