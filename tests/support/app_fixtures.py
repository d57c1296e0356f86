"""In-process fixtures: the real app, database and rules, no server process, a manual clock.

For API and service rules tested in milliseconds.  What needs a process (kill -9,
streams over a socket, browsers, gevent) keeps using ``tests.support.live_server``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from queue_server.config import DEMO_OFFICE_PATH, load_office
from queue_server.domain.access import DEVICES, STAFF_ROLES
from queue_server.domain.clock import ManualClock
from queue_server.domain.office import Office
from queue_server.service import Services, services_of
from queue_server.web import create_app

MONDAY_10_00 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # 10:00 in Naberezhnye Chelny
PASSWORD = "fixture-password"
WORKPLACE_OF_ROLE = {"reception": ("window_1",), "curator": ("window_3",), "specialist": ("room_11",)}
DEMO_OFFICE = load_office(DEMO_OFFICE_PATH)


@pytest.fixture
def office() -> Office:
    return DEMO_OFFICE


@pytest.fixture
def clock() -> ManualClock:
    """Starts on a Monday at 10:00 office time; moves only with ``advance``/``set``."""
    return ManualClock(MONDAY_10_00)


@pytest.fixture
def app(tmp_path, office, clock) -> Flask:
    # No second's pause after a failed sign-in: tests count attempts, not seconds.
    return create_app(office=office, data_dir=tmp_path, clock=clock,
                      config={"TESTING": True, "SIGN_IN_FAILURE_SECONDS": 0})


@pytest.fixture
def services(app) -> Services:
    return services_of(app)


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


class ApiClient:
    """A Flask test client that sends one bearer token with every request."""

    def __init__(self, client: FlaskClient, token: str, name: str):
        self.client, self.token, self.name = client, token, name

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **kwargs):
        return self.client.get(path, headers=self._headers(), **kwargs)

    def post(self, path: str, json: object = None, **kwargs):
        return self.client.post(path, json=json, headers=self._headers(), **kwargs)


@pytest.fixture
def signed_in(app, services) -> Callable[[str], ApiClient]:
    """``signed_in("curator")``: an API client of a new member of staff with that role,
    or of a device (``"kiosk"``, ``"display"``)."""

    def sign_in(role: str) -> ApiClient:
        name = f"{role.replace('_', '-')}-{len(services.accounts.users()) + 1}"
        if role in DEVICES:
            token = services.accounts.add_device(name, role, actor="test")
            return ApiClient(app.test_client(), token, name)
        assert role in STAFF_ROLES, f"no role {role!r}"
        services.accounts.create_user(name, role, PASSWORD, WORKPLACE_OF_ROLE.get(role, ()), actor="test")
        answer = app.test_client().post("/api/v1/auth/login", json={"username": name, "password": PASSWORD})
        assert answer.status_code == 200, answer.get_json()
        return ApiClient(app.test_client(), answer.get_json()["token"], name)

    return sign_in
