"""What monitoring reads from the database itself."""

from __future__ import annotations

import sqlite_utils


def ping(db: sqlite_utils.Database) -> None:
    """Raises when the database cannot be read (missing, locked beyond the timeout, corrupt)."""
    db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()


def outbox_backlog(db: sqlite_utils.Database) -> int:
    """Messages waiting in the outbox; 0 while this database has no outbox table.

    The outbox (mail and SMS to visitors) arrives with its own migration: its
    undelivered rows are counted here then, by its module's query.
    """
    if not db["outbox"].exists():
        return 0
    columns = {column.name for column in db["outbox"].columns}
    where = " WHERE delivered_at IS NULL" if "delivered_at" in columns else ""
    return int(db.execute(f"SELECT count(*) FROM outbox{where}").fetchone()[0])
