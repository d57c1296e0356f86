"""The notifier against a fake SMS gateway: a real HTTP server on 127.0.0.1 that fails and recovers."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest

from queue_server.domain.notify import SmsGateway
from tests.support.fake_gateways import SmsGateway as FakeGateway
from tests.test_notify import E164, PHONE, issue, line, office_with, outbox_rows

__all__ = ["line"]  # a fixture, used by name


@pytest.fixture
def gateway():
    with FakeGateway(hang_seconds=2.0) as fake:
        yield fake


@pytest.fixture
def office(gateway):
    return office_with(backoff_seconds=10, attempts=5, give_up_minutes=30, sms=SmsGateway(
        url=gateway.url, sender="CZN", username="okno", password="secret",
        ok_contains="accepted", timeout_seconds=0.5))


def test_gateway_fails_then_recovers_with_backoff(services, line, gateway, clock):
    kiosk, _ = line
    gateway.plan = ["500", "garbage", "timeout"]
    issue(kiosk, phone=PHONE, phone_consent=True)  # nobody ahead: «near» at once
    worker = services.delivery
    for expected_wait in (10, 20, 40):  # each failure doubles the wait
        assert worker.deliver_due() == 1
        (row,) = outbox_rows(services)
        assert row["status"] == "pending" and row["last_error"]
        assert worker.deliver_due() == 0  # not before its time
        clock.advance(seconds=expected_wait)
    assert worker.deliver_due() == 1
    (row,) = outbox_rows(services)
    assert (row["status"], row["attempts"]) == ("sent", 4)
    assert [r["to"] for r in gateway.requests] == [E164] * 4
    assert gateway.requests[0]["from"] == "CZN" and gateway.requests[0]["_auth"].startswith("Basic ")
    assert list(gateway.accepted) == [str(row["id"])] and len(gateway.accepted[str(row["id"])]) == 1


def test_reasons_are_kept_and_attempts_run_out(services, line, gateway, clock, signed_in):
    kiosk, _ = line
    gateway.plan = ["500"] * 3
    issue(kiosk, phone=PHONE, phone_consent=True)
    services.delivery._settings = dataclasses.replace(services.delivery._settings, attempts=3)
    for _ in range(3):
        services.delivery.deliver_due()
        clock.advance(minutes=1)
    (row,) = outbox_rows(services)
    assert row["status"] == "failed" and "attempt 3: gateway answered 500" in row["last_error"]

    admin = signed_in("administrator")
    (shown,) = admin.get("/api/v1/messages").get_json()["messages"]
    assert shown["recipient"] == "+7…6789" and "body" not in shown
    assert admin.post(f"/api/v1/messages/{row['id']}/resend").get_json()["status"] == "pending"
    assert services.delivery.deliver_due() == 1
    assert outbox_rows(services)[0]["status"] == "sent"
    assert admin.post(f"/api/v1/messages/{row['id']}/resend").status_code == 400  # sent: nothing to do
    assert signed_in("curator").post(f"/api/v1/messages/{row['id']}/resend").status_code == 403


def test_a_refusal_is_final_and_an_old_message_is_dropped(services, line, gateway, clock):
    kiosk, _ = line
    gateway.plan = ["400"]
    issue(kiosk, phone=PHONE, phone_consent=True)
    services.delivery.deliver_due()
    (row,) = outbox_rows(services)
    assert row["status"] == "failed" and "400" in row["last_error"] and row["attempts"] == 1

    issue(kiosk, phone="+7 912 000-00-01", phone_consent=True)
    clock.advance(minutes=31)  # give_up_minutes: a «near» of half an hour ago is of no use
    services.delivery.deliver_due()
    assert outbox_rows(services)[1]["last_error"] == "too late to be of use"


def test_a_slow_gateway_never_slows_the_queue(services, line, gateway):
    """The worker sends outside the write lock: a ticket is issued while it waits."""
    kiosk, _ = line
    gateway.plan = ["timeout"]
    issue(kiosk, phone=PHONE, phone_consent=True)
    sending = threading.Thread(target=services.delivery.deliver_due)
    sending.start()
    deadline = time.monotonic() + 10
    while not gateway.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    assert gateway.requests, "the worker never reached the gateway"
    assert sending.is_alive()  # still waiting for the gateway...
    issue(kiosk)  # ...and the queue goes on
    sending.join(10)
