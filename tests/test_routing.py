"""The routing table of docs/routing.md: each row is a case here (ids match the doc)."""

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from queue_server.domain import routing
from queue_server.domain.tickets import Status
from tests.domain_helpers import RULES, T0, ticket, workplace

W3 = workplace("w3", curator=2, reception=1)
SEPARATE = replace(W3, priority_window=True)  # the same window, configured as a priority window
BOUND = RULES.priority_bound_min


def t(seq, queue="curator", minutes_ago=0.0, **changes):
    made = ticket(seq, queue=queue, minutes_ago=minutes_ago)
    return replace(made, **changes) if changes else made


CASES = {
    "R1 longest waiting first in one queue":
        ([t(1, minutes_ago=3), t(2, minutes_ago=5)], "t2"),
    "R2 a returning ticket goes before everyone":
        ([t(1, minutes_ago=14, priority=True), t(2, minutes_ago=1, target_workplace="w3",
                                                 returning=True)], "t2"),
    "R3 a ticket sent to this workplace goes before the shared queue":
        ([t(1, minutes_ago=10), t(2, target_workplace="w3")], "t2"),
    "R4 a ticket sent to another workplace is not mine":
        ([t(1, target_workplace="w4")], None),
    "R5 an appointment whose time has come goes before out-of-turn":
        ([t(1, minutes_ago=10, priority=True),
          t(2, appointment_at=T0 - timedelta(minutes=1))], "t2"),
    "R6 an appointment not yet due waits like everyone":
        ([t(1, minutes_ago=5), t(2, appointment_at=T0 + timedelta(minutes=20))], "t1"),
    "R7 out-of-turn goes before a longer wait":
        ([t(1, minutes_ago=12), t(2, priority=True)], "t2"),
    "R8 the heavier queue wins while both are inside the norm":
        ([t(1, queue="reception", minutes_ago=8), t(2, queue="curator", minutes_ago=5)], "t2"),
    "R9 waited minutes times weight decides":
        ([t(1, queue="reception", minutes_ago=11), t(2, queue="curator", minutes_ago=5)], "t1"),
    "R10 past the norm, weights no longer count (no starvation)":
        ([t(1, queue="reception", minutes_ago=16), t(2, queue="curator", minutes_ago=14)], "t1"),
    "R11 a queue the workplace does not serve is not offered":
        ([t(1, queue="employers", minutes_ago=30)], None),
    "R12 only waiting tickets are called":
        ([t(1, status=Status.POSTPONED), t(2, status=Status.NO_SHOW)], None),
    "R13 equal waits: the lower number first":
        ([t(2, minutes_ago=5), t(1, minutes_ago=5)], "t1"),
    "R14 past the priority bound, out-of-turn visitors who came later no longer go first":
        ([t(1, queue="reception", minutes_ago=BOUND + 1), t(2, minutes_ago=10, priority=True)],
         "t1"),
    "R15 past the priority bound, an out-of-turn visitor who came earlier still goes first":
        ([t(1, queue="reception", minutes_ago=BOUND + 1),
          t(2, minutes_ago=BOUND + 5, priority=True)], "t2"),
    "R16 an out-of-turn ticket of a queue the workplace does not serve is not offered":
        ([t(1, queue="employers", minutes_ago=1, priority=True)], None),
}

# The same window configured with ``priority_window = true`` (the separate window).
SEPARATE_WINDOW_CASES = {
    "S1 an out-of-turn ticket of any queue is offered":
        ([t(1, queue="employers", minutes_ago=1, priority=True)], "t1"),
    "S2 out-of-turn of another queue goes before a longer wait in my own":
        ([t(1, minutes_ago=12), t(2, queue="employers", priority=True)], "t2"),
    "S3 out-of-turn tickets of every queue: longest waiting first":
        ([t(1, queue="career", minutes_ago=2, priority=True),
          t(2, queue="curator", minutes_ago=1, priority=True),
          t(3, queue="employers", minutes_ago=4, priority=True)], "t3"),
    "S4 an ordinary ticket of a queue it does not serve is still not offered":
        ([t(1, queue="employers", minutes_ago=BOUND + 10)], None),
    "S5 a ticket sent to this workplace still goes first":
        ([t(1, queue="employers", minutes_ago=10, priority=True), t(2, target_workplace="w3")],
         "t2"),
    "S6 past the priority bound, my ordinary visitor goes before later out-of-turn ones":
        ([t(1, queue="reception", minutes_ago=BOUND + 1),
          t(2, queue="employers", minutes_ago=20, priority=True)], "t1"),
}


@pytest.mark.parametrize(("tickets", "expected"), list(CASES.values()), ids=list(CASES))
def test_routing_case(tickets, expected):
    chosen = routing.next_for_workplace(tickets, W3, T0, RULES)
    assert (chosen.id if chosen else None) == expected


@pytest.mark.parametrize(("tickets", "expected"), list(SEPARATE_WINDOW_CASES.values()),
                         ids=list(SEPARATE_WINDOW_CASES))
def test_separate_window_case(tickets, expected):
    chosen = routing.next_for_workplace(tickets, SEPARATE, T0, RULES)
    assert (chosen.id if chosen else None) == expected


def test_every_case_is_in_the_routing_document():
    doc = (Path(__file__).parent.parent / "docs" / "routing.md").read_text("utf-8")
    for case in [*CASES, *SEPARATE_WINDOW_CASES]:
        assert f"| {case.split(' ', 1)[0]} |" in doc, f"{case} is missing from docs/routing.md"


def test_a_light_queue_is_never_starved_by_a_steady_heavy_one():
    """A curator who also helps reception serves a reception visitor within the norm + one service."""
    now = T0
    waiting = [t(1, queue="reception", minutes_ago=0)]
    seq = 2
    served_at = None
    for minute in range(0, 60, 5):  # a new curator visitor every 5 minutes, each served at once
        now = T0 + timedelta(minutes=minute)
        waiting.append(ticket(seq, queue="curator", now=now))
        seq += 1
        chosen = routing.next_for_workplace(waiting, W3, now, RULES)
        waiting.remove(chosen)
        if chosen.id == "t1":
            served_at = minute
            break
    assert served_at is not None and served_at <= RULES.wait_norm_min + 5


def test_a_steady_flow_of_out_of_turn_visitors_never_starves_an_ordinary_one():
    """At the separate window, a new out-of-turn visitor (of any queue) arrives every 5
    minutes, each called at once: the ordinary visitor is called within the bound + one."""
    waiting = [t(1, queue="reception", minutes_ago=0)]
    queues = ["employers", "curator", "career", "psychologist"]
    served_at = None
    for n, minute in enumerate(range(0, 120, 5)):
        now = T0 + timedelta(minutes=minute)
        waiting.append(ticket(n + 2, queue=queues[n % len(queues)], now=now, priority=True))
        chosen = routing.next_for_workplace(waiting, SEPARATE, now, RULES)
        waiting.remove(chosen)
        if chosen.id == "t1":
            served_at = minute
            break
    assert served_at is not None and BOUND <= served_at <= BOUND + 5


def test_queue_order_gives_people_ahead():
    line = routing.queue_order([t(1, minutes_ago=2), t(2, minutes_ago=7), t(3, priority=True),
                                t(4, target_workplace="w3")], "curator", T0, RULES)
    assert [x.id for x in line] == ["t3", "t2", "t1"]


def test_wait_estimate_shares_people_among_open_workplaces():
    assert routing.estimated_wait_minutes(6, 10, 3) == 20
    assert routing.estimated_wait_minutes(6, 10, 0) == 60
