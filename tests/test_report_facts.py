"""The stored report facts of closed days give the very report the event log gives.

The known month (tests/report_month.py) is closed (the day's end cancels what was
left), then reported three ways that must agree figure for figure: folded from the
log alone (``report_from_log``, the definition), from facts folded on the fly, and
from the facts the server stored — before and after a restart.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from queue_server.domain import report_facts as facts
from queue_server.domain.clock import ManualClock
from queue_server.domain.reports import Filters, Period, Rating, satisfaction
from queue_server.service import open_services
from queue_server.service.reports import compute_report, report_from_log
from tests.report_month import FIRST, LAST, WORKDAYS, generate
from tests.support.app_fixtures import DEMO_OFFICE, MONDAY_10_00

MONTH = Period(FIRST, LAST)
AFTER_THE_MONTH = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)  # a Monday, 10:00 in the office


@pytest.fixture(scope="module")
def closed_month(tmp_path_factory):
    directory = tmp_path_factory.mktemp("facts")
    clock = ManualClock(MONDAY_10_00)
    services = open_services(directory, DEMO_OFFICE, clock)
    generate(services, clock)
    clock.set(AFTER_THE_MONTH)
    services.tickets.tick()  # the office days end: nothing of December stays open
    assert services.tickets.open_tickets() == []
    yield services, directory, clock


def _scopes(services) -> list[tuple[Period, Filters]]:
    """Unfiltered and every kind of filter, with values that occur in the month."""
    report = report_from_log(services.store.path, DEMO_OFFICE, MONTH, Filters())
    workplace, staff = report.by_workplace[0].key, report.by_staff[-1].key
    filters = [Filters(), Filters(life_situation="job_search"), Filters(queue="curator"),
               Filters(workplace=workplace), Filters(staff=staff),
               Filters(life_situation="disability", queue="psychologist"), Filters(queue="no_such_queue")]
    week = Period(WORKDAYS[3], WORKDAYS[8])
    return [(period, chosen) for period in (MONTH, week) for chosen in filters]


def _assert_same_reports(path, scopes) -> None:
    for period, filters in scopes:
        stored = compute_report(path, DEMO_OFFICE, period, filters)
        folded = report_from_log(path, DEMO_OFFICE, period, filters)
        assert stored == folded, (period, filters)


def test_stored_facts_give_the_reports_of_the_log_before_and_after_a_restart(closed_month):
    services, directory, clock = closed_month
    path, scopes = services.store.path, _scopes(services)
    assert report_from_log(path, DEMO_OFFICE, MONTH, Filters()).summary.visits == 7 * len(WORKDAYS)
    _assert_same_reports(path, scopes)  # nothing stored: every day folded on the fly

    assert services.reports.write_facts(max_days=5) == 5  # some days stored, the others folded
    _assert_same_reports(path, scopes)

    while services.reports.write_facts(max_days=7):
        pass
    with services.store.read_only() as conn:
        stored = [day for (day,) in conn.execute("SELECT day FROM report_days ORDER BY day")]
        legs = conn.execute("SELECT COUNT(*) FROM report_legs").fetchone()[0]
    assert stored == [day.isoformat() for day in WORKDAYS]
    assert legs > 7 * len(WORKDAYS)  # redirects, returns and restores add legs
    _assert_same_reports(path, scopes)

    services.close()
    again = open_services(directory, DEMO_OFFICE, clock)
    try:
        assert again.reports.write_facts() == 0  # stored once, kept
        _assert_same_reports(again.store.path, scopes)
    finally:
        again.close()


def test_a_day_with_an_open_ticket_is_not_stored_until_it_closes(tmp_path):
    clock = ManualClock(MONDAY_10_00)
    services = open_services(tmp_path, DEMO_OFFICE, clock)
    try:
        services.tickets.issue(life_situation="job_search", language="ru", priority=False,
                               actor="device:kiosk-1")
        clock.set(AFTER_THE_MONTH)  # the day is over, its ticket still waits (no tick yet)
        assert services.reports.write_facts() == 0
        services.reports._facts_checked = float("-inf")  # the next round looks again at once
        services.tickets.tick()
        assert services.reports.write_facts() == 1
        report = compute_report(services.store.path, DEMO_OFFICE, Period(MONDAY_10_00.date(),
                                                                          MONDAY_10_00.date()), Filters())
        assert report.summary.visits == 1 and report.summary.cancelled == 1
    finally:
        services.close()


def test_a_page_asks_for_the_first_lines_of_the_registry_and_its_count(closed_month):
    services, _, _ = closed_month
    full = report_from_log(services.store.path, DEMO_OFFICE, MONTH, Filters())
    page = compute_report(services.store.path, DEMO_OFFICE, MONTH, Filters(), registry_rows=5)
    assert page.registry == full.registry[:5] and len(full.registry) > 5
    assert page.registry_total == full.registry_total == len(full.registry)


@pytest.mark.parametrize("zone, offset",
                         [("Europe/Moscow", 180), ("Asia/Kolkata", 330), ("Europe/Berlin", None)])
def test_ratings_count_by_local_day_only_where_the_offset_never_changes(zone, offset):
    spring = Period(date(2026, 3, 1), date(2026, 4, 30))  # Berlin moves its clocks on 29 March
    assert facts.fixed_offset_min(spring, zone) == offset


def test_ratings_by_instant_give_the_satisfaction_of_the_definition():
    """Where the offset changes, each rating's instant is placed in its week as the fold does."""
    zone = "Europe/Berlin"
    moments = [datetime(2026, 3, 29, 0, 30, tzinfo=UTC) + timedelta(hours=7 * n) for n in range(40)]
    ratings = [Rating(n, None, at, 1 + n % 5, ("quick",) if n % 3 else ("polite", "quick"), "", "tablet",
                      None) for n, at in enumerate(moments)]
    rows = [(r.at.isoformat(), r.rating, json.dumps(list(r.reasons)), 1) for r in ratings]
    assert facts.satisfaction(rows, zone) == satisfaction(ratings, zone)
