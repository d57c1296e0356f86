"""The notifier in process: what enters the outbox and when, and how the worker sends it.

Real app, SQLite file and rules, a manual clock; the SMS gateway and the mail server
are real servers on 127.0.0.1 (tests/support/fake_gateways.py).  Restarts of a real
server process are in tests/test_notify_live.py.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from queue_server.domain.notify import Booking, Notifications, Smtp
from tests.support.app_fixtures import DEMO_OFFICE, MONDAY_10_00
from tests.support.fake_gateways import MailSink

PHONE = "+7 912 345-67-89"
E164 = "+79123456789"


def office_with(**settings):
    return dataclasses.replace(DEMO_OFFICE, notifications=Notifications(**settings))


def outbox_rows(services):
    return list(services.store.db.query("SELECT * FROM outbox ORDER BY id"))


def issue(kiosk, situation="job_search", **extra):
    answer = kiosk.post("/api/v1/tickets", json={"life_situation": situation, **extra})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


@pytest.fixture
def line(services, signed_in):
    """Reception open at window 1; a kiosk and an operator there."""
    reception = signed_in("reception")
    assert reception.post("/api/v1/workplaces/window_1/status", json={"status": "open"}).status_code == 204
    return signed_in("kiosk"), reception


def test_no_phone_no_message(services, line):
    kiosk, reception = line
    for _ in range(3):
        issue(kiosk)
    reception.post("/api/v1/workplaces/window_1/call-next")
    assert outbox_rows(services) == []


def test_turn_near_when_few_are_ahead_then_called_to_the_window(services, line, tmp_path):
    kiosk, reception = line
    for _ in range(4):
        issue(kiosk)
    mine = issue(kiosk, language="tt", phone=PHONE, phone_consent=True)
    assert mine["phone_accepted"] is True and "phone" not in mine
    assert mine["people_ahead"] == 4 and outbox_rows(services) == []  # 4 ahead: not yet

    current = reception.post("/api/v1/workplaces/window_1/call-next").get_json()  # 3 ahead now
    (near,) = outbox_rows(services)
    assert (near["kind"], near["recipient"], near["status"]) == ("turn_near", E164, "pending")
    assert mine["number"] in near["body"] and "алдыгызда 3 кеше" in near["body"]  # Tatar, as chosen

    for _ in range(4):  # the ones ahead leave; «near» is never sent twice
        reception.post(f"/api/v1/tickets/{current['id']}/cancel", json={"reason": "left"})
        current = reception.post("/api/v1/workplaces/window_1/call-next").get_json()
    assert current["id"] == mine["id"]
    kinds = [row["kind"] for row in outbox_rows(services)]
    assert kinds == ["turn_near", "called"]
    assert "1 нче тәрәзә" in outbox_rows(services)[1]["body"]

    assert services.delivery.deliver_due() == 2  # the demo's file outbox
    files = sorted((tmp_path / "outbox").glob("*.txt"))
    assert len(files) == 2 and E164 in files[1].read_text("utf-8")
    assert {row["status"] for row in outbox_rows(services)} == {"sent"}


@pytest.mark.parametrize("phone", ["+1 202 555 0100", "+7 701 123 45 67", "8 (843) 555-12-34",
                                   "12345", "позвоните мне", "+7" + "9" * 40])
def test_a_refused_phone_never_refuses_the_ticket(services, line, signed_in, phone):
    kiosk, _ = line
    answer = kiosk.post("/api/v1/tickets", json={"life_situation": "job_search", "phone": phone,
                                                 "phone_consent": True})
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["phone_accepted"] is False and body["phone_refused"].startswith("phone:")
    listed = signed_in("administrator").get("/api/v1/messages?status=failed").get_json()
    (failed,) = listed["messages"]
    assert failed["ticket_id"] == body["id"] and failed["last_error"].startswith("phone:")
    assert services.tickets.ticket(body["id"]).status.value == "waiting"


def test_a_phone_needs_the_visitors_consent(line):
    kiosk, _ = line
    answer = kiosk.post("/api/v1/tickets", json={"life_situation": "job_search", "phone": PHONE})
    assert answer.status_code == 400 and answer.get_json()["reason"].startswith("phone_consent")


# --- e-mail and bookings --------------------------------------------------------------------


BOOKING = Booking(code="4821", at=MONDAY_10_00 + timedelta(days=3, hours=1), language="ru",
                  name="Анна Петрова", phone=PHONE, email="anna@example.ru", place="ул. Шамиля Усманова, 10")


@pytest.fixture
def mail():
    with MailSink() as sink:
        yield sink


def test_booking_messages_confirmation_now_reminder_the_day_before(app, services, clock, tmp_path):
    ids = services.notifier.enqueue_booking_messages(BOOKING)
    assert len(ids) == 4  # confirmation and reminder, each by SMS and e-mail
    assert services.notifier.enqueue_booking_messages(BOOKING) == []  # the same booking again
    assert services.delivery.deliver_due() == 2  # the confirmations; reminders wait
    rows = outbox_rows(services)
    reminder = next(r for r in rows if r["kind"] == "booking_reminder" and r["channel"] == "sms")
    # 12:00 office time (UTC+3), the day before
    assert reminder["next_attempt_at"] == "2026-12-02T09:00:00+00:00"
    assert "4821" in reminder["body"] and "Анна" not in reminder["body"]  # no name by SMS
    clock.set(MONDAY_10_00 + timedelta(days=2, hours=2, minutes=1))
    assert services.delivery.deliver_due() == 2
    assert {r["status"] for r in outbox_rows(services)} == {"sent"}
    assert len(list((tmp_path / "outbox").glob("*.txt"))) == 4


def test_booking_by_email_through_smtp(tmp_path, clock, mail):
    from queue_server.service import open_services

    office = office_with(email=Smtp(host="127.0.0.1", port=mail.port, sender="czn@example.ru"))
    services = open_services(tmp_path, office, clock)
    services.notifier.enqueue_booking_messages(dataclasses.replace(BOOKING, phone=""))
    services.delivery.deliver_due()
    (received,) = mail.messages
    assert "anna@example.ru" in received and "Message-ID: <outbox-1." in received
    assert outbox_rows(services)[0]["status"] == "sent"


def test_smtp_refusal_is_a_failure_with_its_reason(tmp_path, clock):
    from queue_server.service import open_services

    with MailSink(refuse=True) as refusing:
        office = office_with(email=Smtp(host="127.0.0.1", port=refusing.port, sender="czn@example.ru"))
        services = open_services(tmp_path, office, clock)
        services.notifier.enqueue_booking_messages(dataclasses.replace(BOOKING, phone=""))
        services.delivery.deliver_due()
    row = outbox_rows(services)[0]
    assert row["status"] == "failed" and "550" in row["last_error"] and refusing.messages == []


@pytest.mark.parametrize(("phone", "email", "failed"), [
    ("+1 202 555 0100", "anna@example.ru", "sms"),
    (PHONE, "anna at example", "email"),
    (PHONE, "anna@localhost", "email"),
])
def test_booking_with_a_bad_address_keeps_it_failed_for_the_administrator(services, phone, email, failed):
    services.notifier.enqueue_booking_messages(dataclasses.replace(BOOKING, phone=phone, email=email))
    rows = outbox_rows(services)
    assert {r["channel"] for r in rows if r["status"] == "failed"} == {failed}
    assert all(r["last_error"] for r in rows if r["status"] == "failed")


def test_cancelled_booking_drops_its_pending_messages(services):
    services.notifier.enqueue_booking_messages(BOOKING)
    assert services.notifier.cancel_booking_messages("4821") == 4
    assert services.delivery.deliver_due() == 0


def test_the_administrators_page_lists_failures_and_sends_again(app, services, line):
    from tests.test_staff_pages import csrf_of

    kiosk, _ = line
    issue(kiosk, phone="+1 202 555 0100", phone_consent=True)
    services.accounts.create_user("hall", "administrator", "fixture-password", (), actor="test")
    client = app.test_client()
    token = csrf_of(client.get("/staff/login").get_data(as_text=True))
    client.post("/staff/login", data={"username": "hall", "password": "fixture-password",
                                      "csrf_token": token})
    page = client.get("/staff/messages").get_data(as_text=True)
    assert "Скоро очередь" in page and "+1…0100" in page and "only Russian numbers" in page
    (row,) = outbox_rows(services)
    answer = client.post(f"/staff/messages/{row['id']}/resend", data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 302 and outbox_rows(services)[0]["status"] == "pending"
    assert client.post(f"/staff/messages/{row['id']}/resend").status_code == 302  # no token: nothing
    assert outbox_rows(services)[0]["attempts"] == 0


def test_a_phone_left_on_the_ticket_screen(services, line, signed_in):
    kiosk, reception = line
    ticket = issue(kiosk)
    answer = kiosk.post(f"/api/v1/tickets/{ticket['id']}/phone", json={"phone": PHONE, "phone_consent": True})
    assert answer.status_code == 200 and answer.get_json() == {"phone_accepted": True}
    (near,) = outbox_rows(services)  # nobody ahead: «near» at once, with the phone
    assert near["kind"] == "turn_near" and near["recipient"] == E164
    refused = kiosk.post(f"/api/v1/tickets/{ticket['id']}/phone",
                         json={"phone": "123", "phone_consent": True})
    assert refused.get_json()["phone_accepted"] is False
    assert kiosk.post(f"/api/v1/tickets/{ticket['id']}/phone", json={"phone": PHONE}).status_code == 400
    reception.post("/api/v1/workplaces/window_1/call-next")
    late = kiosk.post(f"/api/v1/tickets/{ticket['id']}/phone", json={"phone": PHONE, "phone_consent": True})
    assert late.status_code == 400  # called already: no message is due any more
    assert signed_in("curator").post(f"/api/v1/tickets/{ticket['id']}/phone",
                          json={"phone": PHONE, "phone_consent": True}).status_code == 403


def test_a_good_number_after_a_refused_one_still_gets_its_message(services, line):
    kiosk, _ = line
    ticket = issue(kiosk, phone="12345", phone_consent=True)
    assert ticket["phone_accepted"] is False
    again = kiosk.post(f"/api/v1/tickets/{ticket['id']}/phone", json={"phone": PHONE, "phone_consent": True})
    assert again.get_json() == {"phone_accepted": True}
    assert [(r["status"], r["recipient"]) for r in outbox_rows(services)] == [("failed", "12345"),
                                                                             ("pending", E164)]
