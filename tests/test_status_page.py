"""The visitor's status page in process: content, language, privacy, and the live stream."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tests.support.app_fixtures import DEMO_OFFICE


@pytest.fixture
def kiosk(signed_in):
    return signed_in("kiosk")


def issue(kiosk, language="ru", situation="disability"):
    answer = kiosk.post("/api/v1/tickets", json={"life_situation": situation, "language": language})
    assert answer.status_code == 201
    return answer.get_json()


def test_the_qr_leads_to_the_page_in_the_tickets_language(client, kiosk):
    issue(kiosk)
    ticket = issue(kiosk, language="tt")
    assert ticket["status_url"] == f"/t/{ticket['id']}"
    page = client.get(ticket["status_url"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="tt">' in html
    assert ticket["number"] in html and "Алдыгызда" in html and "1 кеше" in html
    assert "Content-Security-Policy" in page.headers and page.headers["Referrer-Policy"] == "no-referrer"
    english = client.get(ticket["status_url"] + "?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Ahead of you" in english


def test_nothing_personal_on_the_page(client, kiosk):
    ticket = issue(kiosk, situation="disability")  # a sensitive situation
    html = client.get(ticket["status_url"]).get_data(as_text=True).lower()
    state = client.get(ticket["status_url"] + "/state").get_json()
    for text in (html, json.dumps(state, ensure_ascii=False).lower()):
        assert "инвалид" not in text and "disability" not in text and "priority" not in text


def test_public_address_goes_on_the_qr(tmp_path, clock):
    from queue_server.service import services_of
    from queue_server.web import create_app

    office = dataclasses.replace(DEMO_OFFICE, public_url="https://ochered.czn-chelny.ru")
    app = create_app(office=office, data_dir=tmp_path, clock=clock, config={"TESTING": True})
    token = services_of(app).accounts.add_device("kiosk-x", "kiosk", actor="test")
    answer = app.test_client().post("/api/v1/tickets", json={"life_situation": "job_search"},
                                    headers={"Authorization": f"Bearer {token}"}).get_json()
    assert answer["status_url"] == f"https://ochered.czn-chelny.ru/t/{answer['id']}"


@pytest.mark.parametrize("path", ["/t/t0000000000000000", "/t/nonsense", "/t/T0000000000000000/state"])
def test_unknown_ticket_is_a_plain_not_found_page(client, path):
    page = client.get(path)
    assert page.status_code == 404 and "Такого талона нет" in page.get_data(as_text=True)


def test_stream_follows_the_ticket_until_it_is_called(client, kiosk, signed_in):
    reception = signed_in("reception")
    reception.post("/api/v1/workplaces/window_1/status", json={"status": "open"})
    first = issue(kiosk, situation="job_search")
    mine = issue(kiosk, language="tt", situation="job_search")
    response = client.get(f"/t/{mine['id']}/events", buffered=False)
    chunks = iter(response.response)

    def next_state() -> dict:
        for chunk in chunks:
            text = chunk.decode() if isinstance(chunk, bytes) else chunk
            if "event: state" in text:
                return json.loads(text.split("data: ", 1)[1])
        raise AssertionError("stream ended")

    assert next_state()["people_ahead"] == 1
    reception.post("/api/v1/workplaces/window_1/call-next")  # the first visitor: one fewer ahead
    assert next_state()["people_ahead"] == 0
    reception.post(f"/api/v1/tickets/{first['id']}/cancel", json={"reason": "left"})
    reception.post("/api/v1/workplaces/window_1/call-next")
    called = next_state()
    assert called["called"] and called["place"] == "1 нче тәрәзә" and "Сезне чакыралар" in called["line"]
    assert "Беренчел кабул итү зонасы" in called["way"]  # the zone, in Tatar
    response.close()
