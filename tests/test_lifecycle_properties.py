"""A stateful property test of the ticket lifecycle: hypothesis drives the real service and store.

Random sequences of issue, call next, recall, start, postpone, no-show, finish,
redirect (also "return to me"), cancel and the clock moving on (with the ticker's
tick) run against ``Services`` over a real SQLite file with the manual clock.  After
every step:

- each ticket is in exactly one place: the in-memory projection equals the database,
  a workplace has at most one visitor at its desk, and a visitor at a desk is there;
- numbers are unique per office day;
- each ticket's history folds back to the ticket as stored;
- nobody is passed over beyond the priority bound: when a workplace calls next from
  its queues' shared line, nobody in that line who has waited past
  ``priority_bound_min`` waited longer than the one called.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from queue_server.domain import routing
from queue_server.domain.clock import ManualClock
from queue_server.domain.lifecycle import WrongState
from queue_server.domain.tickets import ACTIVE, Status, replay
from queue_server.service import Busy, open_services
from queue_server.store import tickets as repo
from tests.support.app_fixtures import DEMO_OFFICE, MONDAY_10_00

SITUATIONS = [s.id for s in DEMO_OFFICE.life_situations][:6]
WORKPLACES = [w.id for w in DEMO_OFFICE.workplaces]
QUEUES = [q.id for q in DEMO_OFFICE.queues]
SERVICE = DEMO_OFFICE.services[0].id
ACTOR = "user:property"
REFUSALS = (WrongState, Busy)  # a step that does not apply now is refused, and that is fine


class TicketLifecycle(RuleBasedStateMachine):
    @initialize()
    def open_office(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="lifecycle-"))
        self.clock = ManualClock(MONDAY_10_00)
        self.services = open_services(self.directory, DEMO_OFFICE, self.clock)
        self.tickets = self.services.tickets

    def teardown(self) -> None:
        if hasattr(self, "services"):
            self.services.close()
            shutil.rmtree(self.directory, ignore_errors=True)

    def _at_a_desk(self, pick: int):
        """One of the visitors at a desk now (chosen by ``pick``), or None."""
        at_desks = sorted((t for t in self.tickets.open_tickets()
                           if t.status in (Status.CALLED, Status.SERVING)), key=lambda t: t.workplace or "")
        return at_desks[pick % len(at_desks)] if at_desks else None

    # --- steps --------------------------------------------------------------------------

    @rule(situation=st.sampled_from(SITUATIONS), priority=st.booleans())
    def issue(self, situation: str, priority: bool) -> None:
        self.tickets.issue(life_situation=situation, language="ru", priority=priority, actor=ACTOR)

    @rule(pick=st.integers(min_value=0, max_value=100))
    def call_next(self, pick: int) -> None:
        now = self.clock.now()
        before = self.tickets.open_tickets()
        busy = {t.workplace for t in before if t.status in (Status.CALLED, Status.SERVING)}
        able = [w for w in WORKPLACES if w not in busy and routing.next_for_workplace(
            before, DEMO_OFFICE.workplace(w), now, DEMO_OFFICE.rules) is not None]
        workplace = (able or WORKPLACES)[pick % len(able or WORKPLACES)]
        place = DEMO_OFFICE.workplace(workplace)
        try:
            called = self.tickets.call_next(workplace, actor=ACTOR)
        except REFUSALS:
            return
        if called is None:
            assert routing.next_for_workplace(before, place, now, DEMO_OFFICE.rules) is None
            return
        chosen = next(t for t in before if t.id == called.id)
        if chosen.target_workplace is None and not (chosen.appointment_at and chosen.appointment_at <= now):
            bound = DEMO_OFFICE.rules.priority_bound_min * 60
            for other in before:
                if (other.status is Status.WAITING and other.target_workplace is None
                        and routing.reaches(place, other)
                        and (now - other.queued_at).total_seconds() > bound):
                    assert chosen.queued_at <= other.queued_at, (
                        f"{other.number} waited past the bound and {chosen.number}, who came later, "
                        f"was called first")

    @rule(pick=st.integers(min_value=0, max_value=100),
          action=st.sampled_from(["recall", "start", "no_show", "finish", "finish", "postpone"]))
    def at_the_desk(self, pick: int, action: str) -> None:
        ticket = self._at_a_desk(pick)
        if ticket is None:
            return
        common = {"workplace": ticket.workplace, "actor": ACTOR}
        calls = {
            "recall": lambda: self.tickets.recall(ticket.id, **common),
            "start": lambda: self.tickets.start(ticket.id, **common),
            "no_show": lambda: self.tickets.no_show(ticket.id, **common),
            "finish": lambda: self.tickets.finish(ticket.id, services=[SERVICE], result="served", **common),
            "postpone": lambda: self.tickets.postpone(ticket.id, minutes=10, **common),
        }
        with contextlib.suppress(*REFUSALS):
            calls[action]()

    @rule(pick=st.integers(min_value=0, max_value=100), queue=st.sampled_from(QUEUES), back=st.booleans())
    def redirect(self, pick: int, queue: str, back: bool) -> None:
        ticket = self._at_a_desk(pick)
        if ticket is None:
            return
        with contextlib.suppress(*REFUSALS):
            self.tickets.redirect(ticket.id, queue=queue, workplace=None, comment="", return_to_me=back,
                                  from_workplace=ticket.workplace, actor=ACTOR)

    @rule(pick=st.integers(min_value=0, max_value=100))
    def serve_to_the_end(self, pick: int) -> None:
        ticket = self._at_a_desk(pick)
        if ticket is None:
            return
        common = {"workplace": ticket.workplace, "actor": ACTOR}
        if ticket.status is Status.CALLED:
            self.tickets.start(ticket.id, **common)
        self.tickets.finish(ticket.id, services=[SERVICE], result="served", **common)

    @rule(pick=st.integers(min_value=0, max_value=1000))
    def cancel(self, pick: int) -> None:
        open_now = self.tickets.open_tickets()
        if open_now and pick % 4 == 0:  # visitors who leave are the exception
            ticket = sorted(open_now, key=lambda t: t.id)[pick % len(open_now)]
            self.tickets.cancel(ticket.id, reason="left", workplace=None, actor=ACTOR)

    @rule(minutes=st.integers(min_value=1, max_value=45))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)
        self.tickets.tick()

    # --- what always holds -----------------------------------------------------------------

    @invariant()
    def each_ticket_in_exactly_one_place(self) -> None:
        if not hasattr(self, "services"):
            return
        db = self.services.store.db
        stored = {t.id: t for t in repo.open_tickets(db)}
        in_memory = {t.id: t for t in self.tickets.open_tickets()}
        assert stored == in_memory
        at_desks = [t.workplace for t in in_memory.values() if t.status in (Status.CALLED, Status.SERVING)]
        assert len(at_desks) == len(set(at_desks)), "two visitors at one desk"
        assert None not in at_desks, "a visitor at no desk is called"
        for ticket in in_memory.values():
            assert ticket.status in ACTIVE
            if ticket.status is Status.WAITING and ticket.target_workplace is not None:
                assert ticket.target_workplace in WORKPLACES

    @invariant()
    def numbers_unique_per_day(self) -> None:
        if not hasattr(self, "services"):
            return
        rows = list(self.services.store.db.query("SELECT day, prefix, seq FROM tickets"))
        keys = [(r["day"], r["prefix"], r["seq"]) for r in rows]
        assert len(keys) == len(set(keys))

    @invariant()
    def history_folds_back_to_the_ticket(self) -> None:
        if not hasattr(self, "services"):
            return
        for row in self.services.store.db.query("SELECT id FROM tickets"):
            history = [stored.event for stored in self.tickets.history(row["id"])]
            assert replay(history)[row["id"]] == self.tickets.ticket(row["id"])


# No shrinking: over a real database it takes minutes; a failure prints its whole sequence.
TicketLifecycle.TestCase.settings = settings(
    max_examples=15, stateful_step_count=60, deadline=None, database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
test_ticket_lifecycle = TicketLifecycle.TestCase
