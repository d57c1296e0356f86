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
from queue_server.domain.report_facts import COUNTS, LegFact, LegGroup, VisitFact, VisitGroup, minutes_of

_VISIT_COLUMNS = ", ".join(VisitFact._fields)
_LEG_COLUMNS = ", ".join(LegFact._fields)
_VISIT_INSERT = f"({_VISIT_COLUMNS}) VALUES ({', '.join('?' * len(VisitFact._fields))})"
_LEG_INSERT = f"({_LEG_COLUMNS}) VALUES ({', '.join('?' * len(LegFact._fields))})"
_SUMS = ", ".join(f"TOTAL({name})" for name in COUNTS)
_VISIT_KEY = "path, weekday, hour, life_situation, services"
_LEG_KEY = "queue, workplace, staff, appointment"


def _day_visits(source: str, where: str = "") -> str:
    """The rows of report_day_visits summed from the visits of ``source``."""
    return (f"SELECT day, life_situation, path, weekday, hour, services, COUNT(*), "
            f"TOTAL(status = 'finished'), {_SUMS} FROM {source}{where} "
            f"GROUP BY day, life_situation, path, weekday, hour, services")


def _day_legs(source: str, where: str = "") -> str:
    """The rows of report_day_legs: each day's legs by situation and group, times joined."""
    return (f"SELECT day, life_situation, {_LEG_KEY}, group_concat(wait_us), group_concat(service_us) "
            f"FROM {source}{where} GROUP BY day, life_situation, {_LEG_KEY}")


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
    for table in ("report_visits", "report_legs", "report_day_visits", "report_day_legs", "report_days"):
        conn.execute(f"DELETE FROM {table} WHERE day = ?", [text])
    conn.executemany(f"INSERT INTO report_visits {_VISIT_INSERT}", visits)
    conn.executemany(f"INSERT INTO report_legs {_LEG_INSERT}", legs)
    conn.execute(f"INSERT INTO report_day_visits {_day_visits('report_visits', ' WHERE day = ?')}", [text])
    conn.execute(f"INSERT INTO report_day_legs {_day_legs('report_legs', ' WHERE day = ?')}", [text])
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
    conn.execute(f"CREATE TEMP TABLE fresh_day_visits AS {_day_visits('temp.fresh_visits')}")
    conn.execute(f"CREATE TEMP TABLE fresh_day_legs AS {_day_legs('temp.fresh_legs')}")
    for view, stored, fresh in (("all_visits", "report_visits", "fresh_visits"),
                                ("all_legs", "report_legs", "fresh_legs"),
                                ("all_day_visits", "report_day_visits", "fresh_day_visits"),
                                ("all_day_legs", "report_day_legs", "fresh_day_legs")):
        conn.execute(f"CREATE TEMP VIEW {view} AS "
                     f"SELECT * FROM main.{stored} UNION ALL SELECT * FROM temp.{fresh}")
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
        self.period = visit_where, visit_params  # the period's visits (of the situation), in any table
        # The chosen visits as "<source> WHERE <conditions>" for a FROM clause, and its parameters.
        self.visits = f"all_visits WHERE {visit_where}", visit_params
        if filters.by_leg:  # visits with at least one matching leg: found from the legs, by key
            where, params = self.legs
            self.visits = (
                "(SELECT v.* FROM main.report_visits v JOIN (SELECT DISTINCT day, ticket_id "
                f"FROM main.report_legs WHERE {where}) USING (day, ticket_id) UNION ALL "
                "SELECT * FROM temp.fresh_visits WHERE ticket_id IN (SELECT ticket_id FROM "
                f"temp.fresh_legs WHERE {where})) WHERE {visit_where}", params + params + visit_params)


def leg_groups(conn: sqlite3.Connection, scope: Scope) -> list[LegGroup]:
    """The chosen legs by (queue, workplace, staff, appointment), their times joined, from
    the days' sums: every filter is a column of them."""
    where, params = scope.legs
    rows = conn.execute(f"SELECT {_LEG_KEY}, group_concat(waits), group_concat(services) "
                        f"FROM all_day_legs WHERE {where} GROUP BY {_LEG_KEY}", params)
    return [LegGroup(*row[:4], minutes_of(row[4]), minutes_of(row[5])) for row in rows]


def visit_groups(conn: sqlite3.Connection, scope: Scope, filters: rep.Filters) -> list[VisitGroup]:
    """The chosen visits by what the figures tell apart (path, hour of the week, situation,
    services), counted, with their finished visits and counts summed.  From the days' sums,
    unless a leg filter chooses visits one by one."""
    if filters.by_leg:
        chosen, params = scope.visits
        sql = (f"SELECT {_VISIT_KEY}, COUNT(*), TOTAL(status = 'finished'), {_SUMS} "
               f"FROM {chosen} GROUP BY {_VISIT_KEY}")
    else:
        where, params = scope.period
        summed = ", ".join(f"TOTAL({name})" for name in ("visits", "finished", *COUNTS))
        sql = f"SELECT {_VISIT_KEY}, {summed} FROM all_day_visits WHERE {where} GROUP BY {_VISIT_KEY}"
    return [VisitGroup(*row[:5], int(row[5]), int(row[6]), tuple(int(value) for value in row[7:]))
            for row in conn.execute(sql, params)]


def registry(conn: sqlite3.Connection, scope: Scope, limit: int | None) -> list[tuple]:
    """The chosen visits that received a service, in the order they were issued (the first
    ``limit`` of them, or all)."""
    where, params = scope.visits
    return conn.execute("SELECT number, day, life_situation, services, result "
                        f"FROM {where} AND services != '' ORDER BY issued_us, number LIMIT ?",
                        [*params, -1 if limit is None else limit]).fetchall()


def ratings(conn: sqlite3.Connection, scope: Scope, filters: rep.Filters, since: datetime,
            before: datetime, offset_min: int | None) -> list[tuple[str, int, str, int]]:
    """The ratings of [since, before) given to the chosen visits, and those linked to no visit
    (a phone call) when nothing is filtered: (when, rating, reasons, how many).  ``when`` is
    the local day if the office's UTC offset is ``offset_min`` all through, else the instant."""
    if filters.by_leg:
        where, params = scope.visits
        chosen, chosen_params = f"f.ticket_id IN (SELECT ticket_id FROM {where})", params
    else:  # every visit of the period (of the situation): told by its ticket's row
        chosen = "t.day BETWEEN ? AND ?" + (" AND t.life_situation = ?" if filters.life_situation else "")
        chosen_params = scope.period[1]
    if filters == rep.Filters():
        chosen = f"({chosen} OR f.ticket_id IS NULL)"
    when = "f.at" if offset_min is None else f"strftime('%Y-%m-%d', f.at, '{offset_min:+d} minutes')"
    return conn.execute(
        f"SELECT {when}, f.rating, f.reasons, COUNT(*) "
        "FROM feedback f LEFT JOIN tickets t ON t.id = f.ticket_id "
        f"WHERE f.at >= ? AND f.at < ? AND {chosen} GROUP BY 1, 2, 3",
        [since.isoformat(), before.isoformat(), *chosen_params]).fetchall()
