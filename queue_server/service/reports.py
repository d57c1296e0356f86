"""The quality reports, the live "today" view and the regional export of the event log.

Every read runs on a read-only connection of its own (``Store.read_only``), so a
long report never takes the write lock a kiosk needs to issue a ticket.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import TypeVar

from queue_server.domain import report_facts as facts
from queue_server.domain import reports as rep
from queue_server.domain.office import Office, UnknownId
from queue_server.service.context import Context
from queue_server.service.errors import BadRequest
from queue_server.store import report_facts as facts_store
from queue_server.store import reports as report_store
from queue_server.store.database import read_only

T = TypeVar("T")
EXPORT_SCHEMA = "odno-okno.events/1"  # docs/reports.md describes it; bump on any change
EXPORT_FORMATS = ("jsonl", "csv")
EXPORT_CHUNK_ROWS = 2000  # rows per piece of a streamed export
REPORT_FRESH_S = 60.0  # a report asked for again within a minute is answered from memory
REPORTS_KEPT = 8
REPORT_WORKER_NICENESS = 10
# Closed days written per round of the server's ticker (2 s): folded in the report worker
# a year takes a minute or two; folded in the server's own process (gevent), one day's
# fold (~0.1 s) at a time keeps the requests going.
FACT_DAYS_PER_ROUND, FACT_DAYS_IN_PROCESS = 7, 1
FACT_RECHECK_S = 60.0  # with nothing left to write, look again after a minute


@dataclass(frozen=True)
class Report:
    period: rep.Period
    filters: rep.Filters
    norm_min: float
    appointment_norm_min: float
    summary: rep.Summary
    by_queue: list[rep.GroupRow]
    by_workplace: list[rep.GroupRow]
    by_staff: list[rep.GroupRow]
    trajectories: list[tuple[tuple[str, ...], int]]
    transitions: list[tuple[str, str, int]]
    load: dict[tuple[int, int], int]
    on_duty: dict[tuple[int, int], float]
    satisfaction: rep.Satisfaction
    complex_services: list[tuple[str, str, int, int]]
    registry: list[rep.RegistryRow]  # the first lines asked for, or all
    registry_total: int


def compute_report(path: Path, office: Office, period: rep.Period, filters: rep.Filters,
                   registry_rows: int | None = None) -> Report:
    """Every figure of a report, from its own read-only connection (runs in any process).

    ``registry_rows``: the first so many lines of the registry (a page), or all of them.
    Closed days are read from their stored facts (report_visits, report_legs); the
    period's other days (today, a day not written yet) are folded from the log here.
    The cyclic garbage collector is paused meanwhile: a long period builds hundreds of
    thousands of small objects and nothing cyclic (bench/reports_year.py).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _from_facts(path, office, period, filters, registry_rows)
    finally:
        if collecting:
            gc.enable()


def _from_facts(path: Path, office: Office, period: rep.Period, filters: rep.Filters,
                registry_rows: int | None) -> Report:
    rules, zone = office.rules, office.time_zone
    since, before = period.instants(zone)
    norm, booked_norm = rules.wait_norm_min, rules.appointment_wait_norm_min
    with read_only(path) as conn:
        written = facts_store.days_written(conn, period.start, period.end)
        fresh = [day for day in period.each_day() if day not in written]
        facts_store.add_fresh(conn, *facts.facts_of(_folded(conn, fresh).values(), zone))
        scope = facts_store.Scope(period, filters)
        legs = facts_store.leg_groups(conn, scope)
        visits = facts_store.visit_groups(conn, scope, filters)
        registry = facts.registry(facts_store.registry(conn, scope, registry_rows))
        offset = facts.fixed_offset_min(period, zone)
        ratings = facts_store.ratings(conn, scope, filters, since, before, offset)
        changes = report_store.status_changes(conn, before)
    trajectories = facts.trajectories(facts.paths(visits))
    combinations = facts.combinations(visits)
    return Report(
        period=period, filters=filters, norm_min=norm, appointment_norm_min=booked_norm,
        summary=facts.summary(legs, visits, norm, booked_norm),
        by_queue=facts.by_group(legs, "queue", norm),
        by_workplace=facts.by_group(legs, "workplace", norm),
        by_staff=facts.by_group(legs, "staff", norm),
        trajectories=trajectories,
        transitions=facts.transitions(trajectories),
        load=facts.load_heat_map(visits),
        on_duty=rep.staff_on_duty(changes, period, zone),
        satisfaction=facts.satisfaction(ratings, zone),
        complex_services=facts.complex_services(combinations),
        registry=registry,
        registry_total=sum(combinations.values()),
    )


def _folded(conn, days: list[date]) -> dict[str, rep.Visit]:
    """The visits of ``days`` folded from the log, a run of consecutive days at a time."""
    visits: dict[str, rep.Visit] = {}
    for first, last in _runs(days):
        rows = report_store.visit_rows(conn, first, last)
        visits.update(rep.build_visits(rows, report_store.visit_events(conn, first, last)))
    return visits


def _runs(days: list[date]) -> list[tuple[date, date]]:
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and (day - runs[-1][1]).days == 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def report_from_log(path: Path, office: Office, period: rep.Period, filters: rep.Filters) -> Report:
    """The same report folded from the event log alone: the definition the stored facts are
    held to (tests/test_report_facts.py)."""
    rules, zone = office.rules, office.time_zone
    since, before = period.instants(zone)
    with read_only(path) as conn:
        visits = _folded(conn, list(period.each_day()))
        changes = report_store.status_changes(conn, before)
        ratings = report_store.ratings(conn, since, before)
    chosen = rep.select(visits.values(), filters)
    norm, booked_norm = rules.wait_norm_min, rules.appointment_wait_norm_min
    return Report(
        period=period, filters=filters, norm_min=norm, appointment_norm_min=booked_norm,
        summary=rep.summary(chosen, filters, norm, booked_norm),
        by_queue=rep.by_group(chosen, filters, "queue", norm),
        by_workplace=rep.by_group(chosen, filters, "workplace", norm),
        by_staff=rep.by_group(chosen, filters, "staff", norm),
        trajectories=rep.trajectories(chosen),
        transitions=rep.transitions(chosen),
        load=rep.load_heat_map(chosen, zone),
        on_duty=rep.staff_on_duty(changes, period, zone),
        satisfaction=rep.satisfaction(rep.ratings_in_scope(ratings, chosen, filters), zone),
        complex_services=rep.complex_services(chosen),
        registry=(registry := rep.registry(chosen)),
        registry_total=len(registry),
    )


def facts_of_day(path: Path, time_zone: str, day: date) -> tuple[list, list]:
    """A closed day's visits and legs as rows to store (runs in the report worker)."""
    with read_only(path) as conn:
        return facts.facts_of(_folded(conn, [day]).values(), time_zone)


def _behind_the_server() -> None:
    """The report worker yields the CPU to the server: on a busy 2-core machine a kiosk's
    ticket comes first, a report may take a little longer."""
    if hasattr(os, "nice"):
        os.nice(REPORT_WORKER_NICENESS)


class Reports:
    def __init__(self, context: Context):
        self._ctx = context
        self._store = context.store
        self._office = context.office
        self._worker: ProcessPoolExecutor | None = None
        self._recent: dict[tuple, tuple[float, Report]] = {}  # oldest first
        self._lock = threading.Lock()
        self._facts_checked = -math.inf  # monotonic time of the last look that found nothing

    def check_filters(self, filters: rep.Filters) -> rep.Filters:
        """Unknown ids are refused with the field's name; a known id that matches nothing is fine."""
        checks = (("life_situation", self._office.life_situation), ("queue", self._office.queue),
                  ("workplace", self._office.workplace))
        for name, lookup in checks:
            value = getattr(filters, name)
            if value:
                try:
                    lookup(value)
                except UnknownId:
                    what = name.replace("_", " ")
                    raise BadRequest(f"{name}: no {what} {value!r} in this office") from None
        return filters

    def report(self, period: rep.Period, filters: rep.Filters, registry_rows: int | None = None) -> Report:
        """The report of ``period``; the same one again within REPORT_FRESH_S comes from memory
        (the page, then its exports and its print, ask for the same figures).
        ``registry_rows``: the page's first lines of the registry, or None for all (its export)."""
        self.check_filters(filters)
        key, now = (period, filters, registry_rows), time.monotonic()
        with self._lock:
            kept = self._recent.get(key)
            if kept is not None and now - kept[0] < REPORT_FRESH_S:
                return kept[1]
        if self._worker is None:
            report = compute_report(self._store.path, self._office, period, filters, registry_rows)
        else:
            report = self._worker.submit(compute_report, self._store.path, self._office, period,
                                         filters, registry_rows).result()
        with self._lock:
            self._recent[key] = (now, report)
            while len(self._recent) > REPORTS_KEPT:
                self._recent.pop(next(iter(self._recent)))
        return report

    def run_in_worker_process(self) -> None:
        """Compute reports in a process of their own from now on (the server does this).

        A report is pure Python for a second or more; in the server's process it would
        hold the GIL that a kiosk's issue needs between its steps.  The worker opens
        the database read-only itself; only the finished Report comes back.
        """
        if self._worker is None:
            self._worker = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"),
                                               initializer=_behind_the_server)

    def in_worker(self, function: Callable[..., T], *args: object) -> T:
        """``function(*args)`` in the report worker when there is one: the web layer draws a
        report's charts there (matplotlib holds the GIL for a tenth of a second a chart)."""
        if self._worker is None:
            return function(*args)
        return self._worker.submit(function, *args).result()

    def write_facts(self, max_days: int | None = None) -> int:
        """Store the facts of closed days not stored yet, oldest first; the number written.

        A day is closed once it is over and none of its tickets is still open.  Each day
        is folded on a read-only connection (in the report worker when there is one) and
        only its rows are written under the write lock, one short transaction a day.
        The server's ticker calls this; a long history is filled over a few rounds.
        """
        if time.monotonic() - self._facts_checked < FACT_RECHECK_S:
            return 0
        open_days = {ticket.day for ticket in self._ctx.projection.open_tickets()}
        with self._store.read_only() as conn:
            days = [day for day in facts_store.days_to_write(conn, self._ctx.today()) if day not in open_days]
        if not days:
            self._facts_checked = time.monotonic()
            return 0
        zone = self._office.time_zone
        if max_days is None:
            max_days = FACT_DAYS_IN_PROCESS if self._worker is None else FACT_DAYS_PER_ROUND
        for day in days[:max_days]:
            if self._worker is None:
                visits, legs = facts_of_day(self._store.path, zone, day)
            else:
                visits, legs = self._worker.submit(facts_of_day, self._store.path, zone, day).result()
            with self._store.write() as db:
                facts_store.write_day(db.conn, day, visits, legs, self._ctx.now())
        return min(len(days), max_days)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=False, cancel_futures=True)
            self._worker = None

    def today(self) -> rep.Today:
        """Waiting and at the desks from the in-memory projection; the day's waits from the log."""
        day = self._ctx.today()
        with self._store.read_only() as conn:
            rows = report_store.visit_rows(conn, day, day)
            visits = rep.build_visits(rows, report_store.visit_events(conn, day, day))
        open_tickets = self._ctx.projection.open_tickets()
        states = self._ctx.projection.workplace_states()
        return rep.today(
            list(visits.values()),
            waiting=sum(1 for t in open_tickets if t.status.value in ("waiting", "postponed")),
            being_served=sum(1 for t in open_tickets if t.status.value in ("called", "serving")),
            workplaces_open=sum(1 for state in states.values() if state.get("status") == "open"),
            norm_min=self._office.rules.wait_norm_min,
        )

    def export_events(self, period: rep.Period, fmt: str) -> Iterator[str]:
        """The event log of ``period`` in the regional schema, as chunks of text to stream."""
        if fmt not in EXPORT_FORMATS:
            raise BadRequest(f"format: one of {', '.join(EXPORT_FORMATS)}")
        since, before = period.instants(self._office.time_zone)
        office = self._office.id
        with self._store.read_only() as conn:
            rows = report_store.events_between(conn, since, before)
            if fmt == "jsonl":
                # The stored payload is already JSON text: spliced in as it is, not parsed again.
                lines = []
                for seq, type_, at, actor, workplace, ticket_id, payload in rows:
                    head = json.dumps({
                        "schema": EXPORT_SCHEMA, "office": office, "seq": seq, "type": type_, "at": at,
                        "actor": actor, "workplace": workplace, "ticket_id": ticket_id}, ensure_ascii=False)
                    lines.append(f'{head[:-1]}, "payload": {payload}}}\n')
                    if len(lines) == EXPORT_CHUNK_ROWS:
                        yield "".join(lines)
                        lines.clear()
                yield "".join(lines)
                return
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(("schema", "office", *report_store.EXPORT_COLUMNS))
            for count, row in enumerate(rows, 1):
                writer.writerow((EXPORT_SCHEMA, office, *row))
                if count % EXPORT_CHUNK_ROWS == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            yield buffer.getvalue()
