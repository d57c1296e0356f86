"""Staff actions that are not ticket events (accounts, devices) go to the audit table.

Ticket actions need no second record: the event log already holds who, where and when.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlite_utils


def record_audit(db: sqlite_utils.Database, *, actor: str, action: str, detail: str = "",
                 workplace: str | None = None, at: datetime | None = None) -> None:
    db.execute(
        "INSERT INTO audit (at, actor, workplace, action, detail) VALUES (?, ?, ?, ?, ?)",
        [(at or datetime.now(UTC)).isoformat(), actor, workplace, action, detail],
    )


def audit_entries(db: sqlite_utils.Database, limit: int = 200) -> list[dict]:
    return list(db.query("SELECT * FROM audit ORDER BY id DESC LIMIT ?", [limit]))


def targets_of(db: sqlite_utils.Database, *, actor: str, action: str) -> list[str]:
    """The accounts or devices that ``actor`` did ``action`` to, oldest first."""
    return [row["target"] for row in db.query(
        "SELECT json_extract(detail, '$.target') AS target FROM audit "
        "WHERE actor = ? AND action = ? AND json_valid(detail) ORDER BY id", [actor, action])
        if row["target"]]
