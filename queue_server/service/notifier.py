"""The notifier's use cases: what goes into the outbox, when, and what the administrator sees.

Queue messages are written by ``before_commit``, inside the very transaction that
records the call or the move in the queue (``Store.before_commit``): a message
exists exactly when its cause does, and sending is left to ``delivery.Worker``.
When no visitor left a phone number the hook returns at once, so the queue pays
nothing for the feature.
"""

from __future__ import annotations

import secrets
import sys
import threading
from datetime import datetime, timedelta
from typing import Any

from queue_server.domain import events as ev
from queue_server.domain import notify, routing
from queue_server.domain.limits import InvalidInput
from queue_server.domain.notify import Booking, Outgoing
from queue_server.domain.tickets import Status, Ticket
from queue_server.service import messages
from queue_server.service.context import Context
from queue_server.service.errors import BadRequest, NotFound
from queue_server.store import outbox
from queue_server.store import retention as retention_store
from queue_server.store import tickets as tickets_store

ADMIN_STATUSES = (notify.PENDING, notify.SENDING, notify.FAILED)
PURGE_BATCH = 500  # rows erased per write transaction


class Notifier:
    def __init__(self, context: Context):
        self._ctx = context
        self._store = context.store
        self._office = context.office
        self.settings = context.office.notifications
        self.wake = threading.Event()  # set when new messages are due: the worker looks now
        self._lock = threading.Lock()
        # Tickets whose holder left a phone: id -> {"phone", "language", "near_sent"}
        self._contacts: dict[str, dict[str, Any]] = {
            ticket_id: {"phone": row["phone"], "language": row["language"], "near_sent": False}
            for ticket_id, row in outbox.contacts_waiting(self._store.db).items()}
        context.store.before_commit = self.before_commit

    # --- the queue's messages ---------------------------------------------------------

    def add_contact(self, db, ticket: Ticket, phone_text: str) -> str | None:
        """Keep the phone a visitor typed for ``ticket`` (inside the issuing transaction).

        A refused number is recorded as a failed message, so the administrator sees
        it; the ticket is issued all the same.  Answers the refusal's reason, or None.
        """
        now = self._ctx.now()
        try:
            phone = notify.phone_number(phone_text)
        except InvalidInput as error:
            outbox.enqueue(db, [Outgoing(
                kind=notify.TURN_NEAR, channel=notify.SMS, recipient=phone_text.strip()[:32],
                body="", dedupe=f"refused:{ticket.id}:{secrets.token_hex(6)}", ticket_id=ticket.id,
                expires_at=now, error=str(error))], now)  # its own key: a good number may follow
            return str(error)
        outbox.add_contact(db, ticket.id, phone, ticket.language, now)
        with self._lock:
            self._contacts[ticket.id] = {"phone": phone, "language": ticket.language, "near_sent": False}
        return None

    def leave_phone(self, ticket_id: str, phone_text: str) -> str | None:
        """A phone typed at the kiosk after the ticket was issued (the ticket screen).

        «Your turn is near» goes out at once, in this transaction, when the ticket is
        already close enough to the front.  Answers the refusal's reason, or None.
        """
        with self._store.write() as db:
            ticket = tickets_store.get_ticket(db, ticket_id)
            if ticket is None:
                raise NotFound(f"no ticket {ticket_id!r}")
            if ticket.status is not Status.WAITING:
                raise BadRequest(f"ticket {ticket.number} is {ticket.status.value}: no message is due")
            refused = self.add_contact(db, ticket, phone_text)
            if refused is None:
                now = self._ctx.now()
                near = self._turns_near({ticket.id: ticket}, now,
                                        now + timedelta(minutes=self.settings.give_up_minutes),
                                        only={ticket.id})
                if outbox.enqueue(db, near, now):
                    self.wake.set()
        return refused

    def before_commit(self, db, recorded: list[ev.StoredEvent]) -> None:
        """Messages caused by the events of this transaction.  Never fails the transaction:
        a ticket is never refused or rolled back because of a message."""
        if not self._contacts:
            return
        try:
            messages_now = self._caused_by(recorded)
            if messages_now and outbox.enqueue(db, messages_now, self._ctx.now()):
                self.wake.set()
        except Exception as error:  # a bug here must not cost a visitor their ticket
            print(f"queue-server: notifier: {error!r}", file=sys.stderr, flush=True)

    def _caused_by(self, recorded: list[ev.StoredEvent]) -> list[Outgoing]:
        now = self._ctx.now()
        expires = now + timedelta(minutes=self.settings.give_up_minutes)
        changed = {s.ticket.id: s.ticket for s in recorded if s.ticket is not None}
        result = []
        for stored in recorded:
            ticket = stored.ticket
            contact = self._contacts.get(ticket.id) if ticket is not None else None
            if contact is None or not isinstance(stored.event, ev.TicketCalled):
                continue
            workplace = self._office.workplace(stored.event.workplace)
            result.append(Outgoing(
                kind=notify.CALLED, channel=notify.SMS, recipient=contact["phone"],
                body=messages.called(ticket.number, workplace, contact["language"]),
                dedupe=f"{notify.CALLED}:{ticket.id}:{workplace.id}", ticket_id=ticket.id,
                expires_at=expires))
        # A new ticket joins a line and pushes nobody forward: only its own holder may be near.
        only_new = all(isinstance(s.event, ev.TicketIssued) for s in recorded if s.ticket is not None)
        result += self._turns_near(changed, now, expires, only=set(changed) if only_new else None)
        with self._lock:
            for ticket in changed.values():
                if not ticket.is_active:
                    self._contacts.pop(ticket.id, None)
        return result

    def _turns_near(self, changed: dict[str, Ticket], now: datetime, expires: datetime,
                    only: set[str] | None) -> list[Outgoing]:
        """«Your turn is near» for each holder of a phone now close enough to the front
        (of ``only`` these tickets, when the rest cannot have moved forward)."""
        queues = {t.queue for t in changed.values()}
        waiting = [(ticket_id, c) for ticket_id, c in self._contacts.items()
                   if not c["near_sent"] and (only is None or ticket_id in only)]
        if not waiting or not queues:
            return []
        waiting = [(ticket_id, c) for ticket_id, c in waiting
                   if ticket_id in changed or self._queue_of(ticket_id) in queues]
        result = []
        lines: dict[str, list[Ticket]] = {}
        for ticket_id, contact in waiting:
            ticket = changed.get(ticket_id) or self._ctx.projection.open_ticket(ticket_id)
            ahead = self._ahead(ticket, changed, lines, now) if ticket is not None else None
            if ahead is None or ahead > self.settings.near_people_ahead:
                continue
            contact["near_sent"] = True
            result.append(Outgoing(
                kind=notify.TURN_NEAR, channel=notify.SMS, recipient=contact["phone"],
                body=messages.turn_near(ticket.number, ahead, contact["language"]),
                dedupe=f"{notify.TURN_NEAR}:{ticket_id}", ticket_id=ticket_id, expires_at=expires))
        return result

    def _ahead(self, ticket: Ticket, changed: dict[str, Ticket], lines: dict[str, list[Ticket]],
               now: datetime) -> int | None:
        """People ahead of a waiting ticket after this transaction; None when it does not wait."""
        projection, ticket_id = self._ctx.projection, ticket.id
        if ticket.status is not Status.WAITING or ticket.target_workplace is not None:
            return None
        if (ticket_id in changed and projection.open_ticket(ticket_id) is None and not ticket.priority
                and ticket.appointment_at is None and len(changed) == 1):
            # Just issued, alone in its commit: last in its line, as Tickets.issue counts it.
            return projection.line_size(ticket.queue)
        if ticket.queue not in lines:
            open_now = {t.id: t for t in projection.open_tickets()}
            open_now.update(changed)  # the projection learns of this transaction only after it
            lines[ticket.queue] = routing.queue_order(open_now.values(), ticket.queue, now,
                                                      self._office.rules)
        return next((i for i, t in enumerate(lines[ticket.queue]) if t.id == ticket_id), None)

    def _queue_of(self, ticket_id: str) -> str | None:
        ticket = self._ctx.projection.open_ticket(ticket_id)
        return ticket.queue if ticket is not None else None

    # --- bookings (wired by the appointments code) ------------------------------------

    def enqueue_booking_messages(self, booking: Booking, *, db=None) -> list[int]:
        """The confirmation (now) and the reminder (the day before) of one appointment.

        Call it with the ``db`` of the write transaction that records the booking, so
        the messages exist exactly when the booking does; without ``db`` it writes
        in a transaction of its own.  A malformed or foreign phone or e-mail is kept
        as a failed message with the reason (the booking itself is not refused here).
        Answers the new messages' ids; a repeat of the same booking adds nothing.
        """
        phone, phone_error = _checked(notify.phone_number, booking.phone)
        email, email_error = _checked(notify.email_address, booking.email)
        # A refused address keeps what was typed (shortened), for the administrator to see.
        checked = Booking(code=booking.code, at=booking.at, language=booking.language,
                          name=booking.name, place=booking.place,
                          phone=phone or booking.phone.strip()[:notify.MAX_ADDRESS],
                          email=email or booking.email.strip()[:notify.MAX_ADDRESS])
        items = messages.booking_messages(
            checked, now=self._ctx.now(), zone=self._ctx.zone,
            reminder_hour=self.settings.reminder_hour, phone_error=phone_error, email_error=email_error)
        if not items:
            return []
        if db is not None:
            ids = outbox.enqueue(db, items, self._ctx.now())
        else:
            with self._store.write() as own:
                ids = outbox.enqueue(own, items, self._ctx.now())
        self.wake.set()
        return ids

    def cancel_booking_messages(self, code: str, *, db=None) -> int:
        """A cancelled or moved appointment: its messages not yet sent are dropped."""
        if db is not None:
            return outbox.cancel_booking(db, code)
        with self._store.write() as own:
            return outbox.cancel_booking(own, code)

    # --- the administrator ------------------------------------------------------------

    def messages(self, statuses: tuple[str, ...] = ADMIN_STATUSES) -> list[dict[str, Any]]:
        unknown = [s for s in statuses if s not in notify.STATUSES]
        if unknown:
            raise BadRequest(f"status: unknown {', '.join(unknown)}; one of {', '.join(notify.STATUSES)}")
        return outbox.messages(self._store.db, statuses)

    def counts(self) -> dict[str, int]:
        return outbox.counts(self._store.db)

    def resend(self, message_id: int) -> dict[str, Any]:
        """A failed message tried again from the start (fresh attempts and time limit)."""
        with self._store.write() as db:
            found = outbox.message(db, message_id)
            if found is None:
                raise NotFound(f"no message {message_id}")
            now = self._ctx.now()
            if not outbox.resend(db, message_id, now, now + timedelta(minutes=self.settings.give_up_minutes)):
                raise BadRequest(f"message {message_id} is {found['status']}; only a failed one "
                                 "with an address can be sent again")
            found = outbox.message(db, message_id)
        self.wake.set()
        assert found is not None
        return found

    # --- retention ----------------------------------------------------------------------

    def purge(self, *, dry_run: bool, now: datetime | None = None) -> dict[str, int]:
        """Blank personal data of visits older than the retention period: rows per table.

        The rows are found by a read, then erased in short write transactions of
        ``PURGE_BATCH`` rows, so a purge over a long history never holds up the queue.
        """
        before = (now or self._ctx.now()) - timedelta(days=self._office.retention.personal_days)
        found = retention_store.candidates(self._store.db, before)
        if dry_run:
            return {table: len(rowids) for table, rowids in found.items()}
        erased = dict.fromkeys(found, 0)
        for table, rowids in found.items():
            for start in range(0, len(rowids), PURGE_BATCH):
                with self._store.write() as db:
                    erased[table] += retention_store.erase(db, table, rowids[start:start + PURGE_BATCH])
        return erased


def _checked(check, text: str) -> tuple[str, str | None]:
    if not text:
        return "", None
    try:
        return check(text), None
    except InvalidInput as error:
        return "", str(error)
