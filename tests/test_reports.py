"""Report figures against a generated month with known answers (tests/report_month.py)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from queue_server.domain.clock import ManualClock
from queue_server.domain.reports import Filters, Period
from queue_server.service import open_services
from tests.report_month import DAYS, EXPECTED, FIRST, LAST, generate
from tests.support.app_fixtures import DEMO_OFFICE, MONDAY_10_00

MONTH = Period(FIRST, LAST)


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    clock = ManualClock(MONDAY_10_00)
    services = open_services(tmp_path_factory.mktemp("month"), DEMO_OFFICE, clock)
    ids = generate(services, clock)
    yield services, ids, clock
    services.close()


def test_summary_of_the_month_equals_the_known_answers(month):
    services, _, _ = month
    summary = services.reports.report(MONTH, Filters()).summary
    assert dataclasses.asdict(summary) == EXPECTED


def test_trajectories_and_the_flow_between_queues(month):
    report = month[0].reports.report(MONTH, Filters())
    assert report.trajectories == [
        (("reception",), 4 * DAYS), (("curator",), DAYS),
        (("curator", "psychologist", "curator"), DAYS), (("reception", "curator"), DAYS)]
    assert report.transitions == [("curator", "psychologist", DAYS), ("psychologist", "curator", DAYS),
                                  ("reception", "curator", DAYS)]


def test_groups_by_queue_workplace_and_staff(month):
    report = month[0].reports.report(MONTH, Filters())
    staff = {row.key: row for row in report.by_staff}
    assert set(staff) == {"rec", "cur", "psy"}
    # cur: V2 wait 3, V4 4, V7 6 and 1 → mean 3.5, median 3.5, p90 6
    assert (staff["cur"].waits, staff["cur"].wait_mean, staff["cur"].wait_median, staff["cur"].wait_p90) \
        == (4 * DAYS, 3.5, 3.5, 6.0)
    assert staff["psy"].service_mean == 20.0
    workplaces = {row.key: row for row in report.by_workplace}
    # window_1: waits 10, 20, 0, 2, 30 → 3 of 5 within 15 min
    assert workplaces["window_1"].within_norm == 60.0


def test_filters_narrow_visits_and_legs(month):
    reports = month[0].reports
    by_situation = reports.report(MONTH, Filters(life_situation="disability")).summary
    assert (by_situation.visits, by_situation.waits, by_situation.returns) == (DAYS, 3 * DAYS, DAYS)
    by_staff = reports.report(MONTH, Filters(staff="psy")).summary
    assert (by_staff.visits, by_staff.waits, by_staff.wait_mean, by_staff.service_mean) \
        == (DAYS, DAYS, 10.0, 20.0)
    nothing = reports.report(MONTH, Filters(staff="nobody")).summary
    assert (nothing.visits, nothing.waits, nothing.wait_mean, nothing.within_norm) == (0, 0, None, None)


def test_satisfaction_share_trend_and_reasons(month):
    reports = month[0].reports
    satisfaction = reports.report(MONTH, Filters()).satisfaction
    assert (satisfaction.ratings, satisfaction.satisfied, satisfaction.share) \
        == (4 * DAYS + 1, 2 * DAYS + 1, 50.5)
    assert satisfaction.by_rating == {1: 0, 2: DAYS, 3: DAYS, 4: DAYS, 5: DAYS + 1}
    assert satisfaction.weekly[0] == ("2026-W49", 16, 50.0)
    assert satisfaction.weekly[2] == ("2026-W51", 21, 52.4)  # with the phone rating of 15 Dec
    assert satisfaction.reasons == [("polite", 2 * DAYS), ("long_wait", DAYS), ("quick", DAYS)]
    job_search = reports.report(MONTH, Filters(life_situation="job_search")).satisfaction
    assert (job_search.ratings, job_search.share) == (2 * DAYS, 100.0)


def test_load_against_staff_on_duty(month):
    report = month[0].reports.report(MONTH, Filters())
    tuesdays = 5  # 1, 8, 15, 22, 29 December
    assert report.load[(1, 9)] == 2 * tuesdays and report.load[(1, 10)] == 2 * tuesdays
    assert report.load[(1, 13)] == tuesdays and (1, 14) not in report.load
    assert report.on_duty[(1, 9)] == 2.0 and report.on_duty[(1, 13)] == 2.0
    assert report.on_duty[(1, 14)] == 1.0 and (1, 17) not in report.on_duty and (5, 10) not in report.on_duty


def test_complex_services_and_the_registry(month):
    report = month[0].reports.report(MONTH, Filters())
    assert report.complex_services == [
        ("disability", "disability_employment_support", DAYS, DAYS),
        ("disability", "psychological_support", DAYS, DAYS),
        ("job_search", "employment_plan", DAYS, DAYS), ("job_search", "job_search_help", DAYS, DAYS),
        ("job_search", "resume", DAYS, DAYS), ("lost_job", "unemployment_benefit", DAYS, DAYS)]
    assert len(report.registry) == 4 * DAYS
    first = report.registry[0]
    assert (first.day, first.life_situation, first.services, first.result) == \
        (date(2026, 12, 1), "job_search", ("job_search_help", "resume"), "vacancies")


def test_an_empty_period_counts_nothing(month):
    report = month[0].reports.report(Period(date(2027, 3, 1), date(2027, 3, 31)), Filters())
    assert report.summary.visits == 0 and report.summary.wait_mean is None
    assert report.satisfaction.share is None and report.registry == [] and report.load == {}


def test_a_report_asked_again_within_a_minute_comes_from_memory(month):
    services = month[0]
    first = services.reports.report(MONTH, Filters(queue="curator"))
    assert services.reports.report(MONTH, Filters(queue="curator")) is first
    assert services.reports.report(MONTH, Filters(queue="career")) is not first
