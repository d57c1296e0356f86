"""The findings of the attack on the server (issue 13), each with the test that would have caught it.

In-process: the real app, database and rules with the manual clock.  What needs a real
server process (slow clients, stream limits, the demo data check) is at the end.
"""

from __future__ import annotations

import stat

import pytest

from queue_server.domain import limits
from queue_server.service.accounts import ACCOUNT_FREE_FAILURES, ADDRESS_FREE_FAILURES, GLOBAL_FAILURES
from queue_server.store.accounts import AccountError
from queue_server.store.database import DATABASE_NAME

LOGIN = "/api/v1/auth/login"


def _issue(kiosk, **extra):
    answer = kiosk.post("/api/v1/tickets", {"life_situation": "job_search", **extra})
    assert answer.status_code in (200, 201), answer.get_json()
    return answer.get_json()


# --- scope: a curator acts only on visitors at their own window -----------------------------

@pytest.mark.parametrize(("action", "body"), [
    ("cancel", {"reason": "mine now"}),
    ("situation", {"life_situation": "unemployment_benefit"}),
])
def test_naming_ones_own_workplace_does_not_reach_a_visitor_at_another_window(
        signed_in, services, action, body):
    kiosk, reception = signed_in("kiosk"), signed_in("reception")
    other = signed_in("curator")  # at window_3
    ticket = _issue(kiosk)
    services.accounts.create_user("curator-far", "curator", "far-password", ("window_4",), actor="test")
    far = other.client.post(LOGIN, json={"username": "curator-far", "password": "far-password"})
    far_token = far.get_json()["token"]
    assert other.post(f"/api/v1/tickets/{ticket['id']}/call", {"workplace": "window_3"}).status_code == 200
    for intruder, own in ((far_token, "window_4"), (reception.token, "window_1")):
        answer = other.client.post(f"/api/v1/tickets/{ticket['id']}/{action}",
                                   json={**body, "workplace": own},
                                   headers={"Authorization": f"Bearer {intruder}"})
        assert answer.status_code == 403, answer.get_json()
        assert answer.get_json()["error"] == "forbidden"
    assert services.tickets.ticket(ticket["id"]).status.value == "called"
    assert services.tickets.ticket(ticket["id"]).life_situation == "job_search"


def test_the_curator_at_the_window_still_acts_on_their_own_visitor(signed_in):
    kiosk, curator = signed_in("kiosk"), signed_in("curator")
    ticket = _issue(kiosk)
    curator.post(f"/api/v1/tickets/{ticket['id']}/call", {"workplace": "window_3"})
    answer = curator.post(f"/api/v1/tickets/{ticket['id']}/cancel",
                          {"workplace": "window_3", "reason": "left"})
    assert answer.status_code == 200 and answer.get_json()["status"] == "cancelled"


# --- bad input answers 400, never 500 ----------------------------------------------------------

@pytest.mark.parametrize("raw", [
    b"[" * 100_000 + b"]" * 100_000,  # RecursionError inside Python's parser
    b'{"a":' * 40 + b"1" + b"}" * 40,  # parsed fine, deeper than any request of the API
])
def test_deeply_nested_json_is_refused_with_a_reason(signed_in, raw):
    kiosk = signed_in("kiosk")
    answer = kiosk.client.post("/api/v1/tickets", data=raw, content_type="application/json",
                               headers=kiosk._headers())
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "bad_request"


@pytest.mark.parametrize(("path", "raw"), [
    ("/api/v1/tickets", b'{"life_situation": "\\ud800"}'),
    ("/api/v1/tickets", b'{"life_situation": "job_search", "request_id": "a\\udfffb"}'),
    ("/api/v1/tickets", b'{"\\ud800": 1, "life_situation": "job_search"}'),
    ("/api/v1/devices/status", b'{"printer": "error", "detail": "\\ud83d"}'),
])
def test_lone_surrogates_in_any_string_are_refused_at_the_edge(signed_in, path, raw):
    kiosk = signed_in("kiosk")
    answer = kiosk.client.post(path, data=raw, content_type="application/json",
                               headers=kiosk._headers())
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert "surrogate" in answer.get_json()["reason"]


def test_an_empty_request_id_is_refused_every_time(signed_in):
    kiosk = signed_in("kiosk")
    for _ in range(2):
        answer = kiosk.post("/api/v1/tickets", {"life_situation": "job_search", "request_id": ""})
        assert answer.status_code == 400
        assert answer.get_json()["reason"].startswith("request_id")


def test_workplace_status_without_a_status_is_a_400_as_the_schema_says(signed_in, app):
    curator = signed_in("curator")
    answer = curator.post("/api/v1/workplaces/window_3/status", {})
    assert answer.status_code == 400 and answer.get_json()["reason"].startswith("status")
    schema = app.test_client().get("/api/v1/openapi.json").get_json()
    body = schema["paths"]["/workplaces/{workplace_id}/status"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["required"] == ["status"]


def test_405_names_the_allowed_methods(client):
    answer = client.get("/api/v1/tickets")
    assert answer.status_code == 405
    assert answer.headers["Allow"] == "OPTIONS, POST"
    assert client.delete("/api/v1/workplaces").headers["Allow"] == "GET, HEAD, OPTIONS"


# --- a workplace on break that calls is open again ------------------------------------------

@pytest.mark.parametrize("how", ["call-next", "call"])
def test_calling_from_a_break_opens_the_workplace(signed_in, services, how):
    kiosk, curator = signed_in("kiosk"), signed_in("curator")
    ticket = _issue(kiosk)
    assert curator.post("/api/v1/workplaces/window_3/status", {"status": "break"}).status_code == 204
    if how == "call-next":
        answer = curator.post("/api/v1/workplaces/window_3/call-next")
    else:
        answer = curator.post(f"/api/v1/tickets/{ticket['id']}/call", {"workplace": "window_3"})
    assert answer.status_code == 200
    assert services.desk.workplace_states()["window_3"]["status"] == "open"
    history = [s.event.type for s in services.tickets.history(ticket["id"])]
    assert history[-1] == "ticket.called"
    log = services.tickets.backlog(0, 100).events
    status_seq = max(s.seq for s in log if s.event.type == "workplace.status_changed")
    called_seq = max(s.seq for s in log if s.event.type == "ticket.called")
    assert status_seq < called_seq  # screens learn «open» before the call


def test_a_break_with_nobody_waiting_stays_a_break(signed_in, services):
    curator = signed_in("curator")
    curator.post("/api/v1/workplaces/window_3/status", {"status": "break"})
    assert curator.post("/api/v1/workplaces/window_3/call-next").status_code == 204
    assert services.desk.workplace_states()["window_3"]["status"] == "break"


# --- files, cookies, headers -------------------------------------------------------------------

def test_database_files_are_private(tmp_path, office, clock):
    from queue_server.web import create_app

    data = tmp_path / "office-data"
    app = create_app(office=office, data_dir=data, clock=clock)
    app.test_client().get("/api/v1/office")
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    files = [data / DATABASE_NAME, data / f"{DATABASE_NAME}-wal", data / f"{DATABASE_NAME}-shm"]
    for path in files:
        assert path.exists(), path
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_an_existing_world_readable_database_is_narrowed(tmp_path, office, clock):
    from queue_server.web import create_app

    create_app(office=office, data_dir=tmp_path, clock=clock)
    (tmp_path / DATABASE_NAME).chmod(0o644)
    create_app(office=office, data_dir=tmp_path, clock=clock)
    assert stat.S_IMODE((tmp_path / DATABASE_NAME).stat().st_mode) == 0o600


def test_secure_cookie_can_be_switched_on(tmp_path, office, clock):
    from queue_server.web import create_app
    from tests.test_staff_pages import csrf_of

    app = create_app(office=office, data_dir=tmp_path, clock=clock,
                     config={"SESSION_COOKIE_SECURE": True})
    client = app.test_client()
    answer = client.get("/staff/login")
    csrf_of(answer.get_data(as_text=True))
    assert "Secure" in answer.headers["Set-Cookie"]


@pytest.mark.parametrize("path", ["/display/hall/all", "/display/workplace/window_3",
                                  "/display/", "/api/v1/office", "/healthz", "/staff/login"])
def test_every_page_forbids_framing_and_sniffing(signed_in, path):
    display = signed_in("display")
    answer = display.client.get(f"{path}?token={display.token}")
    policy = answer.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    if path.startswith("/display/"):
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "style=" not in answer.get_data(as_text=True)  # the CSP would block it


# --- passwords and sign-in ------------------------------------------------------------------------

@pytest.mark.parametrize("password", ["1234", "x" * (limits.MIN_PASSWORD_LENGTH - 1)])
def test_short_passwords_are_refused_wherever_one_is_set(services, password):
    with pytest.raises(AccountError, match="password"):
        services.accounts.create_user("shorty", "curator", password, actor="test")
    services.accounts.create_user("longer", "curator", "long-enough", actor="test")
    with pytest.raises(AccountError, match="password"):
        services.accounts.set_password("longer", password, actor="test")


def test_guesses_at_one_account_from_many_addresses_slow_down(client, services):
    services.accounts.create_user("target", "curator", "right-password", actor="test")
    statuses = [client.post(LOGIN, json={"username": "target", "password": f"guess-{i}"},
                            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code
                for i in range(ACCOUNT_FREE_FAILURES + 1)]
    assert statuses == [401] * ACCOUNT_FREE_FAILURES + [429]


def test_guesses_sprayed_across_names_from_one_address_slow_down(client):
    statuses = [client.post(LOGIN, json={"username": f"name-{i}", "password": "guess"},
                            environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code
                for i in range(ADDRESS_FREE_FAILURES + 1)]
    assert statuses[-1] == 429 and statuses[:-1] == [401] * ADDRESS_FREE_FAILURES


def test_guesses_sprayed_across_names_and_addresses_slow_down_the_whole_office(client, clock):
    statuses = [client.post(LOGIN, json={"username": f"name-{i}", "password": "guess"},
                            environ_base={"REMOTE_ADDR": f"10.1.{i // 250}.{i % 250}"}).status_code
                for i in range(GLOBAL_FAILURES + 1)]
    assert statuses[-1] == 429 and set(statuses[:-1]) == {401}
    answer = client.post(LOGIN, json={"username": "other", "password": "guess"},
                         environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) >= 1
    clock.advance(minutes=2)  # the window passes: sign-in is possible again
    assert client.post(LOGIN, json={"username": "other", "password": "guess"},
                       environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 401


def test_an_unknown_name_costs_a_password_check_too(client, services, monkeypatch):
    """Timing must not tell which names exist: both answers run one scrypt check."""
    from queue_server.service import accounts as service_accounts

    services.accounts.create_user("known", "curator", "right-password", actor="test")
    checked: list[str] = []
    real_check = service_accounts.check_password_hash

    def counting(hash_: str, password: str) -> bool:
        checked.append(hash_)
        return real_check(hash_, password)

    monkeypatch.setattr(service_accounts, "check_password_hash", counting)
    for name in ("known", "nobody-at-all"):
        answer = client.post(LOGIN, json={"username": name, "password": "wrong-guess"})
        assert answer.status_code == 401
        assert answer.get_json()["reason"] == "wrong name or password"
    assert len(checked) == 2 and all(h.startswith("scrypt:") for h in checked)
    assert checked[1] != checked[0]  # the unknown name was checked against the dummy hash


def test_every_failed_or_refused_sign_in_is_held_back(tmp_path, office, clock, monkeypatch):
    """Guessing back to back gets one answer a second (SIGN_IN_FAILURE_SECONDS), not hundreds."""
    from queue_server.service import accounts as service_accounts
    from queue_server.web import create_app

    slept: list[float] = []
    monkeypatch.setattr(service_accounts, "hold", slept.append)
    app = create_app(office=office, data_dir=tmp_path, clock=clock,
                     config={"SIGN_IN_FAILURE_SECONDS": 1.5})
    client = app.test_client()
    statuses = [client.post(LOGIN, json={"username": "target", "password": "guess"}).status_code
                for _ in range(ACCOUNT_FREE_FAILURES + 1)]
    assert statuses[-1] == 429
    assert slept == [1.5] * len(statuses)  # refused attempts wait too
