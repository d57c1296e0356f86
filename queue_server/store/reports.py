"""Read-only queries behind the reports and the regional export.

They run on ``Store.read_only()`` connections, never on a writer's: a year-long
report reads for a second or two and must not hold up a kiosk issuing a ticket.
Tickets are chosen by their day through the unique (day, prefix, seq) index and
their events through events_ticket, so the cost follows the period, not the file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime

from queue_server.domain import reports as rep
from queue_server.domain.numbering import printed_number

# Events that change nothing a report counts stay in the database.
_REPORTED_TYPES = ("ticket.issued", "ticket.called", "ticket.started", "ticket.redirected",
                   "ticket.postponed", "ticket.returned", "ticket.no_show", "ticket.restored",
                   "ticket.finished", "ticket.cancelled")
_TYPES_SQL = ", ".join(f"'{name}'" for name in _REPORTED_TYPES)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def visit_rows(conn: sqlite3.Connection, start: date, end: date) -> list[rep.VisitRow]:
    rows = conn.execute(
        "SELECT id, day, prefix, seq, issued_at, life_situation, status, appointment_at "
        "FROM tickets WHERE day BETWEEN ? AND ?", [start.isoformat(), end.isoformat()])
    return [rep.VisitRow(ticket_id, printed_number(prefix, seq), date.fromisoformat(day),
                         datetime.fromisoformat(issued), situation, status, _time(appointment))
            for ticket_id, day, prefix, seq, issued, situation, status, appointment in rows]


def visit_events(conn: sqlite3.Connection, start: date, end: date) -> Iterator[rep.EventRow]:
    """The events of the period's tickets in log order, with the payload fields reports read."""
    rows = conn.execute(
        "SELECT e.ticket_id, e.type, e.at, e.actor, e.workplace, "
        "COALESCE(json_extract(e.payload, '$.to_queue'), json_extract(e.payload, '$.queue')), "
        "json_extract(e.payload, '$.reason'), "
        "CASE e.type WHEN 'ticket.finished' THEN json_extract(e.payload, '$.services') END, "
        "json_extract(e.payload, '$.result') "
        "FROM tickets t JOIN events e ON e.ticket_id = t.id "
        # Ticket by ticket (the day's unique index), each one's events in log order straight
        # from events_ticket: no sort of the whole period.
        f"WHERE t.day BETWEEN ? AND ? AND e.type IN ({_TYPES_SQL}) ORDER BY t.day, t.prefix, t.seq, e.seq",
        [start.isoformat(), end.isoformat()])
    parse = datetime.fromisoformat
    for ticket_id, type_, at, actor, workplace, queue, reason, services, result in rows:
        yield rep.EventRow(ticket_id, type_, parse(at), actor, workplace, queue, reason,
                           tuple(json.loads(services)) if services else (), result)


def status_changes(conn: sqlite3.Connection, before: datetime) -> list[rep.StatusChange]:
    """Every workplace status change up to ``before`` (partial index events_workplace_status)."""
    rows = conn.execute(
        "SELECT at, workplace, json_extract(payload, '$.status') FROM events "
        "WHERE type = 'workplace.status_changed' AND at < ? ORDER BY at",
        [before.isoformat()])
    return [rep.StatusChange(datetime.fromisoformat(at), workplace, status)
            for at, workplace, status in rows]


_RATING_COLUMNS = ("id, ticket_id, at, rating, reasons, comment, source, workplace, response, "
                   "responded_by, responded_at, recorded_by")


def _rating(row: tuple) -> rep.Rating:
    (id_, ticket_id, at, rating, reasons, comment, source, workplace, response, responded_by,
     responded_at, recorded_by) = row
    return rep.Rating(id_, ticket_id, datetime.fromisoformat(at), rating, tuple(json.loads(reasons)),
                      comment, source, workplace, response, responded_by, _time(responded_at),
                      recorded_by)


def ratings(conn: sqlite3.Connection, since: datetime, before: datetime) -> list[rep.Rating]:
    rows = conn.execute(f"SELECT {_RATING_COLUMNS} FROM feedback WHERE at >= ? AND at < ? ORDER BY at",
                        [since.isoformat(), before.isoformat()])
    return [_rating(row) for row in rows]


def unanswered(conn: sqlite3.Connection) -> list[rep.Rating]:
    rows = conn.execute(f"SELECT {_RATING_COLUMNS} FROM feedback WHERE response = '' "
                        "AND (rating < 4 OR comment != '') ORDER BY at")
    return [_rating(row) for row in rows]


# --- the regional export -------------------------------------------------------------

EXPORT_COLUMNS = ("seq", "type", "at", "actor", "workplace", "ticket_id", "payload")


def events_between(conn: sqlite3.Connection, since: datetime, before: datetime) -> Iterator[tuple]:
    """Every event of [since, before) in log order, as stored (payload is JSON text).

    The log is appended in time order, so the period is a range of ``seq`` found by two
    binary searches on the primary key instead of a scan of ``at``.
    """
    first, after = _seq_at(conn, since), _seq_at(conn, before)
    yield from conn.execute(
        f"SELECT {', '.join(EXPORT_COLUMNS)} FROM events WHERE seq >= ? AND seq < ? ORDER BY seq",
        [first, after])


def _seq_at(conn: sqlite3.Connection, moment: datetime) -> int:
    """The first seq whose event happened at or after ``moment``."""
    low, high = conn.execute("SELECT COALESCE(MIN(seq), 1), COALESCE(MAX(seq), 0) + 1 FROM events").fetchone()
    text = moment.isoformat()
    while low < high:
        middle = (low + high) // 2
        row = conn.execute("SELECT at FROM events WHERE seq >= ? ORDER BY seq LIMIT 1", [middle]).fetchone()
        if row is None or row[0] >= text:
            high = middle
        else:
            low = middle + 1
    return low
