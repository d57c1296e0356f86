"""Schemathesis over openapi.json: every answer is one the document describes, none is a 500.

Bounded and derandomised so that CI runs the same few cases every time, in seconds;
the app is the real one (in process, real SQLite, manual clock) with a kiosk token
and an admin's session, so most requests get past authentication to the rules.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from queue_server.config import DEMO_OFFICE_PATH, load_office
from queue_server.domain.clock import ManualClock
from queue_server.service import services_of
from queue_server.web import create_app
from tests.support.app_fixtures import MONDAY_10_00

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the library's own


def _fuzzed_app():
    """Made at import: schemathesis builds its cases when the module is collected."""
    app = create_app(office=load_office(DEMO_OFFICE_PATH), data_dir=Path(tempfile.mkdtemp()),
                     clock=ManualClock(MONDAY_10_00), config={"TESTING": True})
    services_of(app).accounts.create_user("fuzz-admin", "admin", "fuzz-password", actor="test")
    token = app.test_client().post("/api/v1/auth/login", json={
        "username": "fuzz-admin", "password": "fuzz-password"}).get_json()["token"]
    return app, token


APP, TOKEN = _fuzzed_app()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=15, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_answer_is_documented_and_none_is_a_server_error(case):
    if case.path == "/events":
        pytest.skip("an endless stream: tests/test_event_stream.py covers it")
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"})
