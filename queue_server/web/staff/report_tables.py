"""A report as named tables: what the page shows, and what XLSX and CSV exports hold.

One definition serves all three, so an exported file holds exactly the numbers on
the page.  Exports always carry Russian headers (the regional forms are Russian);
the page follows the session's language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from queue_server.domain.office import Office, UnknownId
from queue_server.i18n import translate as message_in
from queue_server.service.reports import Report
from queue_server.web.staff.xlsx_sheet import one_sheet_xlsx

Cell = str | int | float | None
GROUP_COLUMNS = ("col_waits", "col_wait_mean", "col_wait_median", "col_wait_p90", "col_within_norm",
                 "col_services_count", "col_service_mean")
SUMMARY_FIGURES = ("visits", "finished", "waits", "wait_mean", "wait_median", "wait_p90", "walk_in_waits",
                   "within_norm", "appointment_waits", "within_appointment_norm", "services",
                   "service_mean", "service_median", "redirects", "returns", "no_shows", "postponed",
                   "cancelled", "restored")
TABLES = ("summary", "by_queue", "by_workplace", "by_staff", "trajectories", "transitions", "load",
          "satisfaction", "ratings", "reasons", "complex", "registry")


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    total: int | None = None  # rows in all when ``rows`` holds only the first (the registry on a page)


class Names:
    """Office ids and catalogue keys as words in one language."""

    def __init__(self, office: Office, language: str):
        self.office, self.language = office, language

    def t(self, key: str, **values: object) -> str:
        return message_in("staff", key, self.language, **values)

    def _name(self, lookup: Callable, ident: str | None, attribute: str = "name") -> str:
        if not ident:
            return ""
        try:
            return getattr(lookup(ident), attribute).get(self.language)
        except UnknownId:
            return ident  # gone from the configuration since: its id is still a name

    def queue(self, ident: str) -> str:
        return self._name(self.office.queue, ident)

    def situation(self, ident: str) -> str:
        return self._name(self.office.life_situation, ident)

    def service(self, ident: str) -> str:
        return self._name(self.office.service, ident)

    def workplace(self, ident: str | None) -> str:
        if not ident:
            return ""
        try:
            place = self.office.workplace(ident)
        except UnknownId:
            return ident
        key = "window_number" if place.kind == "window" else "room_number"
        return self.t("workplace_title", place=self.t(key, number=place.number),
                      label=place.label.get(self.language))

    def reason(self, ident: str) -> str:
        try:
            return message_in("feedback", f"reason_{ident}", self.language)
        except KeyError:
            return ident


def tables(report: Report, names: Names) -> dict[str, Table]:
    t = names.t
    s = report.summary
    norms = {"norm": report.norm_min, "appointment_norm": report.appointment_norm_min}
    summary_rows = [(t(f"fig_{name}", **norms), getattr(s, name)) for name in SUMMARY_FIGURES]

    def groups(key: str, rows, name: Callable[[str], str]) -> Table:
        return Table(key, t(f"table_{key}"), (t(f"col_{key}"),
                                              *(t(c, **norms) for c in GROUP_COLUMNS)),
                     [(name(r.key), r.waits, r.wait_mean, r.wait_median, r.wait_p90, r.within_norm,
                       r.services, r.service_mean) for r in rows])

    sat = report.satisfaction
    hours = sorted({hour for _, hour in (*report.load, *report.on_duty)})
    load_rows = [(t(f"weekday_{day}"), hour, report.load.get((day, hour), 0),
                  report.on_duty.get((day, hour), 0))
                 for day in range(7) for hour in hours
                 if (day, hour) in report.load or (day, hour) in report.on_duty]
    built = [
        Table("summary", t("table_summary"), (t("col_figure"), t("col_value")), summary_rows),
        groups("by_queue", report.by_queue, names.queue),
        groups("by_workplace", report.by_workplace, names.workplace),
        groups("by_staff", report.by_staff, str),
        Table("trajectories", t("table_trajectories"), (t("col_path"), t("col_visits")),
              [(" → ".join(names.queue(q) for q in path), count) for path, count in report.trajectories]),
        Table("transitions", t("table_transitions"), (t("col_from"), t("col_to"), t("col_visits")),
              [(names.queue(a), names.queue(b), count) for a, b, count in report.transitions]),
        Table("load", t("table_load"), (t("col_weekday"), t("col_hour"), t("col_issued"), t("col_on_duty")),
              load_rows),
        Table("satisfaction", t("table_satisfaction"), (t("col_week"), t("col_ratings"), t("col_share")),
              [*sat.weekly, (t("total"), sat.ratings, sat.share)]),
        Table("ratings", t("table_ratings"), (t("col_rating"), t("col_count")),
              [(value, count) for value, count in sat.by_rating.items()]),
        Table("reasons", t("table_reasons"), (t("col_reason"), t("col_count")),
              [(names.reason(reason), count) for reason, count in sat.reasons]),
        Table("complex", t("table_complex"),
              (t("col_situation"), t("col_service"), t("col_times"), t("col_recipients")),
              [(names.situation(a), names.service(b), n, r) for a, b, n, r in report.complex_services]),
        Table("registry", t("table_registry"),
              (t("col_number"), t("col_date"), t("col_situation"), t("col_services"), t("col_result")),
              [(v.number, v.day.isoformat(), names.situation(v.life_situation),
                "; ".join(names.service(svc) for svc in v.services), v.result) for v in report.registry],
              report.registry_total),
    ]
    assert tuple(table.key for table in built) == TABLES
    return {table.key: table for table in built}


def to_xlsx(table: Table, caption: str) -> bytes:
    """One sheet: the caption (period and filters), the headers in bold, then the rows as numbers."""
    widths = [min(60, max([len(str(header)), *(len(str(row[index] or "")) for row in table.rows[:200])]) + 2)
              for index, header in enumerate(table.headers)]
    return one_sheet_xlsx(table.title[:31], caption, table.headers, table.rows, widths)


def to_csv(table: Table) -> str:
    """Headers, then rows; the byte-order mark lets Excel read the Cyrillic as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows(["" if cell is None else cell for cell in row] for row in table.rows)
    return out.getvalue()
