"""Exactly one delivery per message across restarts of a real server process.

A real ``queue-server`` (demo office with a [notifications] section pointing at a fake
SMS gateway and a real SMTP server, both on 127.0.0.1) sends the «turn is near» and
«called» messages of tickets issued with phones, and booking e-mails written into its
database while it was down.  It is killed (SIGKILL) while the gateway holds a request
unanswered and while the gateway fails, then restarted; at the end every message is
sent, and the gateway and the mail server each saw every message exactly once.
"""

from __future__ import annotations

import re
import sqlite3
import time
from datetime import UTC, datetime, timedelta

from queue_server.config import DEMO_OFFICE_PATH, load_office
from queue_server.domain.clock import ShiftedClock
from queue_server.domain.notify import Booking
from queue_server.service import open_services
from tests.support.fake_gateways import MailSink, SmsGateway
from tests.support.live_server import LiveServer, office_hours_clock

WAIT_S = 150.0  # retries back off (0.5 s doubling): a loaded machine times out more of them


def office_file(tmp_path, gateway: SmsGateway, mail: MailSink):
    path = tmp_path / "office.toml"
    path.write_text(DEMO_OFFICE_PATH.read_text("utf-8") + f"""

[notifications]
near_people_ahead = 2
backoff_seconds = 0.5
attempts = 8

[notifications.sms]
url = "{gateway.url}"
sender = "CZN"
username = "okno"
password = "secret"
ok_contains = "accepted"
timeout_seconds = 3

[notifications.email]
host = "127.0.0.1"
port = {mail.port}
sender = "czn@example.ru"
""", "utf-8")
    return path


def outbox(data_dir) -> list[tuple]:
    with sqlite3.connect(data_dir / "queue.db") as db:
        return db.execute("SELECT id, channel, status, attempts FROM outbox ORDER BY id").fetchall()


def wait_until(condition, what: str, timeout: float = WAIT_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_every_message_is_delivered_exactly_once_across_kills(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    with SmsGateway(hang_seconds=5.0) as gateway, MailSink() as mail:
        config = office_file(tmp_path, gateway, mail)
        office = load_office(config)
        # Bookings written while the server is down (the appointments code's transaction).
        # The server's clock starts inside office hours (kiosks issue only then); the
        # bookings are written on that same clock, so their times mean the same to it.
        start = office_hours_clock() or datetime.now(UTC)
        offline = open_services(data, office, ShiftedClock(start))
        soon = start + timedelta(hours=3)
        for n in range(3):
            offline.notifier.enqueue_booking_messages(Booking(
                code=f"B{n}", at=soon, email=f"visitor{n}@example.ru", name="Иван"))
        offline.close()

        gateway.plan = ["timeout"]  # the first SMS hangs: the server dies holding it
        server = LiveServer(data, extra_args=("--config", str(config)), clock_start=start).start()
        try:
            reception = server.login("reception")
            server.request("POST", "/api/v1/workplaces/window_1/status", token=reception,
                           body={"status": "open"})
            phones = [server.issue(phone=f"+7 912 000-00-0{n}", phone_consent=True) for n in range(5)]
            assert all(t["phone_accepted"] for t in phones)
            wait_until(lambda: gateway.requests, "the first SMS to reach the gateway")
            server.kill()  # mid-request: that message is left "sending"

            gateway.plan = ["500", "garbage", "500"]
            server.start()
            for _ in range(3):
                status, called = server.request("POST", "/api/v1/workplaces/window_1/call-next",
                                                token=server.login("reception"))
                assert status == 200
                server.request("POST", f"/api/v1/tickets/{called['id']}/cancel",
                               token=server.login("reception"), body={"reason": "left"})
            wait_until(lambda: len(gateway.requests) >= 4, "failures to reach the gateway")
            server.kill()  # with retries pending
            server.start()
            wait_until(lambda: outbox(data) and all(row[2] == "sent" for row in outbox(data)),
                       "every message sent")
        finally:
            server.stop()
        rows = outbox(data)
        sms = [row for row in rows if row[1] == "sms"]
        emails = [row for row in rows if row[1] == "email"]
        assert len(emails) == 3 and len(sms) >= 5 + 3  # «near» for each phone, «called» for three
        assert sorted(gateway.accepted) == sorted(str(row[0]) for row in sms)
        # A kill between the gateway's answer and our record sends the message again with the
        # same id (the gateway's idempotency key): never a different message under one id, and
        # never one message under two ids — the gateway delivers each id once.
        for copies in gateway.accepted.values():
            assert all((c["to"], c["text"]) == (copies[0]["to"], copies[0]["text"]) for c in copies)
        delivered = [(c[0]["to"], c[0]["text"]) for c in gateway.accepted.values()]
        assert len(delivered) == len(set(delivered)) == len(sms)
        assert any(row[3] > 1 for row in sms), "some message needed more than one attempt"
        ids = [re.search(r"Message-ID: <outbox-(\d+)\.", m).group(1) for m in mail.messages]
        assert sorted(ids) == sorted(str(row[0]) for row in emails)  # each e-mail exactly once
