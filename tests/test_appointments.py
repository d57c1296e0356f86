"""Booking, moving, cancelling and checking in, through the API of the real app over a real
SQLite file, on the manual clock (Monday 30 Nov 2026, 10:00 office time)."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime

import pytest

from queue_server.domain import routing
from queue_server.service.appointments import WRONG_CODES_ALLOWED

MONDAY = "2026-11-30"


def book(client, slot: str, queue: str = "curator", **extra):
    return client.post("/api/v1/appointments", {"queue": queue, "slot": slot, **extra})


@pytest.fixture
def call_centre(signed_in):
    return signed_in("call_centre")


@pytest.fixture
def kiosk(signed_in):
    return signed_in("kiosk")


def test_free_slots_over_the_coming_days(call_centre):
    answer = call_centre.get("/api/v1/appointments/slots?queue=curator&days=2")
    assert answer.status_code == 200
    slots = [s["at"] for s in answer.get_json()["slots"]]
    assert slots[0] == f"{MONDAY}T10:20"  # 10:00 has begun
    assert f"{MONDAY}T12:20" not in slots  # lunch
    assert "2026-12-01T08:00" in slots
    by_situation = call_centre.get("/api/v1/appointments/slots?life_situation=pre_pension&days=1")
    assert by_situation.get_json()["slots"][0]["queue"] == "curator"


def test_book_read_back_and_list(call_centre):
    answer = book(call_centre, f"{MONDAY}T14:00", name="  Ирина   Петрова ", phone="8 (900) 123-45-67",
                  consent=True, needs_help=True)
    assert answer.status_code == 201, answer.get_json()
    booked = answer.get_json()
    assert len(booked["code"]) == 6 and booked["code"].isdigit()
    assert (booked["name"], booked["phone"], booked["needs_help"]) == ("Ирина Петрова", "+79001234567", True)
    assert call_centre.get(f"/api/v1/appointments/{booked['id']}").get_json()["code"] == booked["code"]
    today = call_centre.get("/api/v1/appointments").get_json()
    assert [a["id"] for a in today["appointments"]] == [booked["id"]]
    assert call_centre.get("/api/v1/appointments?day=2026-12-01").get_json()["appointments"] == []


def test_a_full_slot_refuses_the_next_booking(call_centre):
    for _ in range(2):  # the curator schedule takes 2 per slot
        assert book(call_centre, f"{MONDAY}T14:00").status_code == 201
    full = book(call_centre, f"{MONDAY}T14:00")
    assert full.status_code == 409 and full.get_json()["error"] == "slot_full"
    slots = call_centre.get("/api/v1/appointments/slots?queue=curator&days=1").get_json()["slots"]
    assert f"{MONDAY}T14:00" not in [s["at"] for s in slots]


def test_move_and_cancel_free_the_place(call_centre):
    first = book(call_centre, f"{MONDAY}T15:00", queue="career").get_json()
    assert book(call_centre, f"{MONDAY}T15:00", queue="career").status_code == 409  # capacity 1
    moved = call_centre.post(f"/api/v1/appointments/{first['id']}/move", {"slot": f"{MONDAY}T15:30"})
    assert moved.status_code == 200 and moved.get_json()["slot_at"] == f"{MONDAY}T15:30"
    assert book(call_centre, f"{MONDAY}T15:00", queue="career").status_code == 201
    cancelled = call_centre.post(f"/api/v1/appointments/{first['id']}/cancel")
    assert cancelled.get_json()["status"] == "cancelled"
    assert book(call_centre, f"{MONDAY}T15:30", queue="career").status_code == 201
    again = call_centre.post(f"/api/v1/appointments/{first['id']}/cancel")
    assert again.status_code == 409 and again.get_json()["error"] == "wrong_state"


@pytest.mark.parametrize(("body", "field"), [
    ({"queue": "nowhere", "slot": f"{MONDAY}T14:00"}, "queue"),
    ({"queue": "reception", "slot": f"{MONDAY}T14:00"}, "queue"),  # no schedule
    ({"queue": "curator", "slot": "monday"}, "slot"),
    ({"queue": "curator", "slot": f"{MONDAY}T09:00"}, "slot"),  # in the past
    ({"queue": "curator", "slot": f"{MONDAY}T12:20"}, "slot"),  # lunch
    ({"queue": "curator", "slot": f"{MONDAY}T18:00"}, "slot"),  # after hours
    ({"queue": "curator", "slot": "2026-12-31T10:00"}, "slot"),  # holiday
    ({"queue": "curator", "slot": "2026-12-05T10:00"}, "slot"),  # Saturday
    ({"queue": "curator", "slot": f"{MONDAY}T14:00+03:00"}, "slot"),
    ({"queue": "curator", "slot": f"{MONDAY}T14:00", "phone": "12345"}, "phone"),
    ({"queue": "curator", "slot": f"{MONDAY}T14:00", "email": "nobody"}, "email"),
    ({"queue": "curator", "slot": f"{MONDAY}T14:00", "consent": True}, "consent"),
    ({"queue": "curator", "slot": f"{MONDAY}T14:00", "name": "x" * 101}, "name"),
])
def test_bad_bookings_name_the_field_and_write_nothing(call_centre, services, body, field):
    answer = call_centre.post("/api/v1/appointments", body)
    assert answer.status_code == 400, answer.get_json()
    assert answer.get_json()["reason"].startswith(f"{field}:")
    assert services.store.db.execute("SELECT count(*) FROM appointments").fetchone()[0] == 0


def test_moving_into_a_holiday_is_refused(call_centre):
    booked = book(call_centre, f"{MONDAY}T14:00").get_json()
    answer = call_centre.post(f"/api/v1/appointments/{booked['id']}/move", {"slot": "2026-12-31T10:00"})
    assert answer.status_code == 400 and answer.get_json()["reason"].startswith("slot:")
    assert call_centre.get(f"/api/v1/appointments/{booked['id']}").get_json()["slot_at"] == f"{MONDAY}T14:00"


def test_check_in_early_on_time_and_late(call_centre, kiosk, clock):
    booked = book(call_centre, f"{MONDAY}T11:00").get_json()
    early = kiosk.post("/api/v1/appointments/check-in", {"code": booked["code"], "language": "tt"})
    assert early.status_code == 409 and early.get_json()["error"] == "too_early"
    assert early.get_json()["come_back_at"] == f"{MONDAY}T10:30"
    clock.advance(minutes=35)  # 10:35
    on_time = kiosk.post("/api/v1/appointments/check-in", {"code": booked["code"], "language": "tt"})
    assert on_time.status_code == 201, on_time.get_json()
    ticket = on_time.get_json()
    assert ticket["number"].startswith("К") and ticket["language"] == "tt"
    assert call_centre.get(f"/api/v1/appointments/{booked['id']}").get_json()["status"] == "checked_in"
    late = book(call_centre, f"{MONDAY}T11:20").get_json()
    clock.advance(minutes=61)  # 11:36: past 11:20 + 15
    refused = kiosk.post("/api/v1/appointments/check-in", {"code": late["code"], "language": "ru"})
    assert refused.status_code == 409 and refused.get_json()["error"] == "too_late"


def test_checked_in_ticket_goes_ahead_of_walk_ins_only_from_its_time(call_centre, kiosk, services, clock):
    booked = book(call_centre, f"{MONDAY}T10:40").get_json()
    walk_in = kiosk.post("/api/v1/tickets", {"life_situation": "pre_pension"}).get_json()
    clock.advance(minutes=15)  # 10:15: inside the window, before the slot
    checked = kiosk.post("/api/v1/appointments/check-in", {"code": booked["code"]}).get_json()
    window = services.office.workplace("window_4")
    order = lambda: [t.id for t in routing.order_for_workplace(  # noqa: E731
        services.tickets.open_tickets(), window, services.now(), services.office.rules)]
    assert order() == [walk_in["id"], checked["id"]]  # before its time it waits like anyone
    clock.advance(minutes=26)  # 10:41: its time has come
    assert order() == [checked["id"], walk_in["id"]]


def test_wrong_codes_are_throttled_per_kiosk(kiosk, signed_in):
    for _ in range(WRONG_CODES_ALLOWED):
        answer = kiosk.post("/api/v1/appointments/check-in", {"code": "999999"})
        assert answer.status_code == 404 and answer.get_json()["error"] == "unknown_code"
    throttled = kiosk.post("/api/v1/appointments/check-in", {"code": "999999"})
    assert throttled.status_code == 429 and throttled.get_json()["error"] == "too_many_attempts"
    assert int(throttled.headers["Retry-After"]) > 0
    other = signed_in("administrator")  # another caller is not held back
    assert other.post("/api/v1/appointments/check-in", {"code": "999999"}).status_code == 404


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", "12 456", 123456])
def test_a_malformed_code_is_a_bad_request(kiosk, code):
    answer = kiosk.post("/api/v1/appointments/check-in", {"code": code})
    assert answer.status_code == 400 and answer.get_json()["reason"].startswith("code:")


def test_missed_when_the_window_closes(call_centre, services, clock):
    booked = book(call_centre, f"{MONDAY}T10:40").get_json()
    clock.set(datetime.fromisoformat("2026-11-30T10:55:00+03:00"))
    assert services.appointments.tick() == []  # the window is still open (10:40 + 15)
    clock.advance(minutes=1)
    assert [a.id for a in services.appointments.tick()] == [booked["id"]]
    missed = call_centre.get("/api/v1/appointments/missed").get_json()["appointments"]
    assert [(a["id"], a["status"]) for a in missed] == [(booked["id"], "missed")]


def test_door_help_is_listed_and_taken_on_with_an_audit_record(call_centre, signed_in, services):
    plain = book(call_centre, f"{MONDAY}T11:00").get_json()
    helped = book(call_centre, f"{MONDAY}T11:20", companion=True).get_json()
    book(call_centre, f"{MONDAY}T15:00", needs_help=True)  # beyond the two hours ahead
    hall = signed_in("administrator")
    door = hall.get("/api/v1/appointments/door").get_json()["appointments"]
    assert [a["id"] for a in door] == [helped["id"]]
    assert hall.post(f"/api/v1/appointments/{plain['id']}/take-on").status_code == 400
    taken = hall.post(f"/api/v1/appointments/{helped['id']}/take-on").get_json()
    assert taken["help_taken_by"] == f"user:{hall.name}"
    audit = services.accounts.audit_entries()
    assert any(e["action"] == "appointment.door_help_taken" and e["actor"] == f"user:{hall.name}"
               for e in audit)


def test_reminders_due_only_with_consent_and_a_contact(call_centre, services):
    book(call_centre, f"{MONDAY}T14:00", phone="+79001234567", consent=True)
    book(call_centre, f"{MONDAY}T14:20", phone="+79001234567")
    due = services.appointments.reminders_due()
    assert [a.slot_at.strftime("%H:%M") for a in due] == ["14:00"]
    services.appointments.mark_reminded(due[0].id)
    assert services.appointments.reminders_due() == []


def test_personal_data_stays_in_the_appointments_table(call_centre, kiosk, services, clock):
    booked = book(call_centre, f"{MONDAY}T10:40", name="Ирина", phone="+79001234567").get_json()
    clock.advance(minutes=15)
    assert kiosk.post("/api/v1/appointments/check-in", {"code": booked["code"]}).status_code == 201
    db = services.store.db
    for table in ("events", "tickets", "audit"):
        dump = " ".join(str(row) for row in db.execute(f"SELECT * FROM {table}").fetchall())
        assert "Ирина" not in dump and "9001234567" not in dump, table


def test_two_operators_racing_for_the_last_place_get_one_booking(services, tmp_path):
    """Two writers on the same file (separate connections, the second outside our lock)."""
    from queue_server.store.appointments import insert_if_free

    path = services.store.path
    barrier = threading.Barrier(2)
    results: list[int | None] = []

    def operator(n: int) -> None:
        conn = sqlite3.connect(path, isolation_level=None, timeout=10)
        import sqlite_utils

        db = sqlite_utils.Database(conn)
        barrier.wait()
        conn.execute("BEGIN IMMEDIATE")
        results.append(insert_if_free(db, capacity=1, values={
            "code": f"00000{n}", "queue": "career", "life_situation": "youth",
            "slot_at": "2026-11-30T15:00", "status": "booked", "booked_by": f"op{n}",
            "booked_at": "x", "changed_at": "x"}))
        conn.execute("COMMIT")
        conn.close()

    threads = [threading.Thread(target=operator, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(r is None for r in results) == [False, True]
