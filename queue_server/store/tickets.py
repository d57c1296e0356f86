"""Tickets and their events in SQLite.

The ``events`` table is the append-only truth; the ``tickets`` table is the
current state of each visit, updated in the same transaction as its events, so
the two never disagree.  ``rebuild_tickets`` recomputes the second from the first.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import sqlite_utils

from queue_server.domain import events as ev
from queue_server.domain.events import StoredEvent
from queue_server.domain.tickets import ACTIVE, Status, Ticket, apply, replay

TICKET_COLUMNS = (
    "id", "day", "prefix", "seq", "queue", "life_situation", "language", "priority", "status",
    "issued_at", "queued_at", "workplace", "target_workplace", "returning", "return_stack",
    "calls", "called_at", "started_at", "finished_at", "postponed_until", "postponed_by",
    "appointment_at", "comment", "request_id",
)
_TIME_COLUMNS = ("issued_at", "queued_at", "called_at", "started_at", "finished_at",
                 "postponed_until", "appointment_at")
# The WHERE clause of the partial index tickets_open (migrations.py), word for word:
# SQLite uses a partial index only when it can see, when the statement is prepared,
# that the query's WHERE implies the index's, so these are written into the SQL as
# literals (bound parameters would make every read a scan of the whole history).
_OPEN = ("waiting", "called", "serving", "postponed")
assert set(_OPEN) == {status.value for status in ACTIVE}
_OPEN_WHERE = f"status IN ({', '.join(repr(status) for status in _OPEN)})"
_INSERT = (
    f"INSERT INTO tickets ({', '.join(f'[{c}]' for c in TICKET_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in TICKET_COLUMNS)})"
)
_UPDATE = (
    f"UPDATE tickets SET {', '.join(f'[{c}] = ?' for c in TICKET_COLUMNS[1:])} WHERE id = ?"
)


def _time_text(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def ticket_to_row(ticket: Ticket) -> tuple:
    """The ticket as a row, in TICKET_COLUMNS order (written out: it runs on every write)."""
    t = ticket
    return (
        t.id, t.day.isoformat(), t.prefix, t.seq, t.queue, t.life_situation, t.language,
        int(t.priority), t.status.value, t.issued_at.isoformat(), t.queued_at.isoformat(),
        t.workplace, t.target_workplace, int(t.returning),
        json.dumps([list(pair) for pair in t.return_stack]) if t.return_stack else "[]",
        t.calls, _time_text(t.called_at), _time_text(t.started_at), _time_text(t.finished_at),
        _time_text(t.postponed_until), t.postponed_by, _time_text(t.appointment_at), t.comment,
        t.request_id,
    )


def ticket_from_row(row: dict[str, Any]) -> Ticket:
    values = dict(row)
    for column in _TIME_COLUMNS:
        if values[column] is not None:
            values[column] = datetime.fromisoformat(values[column])
    values["day"] = date.fromisoformat(values["day"])
    values["priority"] = bool(values["priority"])
    values["returning"] = bool(values["returning"])
    stack = values["return_stack"]
    values["return_stack"] = () if stack == "[]" else tuple(tuple(pair) for pair in json.loads(stack))
    values["status"] = Status(values["status"])
    return Ticket(**values)


def next_seq(db: sqlite_utils.Database, day: date, prefix: str) -> int:
    """The next number of ``prefix`` on ``day``; call inside a write transaction.

    Safe because the write transaction holds SQLite's write lock from its start (no
    one else can read the same maximum and insert), and UNIQUE (day, prefix, seq)
    would refuse a duplicate anyway.  Tickets are never deleted, so a number is never
    reused within a day; the unique index makes this one B-tree lookup.
    """
    row = db.conn.execute("SELECT MAX(seq) FROM tickets WHERE day = ? AND prefix = ?",
                          [day.isoformat(), prefix]).fetchone()
    return (row[0] or 0) + 1


def insert_ticket(db: sqlite_utils.Database, ticket: Ticket) -> None:
    db.conn.execute(_INSERT, ticket_to_row(ticket))


def save_ticket(db: sqlite_utils.Database, ticket: Ticket) -> None:
    row = ticket_to_row(ticket)
    db.conn.execute(_UPDATE, (*row[1:], row[0]))


def append_events(db: sqlite_utils.Database, events: list[ev.Event],
                  states: list[Ticket | None] | None = None) -> list[StoredEvent]:
    stored = []
    for index, event in enumerate(events):
        cursor = db.conn.execute(
            "INSERT INTO events (type, at, actor, workplace, ticket_id, payload) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [event.type, event.at.isoformat(), event.actor, event.workplace,
             getattr(event, "ticket_id", None), json.dumps(event.payload(), ensure_ascii=False)],
        )
        stored.append(StoredEvent(cursor.lastrowid, event, states[index] if states else None))
    return stored


def record_ticket_events(
    db: sqlite_utils.Database, ticket: Ticket | None, events: list[ev.Event],
) -> tuple[Ticket | None, list[StoredEvent]]:
    """Apply ``events`` to ``ticket``, store both; inside a write transaction."""
    if not events:
        return ticket, []
    is_new = ticket is None
    states: list[Ticket | None] = []
    for event in events:
        if isinstance(event, ev.TicketEvent):
            ticket = apply(ticket, event)
        states.append(ticket)
    if ticket is not None:
        (insert_ticket if is_new else save_ticket)(db, ticket)
    for event in events:
        if isinstance(event, ev.ServiceFinished):
            for service in event.services:
                db.execute(
                    "INSERT INTO delivered_services (ticket_id, service, at, actor, workplace) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [event.ticket_id, service, event.at.isoformat(), event.actor, event.workplace],
                )
    return ticket, append_events(db, events, states)


def get_ticket(db: sqlite_utils.Database, ticket_id: str) -> Ticket | None:
    rows = list(db.query("SELECT * FROM tickets WHERE id = ?", [ticket_id]))
    return ticket_from_row(rows[0]) if rows else None


def ticket_by_request(db: sqlite_utils.Database, request_id: str) -> Ticket | None:
    rows = list(db.query("SELECT * FROM tickets WHERE request_id = ?", [request_id]))
    return ticket_from_row(rows[0]) if rows else None


def open_tickets(db: sqlite_utils.Database) -> list[Ticket]:
    """Every ticket still in play, whatever the size of the history (partial index)."""
    return [ticket_from_row(row) for row in db.query(f"SELECT * FROM tickets WHERE {_OPEN_WHERE}")]


def tickets_of_day(db: sqlite_utils.Database, day: date) -> list[Ticket]:
    return [ticket_from_row(row) for row in
            db.query("SELECT * FROM tickets WHERE day = ? ORDER BY issued_at", [day.isoformat()])]


def event_records(db: sqlite_utils.Database, *, after: int = 0, ticket_id: str | None = None,
                  limit: int | None = None) -> list[dict[str, Any]]:
    sql = "SELECT * FROM events WHERE seq > ?"
    params: list[Any] = [after]
    if ticket_id is not None:
        sql += " AND ticket_id = ?"
        params.append(ticket_id)
    sql += " ORDER BY seq"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return list(db.query(sql, params))


def stored_event(record: dict[str, Any]) -> StoredEvent:
    return StoredEvent(record["seq"], ev.event_from_record(
        record["type"], datetime.fromisoformat(record["at"]), record["actor"],
        record["workplace"], record["ticket_id"], json.loads(record["payload"]),
    ))


def last_seq(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]


def rebuild_tickets(db: sqlite_utils.Database) -> dict[str, Ticket]:
    """The state of every ticket recomputed from the event log alone."""
    ticket_events = [
        stored_event(record).event
        for record in db.query("SELECT * FROM events WHERE ticket_id IS NOT NULL ORDER BY seq")
    ]
    return replay(ticket_events)  # type: ignore[arg-type]


def print_requested(db: sqlite_utils.Database, ticket_id: str) -> bool:
    """Whether a kiosk was ever asked to print this ticket."""
    return db.execute("SELECT 1 FROM events WHERE ticket_id = ? AND type = ? LIMIT 1",
                      [ticket_id, ev.TicketPrintRequested.type]).fetchone() is not None


def tickets_called_at(db: sqlite_utils.Database, day: date, workplace: str) -> list[Ticket]:
    """The tickets of ``day`` that ``workplace`` called, in the order it first called them.

    Today's tickets first (the day's unique index), then their events (index
    events_ticket): the cost follows one day's traffic, not the size of the history.
    """
    ids = [row["ticket_id"] for row in db.query(
        "SELECT ticket_id, MIN(seq) AS first FROM events "
        "WHERE ticket_id IN (SELECT id FROM tickets WHERE day = ?) "
        "AND type = ? AND workplace = ? GROUP BY ticket_id ORDER BY first",
        [day.isoformat(), ev.TicketCalled.type, workplace])]
    tickets = (get_ticket(db, ticket_id) for ticket_id in ids)
    return [ticket for ticket in tickets if ticket is not None]
