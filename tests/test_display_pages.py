"""Display routes over real HTTP: tokens, pages, the announcement audio, privacy, the launcher."""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.parse
import urllib.request
from urllib.error import HTTPError

import pytest

from displays import launcher, pcm
from displays.announcements import call_phrases

TOKEN = "demo-display-token"


def get(server, path: str, **params) -> tuple[int, dict, bytes]:
    query = urllib.parse.urlencode(params, doseq=True)
    url = f"{server.url}{path}{'?' + query if query else ''}"
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except HTTPError as error:
        return error.code, dict(error.headers), error.read()


def called_ticket(server, workplace: str, language: str = "ru", **issue) -> dict:
    ticket = server.issue(language=language, **issue)
    status, body = server.request("POST", f"/api/v1/tickets/{ticket['id']}/call",
                                  token=server.login("admin"), body={"workplace": workplace})
    assert status == 200, (status, body)
    return body


def finish_off(server, ticket_id: str) -> None:
    server.request("POST", f"/api/v1/tickets/{ticket_id}/cancel", token=server.login("admin"),
                   body={"reason": "test over"})


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["none", "unknown", "kiosk", "staff"])
def test_pages_need_a_display_token(shared_server, who):
    token = {"none": None, "unknown": "not-a-token", "kiosk": shared_server.kiosk_token,
             "staff": shared_server.login("admin")}[who]
    params = {"token": token} if token else {}
    for path in ("/display/hall/all", "/display/workplace/window_1", "/display/"):
        status, headers, body = get(shared_server, path, **params)
        assert status == 401, (path, status)
        assert headers["Content-Type"].startswith("text/html")
        page = body.decode()
        assert "Экран не подключён" in page and "Экран тоташтырылмаган" in page
        assert "Traceback" not in page
    status, headers, body = get(shared_server, "/display/announcement.wav", ticket="t1", **params)
    assert status == 401 and headers["Content-Type"].startswith("text/plain")


def test_unknown_zone_or_workplace_is_a_plain_404(shared_server):
    for path in ("/display/hall/nowhere", "/display/hall/reception,nowhere", "/display/hall/,",
                 "/display/workplace/window_99"):
        status, _, body = get(shared_server, path, token=TOKEN)
        assert status == 404, path
        assert "Нет такого экрана" in body.decode()


def test_hall_page_is_bilingual_and_escapes_notices(shared_server):
    notices = ["<script>alert(1)</script>", *[f"Объявление {n}" for n in range(1, 8)]]
    status, headers, body = get(shared_server, "/display/hall/reception,curators", token=TOKEN,
                                notice=notices)
    page = body.decode()
    assert status == 200 and headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer", "the token must not leak to other sites"
    for label in ("Вызов посетителей", "Килүчеләрне чакыру", "Зона первичного приема",
                  "Беренчел кабул итү зонасы", "Куда пройти", "Кая узарга"):
        assert label in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "Объявление 4" in page and "Объявление 5" not in page, "at most five notices"


def test_index_lists_every_display_of_the_office(shared_server):
    status, _, body = get(shared_server, "/display/", token=TOKEN)
    page = body.decode()
    assert status == 200
    assert "/display/hall/all?token=demo-display-token" in page
    assert "/display/workplace/room_12?token=demo-display-token" in page


def test_display_font_is_served_and_nothing_else(shared_server):
    status, _, body = get(shared_server, "/display/fonts/DejaVuSans-Bold.ttf")
    assert status == 200 and len(body) > 100_000
    for name in ("secret_key", "..%2Fsecret_key", "x.ttf"):
        assert get(shared_server, f"/display/fonts/{name}")[0] == 404


# --- announcement audio ------------------------------------------------------------------------


@pytest.mark.speech
def test_announcement_audio_of_a_called_ticket(shared_server):
    russian = called_ticket(shared_server, "window_7", "ru", life_situation="business_start")
    tatar = called_ticket(shared_server, "window_8", "tt", life_situation="staff_search")
    durations = {}
    for ticket in (russian, tatar):
        status, headers, body = get(shared_server, "/display/announcement.wav", ticket=ticket["id"],
                                    token=TOKEN, text="anything at all")
        assert status == 200 and headers["Content-Type"] == "audio/wav"
        assert headers["X-Speech"] == "spoken"
        audio = pcm.read_wav(body)
        assert pcm.rms(audio) > 0.02
        durations[ticket["language"]] = audio.seconds
        finish_off(shared_server, ticket["id"])
    assert 3.0 < durations["ru"] < 8.0, durations
    assert durations["tt"] > durations["ru"] + 1.0, "Tatar, then Russian as well"


def test_announcement_refuses_what_it_cannot_say(shared_server):
    waiting = shared_server.issue(language="ru", life_situation="legal")
    cases = {"": 400, "../../secret_key": 400, "t" + "0" * 16: 404, waiting["id"]: 409}
    for ticket_id, expected in cases.items():
        status, headers, body = get(shared_server, "/display/announcement.wav", ticket=ticket_id,
                                    token=TOKEN)
        assert status == expected, (ticket_id, status, body)
        assert headers["Content-Type"].startswith("text/plain")
    finish_off(shared_server, waiting["id"])


# --- privacy -----------------------------------------------------------------------------------


def read_events(server, until_type: str, ticket_id: str, timeout: float = 10.0) -> list[dict]:
    """Events as a display receives them, from the start of the log until ``until_type``."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    connection.request("GET", f"/api/v1/events?token={TOKEN}&after=0")
    response = connection.getresponse()
    assert response.status == 200
    events, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            line = response.readline().decode()
            if line.startswith("data: "):
                event = json.loads(line[len("data: "):])
                events.append(event)
                if event["type"] == until_type and (event.get("ticket") or {}).get("id") == ticket_id:
                    return events
    finally:
        connection.close()
    raise AssertionError(f"no {until_type} in {timeout}s")


SECRETS = ("disability", "инвалид", "Инвалид", "priority", "приоритет", "life_situation",
           "curator1", "user:admin", "comment", "Работа при инвалидности", "Инвалидлык белән эш",
           "Work with a disability")


def test_displays_never_carry_a_life_situation_name_or_priority(shared_server):
    ticket = called_ticket(shared_server, "window_3", "tt", life_situation="disability", priority=True)
    shared_server.request("POST", f"/api/v1/tickets/{ticket['id']}/recall",
                          token=shared_server.login("admin"))
    seen = []
    for path in ("/display/hall/all", "/display/hall/curators", "/display/workplace/window_3", "/display/"):
        status, _, body = get(shared_server, path, token=TOKEN, counts="1")
        assert status == 200
        seen.append((path, body.decode()))
    events = read_events(shared_server, "ticket.recalled", ticket["id"])
    assert any((e.get("ticket") or {}).get("id") == ticket["id"] for e in events)
    seen.append(("events", json.dumps(events, ensure_ascii=False)))
    for api in ("/api/v1/workplaces", "/api/v1/queues", "/api/v1/office"):
        status, answer = shared_server.request("GET", api, token=TOKEN)
        assert status == 200
        if api != "/api/v1/office":  # the office lists every situation for the kiosk, by design
            seen.append((api, json.dumps(answer, ensure_ascii=False)))
    phrases = call_phrases(ticket["spoken_number"], "3", "window", ticket["language"])
    seen.append(("speech", " ".join(p.text for p in phrases)))
    assert [p.text for p in phrases] == [f"{ticket['spoken_number']} талоны, 3 нче тәрәзәгә узыгыз",
                                         f"Талон {ticket['spoken_number']}, окно 3"]
    for where, content in seen:
        for secret in SECRETS:
            assert secret not in content, f"{secret!r} in {where}"
    finish_off(shared_server, ticket["id"])


# --- launcher -----------------------------------------------------------------------------------


def test_launcher_command_lets_sound_play_unattended(capsys, tmp_path):
    url = "http://127.0.0.1:8080/display/hall/all?token=abc"
    assert launcher.main(["--print", "--browser", "/usr/bin/chromium", "--profile", str(tmp_path), url]) == 0
    printed = capsys.readouterr().out
    for flag in ("--kiosk", "--autoplay-policy=no-user-gesture-required", "--noerrdialogs",
                 "--disable-session-crashed-bubble", "--no-first-run", f"--user-data-dir={tmp_path}"):
        assert flag in printed
    assert printed.rstrip().endswith("'http://127.0.0.1:8080/display/hall/all?token=abc'")


def test_launcher_refuses_an_address_that_is_not_a_display(capsys):
    for url in ("ftp://x/display/hall/all", "http://host:8080/staff/", "hall"):
        with pytest.raises(SystemExit):
            launcher.main(["--print", url])
    assert "not" in capsys.readouterr().err


def test_launcher_finds_a_browser_on_linux_and_windows(tmp_path):
    if launcher.shutil.which("chromium"):
        assert launcher.find_browser("linux").endswith("chromium")
    chrome = tmp_path / launcher.WINDOWS_PATHS[0]
    chrome.parent.mkdir(parents=True, exist_ok=True)
    chrome.write_bytes(b"")
    assert launcher.find_browser("win32", {"PROGRAMFILES": str(tmp_path)}) == str(chrome)
    with pytest.raises(launcher.BrowserNotFound):
        launcher.find_browser("win32", {"PROGRAMFILES": str(tmp_path / "empty"), "PATH": ""})


def test_pages_subscribe_to_the_public_event_types_the_server_publishes(shared_server):
    _, _, body = get(shared_server, "/api/v1/openapi.json")
    published = json.loads(body)["x-event-types"]
    public = [name for name, about in published.items() if about["audience"] == "public" and name != "resync"]
    for path in ("/display/hall/all", "/display/workplace/window_1"):
        status, _, body = get(shared_server, path, token=TOKEN)
        config = re.search(r'<script type="application/json" id="display-config">(.*?)</script>',
                           body.decode(), re.S)
        assert status == 200 and config, path
        assert json.loads(config.group(1))["eventTypes"] == public, path
