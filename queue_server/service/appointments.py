"""Appointments: free slots, booking, moving and cancelling, check-in, the door, the missed.

The schedule's rules are the domain's (``domain.schedule``); this module applies them
to the ``appointments`` table.  Booking the last place of a slot is one conditional
insert inside the write transaction, so two operators racing for it get one booking
and one ``slot_full``.  Times the call centre and the visitor speak are office-local
wall times (naive datetimes); tickets keep their UTC moments.
"""

from __future__ import annotations

import secrets
import threading
import time as monotonic_time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from queue_server.domain import limits
from queue_server.domain import schedule as sch
from queue_server.domain.notify import Booking
from queue_server.domain.office import UnknownId
from queue_server.service.context import Context
from queue_server.service.errors import BadRequest, NotFound, Refused
from queue_server.service.notifier import Notifier
from queue_server.service.tickets import Issued, Tickets
from queue_server.store import appointments as repo
from queue_server.store.appointments import Appointment
from queue_server.store.audit import record_audit

__all__ = ["Appointment", "Appointments", "CheckedIn"]

MAX_SEARCH_DAYS = 90
WRONG_CODES_ALLOWED = 5  # wrong codes from one kiosk before it must wait
WRONG_CODE_PAUSE_S = 60.0
DOOR_LOOKAHEAD_MIN = 120  # the console lists visitors to meet this far ahead
REMINDER_HOURS = 24


@dataclass(frozen=True)
class CheckedIn:
    appointment: Appointment
    issued: Issued


class Appointments:
    def __init__(self, context: Context, tickets: Tickets, notifier: Notifier):
        self._ctx = context
        self._store = context.store
        self._office = context.office
        self._tickets = tickets
        self._notifier = notifier
        self._wrong_codes: dict[str, tuple[int, float]] = {}  # device: (count, first at)
        self._wrong_lock = threading.Lock()

    # --- time -------------------------------------------------------------------------

    def local_now(self) -> datetime:
        """The office's wall time, naive: what schedules and bookings speak."""
        return self._ctx.now().astimezone(self._ctx.zone).replace(tzinfo=None)

    def to_moment(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self._ctx.zone)

    def office_open(self) -> bool:
        return sch.is_open(self._office, self.local_now())

    def next_opening(self) -> datetime | None:
        return sch.next_opening(self._office, self.local_now())

    # --- reading ----------------------------------------------------------------------

    def schedule_of(self, *, queue: str | None = None, life_situation: str | None = None):
        """The schedule to book: a queue's, or the entry queue's of a life situation."""
        if (queue is None) == (life_situation is None):
            raise BadRequest("queue: give either queue or life_situation")
        if life_situation is not None:
            try:
                queue = self._office.life_situation(life_situation).queue
            except UnknownId as error:
                raise BadRequest(f"life_situation: {error}") from None
        assert queue is not None
        try:
            self._office.queue(queue)
        except UnknownId as error:
            raise BadRequest(f"queue: {error}") from None
        try:
            return self._office.schedule(queue)
        except UnknownId:
            raise BadRequest(f"queue: {queue!r} takes no bookings (no schedule)") from None

    def free_slots(self, *, queue: str | None = None, life_situation: str | None = None,
                   days: int = 7, start: date | None = None) -> list[sch.FreeSlot]:
        if not 1 <= days <= MAX_SEARCH_DAYS:
            raise BadRequest(f"days: from 1 to {MAX_SEARCH_DAYS}")
        schedule = self.schedule_of(queue=queue, life_situation=life_situation)
        now = self.local_now()
        first = max(start or now.date(), now.date())
        last = first + timedelta(days=days)
        taken = repo.taken_places(self._store.db, schedule.queue,
                                  datetime.combine(first, datetime.min.time()),
                                  datetime.combine(last, datetime.min.time()))
        return sch.free_slots(schedule, self._office, now, days, taken, start=first)

    def get(self, appointment_id: int) -> Appointment:
        found = repo.get(self._store.db, appointment_id)
        if found is None:
            raise NotFound(f"no appointment {appointment_id}")
        return found

    def of_day(self, day: date, queue: str | None = None) -> list[Appointment]:
        """A day's bookings (every status), in slot order: today's and tomorrow's lists."""
        if queue is not None:
            self.schedule_of(queue=queue)
        start = datetime.combine(day, datetime.min.time())
        return repo.between(self._store.db, start, start + timedelta(hours=23, minutes=59),
                            queue=queue)

    def missed(self, days: int = 7) -> list[Appointment]:
        """Bookings of the last ``days`` days nobody checked in: the call centre rings back."""
        now = self.local_now()
        return repo.between(self._store.db, now - timedelta(days=days), now,
                            statuses=(repo.MISSED,))

    def expected_at_door(self) -> list[Appointment]:
        """Booked visitors who need meeting at the entrance or come with a companion,
        from a little before now up to DOOR_LOOKAHEAD_MIN ahead."""
        now = self.local_now()
        late = timedelta(minutes=self._office.rules.appointment_late_min)
        soon = repo.between(self._store.db, now - late, now + timedelta(minutes=DOOR_LOOKAHEAD_MIN),
                            statuses=(repo.BOOKED,))
        return [a for a in soon if a.needs_help or a.companion]

    def reminders_due(self, hours: int = REMINDER_HOURS) -> list[Appointment]:
        """Bookings within ``hours`` whose visitor agreed to messages and has not been reminded.

        For the messaging that comes later; nothing is sent here.
        """
        now = self.local_now()
        return [a for a in repo.between(self._store.db, now, now + timedelta(hours=hours),
                                        statuses=(repo.BOOKED,))
                if a.consent and (a.phone or a.email) and a.reminded_at is None]

    def mark_reminded(self, appointment_id: int) -> None:
        """A reminder went out: the booking is not due again."""
        self.get(appointment_id)
        with self._store.write() as db:
            repo.mark_reminded(db, appointment_id, self._ctx.now().isoformat())

    # --- booking ----------------------------------------------------------------------

    def book(self, *, slot: datetime, actor: str, queue: str | None = None,
             life_situation: str | None = None, name: str = "", phone: str = "", email: str = "",
             consent: bool = False, needs_help: bool = False, companion: bool = False,
             ) -> Appointment:
        schedule = self.schedule_of(queue=queue, life_situation=life_situation)
        situation = life_situation or self._situation_of(schedule.queue)
        values = {
            "queue": schedule.queue, "life_situation": situation,
            "slot_at": repo.slot_text(slot), "status": repo.BOOKED,
            "name": limits.person_name(name), "phone": limits.phone(phone),
            "email": limits.email(email), "consent": int(consent),
            "needs_help": int(needs_help), "companion": int(companion),
            "booked_by": actor,
        }
        if consent and not (values["phone"] or values["email"]):
            raise BadRequest("consent: messages need a phone number or an email address")
        with self._store.write() as db:
            now = self.local_now()
            self._check_slot(schedule, slot, now)
            stamp = self._ctx.now().isoformat()
            values.update(code=self._new_code(db), booked_at=stamp, changed_at=stamp)
            new_id = repo.insert_if_free(db, capacity=schedule.capacity, values=values)
            if new_id is None:
                raise Refused("slot_full", f"slot: {slot:%Y-%m-%d %H:%M} has no place left")
            record_audit(db, actor=actor, action="appointment.booked", at=self._ctx.now(),
                         detail=f"#{new_id} {schedule.queue} {repo.slot_text(slot)}")
            booked = repo.get(db, new_id)
            self._send_booking_messages(db, booked)
        return self.get(new_id)

    def move(self, appointment_id: int, *, slot: datetime, actor: str,
             queue: str | None = None) -> Appointment:
        current = self.get(appointment_id)
        schedule = self.schedule_of(queue=queue or current.queue)
        with self._store.write() as db:
            current = self._still_booked(appointment_id)
            self._check_slot(schedule, slot, self.local_now())
            if not repo.move_if_free(db, appointment_id, queue=schedule.queue, slot_at=slot,
                                     capacity=schedule.capacity,
                                     changed_at=self._ctx.now().isoformat()):
                raise Refused("slot_full", f"slot: {slot:%Y-%m-%d %H:%M} has no place left")
            record_audit(db, actor=actor, action="appointment.moved", at=self._ctx.now(),
                         detail=f"#{appointment_id} {repo.slot_text(current.slot_at)} → "
                                f"{schedule.queue} {repo.slot_text(slot)}")
            self._notifier.cancel_booking_messages(current.code, db=db)
            self._send_booking_messages(db, repo.get(db, appointment_id))
        return self.get(appointment_id)

    def cancel(self, appointment_id: int, *, actor: str) -> Appointment:
        with self._store.write() as db:
            current = self._still_booked(appointment_id)
            repo.set_status(db, appointment_id, repo.CANCELLED, changed_at=self._ctx.now().isoformat())
            self._notifier.cancel_booking_messages(current.code, db=db)
            record_audit(db, actor=actor, action="appointment.cancelled", at=self._ctx.now(),
                         detail=f"#{appointment_id}")
        return self.get(appointment_id)

    def take_on(self, appointment_id: int, *, actor: str) -> Appointment:
        """The administrator will meet this visitor at the door: recorded, with who."""
        with self._store.write() as db:
            found = self._still_booked(appointment_id)
            if not (found.needs_help or found.companion):
                raise BadRequest(f"appointment: #{appointment_id} asked for no help at the door")
            repo.take_on_help(db, appointment_id, by=actor, at=self._ctx.now().isoformat())
            record_audit(db, actor=actor, action="appointment.door_help_taken", at=self._ctx.now(),
                         detail=f"#{appointment_id} {repo.slot_text(found.slot_at)}")
        return self.get(appointment_id)

    def _send_booking_messages(self, db, booked: Appointment) -> None:
        """Confirmation and day-before reminder, in the booking's own transaction; only
        with the visitor's consent and an address to send to."""
        if not (booked.consent and (booked.phone or booked.email)):
            return
        language = self._office.languages[0]
        self._notifier.enqueue_booking_messages(Booking(
            code=booked.code, at=self.to_moment(booked.slot_at), language=language,
            name=booked.name, phone=booked.phone, email=booked.email,
            place=self._office.name.get(language)), db=db)

    def _still_booked(self, appointment_id: int) -> Appointment:
        found = repo.get(self._store.db, appointment_id)
        if found is None:
            raise NotFound(f"no appointment {appointment_id}")
        if found.status != repo.BOOKED:
            raise Refused("wrong_state", f"appointment #{appointment_id} is {found.status}")
        return found

    def _check_slot(self, schedule, slot: datetime, now: datetime) -> None:
        try:
            sch.check_bookable(schedule, self._office, slot, now)
        except sch.ScheduleError as error:
            raise BadRequest(str(error)) from None

    def _situation_of(self, queue: str) -> str:
        """The life situation a booking by queue is issued under: the first one entering
        that queue that is not sensitive (the ticket must not tell more than needed)."""
        entering = [s for s in self._office.life_situations if s.queue == queue]
        plain = [s for s in entering if not s.sensitive] or entering
        if plain:
            return plain[0].id
        help_situation = next((s for s in self._office.life_situations if s.kind == "help"),
                              self._office.life_situations[0])
        return help_situation.id

    @staticmethod
    def _new_code(db) -> str:
        while True:
            code = f"{secrets.randbelow(10 ** limits.CODE_LENGTH):0{limits.CODE_LENGTH}d}"
            if not repo.code_in_use(db, code):
                return code

    # --- checking in ------------------------------------------------------------------

    def check_in(self, code: str, *, language: str, device: str, actor: str) -> CheckedIn:
        """A ticket ranked as an appointment, inside the check-in window; else a refusal."""
        code = limits.booking_code(code)
        self._check_throttle(device)
        found = repo.by_code(self._store.db, code)
        if found is None:
            self._wrong_code(device)
            raise Refused("unknown_code", "code: no booking with this code is waiting")
        now = self.local_now()
        rules = self._office.rules
        verdict = sch.check_in_verdict(found.slot_at, now, rules)
        opens, closes = sch.check_in_window(found.slot_at, rules)
        if verdict == sch.EARLY:
            raise Refused("too_early", f"code: check-in opens at {opens:%H:%M}",
                          come_back_at=opens.isoformat(timespec="minutes"),
                          slot_at=found.slot_at.isoformat(timespec="minutes"))
        if verdict == sch.LATE:
            raise Refused("too_late", f"code: check-in closed at {closes:%H:%M}; "
                          "take a ticket to the ordinary queue",
                          slot_at=found.slot_at.isoformat(timespec="minutes"))
        stamp = self._ctx.now().isoformat()

        def mark_checked_in(db, ticket) -> None:
            repo.set_status(db, found.id, repo.CHECKED_IN, changed_at=stamp, ticket_id=ticket.id)
            if found.consent and found.phone:  # «your turn is near» to the booked phone
                self._notifier.add_contact(db, ticket, found.phone)

        issued = self._tickets.issue(
            life_situation=found.life_situation, language=language, priority=False, actor=actor,
            request_id=f"appointment-{found.id}", appointment_at=self.to_moment(found.slot_at),
            also=mark_checked_in)
        self._forget_wrong_codes(device)
        return CheckedIn(self.get(found.id), issued)

    def _check_throttle(self, device: str) -> None:
        with self._wrong_lock:
            count, first = self._wrong_codes.get(device, (0, 0.0))
            waited = monotonic_time.monotonic() - first
            if count >= WRONG_CODES_ALLOWED and waited < WRONG_CODE_PAUSE_S:
                retry = WRONG_CODE_PAUSE_S - waited
                raise Refused("too_many_attempts",
                              f"code: too many wrong codes; try again in {round(retry)} s",
                              retry_after=max(1, round(retry)))
            if count >= WRONG_CODES_ALLOWED:
                self._wrong_codes.pop(device, None)

    def _wrong_code(self, device: str) -> None:
        with self._wrong_lock:
            count, first = self._wrong_codes.get(device, (0, monotonic_time.monotonic()))
            self._wrong_codes[device] = (count + 1, first)

    def _forget_wrong_codes(self, device: str) -> None:
        with self._wrong_lock:
            self._wrong_codes.pop(device, None)

    # --- time passing -------------------------------------------------------------------

    def tick(self) -> list[Appointment]:
        """Record as missed every booking whose check-in window has closed."""
        late = timedelta(minutes=self._office.rules.appointment_late_min)
        closed_before = self.local_now() - late
        due = repo.booked_before(self._store.db, closed_before)
        if not due:
            return []
        with self._store.write() as db:
            stamp = self._ctx.now().isoformat()
            due = repo.booked_before(db, closed_before)
            for appointment in due:
                repo.set_status(db, appointment.id, repo.MISSED, changed_at=stamp)
        return due
