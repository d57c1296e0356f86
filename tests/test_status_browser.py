"""The visitor's status page on a phone-sized Chromium: a Tatar ticket from waiting to called.

A real server process; the page follows the ticket live (server-sent events) while an
operator calls; axe-core (vendored) finds nothing on it, waiting or called.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.test_staff_browser import AXE, StaffBrowser

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True}


@pytest.fixture
def phone(live_server):
    browser = StaffBrowser(live_server.url)
    browser.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    yield browser
    browser.quit()


def every_violation(browser: StaffBrowser) -> list[str]:
    """axe-core's findings of every impact (the status page must be clean, not only passable)."""
    browser.driver.execute_script(AXE.read_text("utf-8"))
    found = browser.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then((r) => done(r.violations), (e) => done(String(e)));")
    assert isinstance(found, list), found
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in found]


def test_tatar_ticket_followed_from_waiting_to_called(live_server, phone):
    reception = live_server.login("reception")
    live_server.request("POST", "/api/v1/workplaces/window_1/status", token=reception,
                        body={"status": "open"})
    first = live_server.issue("job_search")
    mine = live_server.issue("job_search", language="tt")
    phone.driver.get(live_server.url + mine["status_url"])

    assert phone.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "tt"
    phone.wait_text("number", mine["number"])
    phone.wait_text("ahead", "1 кеше")
    phone.wait_js("return document.getElementById('status').dataset.seq !== undefined")  # stream open
    assert every_violation(phone) == []
    width = phone.driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "nothing scrolls sideways on a phone"

    live_server.request("POST", "/api/v1/workplaces/window_1/call-next", token=reception)
    phone.wait_text("ahead", "0 кеше")
    live_server.request("POST", f"/api/v1/tickets/{first['id']}/cancel", token=reception,
                        body={"reason": "left"})
    live_server.request("POST", "/api/v1/workplaces/window_1/call-next", token=reception)
    phone.wait_text("line", "Сезне чакыралар: 1 нче тәрәзә")
    phone.wait_text("way", "Беренчел кабул итү зонасы")
    line = phone.driver.find_element(By.ID, "line")
    assert line.get_attribute("role") == "status" and line.get_attribute("aria-live") == "assertive"
    assert phone.driver.find_element(By.ID, "position").get_attribute("hidden") is not None
    assert every_violation(phone) == []

    phone.driver.find_element(By.CSS_SELECTOR, "a[hreflang='ru']").click()  # the language switch
    phone.wait_text("line", "Вас приглашают: окно 1")
    assert phone.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ru"
