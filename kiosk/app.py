"""The Kivy kiosk app: binds the screens to the flow and runs its effects off the UI thread.

The app owns no visitor logic (kiosk.flow does) and no wording (kiosk.content and
the catalogue do).  It switches screens when the flow's step changes, speaks
each screen in speech mode, gates touches in speech mode (first touch names a
control, the second one presses it), drives focus from a numeric keypad (see
kiosk.keypad: the first key explains the keys, any key cuts off speech), polls
the server so the kiosk recovers by itself, and resets after an idle time.
"""

from __future__ import annotations

import logging
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import DEFAULT_FONT, LabelBase
from kivy.core.window import Window
from kivy.properties import (
    BooleanProperty,
    DictProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)

from assets import ASSETS_DIR
from kiosk import keypad, theme
from kiosk.api_client import NO_ROUTE, ApiClient, ApiError
from kiosk.background import Background
from kiosk.config import KioskConfig
from kiosk.content import ScreenText, screen_text
from kiosk.flow import CallHelp, CheckIn, Effect, Flow, IssueTicket, LeavePhone, PrintState, Settings, Step
from kiosk.heartbeat import Heartbeat
from kiosk.i18n import LANGUAGES, tr
from kiosk.office import OfficeFormatError, parse_office
from kiosk.printer_reports import PrinterReports

log = logging.getLogger(__name__)

SCREEN_OF_STEP = {
    Step.START: "start",
    Step.SITUATION: "situation",
    Step.PRIORITY: "priority",
    Step.CONFIRM: "confirm",
    Step.TICKET: "ticket",
    Step.APPOINTMENT: "appointment",
    Step.PHONE: "phone",
}
"""Steps not listed here show the text-only "message" screen."""
TYPING = (Step.APPOINTMENT, Step.PHONE)  # keypad screens: digits type, Enter submits

OFFICE_CLOSED = "office_closed"
CHECK_IN_REFUSALS = {  # the server's machine code: what the appointment screen says
    "unknown_code": "appointment_not_found",
    "bad_request": "appointment_code_length",
    "too_early": "appointment_too_early",
    "too_late": "appointment_too_late",
    "too_many_attempts": "appointment_too_many",
}


def _clock_time(value: object) -> str:
    """``HH:MM`` of an office wall time the server sent (``2026-12-01T09:30``)."""
    return value[11:16] if isinstance(value, str) and len(value) >= 16 else ""


def register_fonts() -> None:
    """DejaVu Sans (bundled, has ә ө ү җ ң һ) as the default font of every label."""
    fonts = ASSETS_DIR / "fonts"
    regular, bold = fonts / "DejaVuSans.ttf", fonts / "DejaVuSans-Bold.ttf"
    if regular.exists():
        LabelBase.register(
            DEFAULT_FONT, str(regular), fn_bold=str(bold) if bold.exists() else None
        )


class SilentSpeaker:
    """Stands in when speech cannot start (no kiosk.speech or no espeak-ng)."""

    def say(self, text: str, language: str, *, queue: bool = False) -> None:
        log.info("speech unavailable, would say (%s): %s", language, text)

    def stop(self) -> None: ...
    def set_rate(self, wpm: int) -> None: ...
    def set_volume(self, volume: float) -> None: ...
    def close(self) -> None: ...


def make_speaker(config: KioskConfig):
    try:
        from kiosk.speech import Speaker

        return Speaker(rate=config.speech_rate, volume=config.speech_volume, enabled=True)
    except Exception:  # speech must never keep the kiosk from issuing tickets
        log.exception("speech is not available")
        return SilentSpeaker()


class KioskApp(App):
    lang = StringProperty("ru")
    step = StringProperty(Step.START.value)
    colours = DictProperty(theme.NORMAL.colours())
    high_contrast = BooleanProperty(False)
    text_scale = NumericProperty(1.0)
    speech_on = BooleanProperty(False)
    appointments_enabled = BooleanProperty(False)
    """The «I have an appointment» button: allowed by the configuration and answered by the server."""
    offer_ordinary = BooleanProperty(False)
    """Too early or too late for a booking: the appointment screen offers an ordinary ticket."""
    focused = ObjectProperty(None, allownone=True)
    server_reachable = BooleanProperty(False)

    def __init__(self, config: KioskConfig, *, speaker=None, api: ApiClient | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kiosk_config = config
        self.title = "Odno okno — kiosk"
        self.api = api or ApiClient(
            config.server, config.token, timeout=config.request_timeout,
            attempts=config.request_attempts,
        )
        self.speaker = speaker if speaker is not None else make_speaker(config)
        self.flow = Flow(
            defaults=Settings(speech=config.speech, rate=config.speech_rate,
                              volume=config.speech_volume),
            appointments_enabled=config.appointments,
        )
        self.appointments_enabled = False  # until the server says it checks bookings in
        self.network = Background(Clock.schedule_once, name="http", workers=2)
        self.printing = Background(Clock.schedule_once, name="print")
        self._polling = False
        self._shown: tuple[str, str, str] | None = None
        self.printer_reports = PrinterReports()
        self.remote_print = None  # RemotePrintListener, with a printer
        self.heartbeat: Heartbeat | None = None  # started with the app: the console alarms on silence
        self._idle = Clock.create_trigger(self._on_idle, config.idle_seconds)
        self.last_spoken: ScreenText | None = None
        self._spoken_code_length = 0
        self.keypad_used = False
        """A key was pressed in this visit: speech hints speak of keys, not touches."""
        self._focus_holder = None
        self._poll_event = None

    # --- building -----------------------------------------------------------------------

    def build(self):
        register_fonts()
        from kiosk.screens.appointment import AppointmentScreen, PhoneScreen
        from kiosk.screens.confirm import ConfirmScreen
        from kiosk.screens.message import MessageScreen
        from kiosk.screens.priority import PriorityScreen
        from kiosk.screens.root import KioskRoot
        from kiosk.screens.situation import SituationScreen
        from kiosk.screens.start import StartScreen
        from kiosk.screens.ticket import TicketScreen

        root = KioskRoot()
        for screen_class in (StartScreen, SituationScreen, PriorityScreen, ConfirmScreen,
                             TicketScreen, AppointmentScreen, PhoneScreen, MessageScreen):
            root.ids.screens.add_widget(screen_class())
        self.flow.subscribe(self._on_flow_changed)
        Window.bind(on_key_down=self._on_key_down, on_touch_down=self._on_any_touch)
        return root

    def on_start(self) -> None:
        self._on_flow_changed(self.flow)
        self.poll_server()
        self._poll_event = Clock.schedule_interval(
            lambda _dt: self.poll_server(), self.kiosk_config.poll_seconds
        )
        self.start_remote_print()
        self.heartbeat = Heartbeat(self.api).start()

    def on_stop(self) -> None:
        Window.unbind(on_key_down=self._on_key_down, on_touch_down=self._on_any_touch)
        if self.heartbeat is not None:
            self.heartbeat.stop()
        self._idle.cancel()
        if self._poll_event is not None:
            self._poll_event.cancel()
        if self.remote_print is not None:
            self.remote_print.stop()
        self.network.shutdown()
        self.printing.shutdown()
        self.speaker.close()

    def on_focused(self, _app, control) -> None:
        """Move the focus ring (kv rules draw it from ``has_focus``)."""
        if self._focus_holder is not None and self._focus_holder is not control:
            self._focus_holder.has_focus = False
        self._focus_holder = control
        if control is not None:
            control.has_focus = True

    def t(self, key: str, language: str, **values: Any) -> str:
        """A catalogue text; kv rules pass ``app.lang`` so texts follow the language."""
        return tr(key, language, **values)

    # --- following the flow ------------------------------------------------------------

    @property
    def screens(self):
        return self.root.ids.screens

    @property
    def current_screen(self):
        return self.screens.current_screen

    def _on_flow_changed(self, flow: Flow) -> None:
        settings = flow.settings
        speech_switched_on = settings.speech and not self.speech_on
        self.lang = settings.language
        self.high_contrast = settings.high_contrast
        self.colours = (theme.HIGH_CONTRAST if settings.high_contrast else theme.NORMAL).colours()
        self.text_scale = theme.LARGE_TEXT_SCALE if settings.large_text else 1.0
        self.speech_on = settings.speech
        self.server_reachable = flow.server_reachable
        self.appointments_enabled = flow.appointments_available
        self.offer_ordinary = flow.offers_ordinary_ticket
        self.speaker.set_rate(settings.rate)
        self.speaker.set_volume(settings.volume)
        if not settings.speech:
            self.speaker.stop()
        self.step = flow.step.value

        name = SCREEN_OF_STEP.get(flow.step, "message")
        office_key = flow.office.id if flow.office else ""
        if name == "situation" and self._shown != (name, self.lang, office_key):
            self.screens.get_screen("situation").show_office(flow.office, self.lang)
        text = screen_text(flow)
        screen = self.screens.get_screen(name)
        screen.show_text(text.title, list(text.lines))
        if name == "ticket":
            screen.number = text.number
            screen.phone_offered = flow.may_leave_phone
        shown = (name, self.lang, office_key)
        last = self.last_spoken
        if shown != self._shown or self.screens.current != name or (
            last is not None and text.title != last.title
        ):
            self.screens.current = name
            self._shown = shown
            self.focused = None
            self.speak_screen(text, hint=speech_switched_on)
            if flow.step is Step.CLOSED and not self.speech_on:
                # Said aloud even outside speech mode: no ticket, and when to come back.
                self.speaker.say(text.spoken, self.lang)
        elif speech_switched_on or self._ticket_note_changed(text):
            self.speak_screen(text, hint=speech_switched_on)
        elif self._ticket_printed_now(text):
            self.last_spoken = text
            self.say(text.lines[-1], queue=True)  # after the number, never cutting it off
        elif self._phone_note_changed(text):
            self.last_spoken = text
            self.say(text.lines[-1])
        elif last is not None and flow.step in TYPING and text.lines != last.lines:
            self.last_spoken = text
            self.say(self._code_news(last.lines, text.lines))
        self._restart_idle()

    def _ticket_printed_now(self, text: ScreenText) -> bool:
        """The ticket came out: say where to take it, after what is being said."""
        last = self.last_spoken
        return (self.flow.step is Step.TICKET and last is not None
                and last.lines[-1:] != text.lines[-1:]
                and self.flow.print_state is PrintState.PRINTED)

    def _code_news(self, before: tuple[str, ...], now: tuple[str, ...]) -> str:
        """On a keypad screen: the digit just typed alone, else what is typed and any note."""
        phone = self.flow.step is Step.PHONE
        code = self.flow.phone if phone else self.flow.code
        at = 2 if phone else 1  # the line that shows what is typed; notes follow it
        if now[at + 1:] == () and before[at + 1:] == () and len(code) == self._spoken_code_length + 1:
            self._spoken_code_length = len(code)
            return code[-1]
        self._spoken_code_length = len(code)
        return " ".join(now[at:])
    def _phone_note_changed(self, text: ScreenText) -> bool:
        """The server took (or refused) the phone: said on the ticket screen."""
        last = self.last_spoken
        return (self.flow.step is Step.TICKET and self.flow.phone_note is not None
                and last is not None and last.lines[-1:] != text.lines[-1:])

    def _ticket_note_changed(self, text: ScreenText) -> bool:
        """A print failure is news: say the ticket again with the note."""
        last = self.last_spoken
        return (self.flow.step is Step.TICKET and last is not None
                and last.lines[-1:] != text.lines[-1:]
                and self.flow.print_state is PrintState.FAILED)

    # --- speech -------------------------------------------------------------------------

    def say(self, text: str, *, queue: bool = False, language: str = "") -> None:
        """Speak in speech mode; the newest text cuts off the last unless ``queue``."""
        if self.speech_on and text:
            self.speaker.say(text, language or self.lang, queue=queue)

    def say_control(self, control, *, queue: bool = False) -> None:
        """A control's name, in its own voice where it has one («Татарча» in Tatar)."""
        self.say(control.spoken_text(), queue=queue,
                 language=getattr(control, "spoken_language", "") or self.lang)

    def speak_screen(self, text: ScreenText, *, hint: bool = False) -> None:
        self.last_spoken = text
        if not self.speech_on:
            return
        self._spoken_code_length = len(self.flow.code)
        if hint and self.keypad_used:
            self.say(text.spoken)
            self.explain_keys(brief=True)
        elif hint:
            self.say(f"{text.spoken} {tr('speech_hint', self.lang)}")
        else:
            self.say(text.spoken)

    def explain_keys(self, *, brief: bool) -> None:
        """Which keys do what, then how to change the language, in each language's voice."""
        self.say(tr("keys_intro" if brief else "keys_help", self.lang), queue=True)
        for language in LANGUAGES:
            if language != self.lang:
                self.say(tr("keys_language", language), queue=True, language=language)

    def repeat(self) -> None:
        text = screen_text(self.flow)
        self.speak_screen(text)
        if self.focused is not None:
            self.say_control(self.focused, queue=True)

    def speak_details(self) -> None:
        """The screen with its long part (e.g. every tile's name), on request."""
        text = screen_text(self.flow)
        self.last_spoken = text
        self.say(text.spoken_details)

    # --- touches and keys ---------------------------------------------------------------

    def touched(self, control) -> None:
        """A control was touched; in speech mode the first touch only names it."""
        if self.speech_on and self.focused is not control:
            self.focused = control
            self.say_control(control)
            return
        self.focused = None
        control.dispatch("on_activate")

    def focus_order(self) -> list:
        from kiosk.screens.base import focus_order

        controls = focus_order(self.current_screen)
        for bar in (self.root.ids.nav_bar, self.root.ids.access_bar):
            controls += focus_order(bar)
        return controls

    def _on_any_touch(self, _window, touch) -> None:
        self._restart_idle()
        if (self.flow.step in (Step.UNAVAILABLE, Step.CLOSED) and not self.speech_on
                and self.current_screen.collide_point(*touch.pos)):
            # What to do now is spoken on a touch even outside speech mode.
            self.speaker.say(screen_text(self.flow).spoken, self.lang)

    def _on_key_down(self, _window, key: int, *_args) -> bool:
        if self.speech_on:
            self.speaker.stop()  # any key cuts off speech at once
        command = keypad.command_for(key)
        if command is None and keypad.digit_for(key) is None:
            return False
        self._restart_idle()
        if not self.keypad_used:
            # The first key of a visit explains the keys (and switches speech on).
            self.keypad_used = True
            if self.speech_on:
                self.speak_screen(screen_text(self.flow), hint=True)
            else:
                self.flow.enable_speech()
            return True
        if self.flow.step in TYPING and self._type_code(key, command):
            return True
        if command is not None:
            self.keypad_command(command)
        return True

    def _type_code(self, key: int, command: keypad.KeyCommand | None) -> bool:
        """On the code screen digits type, Backspace erases, Enter (no focus) checks in."""
        digit = keypad.digit_for(key)
        if digit is not None:
            self.flow.press_digit(digit)
        elif key in keypad.ERASE_KEYS:
            self.flow.erase_digit()
        elif command is keypad.KeyCommand.ACTIVATE and self.focused is None:
            self.run_effect(self.flow.submit_code() if self.flow.step is Step.APPOINTMENT
                            else self.flow.submit_phone())
        else:
            return False
        return True

    def keypad_command(self, command: keypad.KeyCommand) -> None:
        if command in (keypad.KeyCommand.NEXT, keypad.KeyCommand.PREVIOUS):
            controls = self.focus_order()
            current = controls.index(self.focused) if self.focused in controls else None
            index = keypad.move_focus(len(controls), current, command)
            if index is not None:
                self.focused = controls[index]
                self.say_control(self.focused)
        elif command is keypad.KeyCommand.ACTIVATE:
            if self.focused is not None and self.focused in self.focus_order():
                control, self.focused = self.focused, None
                control.dispatch("on_activate")
            else:
                self.repeat()
        elif command is keypad.KeyCommand.REPEAT:
            self.repeat()
        elif command is keypad.KeyCommand.DETAILS:
            self.speak_details()
        elif command is keypad.KeyCommand.KEYS:
            self.explain_keys(brief=False)
        elif command is keypad.KeyCommand.LANGUAGE:
            self.flow.next_language()
        elif command is keypad.KeyCommand.BACK:
            self.flow.back()
        elif command is keypad.KeyCommand.START_OVER:
            self.flow.start_over()
        elif command is keypad.KeyCommand.CALL_ADMINISTRATOR:
            self.run_effect(self.flow.call_help())

    # --- idle ---------------------------------------------------------------------------

    def _restart_idle(self) -> None:
        self._idle.cancel()
        if self.flow.step is not Step.START or self.flow.settings != self.flow.defaults:
            self._idle()

    def _on_idle(self, _dt: float) -> None:
        self.speaker.stop()
        self.keypad_used = False  # the next visitor hears the keys explained again
        self.flow.idle_timeout()

    # --- effects: the server and the printer --------------------------------------------

    def run_effect(self, effect: Effect | None) -> None:
        if isinstance(effect, IssueTicket):
            self.network.run(
                lambda: self.api.issue_ticket(
                    effect.life_situation, effect.language, effect.priority, effect.request_id
                ),
                lambda ticket: self._ticket_arrived(effect.request_id, ticket),
                lambda error: self._issue_failed(effect.request_id, error),
            )
        elif isinstance(effect, CheckIn):
            self.network.run(
                lambda: self.api.check_in(effect.code, effect.language),
                self._checked_in,
                self._check_in_failed,
            )
        elif isinstance(effect, LeavePhone):
            self.network.run(lambda: self.api.leave_phone(effect.ticket_id, effect.phone),
                             self.flow.phone_answered, lambda _error: self.flow.phone_failed())
        elif isinstance(effect, CallHelp):
            self.network.run(self.api.request_help, lambda _body: self.flow.help_sent(),
                             lambda _error: self.flow.help_failed())

    @property
    def has_printer(self) -> bool:
        return self.kiosk_config.printer.strip().lower() != "none"

    def _ticket_arrived(self, request_id: str, ticket: dict) -> None:
        if self.flow.ticket_issued(request_id, ticket, printing=self.has_printer):
            self._print(ticket)

    def _issue_failed(self, request_id: str, error: Exception) -> None:
        if isinstance(error, ApiError) and error.code == OFFICE_CLOSED:
            opens_at = error.payload.get("opens_at")
            self.flow.issue_refused_closed(request_id, opens_at if isinstance(opens_at, str) else None)
            return
        log.warning("ticket not issued: %s", error)
        if isinstance(error, ApiError) and error.status in (401, 403):
            log.error("the kiosk token is not accepted by the server")
        self.flow.issue_failed(request_id)

    def _checked_in(self, ticket: dict) -> None:
        self.flow.checked_in(ticket, printing=self.has_printer)
        if self.flow.step is Step.TICKET:
            self._print(ticket)

    def _check_in_failed(self, error: Exception) -> None:
        if not isinstance(error, ApiError):
            self.flow.check_in_failed()
        elif error.code == NO_ROUTE:  # this server has no appointments yet
            self.flow.check_in_refused("appointment_unavailable")
        elif error.code in CHECK_IN_REFUSALS:
            self.flow.check_in_refused(CHECK_IN_REFUSALS[error.code],
                                       time=_clock_time(error.payload.get("come_back_at")))
        elif error.status in (400, 404, 409, 422):
            self.flow.check_in_refused("appointment_not_found")
        else:
            self.flow.check_in_refused("appointment_unavailable")

    def _print(self, ticket: dict) -> None:
        if not self.has_printer:
            return
        slip = self.ticket_slip(ticket)
        spec = self.kiosk_config.printer
        from kiosk.printing import print_ticket

        self.printing.run(lambda: print_ticket(spec, slip), lambda _r: self._printed(),
                          self._print_failed)

    def ticket_slip(self, ticket: dict):
        from kiosk.ticket_slip import build_ticket_slip

        return build_ticket_slip(ticket, self.flow.office, server_url=self.api.server_url,
                                 fallback_language=self.lang)

    def start_remote_print(self) -> None:
        """Print what the administrator console sends here (a kiosk with a printer only)."""
        if not self.has_printer or self.remote_print is not None:
            return
        from kiosk.printing import print_ticket
        from kiosk.remote_print import RemotePrintListener

        spec = self.kiosk_config.printer

        def print_on_the_printer_worker(slip) -> None:
            # One printer worker for both kinds of ticket: their bytes never interleave.
            self.printing.submit(lambda: print_ticket(spec, slip)).result()

        self.remote_print = RemotePrintListener(
            self.api, print_on_the_printer_worker, reports=self.printer_reports).start()

    def _printed(self) -> None:
        self.flow.printed(True)
        if self.printer_reports.printed():
            self._report_printer("ok", "")

    def _print_failed(self, error: Exception) -> None:
        from kiosk.printing import PrinterFault

        kind = error.kind if isinstance(error, PrinterFault) else "error"
        log.warning("ticket not printed (%s): %s", kind, error)
        self.flow.printed(False)
        self.printer_reports.fault()
        self._report_printer(kind, str(error))

    def _report_printer(self, state: str, detail: str) -> None:
        self.network.run(lambda: self.api.report_printer(state, detail), lambda _r: None,
                         lambda error: log.warning("printer state not reported: %s", error))

    # --- server reachability ------------------------------------------------------------

    def poll_server(self) -> None:
        """Fetch the office in the background; the flow recovers when it answers."""
        if self._polling:
            return
        self._polling = True
        self.network.run(self.api.office, self._office_arrived, self._office_failed)

    def _office_arrived(self, document: dict) -> None:
        self._polling = False
        try:
            office = parse_office(document)
        except OfficeFormatError:
            log.exception("the server's office document is not usable")
            self.flow.connection_changed(False)
            return
        if office != self.flow.office:
            self._shown = None  # tiles are rebuilt from the new office
            self.flow.office_loaded(office)
        elif not self.flow.server_reachable:
            self.flow.connection_changed(True)

    def _office_failed(self, error: Exception) -> None:
        self._polling = False
        if self.flow.server_reachable or self.flow.office is None:
            log.warning("queue server unreachable: %s", error)
        if self.flow.server_reachable:
            self.flow.connection_changed(False)
