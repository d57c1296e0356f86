"""Bookings in SQLite: the ``appointments`` table (migration m004).

``slot_at`` is the slot's start in office-local wall time (``2026-12-28T10:20``):
the schedule, the call centre and the visitor all speak that time, and text order
is time order.  A place is taken by every booking that is not cancelled (a missed
or checked-in booking used its place).  Personal data (name, phone, email,
consent) is stored here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from queue_server.domain.schedule import SLOT_FORMAT

BOOKED, CHECKED_IN, CANCELLED, MISSED = "booked", "checked_in", "cancelled", "missed"
STATUSES = (BOOKED, CHECKED_IN, CANCELLED, MISSED)
PERSONAL_COLUMNS = ("name", "phone", "email", "consent")


@dataclass(frozen=True)
class Appointment:
    id: int
    code: str
    queue: str
    life_situation: str
    slot_at: datetime  # office-local, naive
    status: str
    name: str
    phone: str
    email: str
    consent: bool
    needs_help: bool
    companion: bool
    help_taken_by: str | None
    help_taken_at: str | None
    ticket_id: str | None
    booked_by: str
    booked_at: str
    changed_at: str
    reminded_at: str | None


def _from_row(row: dict) -> Appointment:
    values = dict(row)
    values["slot_at"] = datetime.fromisoformat(values["slot_at"])
    for flag in ("consent", "needs_help", "companion"):
        values[flag] = bool(values[flag])
    return Appointment(**values)


def slot_text(slot: datetime) -> str:
    return slot.strftime(SLOT_FORMAT)


def taken_places(db: sqlite_utils.Database, queue: str, first: datetime,
                 last: datetime) -> dict[str, int]:
    """Places taken per slot (by its text) of ``queue`` from ``first`` up to ``last``."""
    return dict(db.execute(
        "SELECT slot_at, count(*) FROM appointments WHERE queue = ? AND slot_at >= ? "
        "AND slot_at <= ? AND status != 'cancelled' GROUP BY slot_at",
        [queue, slot_text(first), slot_text(last)]).fetchall())


def insert_if_free(db: sqlite_utils.Database, *, capacity: int, values: dict) -> int | None:
    """Insert a booking only while its slot has a place left; None when it is full.

    One conditional statement: even outside our own write lock (another process on
    the same file), the count and the insert cannot be split by a second writer.
    """
    columns = list(values)
    cursor = db.execute(
        f"INSERT INTO appointments ({', '.join(columns)}) "
        f"SELECT {', '.join('?' for _ in columns)} WHERE (SELECT count(*) FROM appointments "
        "WHERE queue = ? AND slot_at = ? AND status != 'cancelled') < ?",
        [*values.values(), values["queue"], values["slot_at"], capacity])
    return int(cursor.lastrowid) if cursor.rowcount == 1 else None


def move_if_free(db: sqlite_utils.Database, appointment_id: int, *, queue: str, slot_at: datetime,
                 capacity: int, changed_at: str) -> bool:
    cursor = db.execute(
        "UPDATE appointments SET queue = ?, slot_at = ?, changed_at = ? WHERE id = ? AND "
        "(SELECT count(*) FROM appointments WHERE queue = ? AND slot_at = ? "
        "AND status != 'cancelled' AND id != ?) < ?",
        [queue, slot_text(slot_at), changed_at, appointment_id, queue, slot_text(slot_at),
         appointment_id, capacity])
    return cursor.rowcount == 1


def code_in_use(db: sqlite_utils.Database, code: str) -> bool:
    return db.execute("SELECT 1 FROM appointments WHERE code = ? AND status = 'booked'",
                      [code]).fetchone() is not None


def get(db: sqlite_utils.Database, appointment_id: int) -> Appointment | None:
    rows = list(db.query("SELECT * FROM appointments WHERE id = ?", [appointment_id]))
    return _from_row(rows[0]) if rows else None


def by_code(db: sqlite_utils.Database, code: str) -> Appointment | None:
    rows = list(db.query("SELECT * FROM appointments WHERE code = ? AND status = 'booked'", [code]))
    return _from_row(rows[0]) if rows else None


def set_status(db: sqlite_utils.Database, appointment_id: int, status: str, *, changed_at: str,
               ticket_id: str | None = None) -> None:
    db.execute("UPDATE appointments SET status = ?, changed_at = ?, ticket_id = coalesce(?, ticket_id) "
               "WHERE id = ?", [status, changed_at, ticket_id, appointment_id])


def take_on_help(db: sqlite_utils.Database, appointment_id: int, *, by: str, at: str) -> None:
    db.execute("UPDATE appointments SET help_taken_by = ?, help_taken_at = ? WHERE id = ?",
               [by, at, appointment_id])


def between(db: sqlite_utils.Database, first: datetime, last: datetime, *,
            queue: str | None = None, statuses: tuple[str, ...] = STATUSES) -> list[Appointment]:
    """Bookings with a slot from ``first`` to ``last`` (inclusive), in slot order."""
    marks = ", ".join("?" for _ in statuses)
    sql = f"SELECT * FROM appointments WHERE slot_at >= ? AND slot_at <= ? AND status IN ({marks})"
    params: list = [slot_text(first), slot_text(last), *statuses]
    if queue is not None:
        sql += " AND queue = ?"
        params.append(queue)
    return [_from_row(r) for r in db.query(sql + " ORDER BY slot_at, id", params)]


def booked_before(db: sqlite_utils.Database, moment: datetime) -> list[Appointment]:
    """Bookings still waiting for a check-in whose slot began before ``moment``."""
    return [_from_row(r) for r in db.query(
        "SELECT * FROM appointments WHERE status = 'booked' AND slot_at < ? ORDER BY slot_at",
        [slot_text(moment)])]


def mark_reminded(db: sqlite_utils.Database, appointment_id: int, at: str) -> None:
    db.execute("UPDATE appointments SET reminded_at = ? WHERE id = ?", [at, appointment_id])
