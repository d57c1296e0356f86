"""The queue server over HTTP, as a real process: kiosks, operators, crashes, bad input.

Every test talks to ``python -m queue_server demo`` on 127.0.0.1 (tests/support/live_server.py).
Waiting is done by polling with a deadline, never by a fixed sleep.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from collections import Counter
from typing import Any

import pytest

from queue_server.config import DEMO_OFFICE_PATH, load_office
from tests.support.live_server import LiveServer

# Demo accounts and the workplace each sits at (queue_server/cli.py DEMO_STAFF); admin may
# act anywhere, so it takes the windows that have no demo operator of their own.
OPERATORS = (
    ("reception", "window_1"), ("admin", "window_2"), ("curator1", "window_3"),
    ("curator2", "window_4"), ("admin", "window_5"), ("admin", "window_6"),
    ("individual", "window_7"), ("employer", "window_8"),
)
# Situations whose queues those eight windows serve: reception, curator, individual, employers.
BURST_SITUATIONS = ("job_search", "lost_job", "not_sure", "pre_pension", "legal", "disability",
                    "business_start", "staff_search")


class Http:
    """One keep-alive HTTP connection, as a kiosk or an operator's browser holds it."""

    def __init__(self, server: LiveServer, token: str | None = None, timeout: float = 10.0):
        self.server = server
        self.token = token
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)

    def call(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any]:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        sent = {"Content-Type": "application/json"} if data is not None else {}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        sent.update(headers or {})
        try:
            self.conn.request(method, path, body=data, headers=sent)
            response = self.conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()  # the next call opens a fresh connection
            raise
        return response.status, (json.loads(payload) if payload else None)

    def login(self, username: str) -> str:
        status, body = self.call("POST", "/api/v1/auth/login",
                                 {"username": username, "password": "demo"})
        assert status == 200, (status, body)
        self.token = body["token"]
        return self.token

    def close(self) -> None:
        self.conn.close()


def staff_view(server: LiveServer, ticket_id: str) -> dict:
    status, body = server.request("GET", f"/api/v1/tickets/{ticket_id}", token=server.login("admin"))
    assert status == 200, (status, body)
    return body


def act(server: LiveServer, user: str, ticket_id: str, action: str, body: dict | None = None,
        expect: int = 200) -> dict:
    status, answer = server.request("POST", f"/api/v1/tickets/{ticket_id}/{action}",
                                    token=server.login(user), body=body)
    assert status == expect, (action, status, answer)
    return answer


def seq_of(number: str) -> int:
    return int(number[1:])


def poll(check, *, timeout: float, interval: float = 0.1, what: str = "condition"):
    """Call ``check`` until it answers something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def run_threads(threads: list[threading.Thread], timeout: float) -> None:
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = [thread.name for thread in threads if thread.is_alive()]
    assert not stuck, f"threads did not finish in {timeout}s: {stuck}"


# ---------------------------------------------------------------- concurrency


def test_four_kiosks_and_eight_operators_call_every_ticket_exactly_once(live_server):
    tickets_per_kiosk = 20
    issued: list[dict] = []
    called: list[tuple[str, str]] = []  # (workplace, ticket id)
    errors: list[str] = []
    lock = threading.Lock()
    kiosks_done = threading.Event()
    kiosks_left = [4]

    def kiosk(index: int) -> None:
        conn = Http(live_server, live_server.kiosk_token)
        try:
            for n in range(tickets_per_kiosk):
                situation = BURST_SITUATIONS[(index + n) % len(BURST_SITUATIONS)]
                priority = n % 7 == 0
                status, body = conn.call("POST", "/api/v1/tickets", {
                    "life_situation": situation, "language": "ru", "priority": priority,
                    "request_id": f"kiosk{index}-{n}"})
                if status != 201:
                    errors.append(f"kiosk {index}: {status} {body}")
                    return
                with lock:
                    issued.append({**body, "priority_asked": priority})
        except Exception as error:  # reported by the main thread
            errors.append(f"kiosk {index}: {error!r}")
        finally:
            conn.close()
            with lock:
                kiosks_left[0] -= 1
                if kiosks_left[0] == 0:
                    kiosks_done.set()

    def operator(user: str, workplace: str) -> None:
        conn = Http(live_server)
        try:
            conn.login(user)
            while True:
                done_before = kiosks_done.is_set()  # read before asking: then 204 means "no more"
                status, ticket = conn.call("POST", f"/api/v1/workplaces/{workplace}/call-next")
                if status == 204:
                    if done_before:
                        return
                    kiosks_done.wait(0.01)  # back off a little while the kiosks are still busy
                    continue
                if status != 200:
                    errors.append(f"{workplace} call-next: {status} {ticket}")
                    return
                with lock:
                    called.append((workplace, ticket["id"]))
                for action in ("start", "finish"):
                    status, body = conn.call("POST", f"/api/v1/tickets/{ticket['id']}/{action}", {})
                    if status != 200:
                        errors.append(f"{workplace} {action}: {status} {body}")
                        return
        except Exception as error:
            errors.append(f"{workplace}: {error!r}")
        finally:
            conn.close()

    threads = [threading.Thread(target=kiosk, args=(i,), name=f"kiosk{i}") for i in range(4)]
    threads += [threading.Thread(target=operator, args=op, name=op[1]) for op in OPERATORS]
    run_threads(threads, timeout=60)
    assert not errors, errors

    assert len(issued) == 4 * tickets_per_kiosk
    ids = [ticket["id"] for ticket in issued]
    numbers = [ticket["number"] for ticket in issued]
    assert len(set(ids)) == len(ids)
    assert len(set(numbers)) == len(numbers), Counter(numbers).most_common(3)
    called_ids = [ticket_id for _, ticket_id in called]
    assert Counter(called_ids).most_common(1)[0][1] == 1, "a ticket was called twice"
    assert set(called_ids) == set(ids), "a ticket was lost"

    office = live_server.request("GET", "/api/v1/office", token=live_server.kiosk_token)[1]
    serves = {w["id"]: {s["queue"] for s in w["serves"]} for w in office["workplaces"]}
    by_id = {ticket["id"]: ticket for ticket in issued}
    separate = {w.id for w in load_office(DEMO_OFFICE_PATH).workplaces if w.priority_window}
    for workplace, ticket_id in called:  # the separate window also takes out-of-turn of any queue
        ticket = by_id[ticket_id]
        assert ticket["queue"] in serves[workplace] or (
            workplace in separate and ticket["priority_asked"]), (workplace, ticket)
    for ticket_id in ids:  # the log agrees: one call, finished, number unchanged
        view = staff_view(live_server, ticket_id)
        assert view["status"] == "finished"
        assert view["number"] == by_id[ticket_id]["number"]
        assert [e["type"] for e in view["events"]].count("ticket.called") == 1


# ---------------------------------------------------------------- a visit with several legs


def test_curator_psychologist_and_back_keeps_number_and_history(shared_server):
    server = shared_server
    visit = server.issue("disability")
    assert visit["queue"] == "curator"
    number = visit["number"]

    called = act(server, "curator1", visit["id"], "call", {"workplace": "window_3"})
    assert called["workplace"]["id"] == "window_3"
    act(server, "curator1", visit["id"], "start")
    comment = "Нужна консультация психолога перед подбором работы"
    sent = act(server, "curator1", visit["id"], "redirect",
               {"workplace": "room_12", "comment": comment, "return_to_me": True})
    assert (sent["status"], sent["target_workplace"], sent["return_to"]) == (
        "waiting", "room_12", "window_3")
    assert sent["number"] == number

    status, at_psychologist = server.request(
        "POST", "/api/v1/workplaces/room_12/call-next", token=server.login("psychologist"))
    assert status == 200 and at_psychologist["id"] == visit["id"]
    assert at_psychologist["comment"] == comment  # the next specialist reads the comment
    act(server, "psychologist", visit["id"], "start")

    newer = server.issue("pre_pension")  # arrives while the visitor is with the psychologist
    back = act(server, "psychologist", visit["id"], "finish", {"services": ["psychological_support"]})
    assert (back["status"], back["target_workplace"], back["returning"]) == ("waiting", "window_3", True)
    assert back["number"] == number

    status, next_up = server.request(
        "POST", "/api/v1/workplaces/window_3/call-next", token=server.login("curator1"))
    assert status == 200
    assert next_up["id"] == visit["id"], "the returning visitor goes ahead of new arrivals"
    assert next_up["number"] == number
    act(server, "curator1", visit["id"], "start")
    act(server, "curator1", visit["id"], "finish", {"services": ["job_search_help"], "result": "ok"})

    history = staff_view(server, visit["id"])
    assert history["number"] == number and history["status"] == "finished"
    legs = [(e["type"], e["workplace"]) for e in history["events"]]
    assert legs == [
        ("ticket.issued", None),
        ("ticket.called", "window_3"), ("ticket.started", "window_3"),
        ("ticket.redirected", "window_3"),
        ("ticket.called", "room_12"), ("ticket.started", "room_12"),
        ("ticket.finished", "room_12"), ("ticket.returned", "room_12"),
        ("ticket.called", "window_3"), ("ticket.started", "window_3"),
        ("ticket.finished", "window_3"),
    ]
    redirect = history["events"][3]
    assert redirect["data"]["comment"] == comment
    assert redirect["data"]["return_to"] == "window_3"
    assert redirect["actor"] == "user:curator1"
    seqs = [e["seq"] for e in history["events"]]
    assert seqs == sorted(seqs)
    act(server, "admin", newer["id"], "cancel", {"reason": "test over"})


# ---------------------------------------------------------------- crashes


def test_kill_9_during_a_burst_loses_no_confirmed_ticket_and_reuses_no_number(live_server):
    confirmed: dict[str, dict] = {}  # request_id -> the 201 answer
    in_flight: list[str] = []  # request ids whose answer never came
    errors: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()
    kill_after = 40

    def kiosk(index: int) -> None:
        conn = Http(live_server, live_server.kiosk_token, timeout=5)
        n = 0
        while True:
            request_id = f"burst{index}-{n}"
            try:
                status, body = conn.call("POST", "/api/v1/tickets", {
                    "life_situation": "job_search", "language": "ru", "request_id": request_id})
            except (OSError, http.client.HTTPException):
                with lock:
                    in_flight.append(request_id)
                return  # the server is gone
            if status != 201:
                errors.append(f"{status} {body}")
                return
            with lock:
                confirmed[request_id] = body
                if len(confirmed) >= kill_after:
                    enough.set()
            n += 1

    threads = [threading.Thread(target=kiosk, args=(i,), name=f"burst{i}") for i in range(4)]
    for thread in threads:
        thread.start()
    assert enough.wait(30), "the burst did not get going"
    live_server.kill()
    for thread in threads:
        thread.join(10)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors
    assert len(in_flight) == 4  # every kiosk was cut off mid-request

    live_server.start()
    for request_id, answer in confirmed.items():
        status, again = live_server.request("GET", f"/api/v1/tickets/{answer['id']}")
        assert status == 200, (request_id, status)
        assert again["number"] == answer["number"]

    # Retrying a confirmed request answers the same ticket, never a second one.
    request_id, answer = next(iter(confirmed.items()))
    retry = live_server.issue("job_search", request_id=request_id)
    assert (retry["id"], retry["number"]) == (answer["id"], answer["number"])
    status, _ = live_server.request("POST", "/api/v1/tickets", token=live_server.kiosk_token,
                                    body={"life_situation": "job_search", "request_id": request_id})
    assert status == 200

    # A request cut off by the crash may or may not have been stored; retrying settles it once.
    settled = {}
    for request_id in in_flight:
        status, first = live_server.request("POST", "/api/v1/tickets", token=live_server.kiosk_token,
                                            body={"life_situation": "job_search",
                                                  "request_id": request_id})
        assert status in (200, 201), (status, first)
        status, second = live_server.request("POST", "/api/v1/tickets", token=live_server.kiosk_token,
                                             body={"life_situation": "job_search",
                                                   "request_id": request_id})
        assert (status, second["id"]) == (200, first["id"])
        settled[request_id] = first

    highest = max(seq_of(a["number"]) for a in [*confirmed.values(), *settled.values()])
    fresh = [live_server.issue("job_search") for _ in range(3)]
    assert [seq_of(t["number"]) for t in fresh] == sorted(seq_of(t["number"]) for t in fresh)
    assert min(seq_of(t["number"]) for t in fresh) > highest, "a number was reused after the crash"

    # Nothing else was stored: the waiting line is exactly the tickets we know of.
    status, queues = live_server.request("GET", "/api/v1/queues", token=live_server.login("admin"))
    reception = next(q for q in queues["queues"] if q["id"] == "reception")
    known = {a["id"] for a in [*confirmed.values(), *settled.values(), *fresh]}
    waiting = [t["id"] for t in reception["tickets"]]
    assert len(waiting) == len(set(waiting)) == len(known)
    assert set(waiting) == known
    numbers = [t["number"] for t in reception["tickets"]]
    assert len(set(numbers)) == len(numbers)


# ---------------------------------------------------------------- time passing


def test_postponed_ticket_comes_back_by_itself_to_its_workplace(shared_server):
    server = shared_server
    ticket = server.issue("pre_pension")
    act(server, "curator2", ticket["id"], "call", {"workplace": "window_4"})
    postponed = act(server, "curator2", ticket["id"], "postpone", {"minutes": 0.02})
    assert postponed["status"] == "postponed"
    assert postponed["postponed_by"] == "window_4"

    def back():  # the server's ticker returns it; no call-next nudges it here
        view = staff_view(server, ticket["id"])
        return view if view["status"] == "waiting" else None

    returned = poll(back, timeout=10, what="the postponed ticket to come back")
    assert returned["target_workplace"] == "window_4"
    assert returned["returning"] is True
    assert returned["number"] == ticket["number"]
    last = returned["events"][-1]
    assert (last["type"], last["data"]["reason"], last["actor"]) == (
        "ticket.returned", "postponement_over", "system")
    status, again = server.request("POST", "/api/v1/workplaces/window_4/call-next",
                                   token=server.login("curator2"))
    assert status == 200 and again["id"] == ticket["id"]
    act(server, "curator2", ticket["id"], "cancel")


def test_no_show_needs_three_calls_and_the_administrator_can_restore(shared_server):
    server = shared_server
    ticket = server.issue("pre_pension")
    act(server, "curator2", ticket["id"], "call", {"workplace": "window_4"})
    for calls in (1, 2):
        refused = act(server, "curator2", ticket["id"], "no-show", expect=409)
        assert refused["error"] == "wrong_state"
        assert f"called {calls} of 3 times" in refused["reason"]
        assert act(server, "curator2", ticket["id"], "recall")["calls"] == calls + 1
    gone = act(server, "curator2", ticket["id"], "no-show")
    assert gone["status"] == "no_show"

    assert act(server, "curator2", ticket["id"], "restore", expect=403)["error"] == "forbidden"
    restored = act(server, "hall", ticket["id"], "restore", {"reason": "came back"})
    assert restored["status"] == "waiting"
    assert restored["queued_at"] == staff_view(server, ticket["id"])["queued_at"]
    assert restored["queued_at"] == gone["queued_at"], "restored to its original place"
    assert restored["number"] == ticket["number"]
    act(server, "hall", ticket["id"], "cancel")


# ---------------------------------------------------------------- errors


def test_wrong_state_answers_409_with_the_reason(shared_server):
    server = shared_server
    ticket = server.issue("job_search")
    refused = act(server, "admin", ticket["id"], "start", {"workplace": "window_6"}, expect=409)
    assert refused["error"] == "wrong_state"
    assert ticket["number"] in refused["reason"] and "waiting" in refused["reason"]
    assert act(server, "admin", ticket["id"], "finish", {"workplace": "window_6"},
               expect=409)["error"] == "wrong_state"

    act(server, "admin", ticket["id"], "call", {"workplace": "window_6"})
    status, busy = server.request("POST", "/api/v1/workplaces/window_6/call-next",
                                  token=server.login("admin"))
    assert (status, busy["error"]) == (409, "busy")
    assert "window_6" in busy["reason"]
    act(server, "admin", ticket["id"], "cancel")
    cancelled_again = act(server, "admin", ticket["id"], "cancel", expect=409)
    assert "cancelled" in cancelled_again["reason"]


@pytest.mark.parametrize(("body", "field"), [
    (b'{"life_situation": "job_search"', "JSON"),
    (b'["job_search"]', "object"),
    (b"", "body"),
    (b'{"language": "ru"}', "life_situation"),
    (b'{"life_situation": "astronaut"}', "life_situation"),
    (b'{"life_situation": 7}', "life_situation"),
    (b'{"life_situation": "job_search", "priority": "true"}', "priority"),
    (b'{"life_situation": "job_search", "priority": 1}', "priority"),
    (b'{"life_situation": "job_search", "language": "de"}', "language"),
    (b'{"life_situation": "job_search", "request_id": "' + b"r" * 65 + b'"}', "request_id"),
    (b'{"life_situation": "job_search", "request_id": 12}', "request_id"),
    (b'{"life_situation": "job_search", "priority": NaN}', "JSON"),
])
def test_bad_issue_request_answers_400_naming_the_field(shared_server, body, field):
    conn = Http(shared_server, shared_server.kiosk_token)
    try:
        status, answer = conn.call("POST", "/api/v1/tickets", raw=body)
    finally:
        conn.close()
    assert status == 400, answer
    assert answer["error"] == "bad_request"
    assert field in answer["reason"]


@pytest.mark.parametrize(("action", "body", "field"), [
    ("postpone", {"minutes": "5"}, "minutes"),
    ("postpone", {"minutes": -1}, "minutes"),
    ("postpone", {"minutes": 100000}, "minutes"),
    ("finish", {"services": "resume"}, "services"),
    ("finish", {"services": [1, 2]}, "services"),
    ("finish", {"services": ["no_such_service"]}, "services"),
    ("redirect", {"queue": "nowhere"}, "queue"),
    ("redirect", {"queue": "career", "workplace": "room_11"}, "queue or workplace"),
    ("redirect", {"queue": "career", "comment": "x" * 501}, "comment"),
    ("priority", {"priority": "yes"}, "priority"),
    ("situation", {}, "life_situation"),
])
def test_bad_action_body_answers_400_naming_the_field(shared_server, action, body, field):
    server = shared_server
    ticket = server.issue("job_search")
    act(server, "admin", ticket["id"], "call", {"workplace": "window_5"})
    if action == "finish":
        act(server, "admin", ticket["id"], "start")
    answer = act(server, "admin", ticket["id"], action, body, expect=400)
    assert answer["error"] == "bad_request" and field in answer["reason"]
    assert staff_view(server, ticket["id"])["status"] in ("called", "serving"), "nothing changed"
    act(server, "admin", ticket["id"], "cancel")


def test_unknown_ticket_route_and_method_answer_their_codes(shared_server):
    server = shared_server
    status, body = server.request("GET", "/api/v1/tickets/t0000000000000000")
    assert (status, body["error"]) == (404, "not_found")
    status, body = server.request("POST", "/api/v1/tickets/t0000000000000000/start",
                                  token=server.login("admin"), body={})
    assert (status, body["error"]) == (404, "not_found")
    status, body = server.request("GET", "/api/v1/no-such-thing")  # a capability this server lacks
    assert (status, body["error"]) == (404, "no_route")
    status, body = server.request("DELETE", "/api/v1/office", token=server.login("admin"))
    assert (status, body["error"]) == (405, "method_not_allowed")
    status, body = server.request("POST", "/api/v1/workplaces/window_99/call-next",
                                  token=server.login("admin"))
    assert status == 404 and "window_99" in body["reason"]


def test_malformed_requests_never_answer_500(shared_server):
    server = shared_server
    ticket = server.issue("job_search")
    admin = Http(server, server.login("admin"))
    kiosk = Http(server, server.kiosk_token)
    bodies = [b"{", b"null", b"[1,2]", b'"text"', b"\xff\xfe\x00", b'{"a": Infinity}',
              b'{"workplace": ["window_1"]}', b'{"minutes": 1e400}', b'{"services": {}}',
              b'{"status": 3}', b'{"printer": null}', b"9" * 5000, json.dumps({"x": "я" * 10000}).encode()]
    paths = [f"/api/v1/tickets/{ticket['id']}/{action}" for action in
             ("call", "recall", "start", "redirect", "postpone", "no-show", "finish", "cancel",
              "restore", "priority", "situation", "teleport")]
    paths += ["/api/v1/tickets", "/api/v1/workplaces/window_1/status", "/api/v1/workplaces/x/call-next",
              "/api/v1/devices/status", "/api/v1/help-calls", "/api/v1/auth/login",
              "/api/v1/help-calls/99999999999999999999999/acknowledge", "/api/v1/help-calls/0/acknowledge"]
    seen = Counter()
    try:
        for conn in (admin, kiosk):
            for path in paths:
                for body in bodies:
                    status, answer = conn.call("POST", path, raw=body)
                    assert status < 500, (path, body[:40], status, answer)
                    assert answer is None or "error" in answer or "id" in answer, answer
                    seen[status] += 1
        for path in ("/api/v1/tickets/%ff%fe", "/api/v1/tickets/" + "x" * 3000, "/api/v1/queues?x=%00",
                     "/api/v1/events?after=abc", "/api/v1/events?after=-3",
                     "/api/v1/events?after=99999999999999999999999", "/api/v1/tickets/a/b/c"):
            status, answer = admin.call("GET", path)
            assert status < 500, (path, status, answer)
            assert status < 400 or answer["error"], answer
        status, answer = admin.call("GET", "/api/v1/events", headers={"Last-Event-ID": "1e3"})
        assert (status, answer["error"]) == (400, "bad_request")
    finally:
        admin.close()
        kiosk.close()
    assert seen[400] > 0 and seen[403] > 0  # the fuzz did reach the checks
    assert staff_view(server, ticket["id"])["number"] == ticket["number"]


def test_issued_ticket_answer_has_what_the_kiosk_prints(shared_server):
    request_id = f"kiosk-{uuid.uuid4().hex[:12]}"
    status, body = shared_server.request("POST", "/api/v1/tickets", token=shared_server.kiosk_token,
                                         body={"life_situation": "youth", "language": "tt",
                                               "priority": False, "request_id": request_id})
    assert status == 201
    for key in ("id", "number", "queue", "people_ahead", "estimated_wait_min", "status_url"):
        assert key in body, key
    assert body["queue"] == "career" and body["number"].startswith("П")
    assert body["status_url"] == f"/t/{body['id']}"  # the visitor's status page (no public_url set)
    public = shared_server.request("GET", f"/api/v1/tickets/{body['id']}")[1]
    assert "life_situation" not in public and "priority" not in public and "events" not in public
    status, _ = shared_server.request("POST", f"/api/v1/tickets/{body['id']}/cancel",
                                      token=shared_server.login("admin"), body={})
    assert status == 200
