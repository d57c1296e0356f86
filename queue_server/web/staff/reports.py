"""Report pages for the manager and the quality sector, their exports, and the "today" view.

Every figure comes from ``services().reports`` (read-only connection); the page,
the XLSX and the CSV of a table are built from one definition (report_tables.py).
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from flask import Response, abort, render_template, request, stream_with_context

from queue_server.domain import reports as rep
from queue_server.domain.limits import InvalidInput
from queue_server.service.reports import EXPORT_FORMATS, EXPORT_SCHEMA
from queue_server.web import services
from queue_server.web.staff import blueprint, charts
from queue_server.web.staff.access import requires
from queue_server.web.staff.report_tables import TABLES, Names, tables, to_csv, to_xlsx
from queue_server.web.staff.texts import current_language, localized, t
from queue_server.web.staff.workplaces import workplace_choices

FILTER_FIELDS = ("life_situation", "queue", "workplace", "staff")
TODAY_REFRESH_S = 10
ROWS_ON_PAGE = 300  # a year's registry has a row per visit: the page shows the first, the exports all
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PageError(Exception):
    """A request the report page answers with 400 and a sentence, never a 500."""


def _date(name: str, default: date) -> date:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise PageError(t("reports_bad_period", reason=t("err_bad_date"))) from None


def _request_scope() -> tuple[rep.Period, rep.Filters]:
    today = services().today()
    start, end = _date("start", today.replace(day=1)), _date("end", today)
    if end < start:
        raise PageError(t("reports_bad_period", reason=t("err_period_reversed")))
    if (end - start).days + 1 > rep.MAX_PERIOD_DAYS:
        raise PageError(t("reports_bad_period", reason=t("err_period_too_long", days=rep.MAX_PERIOD_DAYS)))
    values = {name: request.args.get(name, "").strip()[:64] or None for name in FILTER_FIELDS}
    return rep.Period(start, end), rep.Filters(**values)


def _report(period: rep.Period, filters: rep.Filters, registry_rows: int | None = ROWS_ON_PAGE):
    try:
        return services().reports.report(period, filters, registry_rows)
    except InvalidInput as error:
        raise PageError(str(error)) from None


def _query(period: rep.Period, filters: rep.Filters) -> str:
    values = {"start": period.start.isoformat(), "end": period.end.isoformat(),
              **{name: getattr(filters, name) for name in FILTER_FIELDS if getattr(filters, name)}}
    return urlencode(values)


def _caption(period: rep.Period, filters: rep.Filters, names: Names) -> str:
    caption = names.t("reports_caption", start=period.start.isoformat(), end=period.end.isoformat())
    words = (names.situation(filters.life_situation or ""), names.queue(filters.queue or ""),
             names.workplace(filters.workplace), filters.staff or "")
    chosen = [word for word in words if word]
    return caption + (". " + names.t("reports_filtered", filters=", ".join(chosen)) if chosen else "")


def _choices() -> dict[str, list[tuple[str, str]]]:
    office = services().office
    return {
        "life_situation": [(s.id, localized(s.name)) for s in office.life_situations],
        "queue": [(q.id, localized(q.name)) for q in office.queues],
        "workplace": workplace_choices(),
    }


def _problem(message: str):
    return render_template("staff/reports.html", report=None, problem=message, choices=_choices(),
                           args=request.args, tables={}, charts={}, query="", caption="",
                           schema=EXPORT_SCHEMA, row_limit=ROWS_ON_PAGE), 400


@blueprint.get("/reports")
@requires("reports")
def reports():
    try:
        period, filters = _request_scope()
        report = _report(period, filters)
    except PageError as error:
        return _problem(str(error))
    names = Names(services().office, current_language())
    built = tables(report, names)
    chart_images = services().reports.in_worker(
        charts.report_charts, report.load, report.on_duty, [t(f"weekday_{d}") for d in range(7)],
        t("col_hour"), report.satisfaction.weekly, t("col_share"), report.transitions,
        {q.id: localized(q.name) for q in services().office.queues})
    return render_template(
        "staff/reports.html", report=report, problem=None, tables=built, charts=chart_images,
        choices=_choices(), args={"start": period.start.isoformat(), "end": period.end.isoformat(),
                                  **{n: getattr(filters, n) or "" for n in FILTER_FIELDS}},
        query=_query(period, filters), caption=_caption(period, filters, names), schema=EXPORT_SCHEMA,
        row_limit=ROWS_ON_PAGE)


@blueprint.get("/reports/<table>.<fmt>")
@requires("reports")
def report_table(table: str, fmt: str):
    if table not in TABLES or fmt not in ("xlsx", "csv"):
        abort(404)
    try:
        period, filters = _request_scope()
        report = _report(period, filters, None if table == "registry" else ROWS_ON_PAGE)
    except PageError as error:
        return Response(str(error) + "\n", 400, mimetype="text/plain")
    names = Names(services().office, "ru")  # exports carry Russian headers
    chosen = tables(report, names)[table]
    filename = f"{table}_{period.start.isoformat()}_{period.end.isoformat()}.{fmt}"
    if fmt == "xlsx":
        body, mimetype = to_xlsx(chosen, _caption(period, filters, names)), XLSX
    else:
        body, mimetype = to_csv(chosen).encode("utf-8"), "text/csv; charset=utf-8"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@blueprint.get("/export/events.<fmt>")
@requires("reports.export")
def regional_export(fmt: str):
    if fmt not in EXPORT_FORMATS:
        abort(404)
    try:
        period, _ = _request_scope()
    except PageError as error:
        return Response(str(error) + "\n", 400, mimetype="text/plain")
    chunks = services().reports.export_events(period, fmt)
    office = services().office.id
    filename = f"events_{office}_{period.start.isoformat()}_{period.end.isoformat()}.{fmt}"
    mimetype = "application/x-ndjson" if fmt == "jsonl" else "text/csv; charset=utf-8"
    return Response(stream_with_context(chunks), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "X-Schema": EXPORT_SCHEMA})


@blueprint.get("/today")
@requires("today")
def today():
    return render_template("staff/today.html", today=services().reports.today(), refresh_s=TODAY_REFRESH_S)


@blueprint.get("/today.json")
@requires("today")
def today_json():
    figures = services().reports.today()
    return {"waiting": figures.waiting, "being_served": figures.being_served, "served": figures.served,
            "wait_mean": figures.wait_mean, "within_norm": figures.within_norm,
            "workplaces_open": figures.workplaces_open, "norm_min": figures.norm_min}
