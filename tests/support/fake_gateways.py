"""Real servers on 127.0.0.1 standing in for an operator's SMS gateway and a mail server.

``SmsGateway`` answers each request with the next planned behaviour ("500",
"timeout", "garbage", "400", or "ok") and records what it accepted by the outbox id,
so a test sees both the attempts and the deliveries.  ``MailSink`` is aiosmtpd's real
SMTP server; with ``refuse`` it answers 550 to every recipient.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller

OK_ANSWER = '{"status": "accepted"}'


class SmsGateway:
    def __init__(self, plan: list[str] | None = None, *, hang_seconds: float = 3.0):
        self.plan = list(plan or [])
        self.hang_seconds = hang_seconds
        self.requests: list[dict] = []
        self.accepted: dict[str, list[dict]] = {}  # outbox id -> every accepted copy
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    fields = json.loads(raw)
                else:
                    fields = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                fields["_auth"] = self.headers.get("Authorization", "")
                with gateway.lock:
                    gateway.requests.append(fields)
                    behaviour = gateway.plan.pop(0) if gateway.plan else "ok"
                    if behaviour == "ok":
                        gateway.accepted.setdefault(fields["id"], []).append(fields)
                if behaviour == "timeout":
                    time.sleep(gateway.hang_seconds)
                    return
                status, body = {"500": (500, "oops"), "400": (400, '{"error": "bad number"}'),
                                "garbage": (200, "<html>maintenance</html>"),
                                "ok": (200, OK_ANSWER)}[behaviour]
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SmsGateway:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler:
    def __init__(self, sink: MailSink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.sink.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.sink.lock:
            self.sink.messages.append(envelope.content.decode("utf-8", "replace"))
        return "250 Message accepted"


class MailSink:
    def __init__(self, *, refuse: bool = False):
        self.refuse = refuse
        self.messages: list[str] = []
        self.lock = threading.Lock()
        self.port = free_port()  # aiosmtpd checks its server by connecting: it needs a real port
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MailSink:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
