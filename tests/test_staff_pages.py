"""Staff pages through the real Flask app: who may open which page and post which form,
sign-in and sign-out, CSRF, secure headers, the language switch, and account management.

Permission matrix: every role × every staff page and form action (server-side checks,
not the menu).  Ticket actions are API calls and are covered by the API's own tests.
"""

from __future__ import annotations

import json
import re

import pytest

from queue_server.config import DEMO_OFFICE_PATH, load_office
from queue_server.service import services_of
from queue_server.web import create_app

PASSWORD = "demo-pass-1"
USERS = {  # name: (role, workplaces)
    "admin": ("admin", ()),
    "hall": ("administrator", ()),
    "reception": ("reception", ("window_1",)),
    "curator1": ("curator", ("window_3",)),
    "psychologist": ("specialist", ("room_12",)),
    "callcentre": ("call_centre", ()),
    "manager": ("manager", ()),
    "quality": ("quality", ()),
}
ROLES = {name: role for name, (role, _) in USERS.items()}
OPERATORS = {"reception", "curator1", "psychologist"}
CONSOLE = {"admin", "hall"}
REPORTS = {"admin", "manager", "quality"}
CSRF = re.compile(r'name="(?:[\w.-]+-)?csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app(office=load_office(DEMO_OFFICE_PATH), data_dir=tmp_path_factory.mktemp("staff"),
                     config={"SIGN_IN_FAILURE_SECONDS": 0})
    accounts = services_of(app).accounts
    for name, (role, workplaces) in USERS.items():
        accounts.create_user(name, role, PASSWORD, tuple(workplaces), actor="test")
    for spare in ("victim", "leaver"):
        accounts.create_user(spare, "curator", PASSWORD, ("window_4",), actor="test")
    return app


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def sign_in(app, name: str, password: str = PASSWORD):
    client = app.test_client()
    token = csrf_of(client.get("/staff/login").get_data(as_text=True))
    answer = client.post("/staff/login", data={"username": name, "password": password, "csrf_token": token})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    return client


@pytest.fixture(scope="module")
def clients(app):
    return {name: sign_in(app, name) for name in USERS}


@pytest.fixture(scope="module")
def a_ticket(app):
    return services_of(app).tickets.issue(life_situation="job_search", language="ru", priority=False,
                         actor="device:kiosk-1").ticket


def page_token(client) -> str:
    return csrf_of(client.get("/staff/home").get_data(as_text=True))


# --- the permission matrix ---------------------------------------------------------------

PAGES = {  # path: names allowed (200); everyone else gets 403
    "/staff/console": CONSOLE,
    "/staff/console/door": CONSOLE,
    "/staff/accounts": {"admin"},
    "/staff/home": set(USERS),
    "/staff/data/workplace/window_3": {"curator1"},
    "/staff/data/restorable": CONSOLE,
    "/staff/appointments": {*CONSOLE, "callcentre", "curator1"},
    "/staff/messages": {*CONSOLE, "manager"},
    "/staff/reports": REPORTS,
    "/staff/reports/summary.xlsx": REPORTS,
    "/staff/today": {"hall", *REPORTS},
    "/staff/today.json": {"hall", *REPORTS},
    "/staff/feedback": {"hall", "curator1", *REPORTS},
    "/staff/export/events.jsonl": {"admin", "manager"},
}


@pytest.mark.parametrize("name", sorted(USERS))
@pytest.mark.parametrize("path", sorted(PAGES))
def test_page_permissions(clients, name, path):
    answer = clients[name].get(path)
    assert answer.status_code == (200 if name in PAGES[path] else 403), answer.status_code


@pytest.mark.parametrize("name", sorted(USERS))
def test_start_page_sends_each_role_to_its_own_page(clients, name):
    answer = clients[name].get("/staff/")
    if name in OPERATORS:
        assert answer.status_code == 200
        assert 'name="api-token"' in answer.get_data(as_text=True)
    else:
        assert answer.status_code == 302
        expected = ("/staff/console" if name in CONSOLE
                    else "/staff/appointments" if name == "callcentre"
                    else "/staff/reports" if name in REPORTS else "/staff/home")
        assert answer.headers["Location"].endswith(expected)


@pytest.mark.parametrize(("name", "changes_situation"), [
    ("reception", True), ("curator1", True), ("psychologist", False),
])
def test_operator_page_offers_the_buttons_the_api_allows(clients, name, changes_situation):
    page = clients[name].get("/staff/").get_data(as_text=True)
    shown = set(re.findall(r'data-action="([a-z-]+)"', page))
    assert shown == {"call-next", "recall", "start", "redirect", "postpone", "no-show", "finish",
                     *(["situation"] if changes_situation else [])}
    assert ('id="situation-dialog"' in page) == changes_situation
    assert 'id="break-toggle"' in page


@pytest.mark.parametrize("name", sorted(USERS))
def test_menu_links_only_the_pages_a_role_may_open(clients, name):
    page = clients[name].get("/staff/home").get_data(as_text=True)
    assert ('href="/staff/console"' in page) == (name in CONSOLE)
    assert ('href="/staff/accounts"' in page) == (name == "admin")


@pytest.mark.parametrize("name", sorted(USERS))
def test_speech_permission(clients, a_ticket, name):
    answer = clients[name].get(f"/staff/speech/{a_ticket.id}.wav")
    if name in CONSOLE:
        assert answer.status_code in (200, 503)
    else:
        assert answer.status_code == 403


def _account(app, name):
    return services_of(app).accounts.user(name)


ACTIONS = {  # name: (path, form fields without CSRF, names allowed)
    "pick workplace": ("/staff/workplace", {"workplace": "window_3"}, OPERATORS),
    "change workplace": ("/staff/workplace/change", {}, OPERATORS),
    "create account": ("/staff/accounts", {"name": "made-by-{who}", "role": "curator",
                                            "password": "long-enough-1"}, {"admin"}),
    "update account": ("/staff/accounts/victim", {"u-victim-role": "curator",
                                                   "u-victim-workplaces": "window_5",
                                                   "u-victim-active": "y"}, {"admin"}),
    "reset password": ("/staff/accounts/victim/password",
                       {"p-victim-password": "another-pass-{who}"}, {"admin"}),
}


@pytest.mark.parametrize("name", sorted(USERS))
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_form_action_permissions(app, clients, name, action):
    path, fields, allowed = ACTIONS[action]
    client = clients[name]
    data = {key: value.format(who=name) for key, value in fields.items()}
    prefixed = [key for key in data if key.startswith(("u-", "p-"))]
    token_field = prefixed[0].rsplit("-", 1)[0] + "-csrf_token" if prefixed else "csrf_token"
    data[token_field] = page_token(client)
    before = _account(app, "victim")
    answer = client.post(path, data=data)
    if name in allowed:
        assert answer.status_code == 302, answer.get_data(as_text=True)[:800]
    else:
        assert answer.status_code == 403
        assert _account(app, "victim") == before
        if action == "create account":
            assert _account(app, f"made-by-{name}") is None


@pytest.mark.parametrize("path", ["/staff/", "/staff/console", "/staff/accounts", "/staff/home",
                                  "/staff/data/restorable"])
def test_signed_out_pages_send_to_sign_in(app, path):
    answer = app.test_client().get(path)
    assert answer.status_code == 302
    assert "/staff/login" in answer.headers["Location"]


@pytest.mark.parametrize("path", ["/staff/accounts", "/staff/accounts/victim",
                                  "/staff/accounts/victim/password", "/staff/workplace"])
def test_signed_out_posts_change_nothing(app, path):
    before = _account(app, "victim")
    answer = app.test_client().post(path, data={"name": "intruder", "role": "admin",
                                                "password": "whatever-123"})
    assert answer.status_code == 302 and "/staff/login" in answer.headers["Location"]
    assert _account(app, "victim") == before and _account(app, "intruder") is None


# --- sign-in, sessions, CSRF, headers -----------------------------------------------------

def test_wrong_password_is_refused_and_repeated_failures_are_slowed(app):
    client = app.test_client()
    statuses = []
    for _ in range(5):
        token = csrf_of(client.get("/staff/login").get_data(as_text=True))
        answer = client.post("/staff/login", data={"username": "nobody-here", "password": "nope",
                                                   "csrf_token": token})
        statuses.append(answer.status_code)
    assert statuses[0] == 401
    assert statuses[-1] == 429
    assert int(answer.headers["Retry-After"]) >= 1
    assert "Попробуйте снова через" in answer.get_data(as_text=True)


def test_sign_in_without_csrf_token_is_refused(app):
    client = app.test_client()
    client.get("/staff/login")
    answer = client.post("/staff/login", data={"username": "curator1", "password": PASSWORD})
    assert answer.status_code == 400
    assert client.get("/staff/").status_code == 302  # still signed out


def test_sign_in_keeps_a_local_next_page_but_never_another_site(app):
    client = app.test_client()
    token = csrf_of(client.get("/staff/login").get_data(as_text=True))
    answer = client.post("/staff/login", data={"username": "hall", "password": PASSWORD,
                                               "csrf_token": token, "next": "//evil.example/x"})
    assert answer.headers["Location"].endswith("/staff/console")


def test_sign_out_ends_the_session_for_the_api_too(app):
    client = sign_in(app, "psychologist")
    html = client.get("/staff/").get_data(as_text=True)
    api_token = re.search(r'name="api-token" content="([^"]+)"', html).group(1)
    bearer = {"Authorization": f"Bearer {api_token}"}
    assert app.test_client().get("/api/v1/auth/me", headers=bearer).status_code == 200
    answer = client.post("/staff/logout", data={"csrf_token": csrf_of(html)})
    assert answer.status_code == 302
    assert app.test_client().get("/api/v1/auth/me", headers=bearer).status_code == 401
    assert client.get("/staff/").status_code == 302


def test_sign_out_without_csrf_token_keeps_the_session(app):
    client = sign_in(app, "reception")
    client.post("/staff/logout", data={})
    assert client.get("/staff/").status_code == 200


def test_staff_pages_send_secure_headers(clients):
    answer = clients["curator1"].get("/staff/")
    csp = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert answer.headers["Cache-Control"] == "no-store"  # the page carries the API token


def test_session_cookie_is_http_only_and_same_site_strict(app):
    client = app.test_client()
    answer = client.get("/staff/login")
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_pages_have_no_inline_scripts(clients):
    for path in ("/staff/", ):
        html = clients["curator1"].get(path).get_data(as_text=True)
        for script in re.findall(r"<script([^>]*)>", html):
            assert "src=" in script or 'type="application/json"' in script


# --- language -----------------------------------------------------------------------------

def test_language_switch_is_kept_in_the_session(app):
    client = sign_in(app, "curator1")
    html = client.get("/staff/").get_data(as_text=True)
    assert "Вызвать следующего" in html
    client.post("/staff/language", data={"language": "tt", "csrf_token": csrf_of(html), "next": "/staff/"})
    html = client.get("/staff/").get_data(as_text=True)
    assert '<html lang="tt">' in html and "Чираттагысын чакыру" in html and "3 нче тәрәзә" in html
    client.post("/staff/language", data={"language": "xx", "csrf_token": csrf_of(html)})
    assert '<html lang="tt">' in client.get("/staff/").get_data(as_text=True)


# --- accounts -----------------------------------------------------------------------------

def test_admin_creates_an_account_that_can_sign_in_and_is_audited(app, clients):
    admin = clients["admin"]
    answer = admin.post("/staff/accounts", data={
        "name": "career2", "role": "specialist", "password": "s3cret-pass",
        "workplaces": ["room_11"], "csrf_token": page_token(admin)})
    assert answer.status_code == 302
    assert "career2" in admin.get("/staff/accounts").get_data(as_text=True)
    user = _account(app, "career2")
    assert (user.role, user.workplaces, user.active) == ("specialist", ("room_11",), True)
    sign_in(app, "career2", "s3cret-pass")
    rows = list(services_of(app).store.db.query(
        "SELECT * FROM audit WHERE action = 'account.created'"))
    detail = json.loads(rows[-1]["detail"])
    assert rows[-1]["actor"] == "user:admin" and detail["target"] == "career2" and rows[-1]["at"]


@pytest.mark.parametrize(("fields", "status"), [
    ({"name": "Bad Name!", "role": "curator", "password": "long-enough-1"}, 400),
    ({"name": "shorty", "role": "curator", "password": "short"}, 400),
    ({"name": "x-role", "role": "emperor", "password": "long-enough-1"}, 400),
    ({"name": "curator1", "role": "curator", "password": "long-enough-1"}, 409),
])
def test_bad_account_input_gets_a_clear_error_and_keeps_what_was_typed(app, clients, fields, status):
    admin = clients["admin"]
    answer = admin.post("/staff/accounts", data={**fields, "csrf_token": page_token(admin)})
    assert answer.status_code == status
    html = answer.get_data(as_text=True)
    assert 'class="field-errors"' in html or "Проверьте" in html
    assert f'value="{fields["name"]}"' in html.replace("&#39;", "'").replace("&#34;", '"')


def test_disabling_an_account_closes_its_sessions(app, clients):
    leaver = sign_in(app, "leaver")
    assert leaver.get("/staff/").status_code == 200
    admin = clients["admin"]
    answer = admin.post("/staff/accounts/leaver", data={
        "u-leaver-role": "curator", "u-leaver-workplaces": ["window_4"],
        "u-leaver-csrf_token": page_token(admin)})  # "active" unticked
    assert answer.status_code == 302
    assert _account(app, "leaver").active is False
    assert leaver.get("/staff/").status_code == 302
    admin.post("/staff/accounts/leaver", data={
        "u-leaver-role": "curator", "u-leaver-workplaces": ["window_4"], "u-leaver-active": "y",
        "u-leaver-csrf_token": page_token(admin)})
    assert _account(app, "leaver").active is True


def test_admin_cannot_lock_themselves_out(app, clients):
    admin = clients["admin"]
    answer = admin.post("/staff/accounts/admin", data={
        "u-admin-role": "curator", "u-admin-active": "y", "u-admin-csrf_token": page_token(admin)})
    assert answer.status_code == 409
    assert _account(app, "admin").role == "admin"


def test_password_reset_takes_effect(app, clients):
    admin = clients["admin"]
    answer = admin.post("/staff/accounts/manager/password", data={
        "p-manager-password": "brand-new-pass", "p-manager-csrf_token": page_token(admin)})
    assert answer.status_code == 302
    sign_in(app, "manager", "brand-new-pass")
    db = services_of(app).store.db
    assert list(db.query("SELECT * FROM audit WHERE action = 'account.password_reset'"))


def test_operator_with_several_workplaces_picks_one(app, clients):
    admin = clients["admin"]
    admin.post("/staff/accounts", data={
        "name": "float", "role": "curator", "password": "long-enough-1",
        "workplaces": ["window_5", "window_6"], "csrf_token": page_token(admin)})
    client = sign_in(app, "float", "long-enough-1")
    html = client.get("/staff/").get_data(as_text=True)
    assert "Окно 5 — куратор" in html and "Окно 6 — куратор" in html and "api-token" not in html
    refused = client.post("/staff/workplace", data={"workplace": "window_3", "csrf_token": csrf_of(html)})
    assert refused.status_code == 302 and "api-token" not in client.get("/staff/").get_data(as_text=True)
    client.post("/staff/workplace", data={"workplace": "window_6", "csrf_token": csrf_of(html)})
    html = client.get("/staff/").get_data(as_text=True)
    assert 'data-workplace="window_6"' in html and "Окно 6 — куратор" in html


@pytest.mark.speech
def test_console_reads_a_ticket_out_in_the_visitors_language(app, clients):
    import io
    import wave

    ticket = services_of(app).tickets.issue(life_situation="job_search", language="tt", priority=False,
                           actor="user:hall").ticket
    answer = clients["hall"].get(f"/staff/speech/{ticket.id}.wav")
    assert answer.status_code == 200 and answer.mimetype == "audio/wav"
    with wave.open(io.BytesIO(answer.data)) as audio:
        frames = audio.readframes(audio.getnframes())
        seconds = audio.getnframes() / audio.getframerate()
    assert 1.0 < seconds < 15.0
    samples = memoryview(frames).cast("h")
    assert max(abs(sample) for sample in samples) > 1000  # not silence


def test_live_pages_subscribe_to_every_event_type_a_staff_token_receives(clients):
    from queue_server.domain.events import EVENT_TYPES

    for name, path in (("hall", "/staff/console"), ("curator1", "/staff/")):
        page = clients[name].get(path, follow_redirects=True).get_data(as_text=True)
        found = re.search(r'<script type="application/json" id="stream-event-types">(.*?)</script>', page)
        assert found, (name, path)
        assert json.loads(found.group(1)) == list(EVENT_TYPES), (name, path)
