"""Shared fixtures: a real server process, a fresh data directory."""

from __future__ import annotations

import pytest

from tests.support.live_server import LiveServer


@pytest.fixture
def live_server(tmp_path):
    """A fresh demo-office server process on an ephemeral 127.0.0.1 port."""
    server = LiveServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One server for a whole test module, when tests do not disturb each other."""
    server = LiveServer(tmp_path_factory.mktemp("server")).start()
    yield server
    server.stop()


from tests.support.app_fixtures import (  # noqa: E402,F401  (in-process fixtures for every test module)
    app,
    client,
    clock,
    office,
    services,
    signed_in,
)
