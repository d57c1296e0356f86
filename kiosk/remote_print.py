"""Printing the tickets the administrator console sends to this kiosk.

A background thread keeps ``GET /api/v1/events`` open.  The server sends a kiosk
``ticket.print_requested`` only when the request names it, so every one that
arrives is printed, on the same printer worker as the kiosk's own tickets and
without touching the screen: a visitor in the middle of taking a ticket notices
nothing.  A printer fault is reported with ``POST /api/v1/devices/status`` as for
the kiosk's own tickets.

The connection has a read timeout a few times the server's ping interval, so a
dead server or network is noticed; the listener then reconnects with
``Last-Event-ID`` and the server replays what it missed.  Requests older than
``max_age_s`` (a kiosk that was away for long) are not printed: the visitor is no
longer standing there.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import socket
import threading
import urllib.parse
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kiosk.api_client import ApiClient, ApiError, ServerUnreachable
from kiosk.office import Office, OfficeFormatError, parse_office
from kiosk.printer_reports import PrinterReports

log = logging.getLogger(__name__)

PRINT_REQUESTED = "ticket.print_requested"
READ_TIMEOUT_S = 20.0  # the server pings every 5 s by default
MAX_AGE_S = 600.0
RETRY_MIN_S = 0.5
RETRY_MAX_S = 10.0
MAX_LINE_BYTES = 1 << 20  # one event is a few hundred bytes; a megabyte is not an event


@dataclass(frozen=True)
class ServerEvent:
    id: str | None
    type: str
    data: str


def read_events(lines: Callable[[], bytes]) -> Iterator[ServerEvent]:
    """Server-sent events from a line reader (``response.readline``), until the end.

    Follows the text/event-stream format: ``field: value`` lines, a blank line ends
    an event, lines starting with ``:`` are comments (the server's pings).
    """
    event_id: str | None = None
    event_type, data = "", []
    while True:
        raw = lines()
        if not raw:
            return
        if not raw.endswith(b"\n") and len(raw) >= MAX_LINE_BYTES:
            raise ValueError("event stream line too long")
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not line:
            if data or event_type:
                yield ServerEvent(event_id, event_type or "message", "\n".join(data))
            event_type, data = "", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "id":
            event_id = value
        elif name == "event":
            event_type = value
        elif name == "data":
            data.append(value)


class RemotePrintListener:
    """Listens for print requests and prints them; ``start()`` it, ``stop()`` it.

    ``print_slip`` prints one TicketSlip or raises (a PrinterFault names the kind);
    the kiosk app passes one that runs on its printer worker, so a ticket from the
    console never interleaves with one of its own.
    """

    def __init__(self, api: ApiClient, print_slip: Callable[[Any], None], *,
                 reports: PrinterReports | None = None, read_timeout: float = READ_TIMEOUT_S,
                 max_age_s: float = MAX_AGE_S, retry_min_s: float = RETRY_MIN_S,
                 retry_max_s: float = RETRY_MAX_S,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        address = urllib.parse.urlsplit(api.server_url)
        if address.scheme not in ("http", "https") or not address.hostname:
            raise ValueError(f"server address must be http(s)://host[:port]: {api.server_url!r}")
        self.api = api
        self.print_slip = print_slip
        self.reports = reports or PrinterReports()
        self.read_timeout = read_timeout
        self.max_age_s = max_age_s
        self.retry_min_s, self.retry_max_s = retry_min_s, retry_max_s
        self._now = now
        self._address = address
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._connection: http.client.HTTPConnection | None = None
        self._socket: socket.socket | None = None  # the stream's socket, for stop() to close
        self._thread: threading.Thread | None = None
        self.office: Office | None = None
        self.last_event_id: str | None = None
        self.connected = threading.Event()
        """Set while the stream is open (tests wait on it instead of sleeping)."""
        self.printed: deque[str] = deque(maxlen=100)  # numbers printed, newest last
        self.skipped: deque[str] = deque(maxlen=100)  # numbers not printed: too old, unreadable

    # --- life cycle -------------------------------------------------------------------

    def start(self) -> RemotePrintListener:
        self._thread = threading.Thread(target=self._run, name="kiosk-remote-print", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Close the stream and end the thread (a print under way finishes first)."""
        self._stopping.set()
        with self._lock:
            sock = self._socket
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked read
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # --- the loop -----------------------------------------------------------------------

    def _run(self) -> None:
        delay = self.retry_min_s
        while not self._stopping.is_set():
            try:
                self.office = parse_office(self.api.office())  # names and destinations
                self._listen()
                delay = self.retry_min_s  # a stream that was open: reconnect at once
            except ApiError as error:
                log.error("event stream refused (%s): is the kiosk token right?", error)
                delay = self.retry_max_s
            except (ServerUnreachable, OfficeFormatError, OSError, http.client.HTTPException,
                    ValueError) as error:
                if not self._stopping.is_set():
                    log.warning("event stream lost, reconnecting in %.1f s: %s", delay, error)
            finally:
                self.connected.clear()
            if self._stopping.wait(delay):
                break
            delay = min(delay * 2, self.retry_max_s)

    def _open(self) -> http.client.HTTPResponse:
        host, port = self._address.hostname, self._address.port
        kind = (http.client.HTTPSConnection if self._address.scheme == "https"
                else http.client.HTTPConnection)
        connection = kind(host, port, timeout=self.read_timeout)
        with self._lock:
            self._connection = connection
        connection.connect()
        # Kept here: http.client hands a streamed response's socket over to the response.
        with self._lock:
            self._socket = connection.sock
            if self._stopping.is_set():
                raise ServerUnreachable("stopping")
        headers = {"Authorization": f"Bearer {self.api.token}", "Accept": "text/event-stream"}
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = self.last_event_id
        path = self._address.path.rstrip("/") + "/api/v1/events"
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        if response.status != 200:
            body = response.read()
            if response.status >= 500:
                raise ServerUnreachable(f"event stream: server error {response.status}")
            try:
                payload = json.loads(body)
            except ValueError:
                payload = {}
            payload = payload if isinstance(payload, dict) else {}
            raise ApiError(response.status, str(payload.get("error", "http_error")),
                           str(payload.get("reason", "")))
        return response

    def _listen(self) -> None:
        try:
            response = self._open()
            self.connected.set()

            def next_line() -> bytes:
                return b"" if self._stopping.is_set() else response.readline(MAX_LINE_BYTES)

            for event in read_events(next_line):
                if event.type == PRINT_REQUESTED:
                    self._on_print_request(event.data)
                elif event.type == "resync":
                    log.warning("event stream resynchronised: print requests in between are lost")
                if event.id is not None:
                    self.last_event_id = event.id
        finally:
            with self._lock:
                connection, self._connection, self._socket = self._connection, None, None
            if connection is not None:
                connection.close()

    # --- one request ----------------------------------------------------------------------

    def _on_print_request(self, raw: str) -> None:
        try:
            request = json.loads(raw)
            ticket = request["ticket"]
            number = str(ticket["number"])
            at = datetime.fromisoformat(request["at"])
        except (ValueError, KeyError, TypeError) as error:
            log.error("unreadable print request %r: %s", raw[:200], error)
            return
        age = (self._now() - at).total_seconds()
        if age > self.max_age_s:
            log.warning("print request for %s is %.0f s old; not printed", number, age)
            self.skipped.append(number)
            return
        from kiosk.ticket_slip import build_ticket_slip

        try:
            slip = build_ticket_slip(ticket, self.office, server_url=self.api.server_url)
        except (KeyError, TypeError, ValueError) as error:
            log.error("print request for %s has no printable ticket: %s", number, error)
            self.skipped.append(number)
            return
        self._print(number, slip)

    def _print(self, number: str, slip) -> None:
        from kiosk.printing import PrinterFault

        try:
            self.print_slip(slip)
        except PrinterFault as fault:
            log.warning("ticket %s from the console not printed (%s): %s", number, fault.kind, fault)
            self.reports.fault()
            self._report(fault.kind, f"{number}: {fault}")
            return
        except Exception as error:  # a broken printer driver must not end the listener
            log.exception("ticket %s from the console not printed", number)
            self.reports.fault()
            self._report("error", f"{number}: {error}")
            return
        self.printed.append(number)
        if self.reports.printed():
            self._report("ok", "")

    def _report(self, state: str, detail: str) -> None:
        try:
            self.api.report_printer(state, detail)
        except (ServerUnreachable, ApiError) as error:
            log.warning("printer state not reported: %s", error)
