"""Personal data that expires: the one list of where it lives, and the purge over it.

Names, phone numbers, e-mail addresses and free-text comments are erased a set time
after the visit; the rows stay, so counts and durations in the reports do not change.
A new table with personal columns adds one ``Personal`` line to ``PERSONAL`` (for
example appointments' name, phone and e-mail) and is purged with the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils


@dataclass(frozen=True)
class Personal:
    """Columns of one table to blank once the row's visit is older than the period.

    ``when`` is the SQL expression (ISO text) of the moment the period counts from;
    ``json_fields`` are keys inside a JSON ``columns`` value (the event log's payload)
    blanked in place (only ``only`` rows); ``erased`` is the value that replaces a column.
    """

    table: str
    columns: tuple[str, ...]
    when: str
    json_fields: tuple[str, ...] = ()
    only: str = "1"  # a further SQL condition: which rows hold such columns at all
    erased: str | None = ""
    why: str = ""


PERSONAL: tuple[Personal, ...] = (
    Personal("tickets", ("comment",), "COALESCE(finished_at, issued_at)",
             why="free-text comments may hold health details"),
    Personal("events", ("payload",), "at", json_fields=("comment", "reason", "result"),
             only="type IN ('ticket.redirected', 'ticket.restored', 'ticket.finished', "
                  "'ticket.cancelled', 'ticket.priority_changed')",
             why="comments, reasons and results typed by staff are free text"),
    Personal("contacts", ("phone",), "created_at", erased=None,
             why="the phone number a visitor left for «your turn is near»"),
    Personal("outbox", ("recipient", "subject", "body"), "created_at",
             why="messages carry the address and may carry a name"),
    # slot_at is office wall time, not UTC: a few hours either way do not matter here.
    Personal("appointments", ("name", "phone", "email"), "slot_at",
             why="a booking may carry the visitor's name, phone and e-mail"),
    Personal("feedback", ("comment", "response"), "at",
             why="a visitor's comment and the staff's answer are free text"),
)


def _blank(entry: Personal) -> tuple[str, str]:
    """The SET clause and the WHERE clause that finds rows still holding something."""
    if entry.json_fields:
        column = entry.columns[0]
        paths = [f"'$.{name}'" for name in entry.json_fields]
        # json_replace: a key is blanked where it exists, never added where it does not.
        setter = f"{column} = json_replace({column}, {', '.join(f'{p}, ' + repr('') for p in paths)})"
        present = " OR ".join(f"COALESCE(json_extract({column}, {p}), '') != ''" for p in paths)
        return setter, f"({present})"
    erased = "NULL" if entry.erased is None else repr(entry.erased)
    setter = ", ".join(f"{column} = {erased}" for column in entry.columns)
    present = " OR ".join(f"COALESCE({column}, '') != ''" for column in entry.columns)
    return setter, f"({present})"


def candidates(db: sqlite_utils.Database, before: datetime) -> dict[str, list[int]]:
    """Per table, the rows of visits older than ``before`` still holding personal data.

    A read: in WAL mode it takes no lock, so the queue goes on while it scans.
    Times are compared as the stored ISO text in UTC.
    """
    cutoff = before.astimezone(UTC).isoformat()
    found = {}
    for entry in PERSONAL:
        _, present = _blank(entry)
        found[entry.table] = [row[0] for row in db.execute(
            f"SELECT rowid FROM {entry.table} WHERE {entry.when} < ? AND ({entry.only}) AND {present}",
            [cutoff]).fetchall()]
    return found


def erase(db: sqlite_utils.Database, table: str, rowids: list[int]) -> int:
    """Blank the personal columns of these rows of ``table``; inside a write transaction."""
    entry = next(e for e in PERSONAL if e.table == table)
    setter, present = _blank(entry)
    marks = ", ".join("?" for _ in rowids)
    return db.conn.execute(f"UPDATE {table} SET {setter} WHERE rowid IN ({marks}) AND {present}",
                           rowids).rowcount
