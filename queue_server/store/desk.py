"""The hall desk's tables: workplace states, kiosks' help calls, devices' printer reports."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils


def workplace_states(db: sqlite_utils.Database) -> dict[str, dict]:
    """``{workplace id: {"status", "user", "since"}}`` as last recorded."""
    return {row["id"]: {"status": row["status"], "user": row["user"], "since": row["since"]}
            for row in db.query("SELECT * FROM workplace_state")}


def save_workplace_state(db: sqlite_utils.Database, workplace_id: str, *, status: str,
                         user: str | None, since: datetime) -> None:
    db.execute(
        "INSERT INTO workplace_state (id, status, user, since) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET status = excluded.status, user = excluded.user, "
        "since = excluded.since",
        [workplace_id, status, user, since.isoformat()])


def add_help_call(db: sqlite_utils.Database, device: str, *, at: datetime) -> int:
    cursor = db.execute("INSERT INTO help_calls (device, at) VALUES (?, ?)", [device, at.isoformat()])
    return int(cursor.lastrowid)


def help_call(db: sqlite_utils.Database, call_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM help_calls WHERE id = ?", [call_id]))
    return rows[0] if rows else None


def acknowledge_help_call(db: sqlite_utils.Database, call_id: int, *, by: str, at: datetime) -> None:
    db.execute("UPDATE help_calls SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?",
               [by, at.isoformat(), call_id])


def open_help_calls(db: sqlite_utils.Database) -> list[dict]:
    return list(db.query(
        "SELECT id, device, at FROM help_calls WHERE acknowledged_at IS NULL ORDER BY id"))


def device_kind(db: sqlite_utils.Database, name: str) -> str | None:
    row = db.execute("SELECT kind FROM devices WHERE name = ?", [name]).fetchone()
    return row[0] if row else None


def save_printer_report(db: sqlite_utils.Database, device: str, *, printer: str, detail: str,
                        at: datetime) -> None:
    db.execute("UPDATE devices SET printer = ?, printer_detail = ?, seen_at = ? WHERE name = ?",
               [printer, detail, at.isoformat(), device])


def save_seen(db: sqlite_utils.Database, device: str, *, at: datetime) -> None:
    db.execute("UPDATE devices SET seen_at = ? WHERE name = ?", [at.isoformat(), device])


def list_devices(db: sqlite_utils.Database) -> list[dict]:
    return list(db.query("SELECT name, kind, printer, printer_detail, seen_at FROM devices "
                         "ORDER BY name"))
