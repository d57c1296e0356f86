"""Sign-ins, failed sign-ins and sign-outs land in the audit log with who, when and from where."""

from queue_server.config import DEMO_OFFICE_PATH, load_office
from queue_server.service import services_of
from queue_server.web import create_app


def test_sign_in_attempts_and_sign_out_are_audited(tmp_path):
    app = create_app(office=load_office(DEMO_OFFICE_PATH), data_dir=tmp_path)
    services = services_of(app)
    services.accounts.create_user("curator1", "curator", "secret-password", ("window_3",), actor="test")
    client = app.test_client()
    login = "/api/v1/auth/login"
    assert client.post(login, json={"username": "curator1", "password": "wrong"},
                       environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 401
    answer = client.post(login, json={"username": "curator1", "password": "secret-password"},
                         environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert answer.status_code == 200
    token = answer.get_json()["token"]
    assert client.post("/api/v1/auth/logout",
                       headers={"Authorization": f"Bearer {token}"}).status_code == 204

    entries = [e for e in reversed(services.accounts.audit_entries()) if e["actor"] != "test"]
    assert [(e["actor"], e["action"]) for e in entries] == [
        ("user:curator1", "sign_in_failed"), ("user:curator1", "sign_in"),
        ("user:curator1", "sign_out")]
    assert all("10.0.0.7" in e["detail"] for e in entries[:2])
    assert all(e["at"] for e in entries)
