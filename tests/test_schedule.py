"""Opening hours and booking slots over a simulated week (pure domain, no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

from queue_server.config import DEMO_OFFICE_PATH, load_office
from queue_server.domain import schedule as sch
from queue_server.domain.office import Calendar, Rules

OFFICE = load_office(DEMO_OFFICE_PATH)
# The week of 28 Dec 2026: Mon 28, Tue 29, Wed 30 (shortened to 13:00), Thu 31 (holiday),
# Fri 1 Jan (holiday), Sat 2, Sun 3 (holidays and weekend anyway).
MONDAY = date(2026, 12, 28)
CURATOR = OFFICE.schedule("curator")


def at(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm))


def test_office_hours_over_the_week():
    week = [sch.hours_on(OFFICE.hours, OFFICE.calendar, MONDAY + timedelta(days=n)) for n in range(7)]
    assert week[0] == (time(8), time(17))
    assert week[2] == (time(8), time(13))  # shortened day
    assert week[3] is None and week[4] is None  # holidays
    assert week[5] is None and week[6] is None  # weekend


@pytest.mark.parametrize(("moment", "expected"), [
    ("2026-12-28 07:59", False), ("2026-12-28 08:00", True), ("2026-12-28 16:59", True),
    ("2026-12-28 17:00", False), ("2026-12-30 12:59", True), ("2026-12-30 13:00", False),
    ("2026-12-31 10:00", False), ("2027-01-09 10:00", False),
])
def test_is_open(moment, expected):
    assert sch.is_open(OFFICE, datetime.fromisoformat(moment)) is expected


def test_next_opening_skips_holidays_and_the_weekend():
    # Wednesday 30 Dec after the shortened close: the next opening is Monday 11 Jan 2027
    # (31 Dec – 8 Jan are holidays, 9–10 Jan the weekend).
    assert sch.next_opening(OFFICE, at(date(2026, 12, 30), "13:30")) == at(date(2027, 1, 11), "08:00")
    assert sch.next_opening(OFFICE, at(MONDAY, "05:00")) == at(MONDAY, "08:00")
    assert sch.next_opening(OFFICE, at(MONDAY, "17:30")) == at(MONDAY + timedelta(days=1), "08:00")


def test_slots_leave_out_lunch_and_follow_the_slot_length():
    slots = sch.slots_on(CURATOR, OFFICE, MONDAY)
    assert slots[0] == at(MONDAY, "08:00")
    assert slots[-1] == at(MONDAY, "16:40")
    assert all(s.time() < time(12) or s.time() >= time(13) for s in slots)
    assert at(MONDAY, "11:40") in slots and at(MONDAY, "13:00") in slots
    assert len(slots) == 3 * 9 - 3  # 08:00–17:00 in 20-minute slots, one lunch hour out


def test_shortened_day_cuts_the_slots_and_holidays_have_none():
    assert sch.slots_on(CURATOR, OFFICE, date(2026, 12, 30))[-1] == at(date(2026, 12, 30), "11:40")
    assert sch.slots_on(CURATOR, OFFICE, date(2026, 12, 31)) == []
    assert sch.slots_on(CURATOR, OFFICE, date(2027, 1, 2)) == []


def test_a_queue_works_only_its_own_days():
    psychologist = OFFICE.schedule("psychologist")
    assert sch.slots_on(psychologist, OFFICE, MONDAY) == []
    tuesday = sch.slots_on(psychologist, OFFICE, MONDAY + timedelta(days=1))
    assert tuesday[0] == at(MONDAY + timedelta(days=1), "10:00")
    assert at(MONDAY + timedelta(days=1), "11:20") in tuesday  # 11:20–12:00 ends at lunch
    assert at(MONDAY + timedelta(days=1), "12:00") not in tuesday


def test_a_working_saturday_given_as_a_shortened_day_opens():
    calendar = Calendar(shortened=((date(2027, 1, 16), time(9), time(13)),))
    office = replace(OFFICE, calendar=calendar)
    assert sch.is_open(office, at(date(2027, 1, 16), "10:00"))
    saturday = date(2027, 1, 16)
    assert sch.slots_on(office.schedule("curator"), office, saturday)[0] == at(saturday, "09:00")


def test_free_slots_count_places_left():
    now = at(MONDAY, "10:05")
    taken = {"2026-12-28T10:20": 2, "2026-12-28T10:40": 1}
    free = sch.free_slots(CURATOR, OFFICE, now, 1, taken)
    starts = [f.at for f in free]
    assert at(MONDAY, "10:00") not in starts  # begun
    assert at(MONDAY, "10:20") not in starts  # full (capacity 2)
    assert next(f for f in free if f.at == at(MONDAY, "10:40")).free == 1
    assert next(f for f in free if f.at == at(MONDAY, "11:00")).free == 2


def test_free_slots_stop_at_the_horizon():
    now = at(MONDAY, "10:00")
    free = sch.free_slots(CURATOR, OFFICE, now, 400, {})
    assert max(f.at.date() for f in free) <= MONDAY + timedelta(days=CURATOR.horizon_days)


@pytest.mark.parametrize(("slot", "code"), [
    ("2026-12-28 09:00", "slot_in_past"),
    ("2026-12-31 10:00", "holiday"),
    ("2026-12-28 12:20", "not_a_slot"),  # lunch
    ("2026-12-28 10:10", "not_a_slot"),  # off the grid
    ("2026-12-30 14:00", "not_a_slot"),  # after the shortened close
    ("2027-03-01 10:00", "beyond_horizon"),
])
def test_what_cannot_be_booked(slot, code):
    with pytest.raises(sch.ScheduleError) as refused:
        sch.check_bookable(CURATOR, OFFICE, datetime.fromisoformat(slot), at(MONDAY, "10:00"))
    assert refused.value.code == code
    assert str(refused.value).startswith("slot:")


def test_check_in_window():
    rules = Rules(appointment_early_min=30, appointment_late_min=15)
    slot = at(MONDAY, "10:00")
    assert sch.check_in_verdict(slot, at(MONDAY, "09:29"), rules) == sch.EARLY
    assert sch.check_in_verdict(slot, at(MONDAY, "09:30"), rules) == sch.ON_TIME
    assert sch.check_in_verdict(slot, at(MONDAY, "10:15"), rules) == sch.ON_TIME
    assert sch.check_in_verdict(slot, at(MONDAY, "10:16"), rules) == sch.LATE
