"""The feedback tablet, the journal and the report pages in real Chromium against a real server.

A visit finished at window 3 makes the window's tablet ask in the visitor's language;
the rating shows in the feedback journal, where the manager answers it.  The report
pages, the "today" view, the journal and the tablet pass axe-core.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.test_staff_browser import StaffBrowser

pytestmark = [pytest.mark.browser]

TABLET_TOKEN = "demo-feedback-token"


@pytest.fixture(scope="module")
def browsers(shared_server):
    made = {name: StaffBrowser(shared_server.url) for name in ("tablet", "manager")}
    try:
        yield made
    finally:
        for browser in made.values():
            browser.quit()


def serve_at_window_3(server, language: str) -> dict:
    ticket = server.issue("pre_pension", language=language)
    token = server.login("curator1")
    for action, body in (("call", {"workplace": "window_3"}), ("start", {}),
                         ("finish", {"services": ["pension_account_statement"], "result": "consulted"})):
        path = f"/api/v1/tickets/{ticket['id']}/{action}"
        status, answer = server.request("POST", path, token=token, body=body)
        assert status == 200, (action, status, answer)
    return ticket


def test_a_finished_visit_is_rated_on_the_tablet_and_answered_in_the_journal(shared_server, browsers):
    tablet, manager = browsers["tablet"], browsers["manager"]
    tablet.driver.get(f"{shared_server.url}/display/feedback/window_3?token={TABLET_TOKEN}")
    tablet.wait_js("const r = document.getElementById('feedback');"
                   "return r.dataset.ready === 'yes' && r.dataset.state === 'idle';")

    ticket = serve_at_window_3(shared_server, "tt")
    tablet.wait_js("return document.getElementById('feedback').dataset.state === 'ask';")
    tablet.wait_text("question", "Сезгә ничек хезмәт күрсәттеләр?")
    tablet.wait_text("ticket-number", ticket["number"])
    assert tablet.accessibility_violations() == []
    tablet.click(".face-2")
    tablet.wait_js("return !document.getElementById('reasons').hidden;")
    tablet.click("[data-reason='long_wait']")
    tablet.click("#send")
    tablet.wait_text("done-text", "Бәягез өчен рәхмәт!")
    tablet.wait_js("return document.getElementById('feedback').dataset.state === 'idle';", timeout=20)

    manager.sign_in("manager", "/staff/feedback")
    item = manager.css("#waiting-heading ~ article.rating-2")
    assert "Озак көттем" not in item.text  # the staff page is in Russian
    assert "Долго ждал" in item.text and "планшет" in item.text
    assert manager.accessibility_violations() == []
    item_id = item.get_attribute("id")
    manager.css(f"#{item_id} textarea").send_keys("Позвонили посетителю, извинились")
    manager.css(f"#{item_id} form button").click()
    manager.wait_js("return document.body.dataset.ready === 'yes' && location.hash.length > 1;")
    answered = manager.css(f"#recent-heading ~ #{item_id}")
    assert "Позвонили посетителю, извинились" in answered.text
    assert not manager.driver.find_elements(By.CSS_SELECTOR, f"#waiting-heading ~ #{item_id}")


def test_a_second_rating_of_the_same_visit_is_refused_on_the_tablet(shared_server, browsers):
    tablet = browsers["tablet"]
    tablet.driver.get(f"{shared_server.url}/display/feedback/window_3?token={TABLET_TOKEN}")
    tablet.wait_js("return document.getElementById('feedback').dataset.ready === 'yes';")
    ticket = serve_at_window_3(shared_server, "en")
    tablet.wait_text("question", "How were you served?")
    status, _ = shared_server.request("POST", "/api/v1/feedback", token=TABLET_TOKEN,
                                      body={"ticket_id": ticket["id"], "rating": 5})
    assert status == 201  # rated meanwhile (say, by the kiosk on the way out)
    tablet.click(".face-5")
    tablet.click("#send")
    tablet.wait_text("done-text", "This visit is rated already")


@pytest.mark.parametrize("path", ["/staff/reports", "/staff/today", "/staff/feedback"])
def test_report_pages_pass_axe(shared_server, browsers, path):
    manager = browsers["manager"]
    manager.driver.get(f"{shared_server.url}{path}")
    manager.wait_js("return document.body.dataset.ready === 'yes';")
    assert manager.accessibility_violations() == []


def test_a_bad_period_is_explained_on_the_page(shared_server, browsers):
    manager = browsers["manager"]
    manager.driver.get(f"{shared_server.url}/staff/reports?start=2026-12-31&end=2026-01-01")
    manager.wait_js("return document.body.dataset.ready === 'yes';")
    assert "конец периода раньше начала" in manager.css("[role=alert]").text
    assert manager.accessibility_violations() == []
