"""The feedback journal: visitors' ratings and the staff's responses."""

from __future__ import annotations

import json
from datetime import datetime

import sqlite_utils


def add_rating(db: sqlite_utils.Database, *, ticket_id: str | None, at: datetime, rating: int,
               reasons: tuple[str, ...], comment: str, source: str, workplace: str | None,
               recorded_by: str | None) -> int:
    cursor = db.execute(
        "INSERT INTO feedback (ticket_id, at, rating, reasons, comment, source, workplace, recorded_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [ticket_id, at.isoformat(), rating, json.dumps(list(reasons)), comment, source, workplace,
         recorded_by])
    return int(cursor.lastrowid)


def rated(db: sqlite_utils.Database, ticket_id: str) -> bool:
    return db.execute("SELECT 1 FROM feedback WHERE ticket_id = ?", [ticket_id]).fetchone() is not None


def exists(db: sqlite_utils.Database, feedback_id: int) -> bool:
    return db.execute("SELECT 1 FROM feedback WHERE id = ?", [feedback_id]).fetchone() is not None


def respond(db: sqlite_utils.Database, feedback_id: int, *, response: str, by: str, at: datetime) -> None:
    db.execute("UPDATE feedback SET response = ?, responded_by = ?, responded_at = ? WHERE id = ?",
               [response, by, at.isoformat(), feedback_id])


def was_finished(db: sqlite_utils.Database, ticket_id: str) -> bool:
    """Whether any leg of the visit ended with "finish" (it may have gone on to another desk)."""
    return db.execute("SELECT 1 FROM events WHERE ticket_id = ? AND type = 'ticket.finished' LIMIT 1",
                      [ticket_id]).fetchone() is not None


def last_finished_at(db: sqlite_utils.Database, workplace: str, since: datetime) -> str | None:
    """The ticket ``workplace`` last finished since ``since`` (the tablet's visitor), if any."""
    row = db.execute(
        "SELECT ticket_id FROM events WHERE type = 'ticket.finished' AND workplace = ? AND at >= ? "
        "AND seq > (SELECT COALESCE(MAX(seq), 0) - 5000 FROM events) ORDER BY seq DESC LIMIT 1",
        [workplace, since.isoformat()]).fetchone()
    return row[0] if row else None


def ticket_id_by_number(db: sqlite_utils.Database, day: str, prefix: str, seq: int) -> str | None:
    row = db.execute("SELECT id FROM tickets WHERE day = ? AND prefix = ? AND seq = ?",
                     [day, prefix, seq]).fetchone()
    return row[0] if row else None
