"""A visit's report facts as flat rows, and the report figures computed from such rows.

The fold of ``reports.build_visits`` stays the definition of a visit and its legs;
here its result is flattened into rows the store keeps for closed office days
(``report_visits``, ``report_legs``), and the figures of ``reports`` are computed
again from the rows the store selects.  tests/test_report_facts.py holds both ways
to identical reports.  Waits and service times are the fold's own floats, so the
means, medians and percentiles are exactly those of the fold.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
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
    """One leg, as a row of ``report_legs`` (the visit's life situation repeated for filters)."""

    ticket_id: str
    day: str
    leg: int
    life_situation: str
    queue: str
    workplace: str | None
    staff: str | None
    appointment: int  # 1: the first leg of an appointment visit (its own wait norm)
    wait_min: float | None
    service_min: float | None


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
                    int(leg.appointment_at is not None), leg.wait_min, leg.service_min)
            for index, leg in enumerate(visit.legs))
    return visit_rows, leg_rows


# --- figures from the rows -----------------------------------------------------------

class LegFigures(NamedTuple):
    """What the figures read of a leg: (queue, workplace, staff, appointment, wait, service)."""

    queue: str
    workplace: str | None
    staff: str | None
    appointment: int
    wait_min: float | None
    service_min: float | None


GROUP_COLUMNS = {"queue": 0, "workplace": 1, "staff": 2}


def summary(legs: Sequence[LegFigures], visits: int, finished: int, counts: dict[str, int],
            norm_min: float, appointment_norm_min: float) -> rep.Summary:
    """``reports.summary`` of the chosen legs and the chosen visits' totals."""
    waits = [leg[4] for leg in legs if leg[4] is not None]
    walk_in = [leg[4] for leg in legs if leg[4] is not None and not leg[3]]
    booked = [leg[4] for leg in legs if leg[4] is not None and leg[3]]
    service = [leg[5] for leg in legs if leg[5] is not None]
    return rep.Summary(
        visits=visits, finished=finished, waits=len(waits),
        wait_mean=rep.minutes(statistics.fmean(waits)) if waits else None,
        wait_median=rep.minutes(statistics.median(waits)) if waits else None,
        wait_p90=rep.minutes(rep.percentile(waits, 0.9)),
        walk_in_waits=len(walk_in),
        within_norm=rep.percent(sum(1 for w in walk_in if w <= norm_min), len(walk_in)),
        appointment_waits=len(booked),
        within_appointment_norm=rep.percent(sum(1 for w in booked if w <= appointment_norm_min), len(booked)),
        services=len(service),
        service_mean=rep.minutes(statistics.fmean(service)) if service else None,
        service_median=rep.minutes(statistics.median(service)) if service else None,
        **{name: counts.get(name, 0) for name in COUNTS},
    )


def by_group(legs: Sequence[LegFigures], attribute: str, norm_min: float) -> list[rep.GroupRow]:
    """``reports.by_group`` of the chosen legs."""
    column = GROUP_COLUMNS[attribute]
    waits: dict[str, list[float]] = {}
    service: dict[str, list[float]] = {}
    for leg in legs:
        key = leg[column]
        if key is None:
            continue
        group_waits, group_service = waits.setdefault(key, []), service.setdefault(key, [])
        if leg[4] is not None:
            group_waits.append(leg[4])
        if leg[5] is not None:
            group_service.append(leg[5])
    return [rep.group_row(key, waits[key], service[key], norm_min) for key in sorted(waits)]


def trajectories(paths: Iterable[tuple[str, int]]) -> list[tuple[tuple[str, ...], int]]:
    """``reports.trajectories`` from (joined path, visits) counts."""
    counts = [(tuple(path.split(SEPARATOR)), n) for path, n in paths if path]
    return sorted(counts, key=lambda item: (-item[1], item[0]))


def transitions(paths: Iterable[tuple[tuple[str, ...], int]]) -> list[tuple[str, str, int]]:
    counts: Counter = Counter()
    for path, n in paths:
        for edge in pairwise(path):
            counts[edge] += n
    return sorted(((a, b, n) for (a, b), n in counts.items()), key=lambda edge: (-edge[2], edge[0], edge[1]))


def complex_services(combinations: Iterable[tuple[str, str, int]]) -> list[tuple[str, str, int, int]]:
    """``reports.complex_services`` from (situation, joined services, visits) counts."""
    delivered: Counter = Counter()
    recipients: Counter = Counter()
    for situation, services, n in combinations:
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


def ratings_in_scope(ratings: Iterable[rep.Rating], chosen: set[str],
                     filters: rep.Filters) -> list[rep.Rating]:
    """``reports.ratings_in_scope`` given the chosen visits' ids among the ratings' tickets."""
    unfiltered = filters == rep.Filters()
    return [r for r in ratings if (r.ticket_id in chosen) or (r.ticket_id is None and unfiltered)]
