"""Shared fixtures (a real server process, a fresh data directory) and the test tiers.

Tiers (docs/testing.md): ``live`` is given here to every test that starts a process
(tests/support/tiers.py says how it is found); ``browser``, ``kivy`` and ``speech``
are written on the tests.  The fast tier is the rest:
``./dev test -m "not live and not browser and not kivy and not speech"``.
"""

from __future__ import annotations

import sys

import pytest

from tests.support.live_server import LiveServer
from tests.support.tiers import PROCESS_EVENTS, reaches_process

SLOW_TIERS = ("live", "browser", "kivy", "speech")


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


# ---------------------------------------------------------------- tiers


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _starts_process(item):
            item.add_marker(pytest.mark.live)


def _starts_process(item: pytest.Item) -> bool:
    used = [getattr(item, "function", None)]
    for name in getattr(item, "fixturenames", ()):
        for definition in item._fixtureinfo.name2fixturedefs.get(name, ()):
            used.append(getattr(definition.func, "__func__", definition.func))
    return any(reaches_process(function) for function in used if function is not None)


_programs_started: list[str] = []


def _note_program_start(event: str, args: tuple) -> None:
    if event in PROCESS_EVENTS:
        _programs_started.append(f"{event} {args[:2]!r}"[:300])


sys.addaudithook(_note_program_start)  # cannot be removed: it only takes notes


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    _programs_started.clear()  # module-scoped fixtures start here, in their first test's setup
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """A test of the fast tier that started a process fails: the tiers stay true."""
    result = yield
    if _programs_started and not any(item.get_closest_marker(tier) for tier in SLOW_TIERS):
        started, _programs_started[:] = list(_programs_started), []
        pytest.fail("this test started a process but is in the fast tier; mark it "
                    f"@pytest.mark.live (see tests/support/tiers.py): {started[:3]}", pytrace=False)
    return result


from tests.support.app_fixtures import (  # noqa: E402,F401  (in-process fixtures for every test module)
    app,
    client,
    clock,
    office,
    services,
    signed_in,
)
