"""A hall screen that goes dark rings on the administrator's console, and stops ringing when it is back.

A real server with a short ``--silent-after``, a real hall display page in Chromium
sending its heartbeats, a real kiosk heartbeat thread, and the console in another
browser.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.api_client import ApiClient
from kiosk.heartbeat import Heartbeat
from tests.support.live_server import LiveServer
from tests.test_staff_browser import CHROMEDRIVER, CHROMIUM, StaffBrowser

pytestmark = [pytest.mark.browser]

SILENT_AFTER = "3"  # seconds; the display page then beats every second
PATIENCE = 30.0  # silence is noticed by the server's ticker (every 2 s), then pushed to the console


@pytest.fixture
def office(tmp_path):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("chromium and chromedriver are not installed")
    server = LiveServer(tmp_path, extra_args=("--silent-after", SILENT_AFTER)).start()
    browsers: list[StaffBrowser] = []
    try:
        yield server, browsers
    finally:
        for browser in browsers:
            browser.quit()
        server.stop()


def _alarm(name: str, shown: bool = True) -> str:
    return f"return {'' if shown else '!'}!!document.querySelector(\"#alerts [data-silent='{name}']\")"


def _silent(server, name: str) -> bool:
    _, body = server.request("GET", "/api/v1/devices", token=server.login("hall"))
    return next(d for d in body["devices"] if d["name"] == name)["silent"]


def test_a_dark_screen_and_a_dead_kiosk_ring_on_the_console_until_they_are_back(office):
    server, browsers = office
    hall = StaffBrowser(server.url)
    screen = StaffBrowser(server.url)
    browsers += [hall, screen]
    hall.sign_in("hall", "/staff/console")
    screen.driver.get(f"{server.url}/display/hall/all?token={server.display_token}")
    screen.wait_js("return DisplayCore.heartbeat.sent >= 2", timeout=PATIENCE)
    kiosk = Heartbeat(ApiClient(server.url, server.kiosk_token, attempts=1), every_s=0.5).start()
    assert not _silent(server, "hall-display")

    chimes = int(hall.driver.execute_script("return Number(document.body.dataset.chimes || 0)"))
    screen.driver.get("about:blank")  # the screen goes dark
    hall.wait_js(_alarm("hall-display"), timeout=PATIENCE)
    assert "hall-display" in hall.css("#alerts [data-silent='hall-display']").text
    hall.wait_js("return Number(document.body.dataset.chimes || 0) > arguments[0]", chimes)
    assert hall.driver.execute_script(_alarm("kiosk-1", shown=False))

    kiosk.stop()  # the kiosk dies too
    hall.wait_js(_alarm("kiosk-1"), timeout=PATIENCE)

    screen.driver.get(f"{server.url}/display/hall/all?token={server.display_token}")  # back on
    hall.wait_js(_alarm("hall-display", shown=False), timeout=PATIENCE)
    assert _silent(server, "kiosk-1") and not _silent(server, "hall-display")
