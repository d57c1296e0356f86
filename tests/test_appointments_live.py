"""Two call-centre operators racing for the last place of a slot, over real HTTP against a
real server process: one booking, one ``slot_full``, every time."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

from tests.support.live_server import LiveServer

MONDAY_10_00 = datetime.fromisoformat("2026-11-30T10:00+03:00")
ROUNDS = 8


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    started = LiveServer(tmp_path_factory.mktemp("race"), clock_start=MONDAY_10_00).start()
    yield started
    started.stop()


def race(server: LiveServer, tokens: list[str], body: dict) -> list[tuple[int, dict]]:
    """Every client posts the same booking at the same moment."""
    barrier = threading.Barrier(len(tokens))
    answers: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def operator(token: str) -> None:
        barrier.wait()
        answer = server.request("POST", "/api/v1/appointments", token=token, body=body)
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=operator, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


@pytest.mark.parametrize(("queue", "capacity"), [("career", 1), ("curator", 2)])
def test_racing_operators_never_overbook_a_slot(server, queue, capacity):
    tokens = [server.login("callcentre"), server.login("hall"), server.login("admin")][:capacity + 1]
    status, free = server.request("GET", f"/api/v1/appointments/slots?queue={queue}&days=3",
                                  token=tokens[0])
    assert status == 200
    for slot in [s["at"] for s in free["slots"] if s["free"] == capacity][:ROUNDS]:
        answers = race(server, tokens, {"queue": queue, "slot": slot})
        statuses = sorted(status for status, _ in answers)
        assert statuses == [201] * capacity + [409], (slot, answers)
        assert [body["error"] for status, body in answers if status == 409] == ["slot_full"]
        day = server.request("GET", f"/api/v1/appointments?day={slot[:10]}&queue={queue}",
                             token=tokens[0])[1]["appointments"]
        assert sum(a["slot_at"] == slot for a in day) == capacity
