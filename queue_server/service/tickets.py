"""The tickets' use cases: issue, call, serve, send on, and read back.

Every method that changes something runs in one write transaction and publishes
what it recorded only after the commit (``Store.publish_on_commit``).  The rules
themselves are the domain's (lifecycle, routing, limits); this module applies
them to the store.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from queue_server.domain import events as ev
from queue_server.domain import lifecycle, routing, schedule
from queue_server.domain.numbering import office_day
from queue_server.domain.office import UnknownId
from queue_server.domain.tickets import Status, Ticket, apply
from queue_server.service.context import Context
from queue_server.service.errors import BadRequest, Busy, NotFound, Refused
from queue_server.service.notifier import Notifier
from queue_server.store import desk as desk_store
from queue_server.store import tickets as repo

RESTORABLE = (Status.NO_SHOW, Status.CANCELLED)
RESTORABLE_SHOWN = 50  # the console lists the latest this many


@dataclass(frozen=True)
class Issued:
    ticket: Ticket
    created: bool  # False when a retried request_id found the first ticket
    people_ahead: int
    estimated_wait_min: int
    print_requested: bool = False  # a kiosk was asked to print it (print_on)
    phone_refused: str | None = None  # why a phone left for messages was not accepted


@dataclass(frozen=True)
class WorkplaceDay:
    """One workplace's day as its operator page shows it."""

    status: str
    current: Ticket | None
    postponed: list[Ticket]
    handled: list[Ticket]


@dataclass(frozen=True)
class Backlog:
    """What a reconnecting event-stream client missed, or ``resync`` when it missed too much."""

    events: list[ev.StoredEvent]
    newest: int
    resync: bool = False


def new_ticket_id() -> str:
    """Unguessable: the id is the key of the public status page on the ticket's QR code."""
    return "t" + secrets.token_hex(8)


class Tickets:
    def __init__(self, context: Context, notifier: Notifier):
        self._ctx = context
        self._notifier = notifier
        self._store = context.store
        self._office = context.office
        self._seen = context.projection

    # --- reading --------------------------------------------------------------------

    def ticket(self, ticket_id: str) -> Ticket:
        ticket = repo.get_ticket(self._store.db, ticket_id)
        if ticket is None:
            raise NotFound(f"no ticket {ticket_id!r}")
        return ticket

    def open_tickets(self) -> list[Ticket]:
        return self._seen.open_tickets()

    def history(self, ticket_id: str) -> list[ev.StoredEvent]:
        return [repo.stored_event(r) for r in repo.event_records(self._store.db, ticket_id=ticket_id)]

    def position(self, ticket: Ticket, tickets: list[Ticket] | None = None) -> tuple[int, int]:
        """People ahead of ``ticket`` in its queue and the estimated wait in minutes."""
        if ticket.status is not Status.WAITING or ticket.target_workplace is not None:
            return 0, 0
        line = routing.queue_order(tickets if tickets is not None else self.open_tickets(),
                                   ticket.queue, self._ctx.now(), self._office.rules)
        ahead = next((i for i, t in enumerate(line) if t.id == ticket.id), len(line))
        return ahead, self._estimated_wait(ticket.queue, ahead)

    def _estimated_wait(self, queue_id: str, ahead: int) -> int:
        return routing.estimated_wait_minutes(ahead, self._office.queue(queue_id).service_minutes,
                                              self._seen.open_workplace_count(queue_id))

    def workplace_day(self, workplace_id: str) -> WorkplaceDay:
        self._ctx.workplace(workplace_id)
        open_now = self.open_tickets()
        return WorkplaceDay(
            status=self._seen.workplace_states()[workplace_id]["status"],
            current=self._seen.at_desk(workplace_id),
            postponed=[t for t in open_now
                       if t.status is Status.POSTPONED and t.postponed_by == workplace_id],
            handled=repo.tickets_called_at(self._store.db, self._ctx.today(), workplace_id),
        )

    def restorable_today(self) -> list[Ticket]:
        """Today's no-shows and cancellations, latest first: what the console may restore."""
        closed = [t for t in repo.tickets_of_day(self._store.db, self._ctx.today())
                  if t.status in RESTORABLE]
        closed.sort(key=lambda t: t.finished_at or t.issued_at, reverse=True)
        return closed[:RESTORABLE_SHOWN]

    def last_seq(self) -> int:
        return repo.last_seq(self._store.db)

    def backlog(self, after: int, limit: int) -> Backlog:
        """The events after ``after``, each with its ticket as it was right after it.

        A replayed event then carries the same ticket as it did live, not today's state.
        """
        db = self._store.db
        records = repo.event_records(db, after=after, limit=limit + 1)
        if len(records) > limit:
            return Backlog([], repo.last_seq(db), resync=True)
        states = self._states_after_each_event({r["ticket_id"] for r in records if r["ticket_id"]})
        events = []
        for record in records:
            stored = repo.stored_event(record)
            events.append(ev.StoredEvent(stored.seq, stored.event, states.get(stored.seq)))
        return Backlog(events, events[-1].seq if events else after)

    def _states_after_each_event(self, ticket_ids: set[str]) -> dict[int, Ticket]:
        states: dict[int, Ticket] = {}
        for ticket_id in ticket_ids:
            ticket: Ticket | None = None
            for stored in self.history(ticket_id):
                if isinstance(stored.event, ev.TicketEvent):
                    ticket = apply(ticket, stored.event)
                    states[stored.seq] = ticket
        return states

    # --- issuing ----------------------------------------------------------------------

    def issue(
        self, *, life_situation: str, language: str, priority: bool, actor: str,
        request_id: str | None = None, appointment_at: datetime | None = None,
        print_on: str | None = None, in_hours_only: bool = False,
        also: Callable[[object, Ticket], None] | None = None, phone: str | None = None,
    ) -> Issued:
        """Issue a ticket; with ``print_on``, also ask that kiosk to print it.

        With ``in_hours_only`` (a kiosk), outside the office's hours the answer is the
        refusal ``office_closed`` with the next opening time; staff at the desk may
        still issue.  ``also(db, ticket)`` runs inside the same transaction when a new
        ticket is made (a check-in marks its booking there: both or neither).
        ``phone``: the visitor's number for «your turn is near», kept with the ticket
        (a refused one is answered in ``phone_refused``; the ticket is issued anyway).

        The print request is recorded in the same transaction as the issue.  A
        repeated ``request_id`` answers the first ticket and never prints a second
        paper: it asks for a print only if the first call did not.
        """
        try:
            situation = self._office.life_situation(life_situation)
        except UnknownId as error:
            raise BadRequest(f"life_situation: {error}") from None
        if language not in self._office.languages:
            raise BadRequest(f"language: must be one of {', '.join(self._office.languages)}")
        if print_on is not None:
            self._check_kiosk(print_on)
        if in_hours_only:
            self.check_open()
        queue = self._office.queue(situation.queue)
        phone_refused = None
        with self._store.write() as db:
            if request_id is not None and (existing := repo.ticket_by_request(db, request_id)):
                ticket, created = existing, False
                ahead, wait = self.position(ticket)
                print_requested = print_on is not None and repo.print_requested(db, ticket.id)
            else:
                now = self._ctx.now()
                day = office_day(now, self._ctx.zone)
                issued = ev.TicketIssued(
                    ticket_id=new_ticket_id(), at=now, actor=actor, day=day,
                    prefix=queue.prefix, seq=repo.next_seq(db, day, queue.prefix),
                    queue=queue.id, life_situation=situation.id, language=language,
                    priority=priority, appointment_at=appointment_at, request_id=request_id,
                )
                ticket, stored = repo.record_ticket_events(db, None, [issued])
                assert ticket is not None
                if also is not None:
                    also(db, ticket)
                created, print_requested = True, False
                if phone:
                    phone_refused = self._notifier.add_contact(db, ticket, phone)
                if not priority and appointment_at is None:
                    # A new arrival is last in its shared line: all who wait there are ahead.
                    ahead = self._seen.line_size(queue.id)
                    wait = self._estimated_wait(queue.id, ahead)
                else:  # not yet in memory (that follows the commit): placed among the others
                    ahead, wait = self.position(ticket, [*self.open_tickets(), ticket])
                self._store.publish_on_commit(stored)
            if print_on is not None and not print_requested:
                request = ev.TicketPrintRequested(
                    ticket_id=ticket.id, at=self._ctx.now(), actor=actor, device=print_on,
                    people_ahead=ahead, estimated_wait_min=wait)
                # The ticket itself is unchanged: only the event is stored, with its state.
                self._store.publish_on_commit(repo.append_events(db, [request], [ticket]))
                print_requested = True
        return Issued(ticket, created, ahead, wait, print_requested, phone_refused)

    def check_open(self) -> None:
        """Refuse with ``office_closed`` (and when it opens) outside the office's hours."""
        local = self._ctx.now().astimezone(self._ctx.zone).replace(tzinfo=None)
        if schedule.is_open(self._office, local):
            return
        opens = schedule.next_opening(self._office, local)
        when = f"; it opens {opens:%Y-%m-%d %H:%M}" if opens else ""
        raise Refused("office_closed", f"the office is closed{when}",
                      opens_at=opens.isoformat(timespec="minutes") if opens else None)

    def _check_kiosk(self, device: str) -> None:
        kind = desk_store.device_kind(self._store.db, device)
        if kind is None:
            raise BadRequest(f"print_on: no device named {device!r}")
        if kind != "kiosk":
            raise BadRequest(f"print_on: {device!r} is a {kind}, not a kiosk")

    # --- calling ----------------------------------------------------------------------

    def call_next(self, workplace_id: str, *, actor: str) -> Ticket | None:
        workplace = self._ctx.workplace(workplace_id)
        with self._store.write() as db:
            now = self._ctx.now()
            self._check_free(workplace_id)
            open_now = self.open_tickets()
            stored = self._due_returns(db, open_now, now)
            if stored:
                open_now = _overlay(open_now, stored)
            chosen = routing.next_for_workplace(open_now, workplace, now, self._office.rules)
            if chosen is not None:
                stored += self._back_from_break(db, workplace_id, now, actor)
                chosen, called = repo.record_ticket_events(db, chosen, lifecycle.call(
                    chosen, workplace=workplace_id, at=now, actor=actor))
                stored += called
            self._store.publish_on_commit(stored)
        return chosen

    def call(self, ticket_id: str, workplace_id: str, *, actor: str) -> Ticket:
        workplace = self._ctx.workplace(workplace_id)
        return self._record(ticket_id, lambda ticket, now: lifecycle.call(
            ticket, workplace=workplace_id, place=workplace, at=now, actor=actor),
            check=lambda: self._check_free(workplace_id), reopen=(workplace_id, actor))

    def _back_from_break(self, db, workplace_id: str, now: datetime,
                         actor: str) -> list[ev.StoredEvent]:
        """A workplace on break that calls a visitor is open again (docs/api.md, "Workplaces"):
        the operator is plainly back, and the screens must not show «break» beside a call."""
        state = self._seen.workplace_states()[workplace_id]
        if state["status"] != "break":
            return []
        desk_store.save_workplace_state(db, workplace_id, status="open", user=state["user"],
                                        since=now)
        return repo.append_events(db, [ev.WorkplaceStatusChanged(
            at=now, actor=actor, workplace=workplace_id, status="open", user=state["user"])])

    def _check_free(self, workplace_id: str) -> None:
        """Call only inside the write transaction: the desk cannot fill meanwhile."""
        if self._seen.at_desk(workplace_id) is not None:
            raise Busy(f"{workplace_id} still has a visitor; finish or redirect first")

    # --- serving ----------------------------------------------------------------------

    def recall(self, ticket_id: str, *, workplace: str | None, actor: str) -> Ticket:
        return self._record(ticket_id, lambda ticket, now: lifecycle.recall(
            ticket, workplace=workplace, at=now, actor=actor))

    def start(self, ticket_id: str, *, workplace: str | None, actor: str) -> Ticket:
        return self._record(ticket_id, lambda ticket, now: lifecycle.start(
            ticket, workplace=workplace, at=now, actor=actor))

    def postpone(self, ticket_id: str, *, minutes: float | None, workplace: str | None,
                 actor: str) -> Ticket:
        return self._record(ticket_id, lambda ticket, now: lifecycle.postpone(
            ticket, minutes=minutes, workplace=workplace, at=now, actor=actor))

    def no_show(self, ticket_id: str, *, workplace: str | None, actor: str) -> Ticket:
        limit = self._office.rules.calls_before_no_show
        return self._record(ticket_id, lambda ticket, now: lifecycle.no_show(
            ticket, calls_before_no_show=limit, workplace=workplace, at=now, actor=actor))

    def finish(self, ticket_id: str, *, services: list[str], result: str,
               workplace: str | None, actor: str) -> Ticket:
        known = {service.id for service in self._office.services}
        unknown = [s for s in services if s not in known]
        if unknown:
            raise BadRequest(f"services: unknown {', '.join(unknown)}")
        return self._record(ticket_id, lambda ticket, now: lifecycle.finish(
            ticket, services=tuple(dict.fromkeys(services)), result=result,
            workplace=workplace, at=now, actor=actor))

    def redirect(
        self, ticket_id: str, *, queue: str | None, workplace: str | None, comment: str,
        return_to_me: bool, from_workplace: str | None, actor: str,
    ) -> Ticket:
        if (queue is None) == (workplace is None):
            raise BadRequest("redirect takes either queue or workplace")
        if workplace is not None:
            target = self._ctx.workplace(workplace)
            if not target.serves:
                raise BadRequest(f"workplace: {workplace} serves no queue")
            to_queue = target.serves[0].queue
        else:
            assert queue is not None
            try:
                to_queue = self._office.queue(queue).id
            except UnknownId as error:
                raise BadRequest(f"queue: {error}") from None
        return self._record(ticket_id, lambda ticket, now: lifecycle.redirect(
            ticket, to_queue=to_queue, to_workplace=workplace, comment=comment,
            return_to_me=return_to_me, workplace=from_workplace, at=now, actor=actor))

    # --- correcting -------------------------------------------------------------------

    def cancel(self, ticket_id: str, *, reason: str, workplace: str | None, actor: str) -> Ticket:
        return self._record(ticket_id, lambda ticket, now: lifecycle.cancel(
            ticket, reason=reason, workplace=workplace, at=now, actor=actor))

    def restore(self, ticket_id: str, *, reason: str, workplace: str | None, actor: str) -> Ticket:
        return self._record(ticket_id, lambda ticket, now: lifecycle.restore(
            ticket, reason=reason, workplace=workplace, at=now, actor=actor))

    def change_priority(self, ticket_id: str, *, priority: bool, reason: str,
                        workplace: str | None, actor: str) -> Ticket:
        return self._record(ticket_id, lambda ticket, now: lifecycle.change_priority(
            ticket, priority=priority, reason=reason, workplace=workplace, at=now, actor=actor))

    def change_situation(self, ticket_id: str, life_situation: str, *,
                         workplace: str | None, actor: str) -> Ticket:
        try:
            self._office.life_situation(life_situation)
        except UnknownId as error:
            raise BadRequest(f"life_situation: {error}") from None
        return self._record(ticket_id, lambda ticket, now: lifecycle.change_situation(
            ticket, life_situation=life_situation, workplace=workplace, at=now, actor=actor))

    def _record(self, ticket_id: str, command: Callable[[Ticket, datetime], list[ev.Event]],
                check: Callable[[], None] | None = None,
                reopen: tuple[str, str] | None = None) -> Ticket:
        """Run a lifecycle command on the ticket's current state, atomically.

        ``check`` runs first inside the same transaction (a condition that must not
        change before the command's events are written); ``reopen`` (workplace, actor)
        opens that workplace if it is on break.
        """
        with self._store.write() as db:
            if check is not None:
                check()
            ticket = repo.get_ticket(db, ticket_id)
            if ticket is None:
                raise NotFound(f"no ticket {ticket_id!r}")
            now = self._ctx.now()
            events = command(ticket, now)  # refused here before anything is written
            reopened = self._back_from_break(db, reopen[0], now, reopen[1]) if reopen else []
            ticket, stored = repo.record_ticket_events(db, ticket, events)
            self._store.publish_on_commit(reopened + stored)
        assert ticket is not None
        return ticket

    # --- time passing -------------------------------------------------------------------

    def tick(self) -> list[ev.StoredEvent]:
        """Postponements that ran out, and the end of an office day; run every few seconds."""
        if not self._anything_due(self._ctx.now()):
            return []  # the usual case: no write lock taken, no disk touched
        with self._store.write() as db:
            now = self._ctx.now()
            open_now = self.open_tickets()
            stored = self._due_returns(db, open_now, now)
            today = office_day(now, self._ctx.zone)
            for ticket in _overlay(open_now, stored) if stored else open_now:
                closing = lifecycle.end_of_day(
                    ticket, today=today, policy=self._office.rules.end_of_day, at=now)
                stored += repo.record_ticket_events(db, ticket, closing)[1]
            self._store.publish_on_commit(stored)
        return stored

    def _anything_due(self, now: datetime) -> bool:
        today = office_day(now, self._ctx.zone)
        closing = self._office.rules.end_of_day == "cancel"
        return any(
            (t.postponed_until is not None and t.postponed_until <= now)
            or (closing and t.day < today)
            for t in self.open_tickets()
        )

    @staticmethod
    def _due_returns(db, tickets: list[Ticket], now: datetime) -> list[ev.StoredEvent]:
        stored: list[ev.StoredEvent] = []
        for ticket in tickets:
            stored += repo.record_ticket_events(db, ticket, lifecycle.return_due(ticket, at=now))[1]
        return stored


def _overlay(tickets: list[Ticket], stored: list[ev.StoredEvent]) -> list[Ticket]:
    """``tickets`` with the states ``stored`` events left them in (inside one transaction)."""
    by_id = {t.id: t for t in tickets}
    for item in stored:
        if item.ticket is not None:
            by_id[item.ticket.id] = item.ticket
    return [t for t in by_id.values() if t.is_active]
