"""The Kivy kiosk in a real offscreen window, touched like a visitor would, against a real server.

Speech: a real ``kiosk.speech.Speaker`` with ``enabled=False`` records what the app
asks it to say (no sound card here); one test synthesises the ticket's words to
WAV files to show they are speakable in Russian and Tatar.
"""

from __future__ import annotations

import os
import re
import signal
import tempfile
import threading
import wave
from array import array

from kiosk.harness import prepare_offscreen

prepare_offscreen(tempfile.mkdtemp(prefix="kivy-home-"))  # before Kivy is imported

import pytest  # noqa: E402
from kivy.base import EventLoop  # noqa: E402
from kivy.uix.label import Label  # noqa: E402

from kiosk import theme  # noqa: E402
from kiosk.app import KioskApp  # noqa: E402
from kiosk.config import KioskConfig  # noqa: E402
from kiosk.content import screen_text  # noqa: E402
from kiosk.flow import PrintState, Step  # noqa: E402
from kiosk.harness import KioskDriver  # noqa: E402
from kiosk.i18n import tr  # noqa: E402
from kiosk.keypad import KEY_COMMANDS, KeyCommand  # noqa: E402
from kiosk.screens.base import focus_order  # noqa: E402
from kiosk.speech import Speaker  # noqa: E402
from tests.support.printer_listener import PrinterListener, free_port, printed_text  # noqa: E402

pytestmark = [
    pytest.mark.kivy,
]
TATAR_LETTERS = set("әөүҗңһ")
KEY = {command: next(k for k, c in KEY_COMMANDS.items() if c is command) for command in KeyCommand}


class RecordingSpeaker(Speaker):
    """The real Speaker, silent (enabled=False), remembering every text it was asked to say."""

    def __init__(self, **kwargs) -> None:
        super().__init__(enabled=False, **kwargs)
        self.said: list[tuple[str, str]] = []
        self.events: list[str] = []
        """"stop" and "say" in the order the app asked for them."""

    def say(self, text: str, language: str, *, queue: bool = False) -> None:
        self.said.append((text, language))
        self.events.append("say")
        super().say(text, language, queue=queue)

    def stop(self) -> None:
        self.events.append("stop")
        super().stop()

    @property
    def last(self) -> str:
        return self.said[-1][0] if self.said else ""


@pytest.fixture(scope="module", autouse=True)
def window():
    EventLoop.ensure_window()
    assert tuple(EventLoop.window.size) == (1920, 1080)
    return EventLoop.window


@pytest.fixture
def start_kiosk():
    drivers: list[KioskDriver] = []

    def start(server, **settings) -> KioskDriver:
        config = KioskConfig(**{
            "server": server.url, "token": server.kiosk_token, "printer": "none",
            "poll_seconds": 0.2, "request_timeout": 2.0, "request_attempts": 2, **settings,
        })
        driver = KioskDriver(KioskApp(config, speaker=RecordingSpeaker()))
        drivers.append(driver.start())
        driver.wait_until(lambda: driver.app.flow.office is not None, what="office loaded")
        return driver

    yield start
    for driver in drivers:
        driver.stop()


def visible_texts(root) -> list[str]:
    """The text of every visible label under ``root`` (buttons included)."""
    return [w.text for w in root.walk(restrict=True)
            if isinstance(w, Label) and w.text and w.opacity > 0 and w.height > 0]


def press(kiosk: KioskDriver, control) -> None:
    """Touch a control so that it acts: twice in speech mode (the first touch names it)."""
    kiosk.touch(control)
    if kiosk.app.speech_on and kiosk.app.focused is control:
        kiosk.touch(control)


def go_to_confirm(kiosk: KioskDriver, language: str = "ru", situation: str = "staff_search"):
    """To «Get my ticket»: the employers' tile asks no question, so it leads there."""
    press(kiosk, kiosk.control(f"lang_{language}"))  # the language button goes on
    assert kiosk.app.screens.current == "situation"
    press(kiosk, kiosk.tile(situation))
    assert kiosk.app.screens.current == "confirm"


def last_touch_of(kiosk: KioskDriver):
    """The one control that asks for the ticket: the answer «No», or «Get my ticket»."""
    return kiosk.control("no" if kiosk.app.screens.current == "priority" else "get_ticket")


def take_ticket(kiosk: KioskDriver, language: str = "ru", situation: str = "job_search") -> dict:
    press(kiosk, kiosk.control(f"lang_{language}"))
    press(kiosk, kiosk.tile(situation))
    press(kiosk, last_touch_of(kiosk))
    kiosk.wait_until(lambda: kiosk.app.screens.current == "ticket", what="ticket on screen")
    return kiosk.app.flow.ticket


def tickets_on_server(server) -> list[dict]:
    status, body = server.request("GET", "/api/v1/queues", token=server.login("hall"))
    assert status == 200
    return [ticket for queue in body["queues"] for ticket in queue.get("tickets", [])]


# --- the whole flow, by touch, in every language ----------------------------------------------


@pytest.mark.parametrize("language", ["ru", "tt", "en"])
def test_visitor_takes_a_ticket_by_touch(shared_server, start_kiosk, language):
    kiosk = start_kiosk(shared_server)
    ticket = take_ticket(kiosk, language, "disability")
    status, confirmed = shared_server.request("GET", f"/api/v1/tickets/{ticket['id']}")
    assert status == 200 and confirmed["number"] == ticket["number"]
    assert confirmed["queue"] == "curator" and ticket["language"] == language

    shown = visible_texts(kiosk.app.current_screen)
    assert ticket["number"] in shown
    details = "\n".join(shown)
    assert tr("ticket_go_to", language, destination="").strip(": ") in details
    destination = {"ru": "Зона кураторов", "tt": "Кураторлар зонасы", "en": "Curators"}[language]
    assert destination in details
    # Privacy: the screen shows where to go, not the life situation.
    assert tr("ticket_title", language) in shown
    assert "инвалид" not in details.lower() and "disab" not in details.lower()
    if language == "tt":
        assert TATAR_LETTERS & set(details)
    kiosk.touch(kiosk.control("done"))
    assert kiosk.app.flow.step is Step.START and kiosk.app.lang == language


def test_back_and_start_over_on_every_screen(shared_server, start_kiosk):
    kiosk = start_kiosk(shared_server)
    go_to_confirm(kiosk, "tt")
    kiosk.touch(kiosk.control("back_button"))
    assert kiosk.app.screens.current == "situation", "employers were asked no question"
    kiosk.touch(kiosk.tile("job_search"))
    assert kiosk.app.screens.current == "priority"
    kiosk.touch(kiosk.control("back_button"))
    assert kiosk.app.screens.current == "situation"
    kiosk.touch(kiosk.control("start_over_button"))
    assert kiosk.app.screens.current == "start" and kiosk.app.lang == "tt"
    assert kiosk.control("back_button").height == 0, "no back on the start screen"


def test_not_sure_is_the_last_tile_and_leads_to_primary_reception(shared_server, start_kiosk):
    kiosk = start_kiosk(shared_server)
    kiosk.touch(kiosk.control("take_ticket"))
    tiles = focus_order(kiosk.app.current_screen)
    assert len(tiles) <= 9 and tiles[-1].situation_id == "not_sure"
    assert all(tile.pictogram for tile in tiles), "every demo situation has its pictogram"
    kiosk.touch(kiosk.tile("not_sure"))
    kiosk.touch(kiosk.control("no"))
    kiosk.wait_until(lambda: kiosk.app.flow.step is Step.TICKET)
    assert kiosk.app.flow.ticket["queue"] == "reception"


# --- accessibility ----------------------------------------------------------------------------


def every_screen(kiosk: KioskDriver):
    """Walk through every screen of the kiosk, yielding on each."""
    app = kiosk.app
    yield "start"
    press(kiosk, kiosk.control("take_ticket"))
    yield "situation"
    press(kiosk, kiosk.tile("staff_search"))
    yield "confirm"
    press(kiosk, kiosk.control("back_button"))
    press(kiosk, kiosk.tile("lost_job"))
    yield "priority"
    press(kiosk, kiosk.control("yes"))
    kiosk.wait_until(lambda: app.flow.step is Step.TICKET)
    yield "ticket"
    press(kiosk, kiosk.control("done"))
    press(kiosk, kiosk.control("appointment"))
    yield "appointment"
    press(kiosk, kiosk.control("start_over_button"))
    press(kiosk, kiosk.control("call_admin"))
    kiosk.wait_until(lambda: app.flow.step is Step.HELP_COMING)
    yield "message"
    press(kiosk, kiosk.control("start_over_button"))


def broken_words(label: Label) -> list[str]:
    """Pieces of words that Kivy had to break across lines because they did not fit."""
    words = set(label.text.split())
    lines = label._label._cached_lines if label._label else []
    rendered = ["".join(word.text for word in line.words) for line in lines]
    return [token for line in rendered for token in line.split() if token not in words]


@pytest.mark.parametrize("language", ["ru", "tt", "en"])
@pytest.mark.parametrize("mode", ["normal", "high_contrast_larger_text_speech"])
def test_sizes_on_every_screen(shared_server, start_kiosk, mode, language):
    kiosk = start_kiosk(shared_server, appointments=True, speech=False)
    kiosk.touch(kiosk.control(f"lang_{language}"))  # goes on to the situations
    kiosk.touch(kiosk.control("start_over_button"))  # back to start, in that language
    if mode != "normal":
        kiosk.touch(kiosk.control("contrast_button"))
        kiosk.touch(kiosk.control("larger_text_button"))
        kiosk.touch(kiosk.control("speech_button"))  # eight buttons in the bar
        assert kiosk.app.speech_on
        assert kiosk.app.colours["background"] == theme.HIGH_CONTRAST.background
        assert kiosk.app.text_scale > 1
    visited = []
    for name in every_screen(kiosk):
        kiosk.pump(2)
        visited.append(name)
        root = kiosk.app.root
        controls = kiosk.app.focus_order()
        assert controls, name
        for control in controls:
            assert control.height >= theme.MIN_CONTROL_HEIGHT, (name, control.text, control.height)
            assert control.width >= theme.MIN_CONTROL_HEIGHT, (name, control.text, control.width)
            if isinstance(control, Label):  # its text fits inside, not cut off or spilling
                width, height = control.texture_size
                assert width <= control.width and height <= control.height, (name, control.text)
                assert control.parent.y - 1 <= control.y and \
                    control.top <= control.parent.top + 1, (name, control.text, "spills out")
                assert not broken_words(control), (name, control.text, "a word is broken")
        for label in root.walk(restrict=True):
            if isinstance(label, Label) and label.text and label.opacity > 0 and label.height > 0:
                assert label.font_size >= 32, (name, label.text, label.font_size)
                assert not broken_words(label), (name, label.text, "a word is broken")
        if name == "ticket":
            number = kiosk.control("number")
            assert number.font_size >= 200
            assert number.texture_size[0] <= number.width, "the number fits, not clipped"
        if name == "situation":
            for tile in kiosk.app.current_screen.ids.tiles.children:
                assert tile.minimum_height <= tile.height, f"text overflows tile {tile.text!r}"
    assert visited == ["start", "situation", "confirm", "priority", "ticket", "appointment",
                       "message"]


@pytest.mark.parametrize("palette", [theme.NORMAL, theme.HIGH_CONTRAST], ids=lambda t: t.name)
def test_every_text_colour_pair_reaches_7_to_1(palette):
    for name, (foreground, background) in palette.text_pairs().items():
        ratio = theme.contrast_ratio(foreground, background)
        assert ratio >= 7.0, f"{palette.name}.{name}: {ratio:.2f}"


def test_contrast_formula_matches_wcag_reference_values():
    black, white = theme.hex_colour("#000000"), theme.hex_colour("#FFFFFF")
    assert theme.contrast_ratio(black, white) == pytest.approx(21.0)
    assert theme.contrast_ratio(theme.hex_colour("#777777"), white) == pytest.approx(4.48, abs=0.01)


def test_tatar_letters_render_with_the_bundled_font(start_kiosk, shared_server):
    """Each Tatar letter draws a glyph of its own, not the box of a missing one."""
    start_kiosk(shared_server)
    from kivy.core.text import Label as CoreLabel

    def pixels(text: str) -> bytes:
        label = CoreLabel(text=text, font_size=64)
        label.refresh()
        return bytes(label.texture.pixels)

    missing = pixels("\uffff")
    shapes = {letter: pixels(letter) for letter in "әөүҗңһ"}
    assert all(shape != missing for shape in shapes.values())
    assert len(set(shapes.values())) == 6


# --- speech mode -------------------------------------------------------------------------------


def spoken_matches_screen(kiosk: KioskDriver, spoken: str) -> None:
    """Everything the screen says in its text (title and lines) is what was spoken.

    Lines with an abbreviation are spoken by their twin for the ear (kiosk.content).
    """
    screen, text = kiosk.app.current_screen, screen_text(kiosk.app.flow)
    assert (screen.title, list(screen.lines)) == (text.title, list(text.lines))
    for line in [text.title, *(text.spoken_lines or text.lines)]:
        assert line and line.rstrip(".…") in spoken, (line, spoken)


@pytest.mark.parametrize("language", ["ru", "tt"])
def test_speech_mode_names_first_acts_second_and_speaks_each_screen(
        shared_server, start_kiosk, language):
    kiosk = start_kiosk(shared_server)
    speaker: RecordingSpeaker = kiosk.app.speaker
    kiosk.touch(kiosk.control("speech_button"))  # speech is off: one touch turns it on
    assert kiosk.app.speech_on
    assert tr("speech_hint", "ru") in speaker.last
    spoken_matches_screen(kiosk, speaker.last)

    choose = kiosk.control(f"lang_{language}")
    kiosk.touch(choose)
    assert kiosk.app.screens.current == "start", "first touch only names the control"
    assert speaker.said[-1] == (choose.text, language), "a language's name in its own voice"
    kiosk.touch(choose)
    assert kiosk.app.screens.current == "situation" and kiosk.app.lang == language
    spoken_matches_screen(kiosk, speaker.last)

    tile = kiosk.tile("job_search")
    kiosk.touch(tile)
    assert tile.text in speaker.last and tile.description in speaker.last
    kiosk.touch(tile)
    spoken_matches_screen(kiosk, speaker.last)
    kiosk.touch(kiosk.control("no"))
    kiosk.touch(kiosk.control("no"))
    kiosk.wait_until(lambda: kiosk.app.flow.step is Step.TICKET)
    ticket = kiosk.app.flow.ticket
    spoken = speaker.last
    spoken_matches_screen(kiosk, spoken)
    assert ticket["spoken_number"] in spoken
    assert all(said_language == language for _, said_language in speaker.said[2:])

    kiosk.touch(kiosk.control("repeat_button"))
    kiosk.touch(kiosk.control("repeat_button"))
    assert speaker.last == spoken


def test_volume_and_rate_controls_reach_the_speaker(shared_server, start_kiosk):
    kiosk = start_kiosk(shared_server, speech=True)
    speaker = kiosk.app.speaker
    assert speaker.rate == 130, "slow default rate"
    for control in ("slower_button", "quieter_button"):
        kiosk.touch(kiosk.control(control))
        kiosk.touch(kiosk.control(control))
    assert speaker.rate < 130 and speaker.volume < 1.0


@pytest.mark.speech
@pytest.mark.parametrize("language", ["ru", "tt"])
def test_ticket_words_are_synthesised_to_speech(shared_server, start_kiosk, tmp_path, language):
    """The words the ticket screen speaks, turned into real audio by espeak-ng (never played)."""
    kiosk = start_kiosk(shared_server, speech=True)
    take_ticket(kiosk, language)
    spoken = kiosk.app.speaker.last
    with Speaker(enabled=False) as speaker:
        path = speaker.synthesize_to_file(spoken, language, tmp_path / "ticket.wav")
    with wave.open(str(path)) as audio:
        frames = audio.readframes(audio.getnframes())
        seconds = audio.getnframes() / audio.getframerate()
    samples = array("h", frames)
    rms = (sum(s * s for s in samples) / len(samples)) ** 0.5
    assert 2.0 < seconds < 60.0 and rms > 300


# --- keypad alone -------------------------------------------------------------------------------


def press_until_focused(kiosk: KioskDriver, wanted, limit: int = 30) -> None:
    """Move focus with the keypad until ``wanted`` has it, as a listener would."""
    speaker = kiosk.app.speaker
    for _ in range(limit):
        if kiosk.app.focused is wanted:
            return
        kiosk.key(KEY[KeyCommand.NEXT])
        assert speaker.last == kiosk.app.focused.spoken_text(), "each move names the control"
        assert kiosk.app.focused.has_focus, "the focus ring is drawn on it"
    raise AssertionError(f"never reached {wanted.text!r}")


def said_index(said: list[tuple[str, str]], wanted: str, language: str, after: int = -1) -> int:
    """Where ``wanted`` was said in ``language`` (the first time after ``after``)."""
    for index, (text, said_language) in enumerate(said):
        if index > after and wanted in text and said_language == language:
            return index
    raise AssertionError(f"never said after #{after} in {language}: {wanted!r}\n{said}")


def keypad_visitor_takes_a_ticket(kiosk: KioskDriver, language: str) -> list[tuple[str, str]]:
    """A blind visitor with the keypad alone: first key, language, situation, «No»."""
    app, speaker = kiosk.app, kiosk.app.speaker
    kiosk.key(KEY[KeyCommand.REPEAT])  # the first key: speech on, the keys explained
    assert app.speech_on and app.flow.step is Step.START, "the first key only explains"
    assert speaker.said == [
        (screen_text(app.flow).spoken, "ru"),
        (tr("keys_intro", "ru"), "ru"),
        (tr("keys_language", "tt"), "tt"),  # each other language in its own voice
        (tr("keys_language", "en"), "en"),
    ]
    while app.lang != language:
        kiosk.key(KEY[KeyCommand.LANGUAGE])
        assert speaker.said[-1] == (screen_text(app.flow).spoken, app.lang)
    press_until_focused(kiosk, kiosk.control(f"lang_{language}"))
    assert speaker.said[-1] == (tr("language_name", language), language)
    kiosk.key(KEY[KeyCommand.ACTIVATE])
    assert app.screens.current == "situation" and app.lang == language
    spoken_matches_screen(kiosk, speaker.last)
    kiosk.key(KEY[KeyCommand.DETAILS])  # «+»: the long part, every tile's name
    assert all(tile.text in speaker.last for tile in app.current_screen.ids.tiles.children)
    press_until_focused(kiosk, kiosk.tile("youth"))
    kiosk.key(KEY[KeyCommand.ACTIVATE])
    assert app.screens.current == "priority"
    press_until_focused(kiosk, kiosk.control("no"))
    kiosk.key(KEY[KeyCommand.ACTIVATE])  # the answer asks for the ticket
    kiosk.wait_until(lambda: app.flow.step is Step.TICKET)
    assert app.flow.ticket["queue"] == "career" and app.flow.ticket["language"] == language
    return speaker.said


@pytest.mark.parametrize("language", ["ru", "tt", "en"])
def test_blind_visitor_gets_a_ticket_with_the_keypad_alone(shared_server, start_kiosk, language):
    printer = PrinterListener().start()
    try:
        kiosk = start_kiosk(shared_server, printer=printer.spec)
        said = keypad_visitor_takes_a_ticket(kiosk, language)
        kiosk.wait_until(lambda: kiosk.app.flow.print_state is PrintState.PRINTED, what="printed")
        kiosk.pump(2)
    finally:
        printer.stop()
    number = kiosk.app.flow.ticket["spoken_number"]
    keys = said_index(said, tr("keys_intro", "ru"), "ru")
    ticket = said_index(said, number, language, after=keys)
    where = said_index(said, tr("ticket_printed", language), language, after=ticket)
    assert tr(PRINT_NOTE_PRINTING, language) in said[ticket][0], "no «printed» before it is"
    assert where == len(said) - 1, "where to take the ticket is the last thing said"


@pytest.mark.parametrize("language", ["ru", "tt", "en"])
def test_keypad_visitor_hears_what_to_do_when_the_ticket_is_not_printed(
        shared_server, start_kiosk, language):
    kiosk = start_kiosk(shared_server, printer=f"net:127.0.0.1:{free_port()}")
    said = keypad_visitor_takes_a_ticket(kiosk, language)
    kiosk.wait_until(lambda: kiosk.app.flow.print_state is PrintState.FAILED, what="print failure")
    number = kiosk.app.flow.ticket["spoken_number"]
    keys = said_index(said, tr("keys_intro", "ru"), "ru")
    failed = said_index(said, tr("ticket_not_printed", language), language, after=keys)
    assert number in said[failed][0], "the number is said again with what to do"
    assert failed == len(said) - 1
    assert not any(tr("ticket_printed", language) in text for text, _ in said)


PRINT_NOTE_PRINTING = "ticket_printing"


def test_any_key_cuts_off_speech_at_once(shared_server, start_kiosk):
    kiosk = start_kiosk(shared_server, speech=True)
    speaker = kiosk.app.speaker
    for key in (ord("q"), KEY[KeyCommand.BACK], KEY[KeyCommand.NEXT]):
        speaker.events.clear()
        kiosk.key(key)
        assert speaker.events[:1] == ["stop"], (key, speaker.events)


def test_the_first_key_explains_the_keys_even_with_speech_already_on(shared_server, start_kiosk):
    kiosk = start_kiosk(shared_server, speech=True)
    kiosk.app.speaker.said.clear()
    kiosk.key(KEY[KeyCommand.NEXT])
    assert kiosk.app.focused is None, "the first key explains, it does not move"
    assert (tr("keys_intro", "ru"), "ru") in kiosk.app.speaker.said
    kiosk.key(KEY[KeyCommand.KEYS])  # «0»: every key
    assert kiosk.app.speaker.said[-3] == (tr("keys_help", "ru"), "ru")


def test_digits_type_the_booking_code_each_one_spoken(shared_server, start_kiosk):
    kiosk = start_kiosk(shared_server, appointments=True)
    app, speaker = kiosk.app, kiosk.app.speaker
    kiosk.key(KEY[KeyCommand.REPEAT])
    press_until_focused(kiosk, kiosk.control("appointment"))
    kiosk.key(KEY[KeyCommand.ACTIVATE])
    assert app.screens.current == "appointment"
    for digit in "4071":
        kiosk.key(256 + int(digit))  # keypad digits (5 and 0 too) type, not move
        assert speaker.said[-1] == (digit, "ru"), (app.flow.code, speaker.said[-3:])
    assert app.flow.code == "4071" and app.focused is None
    kiosk.key(8)  # Backspace erases
    assert app.flow.code == "407" and "4 0 7" in speaker.last
    kiosk.key(271)  # Enter, nothing focused: check in
    kiosk.wait_until(lambda: app.flow.message_key is not None, what="check-in answer")
    assert tr("appointment_code_length", "ru") in speaker.last  # the server wants 6 digits


# --- three touches --------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ru", "tt", "en"])
def test_three_touches_to_a_ticket_for_every_life_situation(shared_server, start_kiosk, language):
    """Counted as a visitor touches: from the start screen to the number on screen."""
    kiosk = start_kiosk(shared_server)
    office = kiosk.app.flow.office
    situations = [*office.tiles, office.help_situation]
    touches: dict[str, int] = {}
    for situation in situations:
        assert kiosk.app.screens.current == "start"
        count, screens = 0, []
        while kiosk.app.flow.step not in (Step.ISSUING, Step.TICKET):
            screen = kiosk.app.screens.current
            screens.append(screen)
            forward = {"start": f"lang_{language}", "priority": "no", "confirm": "get_ticket"}
            kiosk.touch(kiosk.tile(situation.id) if screen == "situation"
                        else kiosk.control(forward[screen]))
            count += 1
            assert count <= 5, screens
        kiosk.wait_until(lambda: kiosk.app.screens.current == "ticket", what="ticket")
        assert kiosk.app.flow.ticket["language"] == language
        assert ("priority" in screens) is situation.ask_priority, situation.id
        touches[situation.id] = count
        kiosk.touch(kiosk.control("done"))
    assert touches == dict.fromkeys([s.id for s in situations], 3)
    assert "staff_search" in touches and not office.situation("staff_search").ask_priority


# --- when things go wrong --------------------------------------------------------------------


def test_server_killed_mid_flow_no_ticket_then_recovers(live_server, start_kiosk):
    kiosk = start_kiosk(live_server, request_timeout=1.0)
    app = kiosk.app
    go_to_confirm(kiosk, "en")
    live_server.kill()
    kiosk.touch(kiosk.control("get_ticket"))
    kiosk.wait_until(lambda: app.flow.step is Step.UNAVAILABLE, what="unavailable screen")
    assert app.flow.ticket is None
    shown = "\n".join(visible_texts(app.current_screen))
    assert tr("unavailable_body", "en") in shown and "administrator" in shown
    assert not app.speech_on and not app.speaker.said
    kiosk.touch(app.current_screen)  # a touch on the message speaks it, speech mode or not
    assert app.speaker.said == [(screen_text(app.flow).spoken, "en")]
    assert tr("unavailable_body", "en") in app.speaker.last
    kiosk.touch(kiosk.control("speech_button"))

    live_server.restart()
    kiosk.wait_until(lambda: app.flow.step is Step.CONFIRM, timeout=15, what="recovery")
    kiosk.touch(kiosk.control("get_ticket"))  # speech on: first touch names it
    kiosk.touch(kiosk.control("get_ticket"))
    kiosk.wait_until(lambda: app.flow.step is Step.TICKET)
    assert [t["number"] for t in tickets_on_server(live_server)] == [app.flow.ticket["number"]]


def test_retry_after_a_timeout_yields_one_ticket(live_server, start_kiosk):
    kiosk = start_kiosk(live_server, request_timeout=1.0, request_attempts=3)
    app = kiosk.app
    retried = threading.Event()

    def resume_server(attempt: int, error: Exception) -> None:
        if attempt == 1:  # the first POST timed out while the server was frozen
            os.kill(live_server.process.pid, signal.SIGCONT)
            retried.set()

    app.api.on_retry = resume_server
    go_to_confirm(kiosk)
    os.kill(live_server.process.pid, signal.SIGSTOP)
    try:
        kiosk.touch(kiosk.control("get_ticket"))
        kiosk.wait_until(lambda: app.flow.step is Step.TICKET, timeout=15, what="ticket")
    finally:
        os.kill(live_server.process.pid, signal.SIGCONT)
    assert retried.is_set(), "the first attempt did time out"
    tickets = tickets_on_server(live_server)
    assert [t["number"] for t in tickets] == [app.flow.ticket["number"]]


def test_printer_offline_number_still_shown_and_reported(live_server, start_kiosk):
    kiosk = start_kiosk(live_server, printer=f"net:127.0.0.1:{free_port()}", speech=True)
    app = kiosk.app
    ticket = take_ticket(kiosk, "tt")
    kiosk.wait_until(lambda: app.flow.print_state is PrintState.FAILED, what="print failure")
    shown = visible_texts(app.current_screen)
    assert ticket["number"] in shown
    assert tr("ticket_not_printed", "tt") in "\n".join(shown)
    spoken = app.speaker.last
    assert tr("ticket_not_printed", "tt") in spoken and ticket["spoken_number"] in spoken

    admin = live_server.login("hall")

    def kiosk_printer_state():
        _, body = live_server.request("GET", "/api/v1/devices", token=admin)
        return next(d["printer"] for d in body["devices"] if d["kind"] == "kiosk")

    kiosk.wait_until(lambda: kiosk_printer_state() == "offline", what="fault reported")


def test_ticket_is_printed_on_a_network_printer(shared_server, start_kiosk):
    printer = PrinterListener().start()
    try:
        kiosk = start_kiosk(shared_server, printer=printer.spec)
        ticket = take_ticket(kiosk, "ru")
        kiosk.wait_until(lambda: kiosk.app.flow.print_state is PrintState.PRINTED,
                         what="printed")
        text = "\n".join(printed_text(bytes(printer.last().received)))
        assert ticket["number"] in text and "Ищу работу" in text
        assert tr("ticket_printed", "ru") in visible_texts(kiosk.app.current_screen)[-3:] or \
            tr("ticket_printed", "ru") in "\n".join(visible_texts(kiosk.app.current_screen))
    finally:
        printer.stop()


def test_help_call_reaches_the_administrator(shared_server, start_kiosk):
    kiosk = start_kiosk(shared_server)
    kiosk.touch(kiosk.control("lang_tt"))  # goes on to the situations in Tatar
    kiosk.touch(kiosk.control("back_button"))
    kiosk.touch(kiosk.control("call_admin"))
    kiosk.wait_until(lambda: kiosk.app.flow.step is Step.HELP_COMING, what="help confirmed")
    assert tr("help_coming_title", "tt") in visible_texts(kiosk.app.current_screen)
    status, body = shared_server.request("GET", "/api/v1/help-calls",
                                         token=shared_server.login("hall"))
    assert status == 200 and body["help_calls"]


def test_appointment_code_of_the_wrong_length_says_so(shared_server, start_kiosk):
    kiosk = start_kiosk(shared_server, appointments=True)
    kiosk.touch(kiosk.control("appointment"))
    keypad = kiosk.control("keypad")
    digits = {button.text: button for button in keypad.children if isinstance(button, Label)}
    for digit in "4071":
        kiosk.touch(digits[digit])
    kiosk.touch(kiosk.control("erase"))
    assert kiosk.app.flow.code == "407"
    kiosk.touch(kiosk.control("check_in"))
    kiosk.wait_until(lambda: kiosk.app.flow.message_key is not None, what="check-in answer")
    shown = "\n".join(visible_texts(kiosk.app.current_screen))
    assert tr("appointment_code_length", "ru") in shown and "4 0 7" in shown


def test_appointment_button_hidden_when_the_configuration_says_so(shared_server, start_kiosk):
    kiosk = start_kiosk(shared_server, appointments=False)
    assert kiosk.control("appointment") not in kiosk.app.focus_order()
    # Shown by default once the server checks bookings in: tests/test_kiosk_appointments.py


def test_idle_timeout_returns_to_start_in_russian_with_defaults(shared_server, start_kiosk):
    # Long enough for two touches on a loaded CI machine; the reset is then waited for.
    kiosk = start_kiosk(shared_server, idle_seconds=3)
    app = kiosk.app
    kiosk.touch(kiosk.control("lang_en"))
    kiosk.touch(kiosk.control("contrast_button"))
    assert app.screens.current == "situation" and app.high_contrast
    kiosk.wait_until(lambda: app.flow.step is Step.START, timeout=20, what="idle reset")
    assert app.lang == "ru" and not app.high_contrast
    assert app.colours["background"] == theme.NORMAL.background
    assert tr("welcome_title", "ru") in visible_texts(app.current_screen)


# --- the command line and the config file -------------------------------------------------------


def test_config_file_then_options(tmp_path):
    from kiosk.cli import parse_config

    path = tmp_path / "kiosk.toml"
    path.write_text('[kiosk]\nserver = "http://10.0.0.5:8080"\ntoken = "secret"\n'
                    'printer = "usb:04b8:0202"\nidle_seconds = 90\nspeech = true\n', "utf-8")
    config = parse_config(["--config", str(path), "--printer", "net:10.0.0.9"])
    assert config.server == "http://10.0.0.5:8080" and config.token == "secret"
    assert config.printer == "net:10.0.0.9", "the command line wins over the file"
    assert config.idle_seconds == 90.0 and config.speech and config.appointments  # on by default


@pytest.mark.parametrize(("text", "message"), [
    ('token = "t"\nidle_seconds = "soon"\n', r"kiosk.toml:2: idle_seconds must be a number"),
    ('token = "t"\n\nspeach = true\n', r"kiosk.toml:3: unknown setting 'speach'"),
    ('token = "t"\nprinter = "lpt1"\n', r"printer: .*lpt1"),
    ('token = \n', r"kiosk.toml: .*line 1"),
    ('server = "http://x"\n', r"no kiosk token"),
])
def test_config_errors_name_file_line_and_key(tmp_path, capsys, text, message):
    from kiosk.cli import main

    path = tmp_path / "kiosk.toml"
    path.write_text(text, "utf-8")
    assert main(["--config", str(path)]) == 2
    assert re.search(message, capsys.readouterr().err)


def test_test_print_subcommand_reports_an_offline_printer(capsys):
    from kiosk.cli import main

    assert main(["test-print", "--printer", f"net:127.0.0.1:{free_port()}"]) != 0


def test_test_print_subcommand_prints_a_sample():
    from kiosk.cli import main

    printer = PrinterListener().start()
    try:
        assert main(["test-print", "--printer", printer.spec]) == 0
        assert printer.last().cut.is_set()
    finally:
        printer.stop()


def test_a_rejected_kiosk_token_issues_nothing_and_sends_to_the_administrator(shared_server):
    config = KioskConfig(server=shared_server.url, token="not-a-kiosk-token", poll_seconds=0.2)
    kiosk = KioskDriver(KioskApp(config, speaker=RecordingSpeaker())).start()
    try:
        kiosk.wait_until(lambda: kiosk.app._polling is False, what="first poll answered")
        kiosk.touch(kiosk.control("take_ticket"))
        assert kiosk.app.flow.step is Step.UNAVAILABLE
        assert tr("unavailable_body", "ru") in "\n".join(visible_texts(kiosk.app.current_screen))
    finally:
        kiosk.stop()


def test_missing_pictogram_falls_back_to_text_only():
    from kiosk.screens.widgets import pictogram_path

    assert pictogram_path("no_such_picture") == ""
    assert pictogram_path("magnifier").endswith("magnifier.png")


def test_a_phone_for_messages_from_the_ticket_screen(shared_server, start_kiosk):
    """Optional and after the ticket: the consent line is shown and spoken, the server takes it."""
    kiosk = start_kiosk(shared_server, speech=True)
    ticket = take_ticket(kiosk, "tt")
    speaker = kiosk.app.speaker
    press(kiosk, kiosk.control("phone"))
    assert kiosk.app.screens.current == "phone"
    shown = "\n".join(visible_texts(kiosk.app.current_screen))
    assert tr("phone_consent", "tt") in shown
    kiosk.wait_until(lambda: any(tr("phone_consent", "tt") in text for text, _ in speaker.said),
                     what="consent spoken")
    keypad = kiosk.control("keypad")
    digits = {button.text: button for button in keypad.children if isinstance(button, Label)}
    for digit in "9123456789":
        press(kiosk, digits[digit])
    press(kiosk, kiosk.control("check_in"))  # «Җибәрү», the keypad screen's main button
    kiosk.wait_until(lambda: kiosk.app.flow.phone_note == "phone_accepted", what="phone taken")
    assert kiosk.app.screens.current == "ticket"
    assert kiosk.control("phone") not in kiosk.app.focus_order()  # asked once
    _, after = shared_server.request("GET", f"/api/v1/tickets/{ticket['id']}")
    assert after["status"] == "waiting"  # the ticket itself is untouched
