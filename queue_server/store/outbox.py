"""The outbox: messages to visitors, and the phone numbers left for them, in SQLite.

A message is inserted in the write transaction of the event that causes it, so it
exists exactly when the event does.  The worker claims a due message (``sending``,
one more attempt) in a short transaction of its own, sends it outside any
transaction, and records the outcome in another: the queue never waits for a gateway.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from queue_server.domain.notify import CANCELLED, FAILED, PENDING, SENDING, SENT, Outgoing

LISTED = 200  # the administrator's page shows at most this many of a status


def _iso(value: datetime) -> str:
    """In UTC, as every time in the store: the due and purge queries compare the text."""
    return value.astimezone(UTC).isoformat()


def enqueue(db: sqlite_utils.Database, messages: list[Outgoing], now: datetime) -> list[int]:
    """Insert each message unless its ``dedupe`` key exists; the ids of the new ones."""
    ids = []
    for message in messages:
        status = FAILED if message.error else PENDING
        cursor = db.conn.execute(
            "INSERT INTO outbox (kind, channel, recipient, subject, body, ticket_id, booking, dedupe, "
            "status, created_at, next_attempt_at, expires_at, last_error) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe) DO NOTHING",
            [message.kind, message.channel, message.recipient, message.subject, message.body,
             message.ticket_id, message.booking, message.dedupe, status, _iso(now),
             _iso(message.not_before or now), _iso(message.expires_at), message.error])
        if cursor.rowcount:
            ids.append(cursor.lastrowid)
    return ids


def due(db: sqlite_utils.Database, now: datetime, limit: int) -> list[dict[str, Any]]:
    """Messages to try now: pending ones whose time has come, and ``sending`` ones a
    stopped server left behind (their attempt's outcome is unknown: tried again)."""
    return list(db.query(
        "SELECT * FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= ? "
        "ORDER BY next_attempt_at, id LIMIT ?", [_iso(now), limit]))


def claim(db: sqlite_utils.Database, message_id: int, now: datetime, retry_at: datetime) -> bool:
    """Mark one attempt as started; False when someone else changed the message meanwhile.

    ``retry_at`` is when it becomes due again if the process dies during the attempt.
    """
    cursor = db.conn.execute(
        "UPDATE outbox SET status = ?, attempts = attempts + 1, next_attempt_at = ? "
        "WHERE id = ? AND status IN ('pending', 'sending') AND next_attempt_at <= ?",
        [SENDING, _iso(retry_at), message_id, _iso(now)])
    return cursor.rowcount == 1


def mark_sent(db: sqlite_utils.Database, message_id: int, now: datetime) -> None:
    db.conn.execute("UPDATE outbox SET status = ?, sent_at = ?, last_error = NULL WHERE id = ?",
                    [SENT, _iso(now), message_id])


def mark_retry(db: sqlite_utils.Database, message_id: int, error: str, retry_at: datetime) -> None:
    db.conn.execute("UPDATE outbox SET status = ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
                    [PENDING, error, _iso(retry_at), message_id])


def mark_failed(db: sqlite_utils.Database, message_id: int, error: str) -> None:
    db.conn.execute("UPDATE outbox SET status = ?, last_error = ? WHERE id = ?",
                    [FAILED, error, message_id])


def resend(db: sqlite_utils.Database, message_id: int, now: datetime, expires_at: datetime) -> bool:
    """A failed message pending again, with fresh attempts; False if it is not failed."""
    cursor = db.conn.execute(
        "UPDATE outbox SET status = ?, attempts = 0, next_attempt_at = ?, expires_at = ? "
        "WHERE id = ? AND status = ? AND recipient != ''",
        [PENDING, _iso(now), _iso(expires_at), message_id, FAILED])
    return cursor.rowcount == 1


def cancel_booking(db: sqlite_utils.Database, booking: str) -> int:
    cursor = db.conn.execute(
        "UPDATE outbox SET status = ? WHERE booking = ? AND status IN ('pending', 'failed')",
        [CANCELLED, booking])
    return cursor.rowcount


def message(db: sqlite_utils.Database, message_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM outbox WHERE id = ?", [message_id]))
    return rows[0] if rows else None


def messages(db: sqlite_utils.Database, statuses: tuple[str, ...]) -> list[dict[str, Any]]:
    marks = ", ".join("?" for _ in statuses)
    return list(db.query(f"SELECT * FROM outbox WHERE status IN ({marks}) ORDER BY id DESC LIMIT ?",
                         [*statuses, LISTED]))


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    return {row["status"]: row["n"] for row in
            db.query("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")}


# --- contacts ---------------------------------------------------------------------------


def add_contact(db: sqlite_utils.Database, ticket_id: str, phone: str, language: str,
                now: datetime) -> None:
    db.conn.execute("INSERT OR REPLACE INTO contacts (ticket_id, phone, language, created_at) "
                    "VALUES (?, ?, ?, ?)", [ticket_id, phone, language, _iso(now)])


def contacts_waiting(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    """Contacts of tickets still open, whose messages may still be due (read at start)."""
    return {row["ticket_id"]: row for row in db.query(
        "SELECT c.* FROM contacts c JOIN tickets t ON t.id = c.ticket_id "
        "WHERE c.phone IS NOT NULL AND t.status IN ('waiting', 'called', 'serving', 'postponed')")}
