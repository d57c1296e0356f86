"""The API never uses cookie sessions: no Set-Cookie, and a staff cookie grants nothing there."""

from queue_server.config import DEMO_OFFICE_PATH, load_office
from queue_server.service import services_of
from queue_server.web import create_app


def test_api_ignores_and_never_sets_session_cookies(tmp_path):
    app = create_app(office=load_office(DEMO_OFFICE_PATH), data_dir=tmp_path)
    services_of(app).accounts.create_user("hall", "administrator", "secret-password", actor="test")
    client = app.test_client()
    # a signed-in staff page session: the cookie holds a valid API token
    login = client.post("/api/v1/auth/login", json={"username": "hall", "password": "secret-password"})
    assert login.status_code == 200 and "Set-Cookie" not in login.headers
    with client.session_transaction() as session:
        session["token"] = login.get_json()["token"]
    # the cookie alone does not authenticate an API call (so no cross-site request forgery)
    refused = client.post("/api/v1/tickets", json={"life_situation": "job_search"})
    assert refused.status_code == 401 and "Set-Cookie" not in refused.headers
    allowed = client.post("/api/v1/tickets", json={"life_situation": "job_search"},
                          headers={"Authorization": f"Bearer {login.get_json()['token']}"})
    assert allowed.status_code == 201 and "Set-Cookie" not in allowed.headers
