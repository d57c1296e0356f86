"""What monitoring reads from the database itself."""

from __future__ import annotations

import sqlite_utils


def ping(db: sqlite_utils.Database) -> None:
    """Raises when the database cannot be read (missing, locked beyond the timeout, corrupt)."""
    db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()


def outbox_backlog(db: sqlite_utils.Database) -> int:
    """Messages to visitors still to be sent (pending or being sent)."""
    return int(db.execute(
        "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')").fetchone()[0])
