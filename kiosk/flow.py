"""The visitor's path through the kiosk as a pure state machine.

No Kivy, no HTTP: the app calls these methods when the visitor touches
something or when background work finishes, executes the returned
:class:`Effect` (issue a ticket, check in, call for help) off the UI thread and
reports the outcome back.  Screens only render :attr:`Flow.step` and friends.

A ticket is shown only after the server confirmed it (:meth:`Flow.ticket_issued`
with the pending request id); an issue that timed out keeps its request id, so
trying again after the connection is back can never yield a second ticket.

Three touches from the start screen to a ticket, in any language: a language
button (it also goes on), a life situation, then the one question where the
office asks it (its answer asks for the ticket) or «Get my ticket» where not.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from kiosk.i18n import DEFAULT_LANGUAGE, LANGUAGES
from kiosk.office import Office

MAX_CODE_LENGTH = 10
ORDINARY_INSTEAD = ("appointment_too_early", "appointment_too_late")
"""Check-in refusals after which the appointment screen offers an ordinary ticket."""
MAX_PHONE_LENGTH = 11  # 8 912 345 67 89
MIN_PHONE_LENGTH = 10  # 912 345 67 89
RATE_STEP, MIN_RATE, MAX_RATE = 20, 70, 230
VOLUME_STEP = 0.2


class Step(StrEnum):
    START = "start"
    SITUATION = "situation"
    PRIORITY = "priority"
    CONFIRM = "confirm"
    ISSUING = "issuing"
    TICKET = "ticket"
    APPOINTMENT = "appointment"
    PHONE = "phone"  # optional, from the ticket screen: a number for «your turn is near»
    CHECKING_IN = "checking_in"
    HELP_SENDING = "help_sending"
    HELP_COMING = "help_coming"
    CLOSED = "closed"
    UNAVAILABLE = "unavailable"


BACK = {
    Step.SITUATION: Step.START,
    Step.PRIORITY: Step.SITUATION,
    Step.CONFIRM: Step.PRIORITY,  # or SITUATION where the question is not asked
    Step.TICKET: Step.START,
    Step.PHONE: Step.TICKET,
    Step.APPOINTMENT: Step.START,
    Step.HELP_COMING: Step.START,
    Step.CLOSED: Step.START,
    Step.UNAVAILABLE: Step.START,
}
"""Where "back" leads; steps waiting for the server are not listed: back waits too."""


class PrintState(StrEnum):
    PRINTING = "printing"
    PRINTED = "printed"
    FAILED = "failed"
    NO_PRINTER = "no_printer"


@dataclass(frozen=True)
class Settings:
    """What the visitor may change; an idle timeout restores the defaults."""

    language: str = DEFAULT_LANGUAGE
    speech: bool = False
    high_contrast: bool = False
    large_text: bool = False
    volume: float = 1.0
    rate: int = 130


@dataclass(frozen=True)
class IssueTicket:
    request_id: str
    life_situation: str
    language: str
    priority: bool


@dataclass(frozen=True)
class CheckIn:
    code: str
    language: str


@dataclass(frozen=True)
class CallHelp:
    pass


@dataclass(frozen=True)
class LeavePhone:
    """The visitor typed a phone for messages, after the consent line was shown and spoken."""

    ticket_id: str
    phone: str


Effect = IssueTicket | CheckIn | CallHelp | LeavePhone


@dataclass(frozen=True)
class _Pending:
    request_id: str
    choice: tuple[str, bool, str]


@dataclass
class Flow:
    defaults: Settings = field(default_factory=Settings)
    appointments_enabled: bool = False
    new_request_id: Callable[[], str] = field(default=lambda: uuid.uuid4().hex)

    def __post_init__(self) -> None:
        self.settings = self.defaults
        self.step = Step.START
        self.office: Office | None = None
        self.server_reachable = False
        self.situation_id: str | None = None
        self.priority: bool | None = None
        self.ticket: dict[str, Any] | None = None
        self.print_state = PrintState.NO_PRINTER
        self.code = ""
        self.phone = ""
        self.phone_note: str | None = None
        """On the ticket screen: the phone is being sent, was taken, or was not."""
        self.message_key: str | None = None
        """A note on the current screen (e.g. why a check-in failed)."""
        self.message_values: dict[str, str] = {}
        """Values of the note's placeholders (e.g. the time check-in opens)."""
        self.opens_at: str | None = None
        """On the closed screen: when the office opens (office wall time, ISO)."""
        self._pending: _Pending | None = None
        self._listeners: list[Callable[[Flow], None]] = []

    # --- observing --------------------------------------------------------------------

    def subscribe(self, listener: Callable[[Flow], None]) -> None:
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener(self)

    def _go(self, step: Step) -> None:
        self.step = step
        self.message_key = None
        self.message_values = {}
        self._changed()

    @property
    def language(self) -> str:
        return self.settings.language

    @property
    def situation(self):
        if self.office is None or self.situation_id is None:
            return None
        return self.office.situation(self.situation_id)

    @property
    def pending_request_id(self) -> str | None:
        return self._pending.request_id if self._pending else None

    # --- the server -------------------------------------------------------------------

    def office_loaded(self, office: Office) -> None:
        self.office = office
        self.connection_changed(True)

    def connection_changed(self, reachable: bool) -> None:
        """The background poll says whether the server answers; recover when it does."""
        self.server_reachable = reachable
        if reachable and self.step is Step.UNAVAILABLE and self.office is not None:
            resume = self._pending is not None and self.situation_id is not None
            self._go(Step.CONFIRM if resume else Step.START)
        else:
            self._changed()

    # --- start screen -----------------------------------------------------------------

    def choose_language(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        self.settings = replace(self.settings, language=language)
        self._changed()

    def start_in(self, language: str) -> None:
        """A language button on the start screen: that language, and on to the situations.

        One touch instead of two (choose, then «Take a ticket»), so a ticket is
        three touches away in any language.
        """
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        self.settings = replace(self.settings, language=language)
        self.take_ticket()

    def next_language(self) -> None:
        """The keypad's language key: ru → tt → en → ru, on any screen."""
        following = LANGUAGES[(LANGUAGES.index(self.language) + 1) % len(LANGUAGES)]
        self.choose_language(following)

    def take_ticket(self) -> None:
        self.situation_id = None
        self.priority = None
        if self.office is None or not self.server_reachable:
            self._go(Step.UNAVAILABLE)
        elif not self.office.open_now:
            self.office_closed(self.office.opens_at)
        else:
            self._go(Step.SITUATION)

    def office_closed(self, opens_at: str | None) -> None:
        """No ticket now: the office is closed (the server said so); say when it opens."""
        self._pending = None
        self.opens_at = opens_at
        self._go(Step.CLOSED)

    @property
    def appointments_available(self) -> bool:
        """The button shows when the configuration allows it and the server checks bookings in."""
        return self.appointments_enabled and self.office is not None and self.office.appointments

    def open_appointment(self) -> None:
        if not self.appointments_available:
            raise RuntimeError("appointments are switched off or the server takes no bookings")
        self.code = ""
        self._go(Step.APPOINTMENT)

    def call_help(self) -> CallHelp:
        self._go(Step.HELP_SENDING)
        return CallHelp()

    def help_sent(self) -> None:
        if self.step is Step.HELP_SENDING:
            self._go(Step.HELP_COMING)

    def help_failed(self) -> None:
        if self.step is Step.HELP_SENDING:
            self.server_reachable = False
            self._go(Step.UNAVAILABLE)

    # --- getting a ticket -------------------------------------------------------------

    def choose_situation(self, situation_id: str) -> None:
        if self.step is not Step.SITUATION:
            return
        if self.office is None or self.office.situation(situation_id) is None:
            raise ValueError(f"unknown life situation {situation_id!r}")
        self.situation_id = situation_id
        if self.asks_priority:
            self._go(Step.PRIORITY)
        else:
            self.priority = False
            self._go(Step.CONFIRM)

    @property
    def asks_priority(self) -> bool:
        """Whether the chosen situation asks the out-of-turn question (the office says)."""
        situation = self.situation
        return situation is None or situation.ask_priority

    def answer_priority(self, priority: bool) -> IssueTicket | None:
        """The answer is the last touch: it asks for the ticket, no confirmation after it."""
        if self.step is not Step.PRIORITY:
            return None
        self.priority = priority
        return self._request_ticket()

    def confirm(self) -> IssueTicket | None:
        """«Get my ticket» where no question was asked (or after a lost connection)."""
        if self.step is not Step.CONFIRM:
            return None
        return self._request_ticket()

    def _request_ticket(self) -> IssueTicket | None:
        if self.situation_id is None:
            return None
        choice = (self.situation_id, bool(self.priority), self.language)
        if self._pending is None or self._pending.choice != choice:
            self._pending = _Pending(self.new_request_id(), choice)
        self._go(Step.ISSUING)
        return IssueTicket(
            request_id=self._pending.request_id,
            life_situation=self.situation_id,
            language=self.language,
            priority=bool(self.priority),
        )

    def ticket_issued(self, request_id: str, ticket: dict[str, Any], *, printing: bool) -> bool:
        """The server confirmed a ticket; True when it is shown (not a stale answer)."""
        if self.step is not Step.ISSUING or request_id != self.pending_request_id:
            return False
        self._pending = None
        self._show_ticket(ticket, printing)
        return True

    def issue_refused_closed(self, request_id: str, opens_at: str | None) -> None:
        """The server refused: the office is closed (its hours); no ticket will be made."""
        if self.step is Step.ISSUING and request_id == self.pending_request_id:
            self.office_closed(opens_at)

    def issue_failed(self, request_id: str) -> None:
        """No answer from the server: keep the request id for the next try."""
        if self.step is Step.ISSUING and request_id == self.pending_request_id:
            self.server_reachable = False
            self._go(Step.UNAVAILABLE)

    def _show_ticket(self, ticket: dict[str, Any], printing: bool) -> None:
        self.ticket = ticket
        self.print_state = PrintState.PRINTING if printing else PrintState.NO_PRINTER
        self._go(Step.TICKET)

    def printed(self, ok: bool) -> None:
        if self.step is Step.TICKET and self.print_state is PrintState.PRINTING:
            self.print_state = PrintState.PRINTED if ok else PrintState.FAILED
            self._changed()

    # --- a phone for messages (optional, never on the way to a ticket) --------------------

    @property
    def may_leave_phone(self) -> bool:
        """The ticket screen offers it while the ticket waits and no phone was taken."""
        return (self.step is Step.TICKET and (self.ticket or {}).get("status") == "waiting"
                and bool((self.ticket or {}).get("id")) and self.phone_note != "phone_accepted")

    def open_phone(self) -> None:
        if self.may_leave_phone:
            self.phone = ""
            self._go(Step.PHONE)

    def submit_phone(self) -> LeavePhone | None:
        if self.step is not Step.PHONE or len(self.phone) < MIN_PHONE_LENGTH or self.ticket is None:
            return None
        self.phone_note = "phone_sending"
        self._go(Step.TICKET)
        return LeavePhone(str(self.ticket["id"]), self.phone)

    def phone_answered(self, accepted: bool) -> None:
        self.phone_note = "phone_accepted" if accepted else "phone_refused"
        if accepted:
            self.phone = ""
        self._changed()

    def phone_failed(self) -> None:
        self.phone_note = "phone_not_sent"
        self._changed()

    # --- keypads: the booking code and the phone ---------------------------------------

    def press_digit(self, digit: str) -> None:
        if not (digit.isdigit() and len(digit) == 1):
            return
        if self.step is Step.APPOINTMENT and len(self.code) < MAX_CODE_LENGTH:
            self.code += digit
        elif self.step is Step.PHONE and len(self.phone) < MAX_PHONE_LENGTH:
            self.phone += digit
        elif self.step not in (Step.APPOINTMENT, Step.PHONE):
            return
        self.message_key, self.message_values = None, {}
        self._changed()

    def erase_digit(self) -> None:
        if self.step is Step.APPOINTMENT:
            self.code = self.code[:-1]
        elif self.step is Step.PHONE:
            self.phone = self.phone[:-1]
        else:
            return
        self.message_key, self.message_values = None, {}
        self._changed()

    def submit_code(self) -> CheckIn | None:
        if self.step is not Step.APPOINTMENT or not self.code:
            return None
        self._go(Step.CHECKING_IN)
        return CheckIn(self.code, self.language)

    def checked_in(self, ticket: dict[str, Any], *, printing: bool) -> None:
        if self.step is Step.CHECKING_IN:
            self._show_ticket(ticket, printing)

    def check_in_refused(self, message_key: str, **values: str) -> None:
        """The code is unknown, too early or too late, or check-in is not available: say so,
        keep the code."""
        if self.step is Step.CHECKING_IN:
            self.step = Step.APPOINTMENT
            self.message_key = message_key
            self.message_values = dict(values)
            self._changed()

    @property
    def offers_ordinary_ticket(self) -> bool:
        """Too early or too late for the booking: the ordinary queue is offered instead."""
        return self.step is Step.APPOINTMENT and self.message_key in ORDINARY_INSTEAD

    def check_in_failed(self) -> None:
        if self.step is Step.CHECKING_IN:
            self.server_reachable = False
            self._go(Step.UNAVAILABLE)

    # --- navigation -------------------------------------------------------------------

    def back(self) -> None:
        if self.step is Step.CONFIRM and not self.asks_priority:
            self._go(Step.SITUATION)
        elif self.step in BACK:
            self._go(BACK[self.step])

    def start_over(self) -> None:
        """Back to the start screen, keeping the visitor's language and settings."""
        if self.step in (Step.ISSUING, Step.CHECKING_IN, Step.HELP_SENDING):
            return
        self._clear_visit()
        self._go(Step.START)

    def idle_timeout(self) -> None:
        """Nobody touched the kiosk for a while: Russian, default settings, no visit."""
        self._clear_visit()
        self._pending = None
        self.settings = self.defaults
        self._go(Step.START)

    def _clear_visit(self) -> None:
        self.opens_at = None
        self.situation_id = None
        self.priority = None
        self.ticket = None
        self.code = ""
        self.phone = ""
        self.phone_note = None
        self.print_state = PrintState.NO_PRINTER

    # --- accessibility settings -------------------------------------------------------

    def toggle_speech(self) -> None:
        self._set(speech=not self.settings.speech)

    def toggle_high_contrast(self) -> None:
        self._set(high_contrast=not self.settings.high_contrast)

    def toggle_large_text(self) -> None:
        self._set(large_text=not self.settings.large_text)

    def change_volume(self, up: bool) -> None:
        volume = self.settings.volume + (VOLUME_STEP if up else -VOLUME_STEP)
        self._set(volume=round(min(1.0, max(0.2, volume)), 2))

    def change_rate(self, faster: bool) -> None:
        rate = self.settings.rate + (RATE_STEP if faster else -RATE_STEP)
        self._set(rate=min(MAX_RATE, max(MIN_RATE, rate)))

    def enable_speech(self) -> None:
        if not self.settings.speech:
            self._set(speech=True)

    def _set(self, **changes: Any) -> None:
        self.settings = replace(self.settings, **changes)
        self._changed()
