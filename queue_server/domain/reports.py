"""The centre's quality reports, computed from the event log as pure functions.

The store hands over plain rows (tickets of a period, their events, feedback, the
workplaces' status changes); everything a manager reads is derived here, so each
figure can be tested without a database.  The definitions are in docs/reports.md.

A visit is one ticket, counted on the day it was issued.  Each stop in a queue is a
*leg*: it starts when the ticket begins to wait (issued, redirected, returned,
restored) and its wait ends at the first call; service runs from "start" to the
leg's end (finish, redirect, postponement).
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import NamedTuple
from zoneinfo import ZoneInfo

from queue_server.domain.limits import InvalidInput

MAX_PERIOD_DAYS = 366  # a report covers at most a year; longer periods are refused
SATISFIED_FROM = 4  # ratings 4 and 5 of 5 count as satisfied
RATINGS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Period:
    """Whole office days, both ends included."""

    start: date
    end: date

    @classmethod
    def checked(cls, start: date, end: date) -> Period:
        if end < start:
            raise InvalidInput("period: the end comes before the start")
        if (end - start).days + 1 > MAX_PERIOD_DAYS:
            raise InvalidInput(f"period: at most {MAX_PERIOD_DAYS} days")
        return cls(start, end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def each_day(self) -> Iterable[date]:
        return (self.start + timedelta(days=offset) for offset in range(self.days))

    def instants(self, time_zone: str) -> tuple[datetime, datetime]:
        """The period as [from, to) instants in UTC, the office's days in its time zone."""
        zone = ZoneInfo(time_zone)
        begin = datetime.combine(self.start, datetime.min.time(), zone)
        after = datetime.combine(self.end + timedelta(days=1), datetime.min.time(), zone)
        return begin.astimezone(UTC), after.astimezone(UTC)


@dataclass(frozen=True)
class Filters:
    life_situation: str | None = None
    queue: str | None = None
    workplace: str | None = None
    staff: str | None = None  # a user name

    @property
    def by_leg(self) -> bool:
        return any((self.queue, self.workplace, self.staff))

    def leg_matches(self, leg: Leg) -> bool:
        return ((self.queue is None or leg.queue == self.queue)
                and (self.workplace is None or leg.workplace == self.workplace)
                and (self.staff is None or leg.staff == self.staff))


@dataclass(slots=True)
class Leg:
    queue: str
    queued_at: datetime
    called_at: datetime | None = None
    workplace: str | None = None
    staff: str | None = None  # the user who called
    started_at: datetime | None = None
    ended_at: datetime | None = None
    outcome: str | None = None  # finished | redirected | postponed | no_show | cancelled
    appointment_at: datetime | None = None  # set on the first leg of an appointment visit

    wait_min: float | None = None  # filled in by ``settle`` once the leg's events are folded
    service_min: float | None = None

    def settle(self) -> None:
        self.wait_min, self.service_min = self._wait(), self._service()

    def _wait(self) -> float | None:
        if self.called_at is None:
            return None
        since = self.queued_at
        if self.appointment_at is not None and self.appointment_at > since:
            since = self.appointment_at
        return max(0.0, (self.called_at - since).total_seconds() / 60)

    def _service(self) -> float | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds() / 60


@dataclass
class Visit:
    ticket_id: str
    number: str
    day: date
    issued_at: datetime
    life_situation: str
    status: str
    appointment_at: datetime | None = None
    legs: list[Leg] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    result: str = ""
    counts: Counter = field(default_factory=Counter)  # redirects, returns, no_shows, …

    @property
    def path(self) -> tuple[str, ...]:
        """The queues the visit went through, a repeated stop in a row counted once."""
        path: list[str] = []
        for leg in self.legs:
            if not path or path[-1] != leg.queue:
                path.append(leg.queue)
        return tuple(path)


@dataclass(frozen=True)
class VisitRow:
    """What the store gives for each ticket of the period."""

    ticket_id: str
    number: str
    day: date
    issued_at: datetime
    life_situation: str
    status: str
    appointment_at: datetime | None


class EventRow(NamedTuple):
    """One event of a visit as the store gives it, with the payload fields the reports read
    (a tuple: a year of history is more than a million of them)."""

    ticket_id: str
    type: str
    at: datetime
    actor: str
    workplace: str | None
    queue: str | None  # ticket.issued: queue; redirected, returned: to_queue
    reason: str | None
    services: tuple[str, ...]
    result: str | None


def staff_name(actor: str) -> str | None:
    return actor.removeprefix("user:") if actor.startswith("user:") else None


def build_visits(rows: Iterable[VisitRow], events: Iterable[EventRow]) -> dict[str, Visit]:
    """Fold each visit's events (in log order) into its legs and counts."""
    visits = {row.ticket_id: Visit(row.ticket_id, row.number, row.day, row.issued_at,
                                   row.life_situation, row.status, row.appointment_at)
              for row in rows}
    folds: dict[str, _Fold] = {}
    for event in events:
        visit = visits.get(event.ticket_id)
        if visit is not None:
            fold = folds.get(event.ticket_id) or folds.setdefault(event.ticket_id, _Fold(visit))
            fold.apply(event)
    for visit in visits.values():
        for leg in visit.legs:
            leg.settle()
    return visits


class _Fold:
    """One visit being folded: its open leg and the queue it was last in."""

    def __init__(self, visit: Visit):
        self.visit = visit
        self.leg: Leg | None = None
        self.queue = ""

    def begin(self, queue: str, at: datetime, first: bool = False) -> None:
        self.leg = Leg(queue, at, appointment_at=self.visit.appointment_at if first else None)
        self.visit.legs.append(self.leg)
        self.queue = queue

    def end(self, outcome: str, at: datetime) -> None:
        if self.leg is not None:
            self.leg.ended_at, self.leg.outcome = at, outcome
        self.leg = None

    def apply(self, event: EventRow) -> None:
        visit, leg = self.visit, self.leg
        match event.type:
            case "ticket.issued":
                self.begin(event.queue or "", event.at, first=True)
            case "ticket.called":
                if leg is not None and leg.called_at is None:
                    leg.called_at, leg.workplace = event.at, event.workplace
                    leg.staff = staff_name(event.actor)
            case "ticket.started":
                if leg is not None:
                    leg.started_at = event.at
            case "ticket.redirected":
                visit.counts["redirects"] += 1
                self.end("redirected", event.at)
                self.begin(event.queue or "", event.at)
            case "ticket.postponed":
                visit.counts["postponed"] += 1
                self.end("postponed", event.at)
            case "ticket.returned":
                if event.reason == "return_to_sender":
                    visit.counts["returns"] += 1
                self.begin(event.queue or "", event.at)
            case "ticket.no_show":
                visit.counts["no_shows"] += 1
                self.end("no_show", event.at)
            case "ticket.restored":
                visit.counts["restored"] += 1
                self.begin(self.queue, event.at)
            case "ticket.finished":
                visit.services.extend(event.services)
                visit.result = event.result or visit.result
                self.end("finished", event.at)
            case "ticket.cancelled":
                visit.counts["cancelled"] += 1
                self.end("cancelled", event.at)


def select(visits: Iterable[Visit], filters: Filters) -> list[Visit]:
    """The visits a report with ``filters`` counts."""
    chosen = []
    for visit in visits:
        if filters.life_situation and visit.life_situation != filters.life_situation:
            continue
        if filters.by_leg and not any(filters.leg_matches(leg) for leg in visit.legs):
            continue
        chosen.append(visit)
    return chosen


def legs_of(visits: Iterable[Visit], filters: Filters) -> list[tuple[Visit, Leg]]:
    return [(visit, leg) for visit in visits for leg in visit.legs if filters.leg_matches(leg)]


# --- figures -------------------------------------------------------------------------

def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least ``share`` of all at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def minutes(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


@dataclass(frozen=True)
class Summary:
    visits: int
    finished: int
    waits: int
    wait_mean: float | None
    wait_median: float | None
    wait_p90: float | None
    walk_in_waits: int
    within_norm: float | None  # % of walk-in waits within the norm
    appointment_waits: int
    within_appointment_norm: float | None
    services: int
    service_mean: float | None
    service_median: float | None
    redirects: int
    returns: int
    no_shows: int
    postponed: int
    cancelled: int
    restored: int


def summary(visits: list[Visit], filters: Filters, norm_min: float, appointment_norm_min: float) -> Summary:
    legs = legs_of(visits, filters)
    waits = [leg.wait_min for _, leg in legs if leg.wait_min is not None]
    walk_in = [leg.wait_min for _, leg in legs if leg.wait_min is not None and leg.appointment_at is None]
    booked = [leg.wait_min for _, leg in legs if leg.wait_min is not None and leg.appointment_at is not None]
    service = [leg.service_min for _, leg in legs if leg.service_min is not None]
    totals: Counter = Counter()
    for visit in visits:
        totals.update(visit.counts)
    return Summary(
        visits=len(visits),
        finished=sum(1 for visit in visits if visit.status == "finished"),
        waits=len(waits),
        wait_mean=minutes(statistics.fmean(waits)) if waits else None,
        wait_median=minutes(statistics.median(waits)) if waits else None,
        wait_p90=minutes(percentile(waits, 0.9)),
        walk_in_waits=len(walk_in),
        within_norm=percent(sum(1 for w in walk_in if w <= norm_min), len(walk_in)),
        appointment_waits=len(booked),
        within_appointment_norm=percent(sum(1 for w in booked if w <= appointment_norm_min), len(booked)),
        services=len(service),
        service_mean=minutes(statistics.fmean(service)) if service else None,
        service_median=minutes(statistics.median(service)) if service else None,
        redirects=totals["redirects"], returns=totals["returns"], no_shows=totals["no_shows"],
        postponed=totals["postponed"], cancelled=totals["cancelled"], restored=totals["restored"],
    )


@dataclass(frozen=True)
class GroupRow:
    """The wait and service figures of one queue, workplace or member of staff."""

    key: str
    waits: int
    wait_mean: float | None
    wait_median: float | None
    wait_p90: float | None
    within_norm: float | None
    services: int
    service_mean: float | None


def by_group(visits: list[Visit], filters: Filters, attribute: str, norm_min: float) -> list[GroupRow]:
    """Wait and service figures per ``queue``, ``workplace`` or ``staff`` of the legs."""
    groups: dict[str, list[Leg]] = {}
    for _, leg in legs_of(visits, filters):
        key = getattr(leg, attribute)
        if key is not None:
            groups.setdefault(key, []).append(leg)
    return [group_row(key, [leg.wait_min for leg in groups[key] if leg.wait_min is not None],
                      [leg.service_min for leg in groups[key] if leg.service_min is not None], norm_min)
            for key in sorted(groups)]


def group_row(key: str, waits: list[float], service: list[float], norm_min: float) -> GroupRow:
    ordered = sorted(waits)  # once: the median, the percentile and the count within the norm
    return GroupRow(
        key, len(ordered),
        minutes(statistics.fmean(ordered)) if ordered else None,
        minutes(statistics.median(ordered)) if ordered else None,
        minutes(percentile(ordered, 0.9)),
        percent(within(ordered, norm_min), len(ordered)),
        len(service), minutes(statistics.fmean(service)) if service else None,
    )


def within(ordered: Sequence[float], norm_min: float) -> int:
    """How many of the sorted ``ordered`` are at most ``norm_min``."""
    return bisect.bisect_right(ordered, norm_min)


def trajectories(visits: list[Visit]) -> list[tuple[tuple[str, ...], int]]:
    """Each path through the queues and how many visits took it, the most frequent first."""
    counts = Counter(visit.path for visit in visits if visit.path)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def transitions(visits: list[Visit]) -> list[tuple[str, str, int]]:
    """Moves from one queue to the next (the edges of the flow chart), with their counts."""
    counts: Counter = Counter()
    for visit in visits:
        path = visit.path
        counts.update(pairwise(path))
    return sorted(((a, b, n) for (a, b), n in counts.items()), key=lambda edge: (-edge[2], edge[0], edge[1]))


# --- load by hour and weekday --------------------------------------------------------

@dataclass(frozen=True)
class StatusChange:
    at: datetime
    workplace: str
    status: str  # open | break | closed


def load_heat_map(visits: list[Visit], time_zone: str) -> dict[tuple[int, int], int]:
    """Tickets issued per (weekday 0=Monday, hour) in the office's time."""
    zone = ZoneInfo(time_zone)
    counts: Counter = Counter()
    for visit in visits:
        local = visit.issued_at.astimezone(zone)
        counts[(local.weekday(), local.hour)] += 1
    return dict(counts)


def staff_on_duty(changes: Sequence[StatusChange], period: Period,
                  time_zone: str) -> dict[tuple[int, int], float]:
    """Workplaces open at half past each hour, averaged over the period's days of that weekday.

    ``changes`` are in log order and include the last change of each workplace before
    the period, so a workplace left open overnight counts from the start.
    """
    zone = ZoneInfo(time_zone)
    weekdays = Counter(day.weekday() for day in period.each_day())
    sums: Counter = Counter()
    status: dict[str, str] = {}
    index = 0
    for day in period.each_day():
        for hour in range(24):
            moment = datetime.combine(day, datetime.min.time(), zone).replace(hour=hour, minute=30)
            while index < len(changes) and changes[index].at <= moment:
                status[changes[index].workplace] = changes[index].status
                index += 1
            open_now = sum(1 for value in status.values() if value == "open")
            if open_now:
                sums[(day.weekday(), hour)] += open_now
    return {key: round(total / weekdays[key[0]], 2) for key, total in sums.items()}


# --- satisfaction --------------------------------------------------------------------

@dataclass(frozen=True)
class Rating:
    id: int
    ticket_id: str | None
    at: datetime
    rating: int
    reasons: tuple[str, ...]
    comment: str
    source: str
    workplace: str | None
    response: str = ""
    responded_by: str | None = None
    responded_at: datetime | None = None
    recorded_by: str | None = None


@dataclass(frozen=True)
class Satisfaction:
    ratings: int
    satisfied: int
    share: float | None  # % of ratings 4–5
    by_rating: dict[int, int]
    weekly: list[tuple[str, int, float | None]]  # ISO week "2026-W48", ratings, share
    reasons: list[tuple[str, int]]


def ratings_in_scope(ratings: Iterable[Rating], visits: Iterable[Visit], filters: Filters) -> list[Rating]:
    """Ratings of the chosen visits; ratings without a visit (a phone call) only unfiltered."""
    unfiltered = filters == Filters()
    chosen = {visit.ticket_id for visit in visits}
    return [r for r in ratings
            if (r.ticket_id in chosen) or (r.ticket_id is None and unfiltered)]


def satisfaction(ratings: Sequence[Rating], time_zone: str) -> Satisfaction:
    zone = ZoneInfo(time_zone)
    weeks: dict[str, list[int]] = {}
    reasons: Counter = Counter()
    for rating in ratings:
        year, week, _ = rating.at.astimezone(zone).isocalendar()
        weeks.setdefault(f"{year}-W{week:02d}", []).append(rating.rating)
        reasons.update(rating.reasons)
    satisfied = sum(1 for r in ratings if r.rating >= SATISFIED_FROM)
    return Satisfaction(
        ratings=len(ratings), satisfied=satisfied, share=percent(satisfied, len(ratings)),
        by_rating={value: sum(1 for r in ratings if r.rating == value) for value in RATINGS},
        weekly=[(week, len(values), percent(sum(1 for v in values if v >= SATISFIED_FROM), len(values)))
                for week, values in sorted(weeks.items())],
        reasons=sorted(reasons.items(), key=lambda item: (-item[1], item[0])),
    )


# --- the life-situation complexes ----------------------------------------------------

def complex_services(visits: list[Visit]) -> list[tuple[str, str, int, int]]:
    """(situation, service, times delivered, visits that received it), by situation then count."""
    delivered: Counter = Counter()
    recipients: Counter = Counter()
    for visit in visits:
        delivered.update((visit.life_situation, service) for service in visit.services)
        recipients.update((visit.life_situation, service) for service in set(visit.services))
    return sorted(((s, svc, n, recipients[(s, svc)]) for (s, svc), n in delivered.items()),
                  key=lambda row: (row[0], -row[2], row[1]))


class RegistryRow(NamedTuple):
    """One recipient of a complex: a line of the registry (small: a year has many)."""

    number: str
    day: date
    life_situation: str
    services: tuple[str, ...]
    result: str


def registry(visits: list[Visit]) -> list[RegistryRow]:
    """The recipients of a complex: every visit that received at least one service."""
    return [RegistryRow(v.number, v.day, v.life_situation, tuple(v.services), v.result)
            for v in sorted((v for v in visits if v.services), key=lambda v: (v.issued_at, v.number))]


# --- today ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Today:
    waiting: int
    being_served: int
    served: int
    wait_mean: float | None
    within_norm: float | None
    workplaces_open: int
    norm_min: float


def today(visits: list[Visit], waiting: int, being_served: int, workplaces_open: int,
          norm_min: float) -> Today:
    waits = [leg.wait_min for visit in visits for leg in visit.legs if leg.wait_min is not None]
    return Today(
        waiting=waiting, being_served=being_served,
        served=sum(1 for visit in visits if visit.status == "finished"),
        wait_mean=minutes(statistics.fmean(waits)) if waits else None,
        within_norm=percent(sum(1 for w in waits if w <= norm_min), len(waits)),
        workplaces_open=workplaces_open, norm_min=norm_min,
    )
