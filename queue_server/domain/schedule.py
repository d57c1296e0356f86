"""Opening hours and booking slots: when the office is open, which times may be booked.

Pure: every function takes office-local naive datetimes or dates (the service turns
the clock's UTC moment into the office's wall time).  The office's ``[hours]`` and
its calendar (holidays, shortened days) say when the doors are open; a queue's
``Schedule`` says which slots of those hours take booked visitors.  Tested on its
own over a simulated week in tests/test_schedule.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from queue_server.domain.office import Calendar, Office, OpeningHours, Rules, Schedule

SEARCH_DAYS = 400  # how far ``next_opening`` looks (a year of holidays and then some)
SLOT_FORMAT = "%Y-%m-%dT%H:%M"  # a slot as text: office wall time to the minute (the store's too)


class ScheduleError(ValueError):
    """A time that cannot be booked; ``field`` names the request field, ``code`` the kind."""

    def __init__(self, field: str, code: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.code = code


# --- the office's doors ---------------------------------------------------------------


def hours_on(week: tuple[OpeningHours, ...], calendar: Calendar, day: date) -> tuple[time, time] | None:
    """Opening and closing time on ``day``, or None when closed (weekend or holiday).

    A shortened day keeps its opening time and closes at the shortened closing time;
    a shortened day that is not in the week at all (a working Saturday) opens as given.
    """
    if day in calendar.holidays:
        return None
    regular = next(((h.opens, h.closes) for h in week if h.weekday == day.weekday()), None)
    shortened = calendar.shortened_on(day)
    if shortened is None:
        return regular
    return shortened


def is_open(office: Office, moment: datetime) -> bool:
    hours = hours_on(office.hours, office.calendar, moment.date())
    return hours is not None and hours[0] <= moment.time() < hours[1]


def next_opening(office: Office, moment: datetime) -> datetime | None:
    """The first opening moment after ``moment`` (office-local), or None within a year."""
    for offset in range(SEARCH_DAYS):
        day = moment.date() + timedelta(days=offset)
        hours = hours_on(office.hours, office.calendar, day)
        if hours is None:
            continue
        opens = datetime.combine(day, hours[0])
        if opens > moment:
            return opens
    return None


# --- a queue's slots ------------------------------------------------------------------


def working_hours(schedule: Schedule, office: Office, day: date) -> tuple[time, time] | None:
    """The queue's booking hours on ``day``: its own, inside the office's on that day."""
    return _working_hours(schedule, office.hours, office.calendar, day)


def _working_hours(schedule: Schedule, week: tuple[OpeningHours, ...], calendar: Calendar,
                   day: date) -> tuple[time, time] | None:
    doors = hours_on(week, calendar, day)
    own = next(((h.opens, h.closes) for h in schedule.days if h.weekday == day.weekday()), None)
    if doors is None or own is None:
        if doors is not None and calendar.shortened_on(day) and own is None:
            own = doors  # a working weekend day: the queue works the office's hours
        else:
            return None
    opens, closes = max(own[0], doors[0]), min(own[1], doors[1])
    return (opens, closes) if opens < closes else None


def slots_on(schedule: Schedule, office: Office, day: date) -> list[datetime]:
    """Start times of the bookable slots of one day, lunch left out."""
    return [slot for slot, _ in _slots_on(schedule, office.hours, office.calendar, day)]


@lru_cache(maxsize=8192)
def _slots_on(schedule: Schedule, week: tuple[OpeningHours, ...], calendar: Calendar,
              day: date) -> tuple[tuple[datetime, str], ...]:
    """Pure and asked again for every search over the same days: kept (the free-slot search
    of 60 days × 10 queues must answer in milliseconds)."""
    hours = _working_hours(schedule, week, calendar, day)
    if hours is None:
        return ()
    step = timedelta(minutes=schedule.slot_min)
    start, end = datetime.combine(day, hours[0]), datetime.combine(day, hours[1])
    if schedule.lunch is None:
        lunch_starts = lunch_ends = end  # no slot ends after the day's end: nothing overlaps
    else:
        lunch_starts = datetime.combine(day, schedule.lunch[0])
        lunch_ends = datetime.combine(day, schedule.lunch[1])
    result = []
    while start + step <= end:
        if not (start < lunch_ends and lunch_starts < start + step):  # not overlapping lunch
            result.append((start, start.strftime(SLOT_FORMAT)))
        start += step
    return tuple(result)


def horizon_end(schedule: Schedule, today: date) -> date:
    """The last day that may be booked today."""
    return today + timedelta(days=schedule.horizon_days)


def check_bookable(schedule: Schedule, office: Office, slot: datetime, now: datetime) -> None:
    """Raise ScheduleError unless ``slot`` is a free-able slot of the queue (capacity aside)."""
    if slot <= now:
        raise ScheduleError("slot", "slot_in_past", f"{slot:%Y-%m-%d %H:%M} has already begun")
    if slot.date() > horizon_end(schedule, now.date()):
        raise ScheduleError("slot", "beyond_horizon",
                            f"booking opens {schedule.horizon_days} days ahead; "
                            f"{slot:%Y-%m-%d} is further")
    if slot.date() in office.calendar.holidays:
        raise ScheduleError("slot", "holiday", f"{slot:%Y-%m-%d} is a holiday")
    if slot not in slots_on(schedule, office, slot.date()):
        raise ScheduleError("slot", "not_a_slot",
                            f"{slot:%Y-%m-%d %H:%M} is not a slot of queue {schedule.queue!r} "
                            "(outside its hours, at lunch, or not on the slot grid)")


@dataclass(frozen=True)
class FreeSlot:
    queue: str
    at: datetime  # office-local start
    free: int  # places left
    text: str  # ``at`` as SLOT_FORMAT text


def free_slots(schedule: Schedule, office: Office, now: datetime, days: int,
               taken: dict[str, int], *, start: date | None = None) -> list[FreeSlot]:
    """Slots with a place left over ``days`` days from ``start`` (today), inside the horizon.

    ``taken``: places already booked per slot, by its SLOT_FORMAT text.
    """
    first = max(start or now.date(), now.date())
    last = min(first + timedelta(days=days - 1), horizon_end(schedule, now.date()))
    result = []
    day = first
    while day <= last:
        for slot, text in _slots_on(schedule, office.hours, office.calendar, day):
            if slot <= now:
                continue
            left = schedule.capacity - taken.get(text, 0)
            if left > 0:
                result.append(FreeSlot(schedule.queue, slot, left, text))
        day += timedelta(days=1)
    return result


# --- checking in ----------------------------------------------------------------------

EARLY, ON_TIME, LATE = "early", "on_time", "late"


def check_in_window(slot: datetime, rules: Rules) -> tuple[datetime, datetime]:
    """From when until when a booking for ``slot`` may be checked in."""
    return (slot - timedelta(minutes=rules.appointment_early_min),
            slot + timedelta(minutes=rules.appointment_late_min))


def check_in_verdict(slot: datetime, now: datetime, rules: Rules) -> str:
    opens, closes = check_in_window(slot, rules)
    if now < opens:
        return EARLY
    if now > closes:
        return LATE
    return ON_TIME
