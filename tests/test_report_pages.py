"""Report pages, exports and the feedback API in-process, on the generated month
(tests/report_month.py): the XLSX and CSV hold the page's numbers; bad input gets a
clear answer and counts nothing twice."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook

from queue_server.config import DEMO_OFFICE_PATH, load_office
from queue_server.domain.clock import ManualClock
from queue_server.domain.reports import Filters, Period
from queue_server.service import services_of
from queue_server.service.reports import EXPORT_SCHEMA, compute_report
from queue_server.web import create_app
from tests.report_month import DAYS, EXPECTED, FIRST, LAST, generate
from tests.support.app_fixtures import MONDAY_10_00

PASSWORD = "report-pass-1"
MONTH = f"start={FIRST.isoformat()}&end={LAST.isoformat()}"
CSRF = re.compile(r'name="(?:[\w.-]+-)?csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture(scope="module")
def office_app(tmp_path_factory):
    clock = ManualClock(MONDAY_10_00)
    app = create_app(office=load_office(DEMO_OFFICE_PATH), data_dir=tmp_path_factory.mktemp("reports"),
                     clock=clock, config={"TESTING": True})
    services = services_of(app)
    ids = generate(services, clock)
    for name, role in (("boss", "manager"), ("qa", "quality"), ("cur", "curator")):
        services.accounts.create_user(name, role, PASSWORD, ("window_3",) if role == "curator" else (),
                                      actor="test")
    services.accounts.add_device("tablet-3", "feedback", actor="test", token="tablet-token")
    return app, ids, clock


def signed_in(app, name: str):
    client = app.test_client()
    token = CSRF.search(client.get("/staff/login").get_data(as_text=True)).group(1)
    answer = client.post("/staff/login", data={"username": name, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302
    return client


@pytest.fixture(scope="module")
def manager(office_app):
    return signed_in(office_app[0], "boss")


def sheet_rows(data: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def test_the_summary_xlsx_holds_the_known_figures_with_russian_headers(manager):
    answer = manager.get(f"/staff/reports/summary.xlsx?{MONTH}")
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    rows = sheet_rows(answer.data)
    assert rows[1] == ("Показатель", "Значение")
    values = [value for _, value in rows[2:]]
    assert values == list(EXPECTED.values())
    assert rows[2 + list(EXPECTED).index("within_norm")][0] == "В пределах нормы 15 мин, %"


@pytest.mark.parametrize("table", ["by_staff", "complex", "registry", "satisfaction", "load"])
def test_every_table_exports_the_same_rows_as_xlsx_and_csv(manager, table):
    xlsx = sheet_rows(manager.get(f"/staff/reports/{table}.xlsx?{MONTH}").data)
    text = manager.get(f"/staff/reports/{table}.csv?{MONTH}").data.decode("utf-8-sig")
    from_csv = list(csv.reader(io.StringIO(text)))
    assert len(xlsx) - 1 == len(from_csv)
    for in_xlsx, in_csv in zip(xlsx[1:], from_csv, strict=True):
        for value, text in zip(in_xlsx, in_csv, strict=True):
            if isinstance(value, int | float):
                assert float(text) == value
            else:
                assert (value or "") == text


def test_exports_match_the_report_numbers(office_app, manager):
    services = services_of(office_app[0])
    report = services.reports.report(Period(FIRST, LAST), Filters(staff="cur"))
    rows = sheet_rows(manager.get(f"/staff/reports/by_staff.xlsx?{MONTH}&staff=cur").data)
    assert rows[2] == ("cur", 4 * DAYS, 3.5, 3.5, 6.0, 100.0, 4 * DAYS, report.by_staff[0].service_mean)
    registry = sheet_rows(manager.get(f"/staff/reports/registry.xlsx?{MONTH}").data)
    assert len(registry) - 2 == 4 * DAYS
    office = services.office
    services_given = "; ".join(office.service(s).name.ru for s in ("job_search_help", "resume"))
    assert registry[2][1:] == ("2026-12-01", "Ищу работу", services_given, "vacancies")


def test_the_report_page_shows_tables_charts_and_export_links(manager):
    page = manager.get(f"/staff/reports?{MONTH}").get_data(as_text=True)
    assert "77.8" in page and "8.6" in page  # within the norm, mean wait
    assert page.count('src="data:image/svg+xml;base64,') == 3  # flow, heat map, weekly trend
    assert f"/staff/reports/registry.xlsx?{MONTH.replace('&', '&amp;')}" in page
    assert "/staff/export/events.jsonl" in page  # the manager may export for the region


@pytest.mark.parametrize(("query", "words"), [
    ("start=2026-12-31&end=2026-12-01", "конец периода раньше начала"),
    ("start=2020-01-01&end=2026-12-01", "не длиннее 366 дней"),
    ("start=31.12.2026", "ГГГГ-ММ-ДД"),
    (f"{MONTH}&queue=nowhere", "queue: no queue"),
])
def test_bad_periods_and_filters_are_answered_clearly(manager, query, words):
    for path in ("/staff/reports", "/staff/reports/summary.csv", "/staff/export/events.csv"):
        answer = manager.get(f"{path}?{query}")
        if path.startswith("/staff/export") and "queue" in query:
            continue  # the regional export takes a period only
        assert answer.status_code == 400, path
        assert words in answer.get_data(as_text=True), path


def test_an_empty_period_and_a_filter_matching_nothing_count_zero(manager):
    page = manager.get("/staff/reports?start=2027-02-01&end=2027-02-28").get_data(as_text=True)
    assert "посещений нет" in page
    rows = sheet_rows(manager.get(f"/staff/reports/summary.xlsx?{MONTH}&staff=nobody").data)
    assert rows[2][1] == 0 and rows[5][1] is None


def test_regional_export_lines_follow_the_schema(office_app, manager):
    answer = manager.get("/staff/export/events.jsonl?start=2026-12-01&end=2026-12-01")
    assert answer.status_code == 200 and answer.headers["X-Schema"] == EXPORT_SCHEMA
    lines = [json.loads(line) for line in answer.get_data(as_text=True).splitlines()]
    assert {line["schema"] for line in lines} == {EXPORT_SCHEMA}
    assert {line["office"] for line in lines} == {"nchelny"}
    assert all(line["at"].startswith("2026-12-01T") for line in lines)
    assert sum(line["type"] == "ticket.issued" for line in lines) == 7
    seqs = [line["seq"] for line in lines]
    assert seqs == sorted(seqs)
    text = manager.get("/staff/export/events.csv?start=2026-12-01&end=2026-12-01").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(row["seq"]) for row in rows] == seqs
    assert json.loads(rows[0]["payload"]) == lines[0]["payload"]
    quality = signed_in(office_app[0], "qa")
    assert quality.get("/staff/export/events.csv").status_code == 403


def test_today_view_answers_its_figures(manager):
    figures = manager.get("/staff/today.json").get_json()
    assert set(figures) == {"waiting", "being_served", "served", "wait_mean", "within_norm",
                            "workplaces_open", "norm_min"}


# --- the feedback API ------------------------------------------------------------------

def rate(app, body, token="tablet-token"):
    return app.test_client().post("/api/v1/feedback", json=body, headers={"Authorization": f"Bearer {token}"})


def test_ratings_refuse_unknown_unfinished_and_repeated_visits(office_app):
    app, ids, _ = office_app
    services = services_of(app)
    def fresh():  # the figures as they are now, not a report kept from a minute ago
        return compute_report(services.store.path, services.office, Period(FIRST, LAST), Filters())

    before = len(fresh().satisfaction.weekly)
    assert rate(app, {"ticket_id": "t-nothing", "rating": 5}).status_code == 404
    cancelled = rate(app, {"ticket_id": ids["V5"][0], "rating": 5})
    assert cancelled.status_code == 409 and "not finished" in cancelled.get_json()["reason"]
    again = rate(app, {"ticket_id": ids["V1"][0], "rating": 1})
    assert again.status_code == 409 and "rated already" in again.get_json()["reason"]
    for bad in ({"ticket_id": ids["V4"][0], "rating": 6}, {"ticket_id": ids["V4"][0], "rating": True},
                {"ticket_id": ids["V4"][0], "rating": 3, "reasons": ["rude"]},
                {"ticket_id": ids["V4"][0], "rating": 3, "comment": "x" * 1001}):
        answer = rate(app, bad)
        assert answer.status_code == 400 and answer.get_json()["error"] == "bad_request", bad
    assert rate(app, {"ticket_id": ids["V4"][0], "rating": 3}, token="nope").status_code == 401
    satisfaction = fresh().satisfaction
    assert satisfaction.ratings == 4 * DAYS + 1 and len(satisfaction.weekly) == before  # nothing counted


def test_a_tablet_with_no_visitor_gets_null(office_app):
    app = office_app[0]
    answer = app.test_client().get("/api/v1/feedback/pending?workplace=window_3",
                                   headers={"Authorization": "Bearer tablet-token"})
    assert answer.status_code == 200 and answer.get_json()["ticket"] is None
    unknown = app.test_client().get("/api/v1/feedback/pending?workplace=window_99",
                                    headers={"Authorization": "Bearer tablet-token"})
    assert unknown.status_code == 404


def test_a_curator_records_a_phone_rating_by_number_and_the_manager_answers(office_app, manager):
    app, ids, _ = office_app
    curator = signed_in(app, "cur")
    page = curator.get("/staff/feedback").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    number = services_of(app).tickets.ticket(ids["V4"][1]).number  # V4 of 2 December, not rated
    answer = curator.post("/staff/feedback", data={
        "csrf_token": token, "source": "phone", "number": number, "day": "2026-12-02", "rating": "2",
        "comment": "Не дождался звонка"})
    assert answer.status_code == 302
    twice = curator.post("/staff/feedback", data={
        "csrf_token": token, "source": "paper", "number": number, "day": "2026-12-02", "rating": "5"})
    assert twice.status_code == 409
    missing = curator.post("/staff/feedback", data={
        "csrf_token": token, "source": "paper", "number": "Я999", "day": "2026-12-02", "rating": "5"})
    assert missing.status_code == 404 and "Я999" in missing.get_data(as_text=True)
    _, waiting = services_of(app).feedback.journal()
    item = next(r for r in waiting if r.ticket_id == ids["V4"][1])
    assert (item.source, item.rating, item.recorded_by) == ("phone", 2, "user:cur")
    journal = manager.get("/staff/feedback").get_data(as_text=True)
    assert "Не дождался звонка" in journal
    token = CSRF.search(journal).group(1)
    prefix = f"r{item.id}-"
    empty = manager.post(f"/staff/feedback/{item.id}/response",
                         data={f"{prefix}csrf_token": token, f"{prefix}response": ""})
    assert empty.status_code == 400
    answer = manager.post(f"/staff/feedback/{item.id}/response", data={
        f"{prefix}csrf_token": token, f"{prefix}response": "Перезвонили, записали на завтра"})
    assert answer.status_code == 302
    _, waiting = services_of(app).feedback.journal()
    assert item.id not in {r.id for r in waiting}
    assert manager.post("/staff/feedback/99999/response", data={
        "r99999-csrf_token": token, "r99999-response": "x"}).status_code == 404


def test_the_tablet_page_needs_a_feedback_token_and_a_known_workplace(office_app):
    app = office_app[0]
    services_of(app).accounts.add_device("screen-9", "display", actor="test", token="screen-token")
    client = app.test_client()
    assert client.get("/display/feedback/window_3").status_code == 401
    assert client.get("/display/feedback/window_3?token=screen-token").status_code == 401
    assert client.get("/display/feedback/window_99?token=tablet-token").status_code == 404
    page = client.get("/display/feedback/window_3?token=tablet-token")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '"workplace": "window_3"' in text and "Как вас обслужили?" in text
    assert text.count('class="face face-') == 5
