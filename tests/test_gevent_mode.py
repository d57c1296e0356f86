"""`queue-server … --worker gevent`: the same server on one event loop, over real HTTP.

A representative subset of what the thread-per-request server is tested for: a visit
from issue to redirect, the event stream live and resumed, durability across kill -9,
the display page and its spoken announcement, a clean SIGTERM — plus what is new in
this mode: SQLite connections borrowed per greenlet must not pile up.
"""

from __future__ import annotations

import http.client
import os
import signal
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from queue_server import cli
from tests.support.live_server import LiveServer
from tests.test_event_stream import EventStream, is_for

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="gevent mode is for Linux")

GEVENT = ("--worker", "gevent", "--ping-seconds", "0.3")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("gevent"), extra_args=GEVENT).start()
    yield live
    live.stop()


def act(server: LiveServer, ticket_id: str, action: str, body: dict | None = None) -> dict:
    status, answer = server.request("POST", f"/api/v1/tickets/{ticket_id}/{action}",
                                    token=server.login("admin"), body=body or {})
    assert status == 200, (action, status, answer)
    return answer


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def test_a_visit_from_issue_through_call_and_redirect(server):
    ticket = server.issue("job_search")
    curator = server.login("curator1")
    status, called = server.request("POST", "/api/v1/workplaces/window_3/call-next", token=curator)
    assert status == 200 and called["id"] == ticket["id"] and called["status"] == "called"
    redirected = act(server, ticket["id"], "redirect", {"queue": "career"})
    assert redirected["status"] == "waiting" and redirected["queue"] == "career"
    assert redirected["number"] == ticket["number"], "a redirected visitor keeps the number"
    status, shown = server.request("GET", f"/api/v1/tickets/{ticket['id']}", token=curator)
    assert status == 200 and [e["type"] for e in shown["events"]] == [
        "ticket.issued", "ticket.called", "ticket.redirected"]
    act(server, ticket["id"], "cancel")


def test_many_streams_get_each_call_and_a_resumed_stream_replays_what_it_missed(server):
    streams = [EventStream(server, server.display_token if n % 2 else server.login("admin"))
               for n in range(40)]
    leaving = EventStream(server, server.login("admin"))
    try:
        first = server.issue("job_search")
        for stream in streams:
            stream.until(is_for(first, "ticket.issued"))
        resume_at = leaving.until(is_for(first, "ticket.issued"))[-1].id
        leaving.close()

        act(server, first["id"], "call", {"workplace": "window_2"})
        second = server.issue("lost_job")
        act(server, first["id"], "cancel")
        seen = [stream.events(3) for stream in streams]
        for blocks in seen:
            assert [(b.event, b.data["ticket"]["id"]) for b in blocks] == [
                ("ticket.called", first["id"]), ("ticket.issued", second["id"]),
                ("ticket.cancelled", first["id"])]

        back = EventStream(server, server.login("admin"), last_event_id=resume_at)
        replayed = back.events(3)
        staff_live = seen[0]  # stream 0 is a staff one
        assert [(b.id, b.event, b.data) for b in replayed] == [
            (b.id, b.event, b.data) for b in staff_live]
        back.assert_quiet()
        back.close()
        act(server, second["id"], "cancel")
    finally:
        for stream in (*streams, leaving):
            stream.close()


def test_sqlite_connections_do_not_pile_up_over_thousands_of_requests(server):
    pid = server.process.pid

    def burst(count: int) -> None:
        for _ in range(count):
            # Every other request on a new HTTP connection: a new greenlet each time.
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            conn.request("GET", "/api/v1/queues", headers={"Authorization": f"Bearer {server.kiosk_token}"})
            response = conn.getresponse()
            assert response.status == 200, response.read()
            response.read()
            conn.close()
        keep = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        for _ in range(count):
            keep.request("GET", "/api/v1/queues", headers={"Authorization": f"Bearer {server.kiosk_token}"})
            response = keep.getresponse()
            assert response.status == 200, response.read()
            response.read()
        keep.close()

    workers = [threading.Thread(target=burst, args=(100,)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    settled = open_fds(pid)

    workers = [threading.Thread(target=burst, args=(400,)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert not any(w.is_alive() for w in workers)
    # 3,200 requests, 1,600 of them on their own connection: no descriptor kept for them.
    assert open_fds(pid) <= settled + 4, (settled, open_fds(pid))


def test_confirmed_tickets_survive_kill_9(tmp_path):
    live = LiveServer(tmp_path, extra_args=GEVENT).start()
    try:
        confirmed = [live.issue("job_search") for _ in range(20)]
        live.kill()
        live.start()
        admin = live.login("admin")
        for ticket in confirmed:
            status, again = live.request("GET", f"/api/v1/tickets/{ticket['id']}", token=admin)
            assert status == 200 and again["number"] == ticket["number"]
        assert live.issue("job_search")["number"] not in {t["number"] for t in confirmed}
    finally:
        live.stop()


@pytest.mark.speech
def test_display_page_and_spoken_announcement(server):
    with urllib.request.urlopen(f"{server.url}/display/hall/all?token={server.display_token}",
                                timeout=20) as page:
        assert page.status == 200 and "Вызов посетителей" in page.read().decode()
    ticket = server.issue("job_search", language="tt")
    act(server, ticket["id"], "call", {"workplace": "window_1"})
    url = f"{server.url}/display/announcement.wav?ticket={ticket['id']}&token={server.display_token}"
    # Two screens ask at once, as a hall and a window display do.
    answers: list[tuple[str, str, bytes]] = []

    def fetch() -> None:
        with urllib.request.urlopen(url, timeout=30) as response:
            answers.append((response.headers["Content-Type"], response.headers["X-Speech"],
                            response.read()))

    fetchers = [threading.Thread(target=fetch) for _ in range(2)]
    for fetcher in fetchers:
        fetcher.start()
    for fetcher in fetchers:
        fetcher.join(40)
    assert len(answers) == 2
    for content_type, speech, audio in answers:
        assert content_type == "audio/wav" and speech == "spoken"
        assert audio[:4] == b"RIFF" and len(audio) > 44_100, "chime plus two spoken phrases"
    act(server, ticket["id"], "cancel")


def test_sigterm_stops_with_exit_code_0_while_streams_are_open(tmp_path):
    live = LiveServer(tmp_path, extra_args=GEVENT).start()
    stream = EventStream(live, live.display_token)
    try:
        process = live.process
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
        assert "Traceback" not in Path(tmp_path / "server.log").read_text()
    finally:
        stream.close()
        live.stop()


def test_gevent_mode_refused_when_not_on_the_command_line(tmp_path, capsys):
    """main(argv) from Python cannot patch a process that has imported everything already."""
    assert cli.main(["run", "--worker", "gevent", "--data", str(tmp_path), "--port", "0"]) == 2
    assert "--worker gevent" in capsys.readouterr().err
