"""A visit's report facts as flat rows, and the report figures computed from such rows.

The fold of ``reports.build_visits`` stays the definition of a visit and its legs;
here its result is flattened into rows the store keeps for closed office days
(``report_visits``, ``report_legs``), and the figures of ``reports`` are computed
again from the rows the store selects.  tests/test_report_facts.py holds both ways
to identical reports.  Waits and service times are the fold's own floats, so the
means, medians and percentiles are exactly those of the fold.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import NamedTuple
from zoneinfo import ZoneInfo

from queue_server.domain import reports as rep

SEPARATOR = "\x1f"  # joins a path's queues and a visit's services in one text column
COUNTS = ("redirects", "returns", "no_shows", "postponed", "cancelled", "restored")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class VisitFact(NamedTuple):
    """One visit, as a row of ``report_visits``."""

    ticket_id: str
    day: str
    issued_us: int  # microseconds since 1970 (UTC): orders the registry as the fold does
    number: str
    life_situation: str
    status: str
    weekday: int  # of the issue, in the office's time
    hour: int
    path: str
    services: str
    result: str
    redirects: int
    returns: int
    no_shows: int
    postponed: int
    cancelled: int
    restored: int


class LegFact(NamedTuple):
    """One leg, as a row of ``report_legs`` (the visit's life situation repeated for filters).

    Waits and service times are kept as whole microseconds: ``to_minutes`` gives back the
    fold's float bit for bit (``Leg.settle``: timedelta seconds / 60), and integers travel
    through SQL text (group_concat) without loss.
    """

    ticket_id: str
    day: str
    leg: int
    life_situation: str
    queue: str
    workplace: str | None
    staff: str | None
    appointment: int  # 1: the first leg of an appointment visit (its own wait norm)
    wait_us: int | None
    service_us: int | None


def to_minutes(microseconds: int) -> float:
    """``timedelta.total_seconds() / 60`` of a span of whole microseconds."""
    return microseconds / 1_000_000 / 60


def _wait_us(leg: rep.Leg) -> int | None:
    if leg.called_at is None:
        return None
    since = leg.queued_at
    if leg.appointment_at is not None and leg.appointment_at > since:
        since = leg.appointment_at
    return max(0, (leg.called_at - since) // _MICROSECOND)


def _service_us(leg: rep.Leg) -> int | None:
    if leg.started_at is None or leg.ended_at is None:
        return None
    return (leg.ended_at - leg.started_at) // _MICROSECOND


def facts_of(visits: Iterable[rep.Visit], time_zone: str) -> tuple[list[VisitFact], list[LegFact]]:
    """The rows of folded visits (``reports.build_visits``)."""
    zone = ZoneInfo(time_zone)
    visit_rows, leg_rows = [], []
    for visit in visits:
        day, local = visit.day.isoformat(), visit.issued_at.astimezone(zone)
        visit_rows.append(VisitFact(
            visit.ticket_id, day, (visit.issued_at - _EPOCH) // _MICROSECOND, visit.number,
            visit.life_situation, visit.status, local.weekday(), local.hour,
            SEPARATOR.join(visit.path), SEPARATOR.join(visit.services), visit.result,
            *(visit.counts[name] for name in COUNTS)))
        leg_rows.extend(
            LegFact(visit.ticket_id, day, index, visit.life_situation, leg.queue, leg.workplace, leg.staff,
                    int(leg.appointment_at is not None), _wait_us(leg), _service_us(leg))
            for index, leg in enumerate(visit.legs))
    return visit_rows, leg_rows


# --- figures from the rows -----------------------------------------------------------

class LegGroup(NamedTuple):
    """The chosen legs of one (queue, workplace, staff, appointment): their waits and
    service times in minutes (``minutes_of``)."""

    queue: str
    workplace: str | None
    staff: str | None
    appointment: int
    waits: list[float]
    services: list[float]


def minutes_of(joined: str | None) -> list[float]:
    """Minutes of comma-separated microseconds (SQL ``group_concat``)."""
    if not joined:
        return []
    return [value / 1_000_000 / 60 for value in map(int, joined.split(","))]  # to_minutes, inlined


class VisitGroup(NamedTuple):
    """The chosen visits of one (path, weekday, hour, situation, services): how many, how
    many finished, and their counts (``COUNTS``) summed."""

    path: str
    weekday: int
    hour: int
    life_situation: str
    services: str
    visits: int
    finished: int
    counts: tuple[int, ...]


def summary(legs: Sequence[LegGroup], visits: Sequence[VisitGroup], norm_min: float,
            appointment_norm_min: float) -> rep.Summary:
    """``reports.summary`` of the chosen legs and visits."""
    walk_in: list[float] = []
    booked: list[float] = []
    service: list[float] = []
    for group in legs:
        (booked if group.appointment else walk_in).extend(group.waits)
        service.extend(group.services)
    # Sorted once here, the median and percentile's own sorts pass over them in one go.
    waits = sorted(walk_in + booked)
    walk_in.sort()
    booked.sort()
    service.sort()
    totals = [sum(group.counts[index] for group in visits) for index in range(len(COUNTS))]
    return rep.Summary(
        visits=sum(group.visits for group in visits), finished=sum(group.finished for group in visits),
        waits=len(waits),
        wait_mean=rep.minutes(statistics.fmean(waits)) if waits else None,
        wait_median=rep.minutes(statistics.median(waits)) if waits else None,
        wait_p90=rep.minutes(rep.percentile(waits, 0.9)),
        walk_in_waits=len(walk_in),
        within_norm=rep.percent(rep.within(walk_in, norm_min), len(walk_in)),
        appointment_waits=len(booked),
        within_appointment_norm=rep.percent(rep.within(booked, appointment_norm_min), len(booked)),
        services=len(service),
        service_mean=rep.minutes(statistics.fmean(service)) if service else None,
        service_median=rep.minutes(statistics.median(service)) if service else None,
        **dict(zip(COUNTS, totals, strict=True)),
    )


def by_group(legs: Sequence[LegGroup], attribute: str, norm_min: float) -> list[rep.GroupRow]:
    """``reports.by_group`` of the chosen legs."""
    waits: dict[str, list[float]] = {}
    service: dict[str, list[float]] = {}
    for group in legs:
        key = getattr(group, attribute)
        if key is not None:
            waits.setdefault(key, []).extend(group.waits)
            service.setdefault(key, []).extend(group.services)
    return [rep.group_row(key, waits[key], service[key], norm_min) for key in sorted(waits)]


def load_heat_map(visits: Iterable[VisitGroup]) -> dict[tuple[int, int], int]:
    counts: Counter = Counter()
    for group in visits:
        counts[(group.weekday, group.hour)] += group.visits
    return dict(counts)


def paths(visits: Iterable[VisitGroup]) -> Counter:
    counts: Counter = Counter()
    for group in visits:
        counts[group.path] += group.visits
    return counts


def combinations(visits: Iterable[VisitGroup]) -> Counter:
    """Visits by (situation, joined services)."""
    counts: Counter = Counter()
    for group in visits:
        if group.services:
            counts[(group.life_situation, group.services)] += group.visits
    return counts


def trajectories(counted: Counter) -> list[tuple[tuple[str, ...], int]]:
    """``reports.trajectories`` from ``paths``."""
    counts = [(tuple(path.split(SEPARATOR)), n) for path, n in counted.items() if path]
    return sorted(counts, key=lambda item: (-item[1], item[0]))


def transitions(paths: Iterable[tuple[tuple[str, ...], int]]) -> list[tuple[str, str, int]]:
    counts: Counter = Counter()
    for path, n in paths:
        for edge in pairwise(path):
            counts[edge] += n
    return sorted(((a, b, n) for (a, b), n in counts.items()), key=lambda edge: (-edge[2], edge[0], edge[1]))


def complex_services(combined: Counter) -> list[tuple[str, str, int, int]]:
    """``reports.complex_services`` from ``combinations``."""
    delivered: Counter = Counter()
    recipients: Counter = Counter()
    for (situation, services), n in combined.items():
        names = services.split(SEPARATOR) if services else []
        for name in names:
            delivered[(situation, name)] += n
        for name in set(names):
            recipients[(situation, name)] += n
    return sorted(((s, svc, n, recipients[(s, svc)]) for (s, svc), n in delivered.items()),
                  key=lambda row: (row[0], -row[2], row[1]))


def registry(rows: Iterable[tuple[str, str, str, str, str]]) -> list[rep.RegistryRow]:
    """``reports.registry`` from (number, day, situation, joined services, result) in order."""
    days: dict[str, date] = {}
    return [rep.RegistryRow(number, days.get(day) or days.setdefault(day, date.fromisoformat(day)),
                            situation, tuple(services.split(SEPARATOR)), result)
            for number, day, situation, services, result in rows]


def fixed_offset_min(period: rep.Period, time_zone: str) -> int | None:
    """The zone's UTC offset in minutes if it stays the same through the period (then the
    database can tell each rating's local day), else None."""
    zone = ZoneInfo(time_zone)
    offsets = {datetime.combine(day, time(hour), zone).utcoffset()
               for day in period.each_day() for hour in (0, 12)}
    offsets.add(datetime.combine(period.end + timedelta(days=1), time(0), zone).utcoffset())
    if len(offsets) != 1:
        return None
    offset = offsets.pop()
    return None if offset is None or offset % timedelta(minutes=1) else offset // timedelta(minutes=1)


def satisfaction(counted: Iterable[tuple[str, int, str, int]], time_zone: str) -> rep.Satisfaction:
    """``reports.satisfaction`` of the ratings in scope, as the store counts them:
    (local day or the rating's instant, rating, reasons as JSON, how many).

    A year holds tens of thousands of ratings but a few distinct days and reason lists,
    so each is worked out once.
    """
    zone = ZoneInfo(time_zone)
    week_of: dict[str, str] = {}
    reasons_of: dict[str, list[str]] = {}
    weeks: dict[str, list[tuple[int, int]]] = {}
    reasons: Counter = Counter()
    by_rating: Counter = Counter()
    for when, rating, listed, n in counted:
        week = week_of.get(when)
        if week is None:
            local = (date.fromisoformat(when) if len(when) == 10
                     else datetime.fromisoformat(when).astimezone(zone))
            year, number, _ = local.isocalendar()
            week = week_of[when] = f"{year}-W{number:02d}"
        weeks.setdefault(week, []).append((rating, n))
        names = reasons_of.get(listed)
        if names is None:
            names = reasons_of[listed] = json.loads(listed)
        for name in names:
            reasons[name] += n
        by_rating[rating] += n

    def share(marks: Iterable[tuple[int, int]]) -> tuple[int, float | None]:
        marks = list(marks)
        total = sum(n for _, n in marks)
        return total, rep.percent(sum(n for value, n in marks if value >= rep.SATISFIED_FROM), total)

    total = sum(by_rating.values())
    satisfied = sum(n for value, n in by_rating.items() if value >= rep.SATISFIED_FROM)
    return rep.Satisfaction(
        ratings=total, satisfied=satisfied, share=rep.percent(satisfied, total),
        by_rating={value: by_rating[value] for value in rep.RATINGS},
        weekly=[(week, *share(marks)) for week, marks in sorted(weeks.items())],
        reasons=sorted(reasons.items(), key=lambda item: (-item[1], item[0])),
    )
