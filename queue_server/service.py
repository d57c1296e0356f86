"""The queue's use cases: the domain's rules applied to the store, events published.

Web views and the command line call these; nothing here knows about HTTP.  Every
method that changes something runs in one write transaction and publishes what it
recorded only after the commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from queue_server.domain import events as ev
from queue_server.domain import lifecycle, routing
from queue_server.domain.clock import Clock
from queue_server.domain.numbering import office_day
from queue_server.domain.office import LANGUAGES, Office, UnknownId
from queue_server.domain.tickets import Status, Ticket
from queue_server.eventbus import EventBus
from queue_server.store import tickets as repo
from queue_server.store.database import Store

WORKPLACE_STATUSES = ("open", "break", "closed")
PRINTER_STATES = ("ok", "offline", "paper_out", "error")


class NotFound(LookupError):
    pass


class BadRequest(ValueError):
    pass


class Busy(Exception):
    """The workplace still has a visitor."""


@dataclass(frozen=True)
class Issued:
    ticket: Ticket
    created: bool  # False when a retried request_id found the first ticket
    people_ahead: int
    estimated_wait_min: int
    print_requested: bool = False  # a kiosk was asked to print it (print_on)


def new_ticket_id() -> str:
    """Unguessable: the id is the key of the public status page on the ticket's QR code."""
    return "t" + secrets.token_hex(8)


class QueueService:
    def __init__(self, store: Store, office: Office, clock: Clock, bus: EventBus | None = None):
        self.store = store
        self.office = office
        self.clock = clock
        self.bus = bus or EventBus()
        self.zone = ZoneInfo(office.time_zone)
        # The open tickets and the workplaces' states, kept in memory as a projection of
        # the committed events: this process is the only writer, and every hot path
        # (issue, call next, queue counts) reads them without touching the history.
        self._open: dict[str, Ticket] = {}
        self._line_size: dict[str, int] = {}  # waiting tickets in each queue's shared line
        for ticket in repo.open_tickets(store.db):
            self._remember(ticket)
        self._workplaces = self._load_workplace_states()
        store.publisher = self._committed
        self.principal_cache: dict[str, tuple] = {}  # token -> (principal, until, generation)
        self.rendered_events: dict[tuple[int, bool], str | None] = {}  # (seq, staff) -> SSE text

    def _committed(self, items: list[repo.StoredEvent]) -> None:
        """Called after each commit, still under the write lock, in log order."""
        for stored in items:
            if stored.ticket is not None:
                self._remember(stored.ticket)
            elif isinstance(stored.event, ev.WorkplaceStatusChanged):
                event = stored.event
                self._workplaces = {**self._workplaces, event.workplace: {
                    "status": event.status, "user": event.user if event.status != "closed" else None,
                    "since": event.at.isoformat()}}
        self.bus.publish(items)

    def _remember(self, ticket: Ticket) -> None:
        previous = self._open.pop(ticket.id, None)
        if previous is not None and _in_shared_line(previous):
            self._line_size[previous.queue] -= 1
        if ticket.is_active:
            self._open[ticket.id] = ticket
            if _in_shared_line(ticket):
                self._line_size[ticket.queue] = self._line_size.get(ticket.queue, 0) + 1

    # --- reading --------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def today(self):
        return office_day(self.now(), self.zone)

    def ticket(self, ticket_id: str) -> Ticket:
        ticket = repo.get_ticket(self.store.db, ticket_id)
        if ticket is None:
            raise NotFound(f"no ticket {ticket_id!r}")
        return ticket

    def open_tickets(self) -> list[Ticket]:
        return list(self._open.values())

    def history(self, ticket_id: str) -> list[repo.StoredEvent]:
        return [repo.stored_event(r) for r in repo.event_records(self.store.db, ticket_id=ticket_id)]

    def workplace_states(self) -> dict[str, dict]:
        return self._workplaces

    def _load_workplace_states(self) -> dict[str, dict]:
        states = {row["id"]: row for row in self.store.db.query("SELECT * FROM workplace_state")}
        return {
            workplace.id: states.get(workplace.id, {"status": "closed", "user": None, "since": None})
            for workplace in self.office.workplaces
        }

    def open_workplace_count(self, queue_id: str) -> int:
        states = self.workplace_states()
        return sum(1 for w in self.office.workplaces_serving(queue_id)
                   if states[w.id]["status"] == "open")

    def position(self, ticket: Ticket, tickets: list[Ticket] | None = None) -> tuple[int, int]:
        """People ahead of ``ticket`` in its queue and the estimated wait in minutes."""
        if ticket.status is not Status.WAITING:
            return 0, 0
        now = self.now()
        if ticket.target_workplace is not None:
            return 0, 0
        line = routing.queue_order(tickets if tickets is not None else self.open_tickets(),
                                   ticket.queue, now, self.office.rules)
        ahead = next((i for i, t in enumerate(line) if t.id == ticket.id), len(line))
        queue = self.office.queue(ticket.queue)
        wait = routing.estimated_wait_minutes(ahead, queue.service_minutes,
                                              self.open_workplace_count(ticket.queue))
        return ahead, wait

    # --- issuing ----------------------------------------------------------------------

    def issue(
        self, *, life_situation: str, language: str, priority: bool, actor: str,
        request_id: str | None = None, appointment_at: datetime | None = None,
        print_on: str | None = None,
    ) -> Issued:
        """Issue a ticket; with ``print_on``, also ask that kiosk to print it.

        The print request is recorded in the same transaction as the issue.  A
        repeated ``request_id`` answers the first ticket and never prints a second
        paper: it asks for a print only if the first call did not.
        """
        try:
            situation = self.office.life_situation(life_situation)
        except UnknownId as error:
            raise BadRequest(f"life_situation: {error}") from None
        if language not in self.office.languages:
            raise BadRequest(f"language: must be one of {', '.join(self.office.languages)}")
        if print_on is not None:
            self._check_kiosk(print_on)
        queue = self.office.queue(situation.queue)
        with self.store.write() as db:
            if request_id and (existing := repo.ticket_by_request(db, request_id)):
                ticket, created = existing, False
                ahead, wait = self.position(ticket)
                print_requested = print_on is not None and _print_requested(db, ticket.id)
            else:
                now = self.now()
                day = office_day(now, self.zone)
                issued = ev.TicketIssued(
                    ticket_id=new_ticket_id(), at=now, actor=actor, day=day,
                    prefix=queue.prefix, seq=repo.next_seq(db, day, queue.prefix),
                    queue=queue.id, life_situation=situation.id, language=language,
                    priority=priority, appointment_at=appointment_at, request_id=request_id,
                )
                ticket, stored = repo.record_ticket_events(db, None, [issued])
                assert ticket is not None
                created, print_requested = True, False
                if not priority and appointment_at is None:
                    # A new arrival is last in its shared line: all who wait there are ahead.
                    ahead = self._line_size.get(queue.id, 0)
                    wait = routing.estimated_wait_minutes(ahead, queue.service_minutes,
                                                          self.open_workplace_count(queue.id))
                else:  # not yet in memory (that follows the commit): placed among the others
                    ahead, wait = self.position(ticket, [*self.open_tickets(), ticket])
                self.store.publish_on_commit(stored)
            if print_on is not None and not print_requested:
                request = ev.TicketPrintRequested(
                    ticket_id=ticket.id, at=self.now(), actor=actor, device=print_on,
                    people_ahead=ahead, estimated_wait_min=wait)
                # The ticket itself is unchanged: only the event is stored, with its state.
                self.store.publish_on_commit(repo.append_events(db, [request], [ticket]))
                print_requested = True
        return Issued(ticket, created, ahead, wait, print_requested)

    def _check_kiosk(self, device: str) -> None:
        rows = list(self.store.db.query("SELECT kind FROM devices WHERE name = ?", [device]))
        if not rows:
            raise BadRequest(f"print_on: no device named {device!r}")
        if rows[0]["kind"] != "kiosk":
            raise BadRequest(f"print_on: {device!r} is a {rows[0]['kind']}, not a kiosk")

    # --- acting on a ticket ---------------------------------------------------------

    def act(self, ticket_id: str, command: Callable[[Ticket], list[ev.Event]]) -> Ticket:
        """Run a lifecycle command on the ticket's current state, atomically."""
        with self.store.write() as db:
            ticket = repo.get_ticket(db, ticket_id)
            if ticket is None:
                raise NotFound(f"no ticket {ticket_id!r}")
            ticket, stored = repo.record_ticket_events(db, ticket, command(ticket))
            self.store.publish_on_commit(stored)
        assert ticket is not None
        return ticket

    def call_next(self, workplace_id: str, *, actor: str) -> Ticket | None:
        workplace = self._workplace(workplace_id)
        with self.store.write() as db:
            now = self.now()
            open_now = self.open_tickets()
            if any(t.workplace == workplace_id and t.status in (Status.CALLED, Status.SERVING)
                   for t in open_now):
                raise Busy(f"{workplace_id} still has a visitor; finish or redirect first")
            stored = self._due_returns(db, open_now, now)
            if stored:
                open_now = _overlay(open_now, stored)
            chosen = routing.next_for_workplace(open_now, workplace, now, self.office.rules)
            if chosen is not None:
                chosen, called = repo.record_ticket_events(db, chosen, lifecycle.call(
                    chosen, workplace=workplace_id, at=now, actor=actor))
                stored += called
            self.store.publish_on_commit(stored)
        return chosen

    def call(self, ticket_id: str, workplace_id: str, *, actor: str) -> Ticket:
        workplace = self._workplace(workplace_id)
        with self.store.write() as db:
            if any(t.workplace == workplace_id and t.status in (Status.CALLED, Status.SERVING)
                   for t in self.open_tickets()):
                raise Busy(f"{workplace_id} still has a visitor; finish or redirect first")
            ticket = repo.get_ticket(db, ticket_id)
            if ticket is None:
                raise NotFound(f"no ticket {ticket_id!r}")
            ticket, stored = repo.record_ticket_events(db, ticket, lifecycle.call(
                ticket, workplace=workplace_id, serves=workplace.queue_ids, at=self.now(),
                actor=actor))
            self.store.publish_on_commit(stored)
        assert ticket is not None
        return ticket

    def redirect(
        self, ticket_id: str, *, queue: str | None, workplace: str | None, comment: str,
        return_to_me: bool, from_workplace: str | None, actor: str,
    ) -> Ticket:
        if (queue is None) == (workplace is None):
            raise BadRequest("redirect takes either queue or workplace")
        if workplace is not None:
            target = self._workplace(workplace)
            if not target.serves:
                raise BadRequest(f"workplace: {workplace} serves no queue")
            to_queue = target.serves[0].queue
        else:
            assert queue is not None
            try:
                to_queue = self.office.queue(queue).id
            except UnknownId as error:
                raise BadRequest(f"queue: {error}") from None
        if len(comment) > 500:
            raise BadRequest("comment: at most 500 characters")
        now = self.now()
        return self.act(ticket_id, lambda ticket: lifecycle.redirect(
            ticket, to_queue=to_queue, to_workplace=workplace, comment=comment,
            return_to_me=return_to_me, workplace=from_workplace, at=now, actor=actor))

    def finish(self, ticket_id: str, *, services: list[str], result: str,
               workplace: str | None, actor: str) -> Ticket:
        known = {service.id for service in self.office.services}
        unknown = [s for s in services if s not in known]
        if unknown:
            raise BadRequest(f"services: unknown {', '.join(unknown)}")
        now = self.now()
        return self.act(ticket_id, lambda ticket: lifecycle.finish(
            ticket, services=tuple(dict.fromkeys(services)), result=result,
            workplace=workplace, at=now, actor=actor))

    def change_situation(self, ticket_id: str, life_situation: str, *,
                         workplace: str | None, actor: str) -> Ticket:
        try:
            self.office.life_situation(life_situation)
        except UnknownId as error:
            raise BadRequest(f"life_situation: {error}") from None
        now = self.now()
        return self.act(ticket_id, lambda ticket: lifecycle.change_situation(
            ticket, life_situation=life_situation, workplace=workplace, at=now, actor=actor))

    # --- time passing -------------------------------------------------------------------

    def tick(self) -> list[repo.StoredEvent]:
        """Postponements that ran out, and the end of an office day; run every few seconds."""
        if not self._anything_due(self.now()):
            return []  # the usual case: no write lock taken, no disk touched
        with self.store.write() as db:
            now = self.now()
            open_now = self.open_tickets()
            stored = self._due_returns(db, open_now, now)
            today = office_day(now, self.zone)
            for ticket in _overlay(open_now, stored) if stored else open_now:
                closing = lifecycle.end_of_day(
                    ticket, today=today, policy=self.office.rules.end_of_day, at=now)
                stored += repo.record_ticket_events(db, ticket, closing)[1]
            self.store.publish_on_commit(stored)
        return stored

    def _anything_due(self, now: datetime) -> bool:
        today = office_day(now, self.zone)
        closing = self.office.rules.end_of_day == "cancel"
        return any(
            (t.postponed_until is not None and t.postponed_until <= now)
            or (closing and t.day < today)
            for t in self.open_tickets()
        )

    def _due_returns(self, db, tickets: list[Ticket], now: datetime) -> list[repo.StoredEvent]:
        stored: list[repo.StoredEvent] = []
        for ticket in tickets:
            stored += repo.record_ticket_events(db, ticket, lifecycle.return_due(ticket, at=now))[1]
        return stored

    # --- workplaces, help calls, devices ----------------------------------------------

    def set_workplace_status(self, workplace_id: str, status: str, *, user: str | None,
                             actor: str) -> None:
        self._workplace(workplace_id)
        if status not in WORKPLACE_STATUSES:
            raise BadRequest(f"status: must be one of {', '.join(WORKPLACE_STATUSES)}")
        now = self.now()
        with self.store.write() as db:
            db["workplace_state"].upsert(
                {"id": workplace_id, "status": status, "user": user if status != "closed" else None,
                 "since": now.isoformat()}, pk="id")
            stored = repo.append_events(db, [ev.WorkplaceStatusChanged(
                at=now, actor=actor, workplace=workplace_id, status=status, user=user)])
            self.store.publish_on_commit(stored)

    def request_help(self, device: str) -> int:
        now = self.now()
        with self.store.write() as db:
            cursor = db.execute("INSERT INTO help_calls (device, at) VALUES (?, ?)",
                                [device, now.isoformat()])
            call_id = cursor.lastrowid
            stored = repo.append_events(db, [ev.HelpRequested(
                at=now, actor=f"device:{device}", help_call_id=call_id, device=device)])
            self.store.publish_on_commit(stored)
        return call_id

    def acknowledge_help(self, call_id: int, *, actor: str) -> None:
        if not 0 < call_id < 2**63:  # beyond SQLite's integers: no such call, not a crash
            raise NotFound(f"no help call {call_id}")
        now = self.now()
        with self.store.write() as db:
            rows = list(db.query("SELECT * FROM help_calls WHERE id = ?", [call_id]))
            if not rows:
                raise NotFound(f"no help call {call_id}")
            if rows[0]["acknowledged_at"]:
                return
            db.execute("UPDATE help_calls SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?",
                       [actor, now.isoformat(), call_id])
            stored = repo.append_events(db, [ev.HelpAcknowledged(
                at=now, actor=actor, help_call_id=call_id, device=rows[0]["device"])])
            self.store.publish_on_commit(stored)

    def open_help_calls(self) -> list[dict]:
        return list(self.store.db.query(
            "SELECT id, device, at FROM help_calls WHERE acknowledged_at IS NULL ORDER BY id"))

    def report_device_status(self, device: str, printer: str, detail: str) -> None:
        if printer not in PRINTER_STATES:
            raise BadRequest(f"printer: must be one of {', '.join(PRINTER_STATES)}")
        if len(detail) > 300:
            raise BadRequest("detail: at most 300 characters")
        now = self.now()
        with self.store.write() as db:
            db.execute("UPDATE devices SET printer = ?, printer_detail = ?, seen_at = ? "
                       "WHERE name = ?", [printer, detail, now.isoformat(), device])
            stored = repo.append_events(db, [ev.DeviceStatusReported(
                at=now, actor=f"device:{device}", device=device, printer=printer, detail=detail)])
            self.store.publish_on_commit(stored)

    def _workplace(self, workplace_id: str):
        try:
            return self.office.workplace(workplace_id)
        except UnknownId as error:
            raise NotFound(str(error)) from None


def _print_requested(db, ticket_id: str) -> bool:
    return db.execute("SELECT 1 FROM events WHERE ticket_id = ? AND type = ? LIMIT 1",
                      [ticket_id, ev.TicketPrintRequested.type]).fetchone() is not None


def _in_shared_line(ticket: Ticket) -> bool:
    return ticket.status is Status.WAITING and ticket.target_workplace is None


def _overlay(tickets: list[Ticket], stored: list[repo.StoredEvent]) -> list[Ticket]:
    """``tickets`` with the states ``stored`` events left them in (inside one transaction)."""
    by_id = {t.id: t for t in tickets}
    for item in stored:
        if item.ticket is not None:
            by_id[item.ticket.id] = item.ticket
    return [t for t in by_id.values() if t.is_active]


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise BadRequest(f"language: must be one of {', '.join(LANGUAGES)}")
    return language
