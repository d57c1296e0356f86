"""GET /api/v1/events over a real server: who sees what, pings, resuming, resynchronising.

The server here runs with a short keepalive (``--ping-seconds``) and a small replay limit
(``--replay-limit``) so that both can be seen in a second.  Streams are read from a raw
HTTP connection with deadlines; a ping block after the expected events proves that
nothing more was sent.
"""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass, field

import pytest

from tests.support.live_server import LiveServer

PING_SECONDS = 0.3
REPLAY_LIMIT = 20
PUBLIC_TICKET_KEYS = {"id", "number", "spoken_number", "queue", "status", "language", "calls",
                      "workplace"}
PUBLIC_EVENT_KEYS = {"seq", "type", "at", "workplace", "ticket", "status"}


@dataclass
class Block:
    """One server-sent message: an event, or comments only (a ping)."""

    id: int | None = None
    event: str | None = None
    data: dict | None = None
    comments: list[str] = field(default_factory=list)
    raw: str = ""

    @property
    def is_ping(self) -> bool:
        return self.event is None and "ping" in self.comments


class EventStream:
    def __init__(self, server: LiveServer, token: str, *, last_event_id: int | None = None,
                 token_in_query: bool = False, timeout: float = 5.0):
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
        headers = {"Accept": "text/event-stream"}
        path = "/api/v1/events"
        if token_in_query:
            path += f"?token={token}"
        else:
            headers["Authorization"] = f"Bearer {token}"
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.conn.request("GET", path, headers=headers)
        self.sock = self.conn.sock  # the response keeps reading from this socket
        self.response = self.conn.getresponse()
        assert self.response.status == 200, self.response.read()
        assert self.response.getheader("Content-Type", "").startswith("text/event-stream")
        hello = self.block()
        assert "connected" in hello.comments

    def block(self, timeout: float = 5.0) -> Block:
        deadline = time.monotonic() + timeout
        lines: list[str] = []
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no complete message within {timeout}s: {lines}")
            self.sock.settimeout(remaining)
            line = self.response.readline()
            if not line:
                raise AssertionError("the server closed the event stream")
            text = line.decode("utf-8").rstrip("\n")
            if text:
                lines.append(text)
            elif lines:
                return _parse(lines)

    def event(self, timeout: float = 5.0) -> Block:
        """The next real event, skipping pings."""
        deadline = time.monotonic() + timeout
        while True:
            block = self.block(max(0.01, deadline - time.monotonic()))
            if block.event is not None:
                return block

    def events(self, count: int, timeout: float = 5.0) -> list[Block]:
        return [self.event(timeout) for _ in range(count)]

    def until(self, predicate, timeout: float = 5.0) -> list[Block]:
        """Events up to and including the first that matches ``predicate``."""
        seen = []
        deadline = time.monotonic() + timeout
        while True:
            seen.append(self.event(max(0.01, deadline - time.monotonic())))
            if predicate(seen[-1]):
                return seen

    def assert_quiet(self) -> None:
        """Nothing else is pending: the next message is a keepalive ping."""
        block = self.block(timeout=PING_SECONDS * 10)
        assert block.is_ping, f"unexpected message {block.raw!r}"

    def close(self) -> None:
        self.response.close()
        self.conn.close()


def _parse(lines: list[str]) -> Block:
    block = Block(raw="\n".join(lines))
    for line in lines:
        if line.startswith(":"):
            block.comments.append(line[1:].strip())
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "id":
            block.id = int(value)
        elif name == "event":
            block.event = value
        elif name == "data":
            block.data = json.loads(value)
    return block


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("events"), extra_args=(
        "--ping-seconds", str(PING_SECONDS), "--replay-limit", str(REPLAY_LIMIT)))
    live.start()
    yield live
    live.stop()


def act(server: LiveServer, user: str, ticket_id: str, action: str, body: dict | None = None) -> dict:
    status, answer = server.request("POST", f"/api/v1/tickets/{ticket_id}/{action}",
                                    token=server.login(user), body=body or {})
    assert status == 200, (action, status, answer)
    return answer


def is_for(ticket: dict, event_type: str):
    return lambda b: b.event == event_type and b.data["ticket"]["id"] == ticket["id"]


def latest_id(server: LiveServer) -> int:
    """The newest event id: make one event and watch it arrive."""
    stream = EventStream(server, server.login("admin"))
    try:
        ticket = server.issue("job_search")
        return stream.until(is_for(ticket, "ticket.issued"))[-1].id
    finally:
        stream.close()


# ---------------------------------------------------------------- audiences


def test_display_sees_only_number_and_destination_staff_see_the_whole_ticket(server):
    display = EventStream(server, server.display_token, token_in_query=True)
    staff = EventStream(server, server.login("admin"))
    comment = "Направлен к психологу, тревожность"
    try:
        ticket = server.issue("disability", priority=True)
        act(server, "curator1", ticket["id"], "call", {"workplace": "window_3"})
        act(server, "curator1", ticket["id"], "start")
        act(server, "curator1", ticket["id"], "redirect",
            {"workplace": "room_12", "comment": comment, "return_to_me": True})

        seen = display.until(is_for(ticket, "ticket.redirected"))
        called = next(b for b in seen if b.event == "ticket.called")
        assert set(called.data["ticket"]) == PUBLIC_TICKET_KEYS
        assert called.data["ticket"]["number"] == ticket["number"]
        assert called.data["workplace"]["id"] == "window_3"
        for block in seen:
            assert set(block.data) <= PUBLIC_EVENT_KEYS, block.raw
            assert set(block.data["ticket"]) == PUBLIC_TICKET_KEYS, block.raw
            for secret in ("disability", comment, "curator1", "priority", "life_situation"):
                assert secret not in block.raw, (secret, block.raw)

        full = staff.until(is_for(ticket, "ticket.redirected"))
        called = next(b for b in full if b.event == "ticket.called")
        assert called.data["ticket"]["life_situation"] == "disability"
        assert called.data["ticket"]["priority"] is True
        assert called.data["actor"] == "user:curator1"
        assert full[-1].data["data"]["comment"] == comment
        assert full[-1].data["ticket"]["comment"] == comment
        assert [b.id for b in full[-4:]] == [b.id for b in seen[-4:]]
    finally:
        display.close()
        staff.close()
    act(server, "admin", ticket["id"], "cancel")


def test_quiet_stream_gets_keepalive_pings(server):
    stream = EventStream(server, server.display_token)
    try:
        pings = [stream.block(timeout=PING_SECONDS * 10) for _ in range(3)]
        assert all(block.is_ping for block in pings), [b.raw for b in pings]
    finally:
        stream.close()


# ---------------------------------------------------------------- resuming


def test_reconnect_with_last_event_id_replays_exactly_the_missed_events(server):
    staff_live = EventStream(server, server.login("admin"))
    display_live = EventStream(server, server.display_token)
    leaving = EventStream(server, server.login("admin"))
    try:
        first = server.issue("job_search")
        for stream in (staff_live, display_live):
            stream.until(is_for(first, "ticket.issued"))
        resume_at = leaving.until(is_for(first, "ticket.issued"))[-1].id
        leaving.close()

        # Missed while away: six events, one of them for staff eyes only.
        second = server.issue("lost_job")
        act(server, "admin", second["id"], "call", {"workplace": "window_2"})
        act(server, "admin", second["id"], "start")
        status, _ = server.request("POST", "/api/v1/help-calls", token=server.kiosk_token)
        assert status == 201
        act(server, "admin", second["id"], "finish", {"services": ["resume"]})
        act(server, "admin", first["id"], "cancel")
        missed = staff_live.events(6)
        assert [b.event for b in missed] == [
            "ticket.issued", "ticket.called", "ticket.started", "help.requested",
            "ticket.finished", "ticket.cancelled"]
        missed_public = display_live.events(5)

        back = EventStream(server, server.login("admin"), last_event_id=resume_at)
        replayed = back.events(6)
        assert [(b.id, b.event, b.data) for b in replayed] == [
            (b.id, b.event, b.data) for b in missed]
        back.assert_quiet()
        back.close()

        back = EventStream(server, server.display_token, last_event_id=resume_at)
        replayed = back.events(5)
        assert [(b.id, b.event, b.data) for b in replayed] == [
            (b.id, b.event, b.data) for b in missed_public]
        back.assert_quiet()
        back.close()
    finally:
        for stream in (staff_live, display_live, leaving):
            stream.close()


def test_resume_after_a_restart_gets_the_events_missed_across_it(server):
    resume_at = latest_id(server)
    before = server.issue("job_search")
    server.restart()
    after = server.issue("pre_pension")
    act(server, "curator1", after["id"], "call", {"workplace": "window_3"})

    admin = server.login("admin")
    expected = sorted(
        e["seq"] for t in (before, after)
        for e in server.request("GET", f"/api/v1/tickets/{t['id']}", token=admin)[1]["events"])
    assert len(expected) == 3 and expected[0] > resume_at
    stream = EventStream(server, admin, last_event_id=resume_at)
    try:
        replayed = stream.events(3)
        assert [b.id for b in replayed] == expected, "event ids continue across the restart"
        assert [(b.event, b.data["ticket"]["id"]) for b in replayed] == [
            ("ticket.issued", before["id"]), ("ticket.issued", after["id"]),
            ("ticket.called", after["id"])]
        stream.assert_quiet()
    finally:
        stream.close()
    act(server, "curator1", after["id"], "cancel")
    act(server, "admin", before["id"], "cancel")


def test_resume_point_too_far_back_answers_one_resync(server):
    resume_at = latest_id(server)
    tickets = [server.issue("job_search") for _ in range(REPLAY_LIMIT + 1)]
    newest = resume_at + REPLAY_LIMIT + 1
    admin = server.login("admin")
    assert server.request("GET", f"/api/v1/tickets/{tickets[-1]['id']}", token=admin)[1][
        "events"][-1]["seq"] == newest

    exactly_the_limit = EventStream(server, server.display_token, last_event_id=newest - REPLAY_LIMIT)
    try:
        replayed = exactly_the_limit.events(REPLAY_LIMIT)
        assert [b.id for b in replayed] == list(range(newest - REPLAY_LIMIT + 1, newest + 1))
        exactly_the_limit.assert_quiet()
    finally:
        exactly_the_limit.close()

    too_far = EventStream(server, server.display_token, last_event_id=resume_at)
    try:
        resync = too_far.event()
        assert (resync.event, resync.id, resync.data) == (
            "resync", newest, {"seq": newest, "type": "resync"})
        too_far.assert_quiet()  # one resync, no replayed events
        late = server.issue("job_search")
        live = too_far.event()
        assert (live.event, live.data["ticket"]["id"], live.id) == ("ticket.issued", late["id"],
                                                                   newest + 1)
    finally:
        too_far.close()
