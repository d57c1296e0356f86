"""Appointments and the notifier together: a booking's messages live and die with it, a
checked-in booking's phone hears «your turn is near», and booking details expire."""

from __future__ import annotations

import pytest

MONDAY = "2026-11-30"


def outbox(services) -> list[dict]:
    return list(services.store.db.query("SELECT kind, status, recipient, booking FROM outbox ORDER BY id"))


@pytest.fixture
def call_centre(signed_in):
    return signed_in("call_centre")


def book(client, slot: str, **extra):
    answer = client.post("/api/v1/appointments", {"queue": "curator", "slot": slot, **extra})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_a_booking_with_consent_queues_its_confirmation_and_reminder(call_centre, services):
    booked = book(call_centre, "2026-12-02T14:00", phone="8 900 123-45-67", consent=True)
    rows = outbox(services)
    assert {r["status"] for r in rows} == {"pending"}
    assert {r["booking"] for r in rows} == {booked["code"]}
    assert {r["recipient"] for r in rows} == {"+79001234567"}
    assert len(rows) == 2  # confirmation now, reminder the day before


def test_no_consent_no_message(call_centre, services):
    book(call_centre, "2026-12-02T14:00", phone="8 900 123-45-67")
    assert outbox(services) == []


def test_moving_replaces_the_messages_and_cancelling_drops_them(call_centre, services):
    booked = book(call_centre, "2026-12-02T14:00", phone="8 900 123-45-67", consent=True)
    moved = call_centre.post(f"/api/v1/appointments/{booked['id']}/move", {"slot": "2026-12-03T14:00"})
    assert moved.status_code == 200
    statuses = [r["status"] for r in outbox(services)]
    assert statuses.count("cancelled") == 2 and statuses.count("pending") == 2
    call_centre.post(f"/api/v1/appointments/{booked['id']}/cancel")
    assert {r["status"] for r in outbox(services)} == {"cancelled"}


def test_a_checked_in_booking_keeps_the_phone_for_the_queue_messages(call_centre, signed_in, services):
    booked = book(call_centre, f"{MONDAY}T10:20", phone="8 900 123-45-67", consent=True)
    kiosk = signed_in("kiosk")
    answer = kiosk.post("/api/v1/appointments/check-in", {"code": booked["code"], "language": "tt"})
    assert answer.status_code == 201, answer.get_json()
    ticket_id = answer.get_json()["id"]
    contact = services.store.db.execute("SELECT phone, language FROM contacts WHERE ticket_id = ?",
                                        [ticket_id]).fetchone()
    assert contact == ("+79001234567", "tt")


def test_booking_details_expire_with_the_other_personal_data(call_centre, services, clock):
    booked = book(call_centre, "2026-12-02T14:00", name="Ирина", phone="8 900 123-45-67",
                  email="irina@example.ru")
    clock.advance(days=40)
    services.notifier.purge(dry_run=False)
    row = services.store.db.execute(
        "SELECT name, phone, email, slot_at FROM appointments WHERE id = ?", [booked["id"]]).fetchone()
    assert row[:3] == ("", "", "") and row[3].startswith("2026-12-02")
