"""The separate window through the in-process API, on the demo office.

Window 3 has ``priority_window = true``: it calls out-of-turn visitors of every queue
first, and an ordinary visitor is passed over only until the office's priority bound.
The rule itself is tested case by case in tests/test_routing.py.
"""

from __future__ import annotations

import pytest

from tests.support.app_fixtures import PASSWORD, ApiClient

SEPARATE, ORDINARY_CURATOR = "window_3", "window_4"


def issue(kiosk, situation: str, *, priority: bool = False) -> dict:
    answer = kiosk.post("/api/v1/tickets", {"life_situation": situation, "priority": priority})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def call_next(staff, workplace: str) -> dict | None:
    answer = staff.post(f"/api/v1/workplaces/{workplace}/call-next")
    assert answer.status_code in (200, 204), answer.get_json()
    return answer.get_json() if answer.status_code == 200 else None


def finish(staff, ticket: dict) -> None:
    assert staff.post(f"/api/v1/tickets/{ticket['id']}/start").status_code == 200
    assert staff.post(f"/api/v1/tickets/{ticket['id']}/finish").status_code == 200


@pytest.fixture
def desk(app, services, signed_in):
    """A kiosk and a curator who works at both the separate window and an ordinary one."""
    services.accounts.create_user("curator-both", "curator", PASSWORD,
                                  (SEPARATE, ORDINARY_CURATOR), actor="test")
    login = app.test_client().post("/api/v1/auth/login",
                                   json={"username": "curator-both", "password": PASSWORD})
    curator = ApiClient(app.test_client(), login.get_json()["token"], "curator-both")
    for workplace in (SEPARATE, ORDINARY_CURATOR):
        answer = curator.post(f"/api/v1/workplaces/{workplace}/status", {"status": "open"})
        assert answer.status_code == 204, answer.get_json()
    return signed_in("kiosk"), curator


def test_the_demo_office_has_one_separate_window(office):
    assert [w.id for w in office.workplaces if w.priority_window] == [SEPARATE]


def test_the_separate_window_calls_an_out_of_turn_visitor_of_another_queue_first(desk, clock):
    kiosk, staff = desk
    waited = issue(kiosk, "pre_pension")  # the curator queue, which window 3 serves
    clock.advance(minutes=12)
    employer = issue(kiosk, "staff_search", priority=True)  # employers: window 3 does not serve it
    assert employer["queue"] == "employers"
    called = call_next(staff, SEPARATE)
    assert called["id"] == employer["id"]
    finish(staff, called)
    assert call_next(staff, SEPARATE)["id"] == waited["id"]


def test_an_ordinary_curator_window_does_not_take_other_queues(desk):
    kiosk, staff = desk
    employer = issue(kiosk, "staff_search", priority=True)
    assert call_next(staff, ORDINARY_CURATOR) is None
    refused = staff.post(f"/api/v1/tickets/{employer['id']}/call", {"workplace": ORDINARY_CURATOR})
    assert refused.status_code == 409, refused.get_json()
    by_hand = staff.post(f"/api/v1/tickets/{employer['id']}/call", {"workplace": SEPARATE})
    assert by_hand.status_code == 200, by_hand.get_json()


def test_an_ordinary_visitor_is_not_passed_over_beyond_the_bound(desk, clock, office):
    """A new out-of-turn visitor every 5 minutes, each served in 5: the ordinary one is
    called once the bound has passed, not later."""
    kiosk, staff = desk
    bound = office.rules.priority_bound_min
    ordinary = issue(kiosk, "pre_pension")
    situations = ["staff_search", "legal", "youth", "job_search"]
    called_after = None
    for n in range(2 * bound // 5):
        issue(kiosk, situations[n % len(situations)], priority=True)
        called = call_next(staff, SEPARATE)
        if called["id"] == ordinary["id"]:
            called_after = 5 * n
            break
        clock.advance(minutes=5)
        finish(staff, called)
    assert called_after is not None and bound <= called_after <= bound + 5
