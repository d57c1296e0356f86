"""The API's rules through the in-process app: each limit and check answered from its one home.

These run in milliseconds (no server process); tests/test_api_integration.py covers the
same paths through a real process, concurrency and kill -9.
"""

from __future__ import annotations

import pytest

from queue_server.domain.limits import MAX_POSTPONE_MINUTES, TEXT_LIMITS


def issue(kiosk, situation: str = "job_search") -> dict:
    answer = kiosk.post("/api/v1/tickets", {"life_situation": situation})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


@pytest.fixture
def desk(signed_in):
    """A kiosk and a reception operator whose window is open with a visitor being served."""
    kiosk, reception = signed_in("kiosk"), signed_in("reception")
    ticket = issue(kiosk)
    assert reception.post("/api/v1/workplaces/window_1/status", {"status": "open"}).status_code == 204
    called = reception.post("/api/v1/workplaces/window_1/call-next")
    assert called.get_json()["id"] == ticket["id"]
    assert reception.post(f"/api/v1/tickets/{ticket['id']}/start").status_code == 200
    return kiosk, reception, ticket


@pytest.mark.parametrize("minutes", [0, -5, MAX_POSTPONE_MINUTES + 1])
def test_postpone_outside_its_limit_is_refused_naming_minutes(desk, minutes):
    _, reception, ticket = desk
    answer = reception.post(f"/api/v1/tickets/{ticket['id']}/postpone", {"minutes": minutes})
    assert answer.status_code == 400
    assert answer.get_json() == {"error": "bad_request",
                                 "reason": f"minutes: more than 0 and at most {MAX_POSTPONE_MINUTES}"}


def test_postpone_at_its_limit_is_accepted(desk):
    _, reception, ticket = desk
    answer = reception.post(f"/api/v1/tickets/{ticket['id']}/postpone", {"minutes": MAX_POSTPONE_MINUTES})
    assert answer.status_code == 200 and answer.get_json()["status"] == "postponed"


@pytest.mark.parametrize(("action", "field", "body"), [
    ("redirect", "comment", {"queue": "curator"}),
    ("finish", "result", {}),
    ("cancel", "reason", {}),
])
def test_free_text_longer_than_its_limit_is_refused_and_nothing_changes(desk, action, field, body):
    _, reception, ticket = desk
    limit = TEXT_LIMITS[field]
    answer = reception.post(f"/api/v1/tickets/{ticket['id']}/{action}", {**body, field: "я" * (limit + 1)})
    assert answer.status_code == 400
    assert answer.get_json()["reason"] == f"{field}: at most {limit} characters"
    assert reception.get(f"/api/v1/tickets/{ticket['id']}").get_json()["status"] == "serving"
    accepted = reception.post(f"/api/v1/tickets/{ticket['id']}/{action}", {**body, field: "я" * limit})
    assert accepted.status_code == 200


def test_a_busy_workplace_calls_no_one_until_its_visitor_leaves(desk):
    kiosk, reception, ticket = desk
    waiting = issue(kiosk)
    for call in (lambda: reception.post("/api/v1/workplaces/window_1/call-next"),
                 lambda: reception.post(f"/api/v1/tickets/{waiting['id']}/call", {"workplace": "window_1"})):
        answer = call()
        assert answer.status_code == 409 and answer.get_json()["error"] == "busy"
    assert reception.post(f"/api/v1/tickets/{ticket['id']}/finish").status_code == 200
    assert reception.post("/api/v1/workplaces/window_1/call-next").get_json()["id"] == waiting["id"]


def test_open_workplaces_and_estimated_wait_follow_the_workplace_status(signed_in, clock):
    kiosk, reception = signed_in("kiosk"), signed_in("reception")
    queue = issue(kiosk)["queue"]

    def open_count() -> int:
        queues = kiosk.get("/api/v1/queues").get_json()["queues"]
        return next(q["open_workplaces"] for q in queues if q["id"] == queue)

    before = open_count()
    assert reception.post("/api/v1/workplaces/window_1/status", {"status": "open"}).status_code == 204
    assert open_count() == before + 1
    assert reception.post("/api/v1/workplaces/window_1/status", {"status": "break"}).status_code == 204
    assert open_count() == before


def test_the_manual_clock_brings_a_postponed_visitor_back(desk, services, clock):
    _, reception, ticket = desk
    reception.post(f"/api/v1/tickets/{ticket['id']}/postpone", {"minutes": 10})
    clock.advance(minutes=9)
    services.tickets.tick()
    assert services.tickets.ticket(ticket["id"]).status.value == "postponed"
    clock.advance(minutes=1)
    services.tickets.tick()
    back = services.tickets.ticket(ticket["id"])
    assert (back.status.value, back.target_workplace) == ("waiting", "window_1")


def test_detail_of_a_printer_report_is_limited_once(signed_in):
    kiosk = signed_in("kiosk")
    limit = TEXT_LIMITS["detail"]
    report = "/api/v1/devices/status"
    too_long = kiosk.post(report, {"printer": "offline", "detail": "x" * (limit + 1)})
    assert too_long.status_code == 400
    assert too_long.get_json()["reason"] == f"detail: at most {limit} characters"
    assert kiosk.post(report, {"printer": "offline", "detail": "x" * limit}).status_code == 204
