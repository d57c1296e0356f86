"""A year of office history for the reports benchmark, written in bulk with plain SQL.

300,000 visits over the 365 days before today (≈ 820 a day), with every event the
reports read: most visits are served and finished, some redirected to a second
queue, some no-shows after three calls, some cancelled while waiting; workplaces
open and close every day; about a third of the finished visits are rated.  The
schema comes from ``Store`` (every migration applies).  Kept as
var/bench/year-<N>.db and reused; a run copies it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

DAYS = 365
INSERT_EVENT = "INSERT INTO events (type, at, actor, workplace, ticket_id, payload) VALUES (?, ?, ?, ?, ?, ?)"
REDIRECT_PAYLOAD = '{"to_queue": "psychologist", "to_workplace": null, "comment": "", "return_to": null}'
# (queue, prefix, life situation, workplace) of the demo office
KINDS = (
    ("reception", "А", "job_search", "window_1"),
    ("reception", "А", "lost_job", "window_2"),
    ("curator", "К", "pre_pension", "window_3"),
    ("curator", "К", "disability", "window_4"),
    ("career", "П", "youth", "room_11"),
    ("individual", "И", "business_start", "window_7"),
)
WORKPLACES = ("window_1", "window_2", "window_3", "window_4", "window_5", "window_6", "window_7",
              "window_8", "room_11", "room_12")
SERVICES = {"job_search": ["job_search_help", "resume"], "lost_job": ["unemployment_benefit"],
            "pre_pension": ["pension_account_statement"], "disability": ["psychological_support"],
            "youth": ["career_guidance"], "business_start": ["job_search_help"]}


def build_year(path: Path, visits: int, today: date) -> float:
    from queue_server.store.database import Store

    started = time.perf_counter()
    building = path.with_suffix(".building")
    for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
        leftover.unlink(missing_ok=True)
    Store(building).close()
    conn = sqlite3.connect(building, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    first_day = today - timedelta(days=DAYS)
    tickets, events, ratings = [], [], []
    for row in _visits(visits, first_day):
        ticket, visit_events, rating = row
        tickets.append(ticket)
        events.extend(visit_events)
        if rating:
            ratings.append(rating)
        if len(events) > 200_000:
            _flush(conn, tickets, events, ratings)
    _flush(conn, tickets, events, ratings)
    conn.executemany(INSERT_EVENT, _status_events(first_day))
    conn.execute("COMMIT")
    # The log is in time order in an office; bulk loading by visit is not: rewrite it sorted.
    conn.execute("BEGIN")
    conn.execute("CREATE TABLE events_sorted AS SELECT type, at, actor, workplace, ticket_id, payload "
                 "FROM events ORDER BY at")
    conn.execute("DELETE FROM events")
    conn.execute("INSERT INTO events (type, at, actor, workplace, ticket_id, payload) "
                 "SELECT type, at, actor, workplace, ticket_id, payload FROM events_sorted")
    conn.execute("DROP TABLE events_sorted")
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.execute("VACUUM")
    conn.close()
    building.rename(path)
    return time.perf_counter() - started


def _flush(conn, tickets, events, ratings) -> None:
    conn.executemany(
        "INSERT INTO tickets (id, day, prefix, seq, queue, life_situation, language, priority, status, "
        "issued_at, queued_at, workplace, [returning], return_stack, calls, called_at, started_at, "
        "finished_at, comment) VALUES (?, ?, ?, ?, ?, ?, 'ru', 0, ?, ?, ?, ?, 0, '[]', 1, ?, ?, ?, '')",
        tickets)
    conn.executemany(INSERT_EVENT, events)
    conn.executemany("INSERT INTO feedback (ticket_id, at, rating, reasons, comment, source, workplace) "
                     "VALUES (?, ?, ?, ?, '', 'tablet', ?)", ratings)
    tickets.clear()
    events.clear()
    ratings.clear()


def _visits(visits: int, first_day: date) -> Iterator[tuple]:
    per_day = -(-visits // DAYS)
    seqs: dict[tuple[date, str], int] = {}
    for index in range(visits):
        day = first_day + timedelta(days=index // per_day)
        queue, prefix, situation, workplace = KINDS[index % len(KINDS)]
        seq = seqs[day, prefix] = seqs.get((day, prefix), 0) + 1
        issued = datetime(day.year, day.month, day.day, 5, tzinfo=UTC) + timedelta(
            seconds=(index % per_day) * (9 * 3600 // per_day))
        ticket_id = f"y{index:015x}"
        operator = f"user:{workplace}"
        at = issued + timedelta(minutes=3 + index % 25)
        issued_payload = json.dumps({
            "day": day.isoformat(), "prefix": prefix, "seq": seq, "queue": queue, "life_situation": situation,
            "language": "ru", "priority": False, "appointment_at": None, "request_id": None},
            ensure_ascii=False)
        events = [("ticket.issued", issued.isoformat(), "device:kiosk-1", None, ticket_id, issued_payload)]
        kind = index % 20
        status, rating = "finished", None
        if kind == 19:  # cancelled while waiting
            events.append(("ticket.cancelled", at.isoformat(), "user:hall", None, ticket_id,
                           '{"reason": "left"}'))
            status = "cancelled"
        elif kind in (17, 18):  # no-show after three calls
            for call in ("ticket.called", "ticket.recalled", "ticket.recalled"):
                events.append((call, at.isoformat(), operator, workplace, ticket_id, "{}"))
                at += timedelta(minutes=1)
            events.append(("ticket.no_show", at.isoformat(), operator, workplace, ticket_id, "{}"))
            status = "no_show"
        else:
            events.append(("ticket.called", at.isoformat(), operator, workplace, ticket_id, "{}"))
            events.append(("ticket.started", at.isoformat(), operator, workplace, ticket_id, "{}"))
            at += timedelta(minutes=5 + index % 17)
            if kind in (14, 15, 16):  # redirected to the psychologist, then finished there
                events.append(("ticket.redirected", at.isoformat(), operator, workplace, ticket_id,
                               REDIRECT_PAYLOAD))
                at += timedelta(minutes=4 + index % 11)
                events.append(("ticket.called", at.isoformat(), "user:psy", "room_12", ticket_id, "{}"))
                events.append(("ticket.started", at.isoformat(), "user:psy", "room_12", ticket_id, "{}"))
                at += timedelta(minutes=20)
            events.append(("ticket.finished", at.isoformat(), operator, workplace, ticket_id,
                           json.dumps({"services": SERVICES[situation], "result": "served"})))
            if index % 3 == 0:
                rating = (ticket_id, (at + timedelta(minutes=1)).isoformat(), 5 - index % 5 // 2,
                          json.dumps(["quick"] if index % 2 else ["polite"]), workplace)
        ticket = (ticket_id, day.isoformat(), prefix, seq, queue, situation, status, issued.isoformat(),
                  issued.isoformat(), workplace, events[1][1], None, at.isoformat())
        yield ticket, events, rating


def _status_events(first_day: date) -> Iterator[tuple]:
    for offset in range(DAYS):
        day = first_day + timedelta(days=offset)
        opens = datetime(day.year, day.month, day.day, 5, tzinfo=UTC)
        for workplace in WORKPLACES:
            for status, at in (("open", opens), ("closed", opens + timedelta(hours=9, minutes=30))):
                yield ("workplace.status_changed", at.isoformat(), f"user:{workplace}", workplace, None,
                       json.dumps({"status": status, "user": workplace if status == "open" else None}))
