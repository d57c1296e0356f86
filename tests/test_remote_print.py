"""A ticket issued in the administrator console, printed on the kiosk chosen there.

Real parts: the queue-server process, the kiosk's event-stream listener
(kiosk.remote_print, run without a window) and an ESC/POS printer on a loopback
TCP port.  Streams are read with http.client as the hall displays and kiosks
read them.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from kiosk.api_client import ApiClient
from kiosk.printing import print_ticket, ticket_bytes
from kiosk.printing.ticket_layout import queue_position, ticket_blocks
from kiosk.remote_print import RemotePrintListener, ServerEvent, read_events
from kiosk.ticket_slip import build_ticket_slip
from tests.support.live_server import LiveServer
from tests.support.printer_listener import PrinterListener, free_port, parse_escpos, printed_text
from tests.support.sensitive_paper import assert_never_printed

KIOSK = "kiosk-1"  # the demo kiosk, token demo-kiosk-token


def wait_for(condition: Callable[[], object], what: str, timeout: float = 30.0) -> None:
    """Wait for a condition another thread brings about (checked every 20 ms)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def issue_from_console(server: LiveServer, account: str = "hall", **body) -> tuple[int, dict]:
    payload = {"life_situation": "job_search", "language": "ru", "priority": False, **body}
    return server.request("POST", "/api/v1/tickets", token=server.login(account), body=payload)


def qr_data(data: bytes) -> bytes:
    """The data stored in the printer's QR symbol (GS ( k, cn 49, fn 80)."""
    stores = [s.data[8:] for s in parse_escpos(data) if s.name == "GS ( k" and s.data[5:8] == b"1P0"]
    assert len(stores) == 1, "one QR code on the ticket"
    return stores[0]


class Stream:
    """One open GET /api/v1/events, read event by event."""

    def __init__(self, server: LiveServer, token: str, *, after: int | None = None) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        path = "/api/v1/events" + (f"?after={after}" if after is not None else "")
        self.connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = self.connection.getresponse()
        assert response.status == 200
        self._events: Iterator[ServerEvent] = read_events(response.readline)

    def until(self, stop: Callable[[ServerEvent], bool]) -> list[ServerEvent]:
        """Every event up to and including the first that ``stop`` accepts."""
        seen = []
        for event in self._events:
            seen.append(event)
            if stop(event):
                return seen
        raise AssertionError(f"stream ended; saw {[e.type for e in seen]}")

    def close(self) -> None:
        self.connection.close()


def issued(ticket_id: str) -> Callable[[ServerEvent], bool]:
    return lambda e: e.type == "ticket.issued" and json.loads(e.data)["ticket"]["id"] == ticket_id


# The servers are killed at the end, not stopped: a SIGTERM waits up to 5 s for event
# streams that have just closed, and their data is thrown away anyway.


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("server")).start()
    yield server
    server.kill()


@pytest.fixture
def live_server(tmp_path):
    server = LiveServer(tmp_path).start()
    yield server
    server.kill()


@pytest.fixture
def printer():
    with PrinterListener() as listener:
        yield listener


def start_listener(server: LiveServer, target: Callable[[], str], **options) -> RemotePrintListener:
    """The kiosk's listener as the app runs it, printing on ``target()`` (a printer SPEC)."""
    api = ApiClient(server.url, server.kiosk_token, timeout=3.0, attempts=1)
    listener = RemotePrintListener(api, lambda slip: print_ticket(target(), slip),
                                   retry_min_s=0.1, retry_max_s=0.5, **options).start()
    assert listener.connected.wait(10), "the kiosk's event stream did not open"
    return listener


# --- the console asks, the chosen kiosk prints ------------------------------------------------


def test_console_ticket_is_printed_on_the_chosen_kiosk(shared_server, printer):
    listener = start_listener(shared_server, lambda: printer.spec)
    try:
        status, ticket = issue_from_console(shared_server, language="ru", print_on=KIOSK)
        assert status == 201, ticket
        assert ticket["print_requested"] is True
        received = bytes(printer.last().received)
        assert printer.last().cut.is_set(), "the paper is cut"
        text = "\n".join(printed_text(received))  # CP866 text, as a Russian ticket prints
        assert ticket["number"] in text and "Ищу работу" in text
        url = qr_data(received).decode("ascii")
        assert url == shared_server.url + ticket["status_url"]
        assert list(listener.printed) == [ticket["number"]]
    finally:
        listener.stop()
    assert not listener.running, "the listener stops when asked"

    # The issue and the print request are one visit's history, in one log.
    status, visit = shared_server.request("GET", f"/api/v1/tickets/{ticket['id']}",
                                          token=shared_server.login("hall"))
    assert status == 200
    kinds = [(event["type"], event["data"].get("device")) for event in visit["events"]]
    assert kinds == [("ticket.issued", None), ("ticket.print_requested", KIOSK)]
    assert visit["events"][1]["actor"] == "user:hall"


@pytest.mark.parametrize("language", ["ru", "tt"])
def test_a_sensitive_situation_is_never_on_a_console_ticket(shared_server, printer, language):
    """The print request leaves the situation out, and the kiosk prints no name for it:
    number, destination, wait and QR are on the paper, the sensitive name nowhere."""
    server = shared_server
    stream = Stream(server, server.kiosk_token)
    listener = start_listener(server, lambda: printer.spec)
    try:
        status, ticket = issue_from_console(server, language=language, life_situation="disability",
                                            print_on=KIOSK)
        assert status == 201, ticket
        (request,) = [json.loads(e.data) for e in stream.until(
            lambda e: e.type == "ticket.print_requested") if e.type == "ticket.print_requested"]
        assert request["ticket"]["number"] == ticket["number"]
        assert "life_situation" not in request["ticket"], "a sensitive situation is not even sent"
        wait_for(lambda: ticket["number"] in listener.printed, "the ticket printed")
        received = bytes(printer.last().received)
    finally:
        listener.stop()
        stream.close()
    slip = build_ticket_slip(request["ticket"], listener.office, server_url=server.url)
    assert slip.life_situation == ""
    assert ticket_bytes(slip) in received, "the printer got exactly this slip"
    assert_never_printed(received, slip)
    text = " ".join(printed_text(received))
    assert ticket["number"] in text
    assert listener.office.destination("curator", language) in text
    assert all(line in ticket_blocks(slip) for line in queue_position(slip))
    assert qr_data(received).decode("ascii") == server.url + ticket["status_url"]


def test_repeated_request_id_prints_one_paper(shared_server):
    first = issue_from_console(shared_server, print_on=KIOSK, request_id="console-repeat-1")
    again = issue_from_console(shared_server, print_on=KIOSK, request_id="console-repeat-1")
    assert (first[0], again[0]) == (201, 200)
    assert first[1]["id"] == again[1]["id"] and again[1]["print_requested"] is True
    visit = shared_server.request("GET", f"/api/v1/tickets/{first[1]['id']}",
                                  token=shared_server.login("admin"))[1]
    assert [e["type"] for e in visit["events"]].count("ticket.print_requested") == 1


def test_print_on_refused_creates_no_ticket(shared_server):
    def waiting() -> int:
        queues = shared_server.request("GET", "/api/v1/queues", token=shared_server.login("hall"))[1]
        return sum(queue["waiting"] for queue in queues["queues"])

    before = waiting()
    status, answer = issue_from_console(shared_server, print_on="kiosk-99")
    assert (status, answer["error"]) == (400, "bad_request")
    assert "print_on" in answer["reason"] and "kiosk-99" in answer["reason"]
    status, answer = issue_from_console(shared_server, print_on="hall-display")
    assert status == 400 and "not a kiosk" in answer["reason"]
    status, answer = issue_from_console(shared_server, print_on=42)
    assert status == 400 and "print_on" in answer["reason"]
    for account in ("curator1", "reception"):
        status, answer = issue_from_console(shared_server, account, print_on=KIOSK)
        assert (status, answer["error"]) == (403, "forbidden"), account
    status, answer = shared_server.request(
        "POST", "/api/v1/tickets", token=shared_server.kiosk_token,
        body={"life_situation": "job_search", "print_on": KIOSK})
    assert (status, answer["error"]) == (403, "forbidden")
    assert "kiosk may not print on a kiosk" in answer["reason"]
    assert waiting() == before, "a refused request issued a ticket"


# --- who sees the request on the stream ------------------------------------------------------


def add_kiosk(server: LiveServer, name: str) -> str:
    """Register a second kiosk the way an administrator does; its token."""
    done = subprocess.run(
        [sys.executable, "-m", "queue_server", "device", "add", name, "--kind", "kiosk",
         "--data", str(server.data_dir)],
        capture_output=True, text=True, timeout=30, check=True)
    return done.stdout.strip().splitlines()[-1]


def test_only_the_named_kiosk_and_staff_see_the_print_request(shared_server):
    server = shared_server
    other_kiosk = add_kiosk(server, "kiosk-2")
    streams = {name: Stream(server, token) for name, token in (
        ("display", server.display_token), ("kiosk", server.kiosk_token),
        ("other kiosk", other_kiosk), ("staff", server.login("hall")))}
    try:
        status, ticket = issue_from_console(server, language="tt", priority=True, print_on=KIOSK)
        assert status == 201
        marker = server.issue("job_search")  # after it in the log: every stream reaches it
        seen = {name: stream.until(issued(marker["id"])) for name, stream in streams.items()}
    finally:
        for stream in streams.values():
            stream.close()

    def print_requests(name: str) -> list[dict]:
        return [json.loads(e.data) for e in seen[name] if e.type == "ticket.print_requested"]

    assert print_requests("display") == [], "a hall display never sees a print request"
    assert print_requests("other kiosk") == [], "only the kiosk it names"
    assert any(issued(ticket["id"])(e) for e in seen["display"]), "the issue itself is public"

    (request,) = print_requests("kiosk")
    assert request["device"] == KIOSK
    printed = request["ticket"]
    assert printed["number"] == ticket["number"] and printed["language"] == "tt"
    assert printed["life_situation"] == "job_search"
    assert (printed["people_ahead"], printed["estimated_wait_min"]) == (
        ticket["people_ahead"], ticket["estimated_wait_min"])
    assert printed["status_url"] == ticket["status_url"] and printed["issued_at"]
    assert "priority" not in printed and "actor" not in request and "data" not in request

    (staff,) = print_requests("staff")
    assert staff["data"]["device"] == KIOSK and staff["actor"] == "user:hall"
    assert staff["ticket"]["priority"] is True

    # Replayed after a reconnection (Last-Event-ID): the same rule.
    first = min(int(e.id) for e in seen["display"] if e.id)
    for token, expected in ((server.display_token, 0), (server.kiosk_token, 1)):
        stream = Stream(server, token, after=first - 1)
        try:
            replay = stream.until(issued(marker["id"]))
        finally:
            stream.close()
        assert [e.type for e in replay].count("ticket.print_requested") == expected


# --- faults and reconnection -------------------------------------------------------------------


def test_printer_offline_is_reported_and_ok_after_the_next_good_print(shared_server, printer):
    server = shared_server
    target = {"spec": f"net:127.0.0.1:{free_port()}"}  # nobody listens there
    staff = Stream(server, server.login("hall"))
    listener = start_listener(server, lambda: target["spec"])
    try:
        status, ticket = issue_from_console(server, print_on=KIOSK)
        assert status == 201 and ticket["print_requested"] is True
        fault = json.loads(staff.until(lambda e: e.type == "device.status")[-1].data)
        assert fault["data"]["device"] == KIOSK and fault["data"]["printer"] == "offline"
        assert ticket["number"] in fault["data"]["detail"]
        devices = server.request("GET", "/api/v1/devices", token=server.login("hall"))[1]
        assert next(d for d in devices["devices"] if d["name"] == KIOSK)["printer"] == "offline"

        target["spec"] = printer.spec  # the printer is back
        status, second = issue_from_console(server, print_on=KIOSK)
        assert status == 201
        back = staff.until(lambda e: e.type == "device.status")[-1]
        assert json.loads(back.data)["data"]["printer"] == "ok"
        assert second["number"] in printed_text(bytes(printer.last().received))
        assert list(listener.printed) == [second["number"]]
    finally:
        listener.stop()
        staff.close()


def test_listener_reconnects_after_the_server_is_killed(live_server, printer):
    listener = start_listener(live_server, lambda: printer.spec)
    try:
        live_server.issue("job_search")  # gives the listener a position in the log
        wait_for(lambda: listener.last_event_id is not None, "the first event")
        live_server.kill()
        wait_for(lambda: not listener.connected.is_set(), "the stream to drop")
        live_server.restart()
        status, ticket = issue_from_console(live_server, print_on=KIOSK)
        assert status == 201
        # Printed live or replayed on reconnection (Last-Event-ID): once either way.
        assert ticket["number"] in printed_text(bytes(printer.last(timeout=15).received))
        assert listener.connected.wait(10)
        # the listener records the print once the printer call returns, just after the bytes
        wait_for(lambda: list(listener.printed) == [ticket["number"]], "the print recorded once")
    finally:
        listener.stop()


def test_request_made_while_the_kiosk_was_away_is_printed_on_return(shared_server, printer):
    server = shared_server
    marker = server.issue("job_search")
    history = server.request("GET", f"/api/v1/tickets/{marker['id']}", token=server.login("hall"))
    last_seen = history[1]["events"][-1]["seq"]
    status, ticket = issue_from_console(server, print_on=KIOSK)  # the kiosk is not listening
    assert status == 201
    api = ApiClient(server.url, server.kiosk_token, timeout=3.0, attempts=1)
    listener = RemotePrintListener(api, lambda slip: print_ticket(printer.spec, slip))
    listener.last_event_id = str(last_seen)  # as it was when its connection dropped
    listener.start()
    try:
        assert ticket["number"] in printed_text(bytes(printer.last().received))
    finally:
        listener.stop()


def test_stale_request_is_not_printed(shared_server):
    printed: list[object] = []
    listener = start_listener(shared_server, lambda: "none", max_age_s=-1e9)  # all stale, any clocks
    listener.print_slip = printed.append
    try:
        status, ticket = issue_from_console(shared_server, print_on=KIOSK)
        assert status == 201
        wait_for(lambda: list(listener.skipped) == [ticket["number"]], "the request to be skipped")
        assert printed == []
    finally:
        listener.stop()


# --- in the kiosk app: printed without disturbing the visitor at the screen --------------------


@pytest.mark.kivy
def test_kiosk_app_prints_console_ticket_while_a_visitor_is_mid_flow(shared_server, printer):
    from kiosk.harness import prepare_offscreen

    prepare_offscreen()  # before Kivy is imported (a no-op if another module did it)
    from kiosk.app import KioskApp, SilentSpeaker
    from kiosk.config import KioskConfig
    from kiosk.harness import KioskDriver

    config = KioskConfig(server=shared_server.url, token=shared_server.kiosk_token,
                         printer=printer.spec, poll_seconds=0.2, request_timeout=2.0)
    kiosk = KioskDriver(KioskApp(config, speaker=SilentSpeaker())).start()
    app = kiosk.app
    try:
        kiosk.wait_until(lambda: app.flow.office is not None, what="office loaded")
        kiosk.touch(kiosk.control("lang_tt"))  # goes on to the situations
        assert app.screens.current == "situation"
        before = (app.screens.current, app.flow.step, app.lang, app.flow.ticket)
        assert app.remote_print is not None and app.remote_print.connected.wait(10)

        status, ticket = issue_from_console(shared_server, language="ru", print_on=KIOSK)
        assert status == 201
        kiosk.wait_until(lambda: len(app.remote_print.printed) == 1, what="console ticket printed")
        assert ticket["number"] in printed_text(bytes(printer.last().received))
        kiosk.pump(3)
        assert (app.screens.current, app.flow.step, app.lang, app.flow.ticket) == before
    finally:
        kiosk.stop()
    assert not app.remote_print.running, "the listener stops with the app"


# --- the stream format ------------------------------------------------------------------------


def test_read_events_follows_the_event_stream_format():
    raw = (b"retry: 2000\n: connected\n\n: ping\n\n"
           b"id: 7\nevent: ticket.called\ndata: {\"a\":\ndata: 1}\n\n"
           b"id: 8\r\nevent: resync\r\ndata: {}\r\n\r\n")
    lines = iter(raw.splitlines(keepends=True))
    events = list(read_events(lambda: next(lines, b"")))
    assert events == [ServerEvent("7", "ticket.called", "{\"a\":\n1}"),
                      ServerEvent("8", "resync", "{}")]
