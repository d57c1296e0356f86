"""The report facts of closed office days (report_days, report_visits, report_legs) and
the report queries over them.

A report reads ``all_visits`` and ``all_legs``: temporary views of this connection
joining the stored days to the facts of the period's other days (today, or a day not
written yet), which the caller folds from the log and adds with ``add_fresh``.  The
connection is read-only for the database file; its temporary tables are its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from queue_server.domain import reports as rep
from queue_server.domain.report_facts import COUNTS, LegFact, LegFigures, VisitFact

_VISIT_COLUMNS = ", ".join(VisitFact._fields)
_LEG_COLUMNS = ", ".join(LegFact._fields)
_VISIT_INSERT = f"({_VISIT_COLUMNS}) VALUES ({', '.join('?' * len(VisitFact._fields))})"
_LEG_INSERT = f"({_LEG_COLUMNS}) VALUES ({', '.join('?' * len(LegFact._fields))})"


# --- written by the server, one closed day at a time ----------------------------------

def days_to_write(conn: sqlite3.Connection, before: date) -> list[date]:
    """Days before ``before`` with tickets and no facts yet, oldest first."""
    rows = conn.execute("SELECT DISTINCT day FROM tickets WHERE day < ? "
                        "AND day NOT IN (SELECT day FROM report_days) ORDER BY day", [before.isoformat()])
    return [date.fromisoformat(day) for (day,) in rows]


def write_day(conn: sqlite3.Connection, day: date, visits: Sequence[VisitFact], legs: Sequence[LegFact],
              made_at: datetime) -> None:
    """The facts of one day, all or nothing (inside the caller's write transaction)."""
    text = day.isoformat()
    for table in ("report_visits", "report_legs", "report_days"):
        conn.execute(f"DELETE FROM {table} WHERE day = ?", [text])
    conn.executemany(f"INSERT INTO report_visits {_VISIT_INSERT}", visits)
    conn.executemany(f"INSERT INTO report_legs {_LEG_INSERT}", legs)
    conn.execute("INSERT INTO report_days (day, visits, made_at) VALUES (?, ?, ?)",
                 [text, len(visits), made_at.isoformat()])


def days_written(conn: sqlite3.Connection, start: date, end: date) -> set[date]:
    rows = conn.execute("SELECT day FROM report_days WHERE day BETWEEN ? AND ?",
                        [start.isoformat(), end.isoformat()])
    return {date.fromisoformat(day) for (day,) in rows}


# --- read by a report -----------------------------------------------------------------

def add_fresh(conn: sqlite3.Connection, visits: Iterable[VisitFact], legs: Iterable[LegFact]) -> None:
    """The facts of days not stored, folded by the caller, seen by this connection only."""
    conn.execute("PRAGMA query_only = OFF")  # temporary tables only: the file is opened mode=ro
    for table, source, insert, rows in (("fresh_visits", "report_visits", _VISIT_INSERT, visits),
                                        ("fresh_legs", "report_legs", _LEG_INSERT, legs)):
        conn.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM main.{source} WHERE 0")
        conn.executemany(f"INSERT INTO temp.{table} {insert}", rows)
    conn.execute("CREATE TEMP VIEW all_visits AS "
                 "SELECT * FROM main.report_visits UNION ALL SELECT * FROM temp.fresh_visits")
    conn.execute("CREATE TEMP VIEW all_legs AS "
                 "SELECT * FROM main.report_legs UNION ALL SELECT * FROM temp.fresh_legs")
    conn.execute("PRAGMA query_only = ON")


class Scope:
    """The SQL conditions of a period and its filters (``reports.select``, ``Filters.leg_matches``)."""

    def __init__(self, period: rep.Period, filters: rep.Filters):
        days = [period.start.isoformat(), period.end.isoformat()]
        situation: tuple[list[str], list] = ([], [])
        if filters.life_situation:
            situation = ([" AND life_situation = ?"], [filters.life_situation])
        leg_where, leg_params = list(situation[0]), list(situation[1])
        for column in ("queue", "workplace", "staff"):
            value = getattr(filters, column)
            if value is not None:
                leg_where.append(f" AND {column} = ?")
                leg_params.append(value)
        self.legs = "day BETWEEN ? AND ?" + "".join(leg_where), days + leg_params
        visit_where, visit_params = "day BETWEEN ? AND ?" + "".join(situation[0]), days + situation[1]
        if filters.by_leg:  # visits with at least one matching leg
            visit_where += f" AND ticket_id IN (SELECT ticket_id FROM all_legs WHERE {self.legs[0]})"
            visit_params += self.legs[1]
        self.visits = visit_where, visit_params


def legs(conn: sqlite3.Connection, scope: Scope) -> list[LegFigures]:
    where, params = scope.legs
    return conn.execute("SELECT queue, workplace, staff, appointment, wait_min, service_min "
                        f"FROM all_legs WHERE {where}", params).fetchall()


def visit_totals(conn: sqlite3.Connection, scope: Scope) -> tuple[int, int, dict[str, int]]:
    """(visits, finished, {redirects: …, …}) of the chosen visits."""
    where, params = scope.visits
    sums = ", ".join(f"TOTAL({name})" for name in COUNTS)
    row = conn.execute(f"SELECT COUNT(*), TOTAL(status = 'finished'), {sums} FROM all_visits WHERE {where}",
                       params).fetchone()
    return row[0], int(row[1]), {name: int(value) for name, value in zip(COUNTS, row[2:], strict=True)}


def grouped(conn: sqlite3.Connection, scope: Scope, columns: str, extra: str = "") -> list[tuple]:
    """Counts of the chosen visits by ``columns``."""
    where, params = scope.visits
    return conn.execute(f"SELECT {columns}, COUNT(*) FROM all_visits WHERE {where}{extra} GROUP BY {columns}",
                        params).fetchall()


def registry(conn: sqlite3.Connection, scope: Scope) -> list[tuple[str, str, str, str, str]]:
    where, params = scope.visits
    return conn.execute("SELECT number, day, life_situation, services, result FROM all_visits "
                        f"WHERE {where} AND services != '' ORDER BY issued_us, number", params).fetchall()


def rated_visits(conn: sqlite3.Connection, scope: Scope, since: datetime, before: datetime) -> set[str]:
    """The chosen visits rated in [since, before)."""
    where, params = scope.visits
    rows = conn.execute(
        f"SELECT ticket_id FROM all_visits WHERE {where} AND ticket_id IN "
        "(SELECT ticket_id FROM feedback WHERE at >= ? AND at < ? AND ticket_id IS NOT NULL)",
        [*params, since.isoformat(), before.isoformat()])
    return {ticket_id for (ticket_id,) in rows}
