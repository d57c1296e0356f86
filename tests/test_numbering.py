"""Numbers per office day: local midnight, never reused, continuing after a restart."""

from datetime import UTC, datetime

import pytest

from queue_server.config import DEMO_OFFICE_PATH, load_office
from queue_server.domain import clock as clocks
from queue_server.domain.clock import ManualClock, ShiftedClock
from queue_server.domain.numbering import office_day, printed_number, spoken_number
from queue_server.domain.tickets import Status
from queue_server.service import Services
from queue_server.store.database import Store
from queue_server.store.tickets import open_tickets, rebuild_tickets

OFFICE = load_office(DEMO_OFFICE_PATH)


def service_on(path, clock):
    return Services(Store(path / "queue.db"), OFFICE, clock)


def issue(service, situation="job_search"):
    return service.tickets.issue(life_situation=situation, language="ru", priority=False,
                         actor="device:kiosk").ticket


def test_formats_for_print_and_speech():
    assert printed_number("А", 7) == "А007"
    assert printed_number("К", 1234) == "К1234"
    assert spoken_number("А", 7) == "А 7"


def test_office_day_is_local_not_utc():
    late_utc = datetime(2026, 11, 27, 21, 30, tzinfo=UTC)  # 00:30 on the 28th in Chelny
    assert office_day(late_utc, "Europe/Moscow").isoformat() == "2026-11-28"
    assert late_utc.date().isoformat() == "2026-11-27"


def test_a_simulated_day_across_midnight_and_a_restart(tmp_path):
    clock = ManualClock(datetime(2026, 11, 27, 5, 0, tzinfo=UTC))  # 08:00 local
    service = service_on(tmp_path, clock)
    morning = [issue(service) for _ in range(3)] + [issue(service, "disability")]
    assert [t.number for t in morning] == ["А001", "А002", "А003", "К001"]

    # The server restarts in the afternoon: numbering continues, nothing is reused.
    clock.advance(hours=6)
    service.store.close()
    service = service_on(tmp_path, clock)
    assert issue(service).number == "А004"
    leftover = issue(service)  # will still wait at the end of the day

    # 23:59 local is still the same day; 00:01 is a new one, numbering starts again.
    clock.set(datetime(2026, 11, 27, 20, 59, tzinfo=UTC))
    assert issue(service).number == "А006"
    clock.advance(minutes=2)
    first_of_new_day = issue(service)
    assert (first_of_new_day.number, first_of_new_day.day.isoformat()) == ("А001", "2026-11-28")

    # The day boundary closes what the old day left open (end_of_day = "cancel").
    service.tickets.tick()
    assert service.tickets.ticket(leftover.id).status is Status.CANCELLED
    assert {t.id for t in open_tickets(service.store.db)} == {first_of_new_day.id}
    # Same number on two days is fine: (day, prefix, number) is what is unique.
    assert service.tickets.ticket(morning[0].id).number == first_of_new_day.number


def test_the_projection_can_be_rebuilt_from_the_event_log(tmp_path):
    clock = ManualClock(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))
    service = service_on(tmp_path, clock)
    tickets = [issue(service) for _ in range(4)]
    service.tickets.call_next("window_1", actor="user:reception")
    clock.advance(minutes=1)
    service.tickets.redirect(tickets[0].id, queue=None, workplace="window_3", comment="к куратору",
                     return_to_me=False, from_workplace="window_1", actor="user:reception")
    service.tickets.call_next("window_1", actor="user:reception")
    rebuilt = rebuild_tickets(service.store.db)
    for original in tickets:
        assert rebuilt[original.id] == service.tickets.ticket(original.id)


def test_numbers_are_unique_under_concurrent_issuing(tmp_path):
    import threading

    clock = ManualClock(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))
    service = service_on(tmp_path, clock)
    numbers: list[str] = []

    def kiosk():
        for _ in range(25):
            numbers.append(issue(service).number)

    threads = [threading.Thread(target=kiosk) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == [printed_number("А", n) for n in range(1, 101)]


def test_postponement_returns_by_itself_when_time_passes(tmp_path):
    clock = ManualClock(datetime(2026, 11, 27, 6, 0, tzinfo=UTC))
    service = service_on(tmp_path, clock)
    ticket = issue(service)
    service.tickets.call_next("window_1", actor="user:reception")
    service.tickets.postpone(ticket.id, minutes=10, workplace="window_1", actor="user:reception")
    clock.advance(minutes=9)
    service.tickets.tick()
    assert service.tickets.ticket(ticket.id).status is Status.POSTPONED
    clock.advance(minutes=1)
    service.tickets.tick()
    back = service.tickets.ticket(ticket.id)
    assert (back.status, back.target_workplace) == (Status.WAITING, "window_1")


def test_people_ahead_on_issue_matches_the_queue_line(tmp_path):
    clock = ManualClock(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))
    service = service_on(tmp_path, clock)

    def ahead(priority=False):
        issued = service.tickets.issue(life_situation="job_search", language="ru", priority=priority,
                               actor="device:kiosk")
        clock.advance(seconds=30)
        # the quick count on issue agrees with the full routing order
        assert issued.people_ahead == service.tickets.position(issued.ticket)[0]
        return issued.people_ahead

    assert [ahead(), ahead(), ahead()] == [0, 1, 2]
    assert ahead(priority=True) == 0  # out of turn: ahead of everyone but other priorities
    service.tickets.call_next("window_1", actor="user:reception")  # takes the priority ticket
    assert ahead() == 3


def test_a_shifted_clock_runs_at_its_speed_from_its_start(monkeypatch):
    """``--clock-speed``: the office day of a bench at 50× is 50 office seconds per real second."""
    real = [1000.0]
    monkeypatch.setattr(clocks.time, "monotonic", lambda: real[0])
    start = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    fast, plain = ShiftedClock(start, speed=50), ShiftedClock(start)
    assert fast.now() == plain.now() == start
    real[0] += 3.5
    assert (fast.now() - start).total_seconds() == 175.0
    assert (plain.now() - start).total_seconds() == 3.5
    with pytest.raises(ValueError, match="positive speed"):
        ShiftedClock(start, speed=0)
