"""The ticket lifecycle as pure rules: every step an event, wrong states refused."""

from dataclasses import replace
from datetime import timedelta

import pytest

from queue_server.domain import events as ev
from queue_server.domain import lifecycle as lc
from queue_server.domain.tickets import Status, replay
from tests.domain_helpers import T0, run, ticket, workplace

CURATOR = workplace("w3", curator=1)

ME = "user:curator1"


def called(at_workplace="w3"):
    t = ticket()
    return run(t, lc.call(t, workplace=at_workplace, at=T0, actor=ME))


def serving(at_workplace="w3"):
    t = called(at_workplace)
    return run(t, lc.start(t, workplace=at_workplace, at=T0, actor=ME))


def test_a_visit_runs_waiting_called_serving_finished_with_who_where_when():
    t = ticket()
    history = []
    for step in (
        lambda t: lc.call(t, workplace="w3", at=T0, actor=ME),
        lambda t: lc.recall(t, workplace="w3", at=T0 + timedelta(seconds=30), actor=ME),
        lambda t: lc.start(t, workplace="w3", at=T0 + timedelta(minutes=1), actor=ME),
        lambda t: lc.finish(t, services=("resume",), result="done", workplace="w3",
                            at=T0 + timedelta(minutes=9), actor=ME),
    ):
        events = step(t)
        history += events
        t = run(t, events)
    assert [e.type for e in history] == [
        "ticket.called", "ticket.recalled", "ticket.started", "ticket.finished"]
    assert all(e.actor == ME and e.workplace == "w3" for e in history)
    assert t.status is Status.FINISHED and t.calls == 2
    assert t.finished_at == T0 + timedelta(minutes=9)


@pytest.mark.parametrize(("make", "action"), [
    (ticket, lambda t: lc.start(t, workplace="w3", at=T0, actor=ME)),
    (ticket, lambda t: lc.recall(t, workplace="w3", at=T0, actor=ME)),
    (ticket, lambda t: lc.finish(t, workplace="w3", at=T0, actor=ME)),
    (called, lambda t: lc.finish(t, workplace="w3", at=T0, actor=ME)),
    (called, lambda t: lc.call(t, workplace="w4", at=T0, actor=ME)),
    (serving, lambda t: lc.start(t, workplace="w3", at=T0, actor=ME)),
    (serving, lambda t: lc.restore(t, reason="", workplace=None, at=T0, actor=ME)),
])
def test_wrong_state_is_refused_with_a_reason(make, action):
    with pytest.raises(lc.WrongState) as refused:
        action(make())
    assert "needs" in str(refused.value)


def test_only_the_workplace_holding_the_ticket_may_serve_it():
    with pytest.raises(lc.WrongState, match="must come from there"):
        lc.start(called("w3"), workplace="w4", at=T0, actor="user:curator2")


def test_redirect_keeps_the_number_and_returns_to_the_sender_ahead_of_new_arrivals():
    t = serving("w3")
    t = run(t, lc.redirect(t, to_queue="psychologist", to_workplace="w12", comment="стресс",
                           return_to_me=True, workplace="w3", at=T0, actor=ME))
    assert (t.status, t.queue, t.target_workplace, t.comment) == (
        Status.WAITING, "psychologist", "w12", "стресс")
    psychologist = "user:psychologist"
    t = run(t, lc.call(t, workplace="w12", at=T0, actor=psychologist))
    t = run(t, lc.start(t, workplace="w12", at=T0, actor=psychologist))
    events = lc.finish(t, services=("psy_support",), workplace="w12", at=T0, actor=psychologist)
    assert [e.type for e in events] == ["ticket.finished", "ticket.returned"]
    t = run(t, events)
    assert (t.status, t.target_workplace, t.returning, t.number, t.queue) == (
        Status.WAITING, "w3", True, "А001", "main")  # back in the sender's own queue
    assert t.return_stack == ()


def test_a_specific_call_needs_a_queue_the_workplace_serves_or_a_ticket_of_its_own():
    with pytest.raises(lc.WrongState, match="does not serve"):
        lc.call(ticket(queue="employers"), workplace="w3", place=CURATOR, at=T0, actor=ME)
    postponed = run(serving("w3"), lc.postpone(serving("w3"), minutes=None, workplace="w3",
                                                at=T0, actor=ME))
    assert lc.call(postponed, workplace="w3", place=CURATOR, at=T0, actor=ME)


def test_a_priority_window_may_call_an_out_of_turn_ticket_of_any_queue():
    window = replace(CURATOR, priority_window=True)
    assert lc.call(ticket(queue="employers", priority=True), workplace="w3", place=window,
                   at=T0, actor=ME)
    with pytest.raises(lc.WrongState, match="does not serve"):
        lc.call(ticket(queue="employers"), workplace="w3", place=window, at=T0, actor=ME)


def test_return_to_me_needs_the_ticket_at_my_workplace():
    with pytest.raises(lc.WrongState):
        lc.redirect(ticket(), to_queue="q", return_to_me=True, workplace="w3", at=T0, actor=ME)


def test_postponed_ticket_comes_back_by_itself_to_the_same_workplace():
    t = serving("w3")
    t = run(t, lc.postpone(t, minutes=10, workplace="w3", at=T0, actor=ME))
    assert t.status is Status.POSTPONED
    assert lc.return_due(t, at=T0 + timedelta(minutes=9)) == []
    events = lc.return_due(t, at=T0 + timedelta(minutes=10))
    assert events[0].actor == ev.SYSTEM
    t = run(t, events)
    assert (t.status, t.target_workplace) == (Status.WAITING, "w3")


def test_postponed_without_a_timer_waits_to_be_called():
    t = serving("w3")
    t = run(t, lc.postpone(t, minutes=None, workplace="w3", at=T0, actor=ME))
    assert lc.return_due(t, at=T0 + timedelta(days=1)) == []
    t = run(t, lc.call(t, workplace="w3", at=T0, actor=ME))
    assert t.status is Status.CALLED


def test_no_show_only_after_the_configured_number_of_calls_and_restorable():
    t = called("w3")
    with pytest.raises(lc.WrongState, match="called 1 of 3"):
        lc.no_show(t, calls_before_no_show=3, workplace="w3", at=T0, actor=ME)
    for _ in range(2):
        t = run(t, lc.recall(t, workplace="w3", at=T0, actor=ME))
    t = run(t, lc.no_show(t, calls_before_no_show=3, workplace="w3", at=T0, actor=ME))
    assert t.status is Status.NO_SHOW
    t = run(t, lc.restore(t, reason="came back", workplace=None, at=T0, actor="user:hall"))
    assert t.status is Status.WAITING and t.queued_at == ticket().queued_at


def test_cancel_and_priority_and_situation_are_events():
    t = ticket()
    t = run(t, lc.change_priority(t, priority=True, reason="сопровождает ребенка",
                                  workplace=None, at=T0, actor="user:hall"))
    assert t.priority
    assert lc.change_priority(t, priority=True, reason="", workplace=None, at=T0, actor=ME) == []
    t = run(t, lc.change_situation(t, life_situation="disability", workplace="w1", at=T0,
                                   actor="user:reception"))
    assert t.life_situation == "disability"
    t = run(t, lc.cancel(t, reason="left", workplace=None, at=T0, actor="user:hall"))
    assert t.status is Status.CANCELLED


def test_end_of_day_cancels_what_is_left_of_an_earlier_day_only_when_configured():
    t = ticket()
    tomorrow = t.day + timedelta(days=1)
    assert lc.end_of_day(t, today=t.day, policy="cancel", at=T0) == []
    assert lc.end_of_day(t, today=tomorrow, policy="keep", at=T0) == []
    [event] = lc.end_of_day(t, today=tomorrow, policy="cancel", at=T0)
    assert run(t, [event]).status is Status.CANCELLED and event.reason == "end_of_day"


def test_state_is_the_fold_of_the_events():
    t = ticket()
    log = [ev.TicketIssued(ticket_id=t.id, at=t.issued_at, actor="device:k", day=t.day,
                           prefix="А", seq=1, queue="main", life_situation="job_search",
                           language="ru", priority=False)]
    for step in (lambda t: lc.call(t, workplace="w3", at=T0, actor=ME),
                 lambda t: lc.start(t, workplace="w3", at=T0, actor=ME),
                 lambda t: lc.postpone(t, minutes=5, workplace="w3", at=T0, actor=ME)):
        events = step(t)
        log += events
        t = run(t, events)
    assert replay(log)[t.id] == t
