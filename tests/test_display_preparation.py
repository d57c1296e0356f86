"""Announcement phrases made ahead, waited for, and replaced by fragments when late.

Most tests use a cache whose "engine" writes a tone and can be held back, so the
timing is under the test's control; the last ones use real espeak-ng.
"""

from __future__ import annotations

import math
import threading
import time
from array import array

import pytest

from displays import pcm
from displays.announcements import call_phrases, fragment_phrases, number_pieces
from displays.preparation import (
    EXTENSION_KEY,
    FRAGMENT,
    NUMBERS_AHEAD,
    HallSpeech,
    Preparer,
    start_preparing,
)
from displays.speech import announcement_audio, chime
from kiosk.speech import Phrase, PhraseCache, SpeechUnavailable

DISPLAY = "/display/announcement.wav"


class HeldCache(PhraseCache):
    """A phrase cache whose engine writes a 0.3 s tone, unless the phrase is held back."""

    def __init__(self, directory, *, broken: bool = False):
        super().__init__(directory)
        self.made: list[Phrase] = []
        self.held: set[str] = set()
        self.release = threading.Event()
        self.broken = broken

    def wav_for(self, phrase):
        if self.broken:
            raise SpeechUnavailable("no espeak-ng")
        if phrase.text in self.held and not self.release.wait(10):
            raise TimeoutError("held")
        path = self.path_of(phrase)
        if not path.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            tone = array("h", (round(8000 * math.sin(i / 10)) for i in range(6615)))
            path.write_bytes(pcm.to_wav(pcm.Pcm(22050, tone)))
            self.made.append(phrase)
        return path


def wait_for(condition, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
    return value


@pytest.fixture
def cache(tmp_path):
    return HeldCache(tmp_path / "speech")


@pytest.fixture
def speech(office, cache):
    return HallSpeech(office, Preparer(cache), wait_s=10.0)


# --- fragments -------------------------------------------------------------------------------


def texts(phrases):
    return [phrase.text for phrase in phrases]


def test_numbers_are_split_into_hundreds_and_the_rest():
    assert number_pieces("А 112") == ["А", "100", "12"]
    assert number_pieces("К 7") == ["К", "7"]
    assert number_pieces("П 300") == ["П", "300"]
    assert number_pieces("А 1234") == ["А", "1234"]
    assert number_pieces("A-112") == ["A", "100", "12"], "the English form"


def test_fragments_say_what_the_whole_phrase_says_in_each_language():
    assert texts(fragment_phrases("А 112", "5", "window", "ru")) == ["Талон", "А", "100", "12", "окно 5"]
    assert texts(fragment_phrases("А 12", "6", "window", "tt")) == [
        "А", "12", "талоны, 6 нчы тәрәзәгә узыгыз"]
    assert texts(fragment_phrases("К 7", "11", "room", "en")) == ["Ticket", "K", "7", "room 11"]
    assert texts(fragment_phrases("К 7", "11", "room", "de")) == ["Талон", "К", "7", "кабинет 11"]


def test_start_up_fragments_cover_every_workplace_letter_and_language(speech, office):
    fixed = set(speech.fixed_fragments())
    for place in office.workplaces:
        for language in ("ru", "tt", "en"):
            pieces = fragment_phrases(f"{office.queues[0].prefix} 1", place.number, place.kind, language)
            numberless = [piece for piece in pieces if piece.text != "1"]
            assert set(numberless) <= fixed, (place.id, language)
    numbers = speech.number_fragments(highest=0)
    assert {phrase.text for phrase in numbers} == {str(n) for n in range(1, NUMBERS_AHEAD + 1)}
    assert speech.number_fragments(highest=0) == [], "queued once"
    more = {phrase.text for phrase in speech.number_fragments(highest=150)}
    assert more == {str(n) for n in range(NUMBERS_AHEAD + 1, 100)} | {"100"}


# --- the preparer ------------------------------------------------------------------------------


def test_a_waiting_request_jumps_the_start_up_work(cache):
    preparer = Preparer(cache)
    cache.held.add("first")
    preparer.prepare([Phrase("ru", "first")], FRAGMENT)
    preparer.prepare([Phrase("ru", str(n)) for n in range(20)], FRAGMENT)
    wait_for(lambda: preparer._jobs.qsize() == 20)  # the worker is stuck on "first"
    asked = threading.Thread(target=preparer.wait, args=([Phrase("tt", "urgent")], 10.0))
    asked.start()
    wait_for(lambda: Phrase("tt", "urgent") in preparer._priority)
    cache.release.set()
    asked.join(10)
    wait_for(preparer.idle)
    made = texts(cache.made)
    assert made[:2] == ["first", "urgent"], made
    assert len(made) == 22


def test_issued_ticket_is_prepared_for_every_workplace_that_can_call_it(app, services, cache, office):
    app.extensions[EXTENSION_KEY] = speech = HallSpeech(office, Preparer(cache))
    cache.held.add("Талон")  # the start-up fragments wait behind their first one
    start_preparing(app)
    issued = services.tickets.issue(life_situation="job_search", language="tt", priority=False,
                                    actor="test").ticket
    expected = speech.phrases_for(issued)
    places = office.workplaces_serving(issued.queue)
    assert len(expected) == 2 * len(places) >= 4  # Tatar and Russian at each
    wait_for(lambda: all(phrase in speech.preparer._priority for phrase in expected))  # from the bus
    cache.release.set()
    wait_for(speech.preparer.idle)
    assert cache.made[0] == Phrase("ru", "Талон")
    assert set(cache.made[1:1 + len(expected)]) == set(expected), "the ticket's calls before the fragments"
    assert Phrase("en", "Ticket") in cache.made[1 + len(expected):], "every fixed fragment, after them"


def test_start_prepares_tickets_already_waiting_before_the_fragments(services, speech, cache):
    waiting = services.tickets.issue(life_situation="job_search", language="en", priority=False,
                                     actor="test").ticket  # issued before this "server start"
    assert cache.made == []
    speech.start(services.tickets.open_tickets())
    wait_for(speech.preparer.idle)
    expected = speech.phrases_for(waiting)
    assert set(cache.made[:len(expected)]) == set(expected), "the waiting ticket's calls come first"
    assert Phrase("tt", str(NUMBERS_AHEAD + waiting.seq)) in cache.made, "numbers beyond the highest ticket"


def test_call_waits_for_its_phrase_in_preparation(speech, cache):
    whole = call_phrases("А 5", "1", "window", "ru")[0]
    cache.held.add(whole.text)
    speech.preparer.prepare([whole])
    threading.Timer(0.3, cache.release.set).start()
    voice = speech.voice("А 5", "1", "window", "ru")
    assert voice.speech == "spoken"
    assert voice.languages == [[cache.path_of(whole)]]


def test_late_phrase_is_joined_from_fragments(speech, cache):
    speech.wait_s = 0.2
    tatar, russian = call_phrases("А 12", "6", "window", "tt")
    pieces = fragment_phrases("А 12", "6", "window", "tt")
    speech.preparer.prepare([*pieces, russian])
    wait_for(speech.preparer.idle)
    cache.held.add(tatar.text)
    started = time.monotonic()
    voice = speech.voice("А 12", "6", "window", "tt")
    assert time.monotonic() - started < 8, "waits --speech-wait, not for the held phrase (10 s)"
    assert voice.speech == "fragments"
    assert voice.languages == [[cache.path_of(piece) for piece in pieces], [cache.path_of(russian)]]
    audio, spoken = announcement_audio(voice.languages)
    assert spoken and pcm.read_wav(audio).seconds > chime().seconds + 4 * 0.3, "every piece is in it"


def test_nothing_ready_is_unavailable_and_asks_for_the_fragments(speech, cache):
    speech.wait_s = 0.1
    phrase = call_phrases("Б 3", "2", "window", "ru")[0]
    cache.held.update({phrase.text, "Б"})
    voice = speech.voice("Б 3", "2", "window", "ru")
    assert voice == type(voice)([], "unavailable")
    cache.release.set()
    pieces = fragment_phrases("Б 3", "2", "window", "ru")
    wait_for(lambda: all(speech.preparer.ready(piece) for piece in pieces))


def test_a_broken_engine_is_remembered(tmp_path):
    preparer = Preparer(HeldCache(tmp_path, broken=True))
    assert preparer.wait([Phrase("ru", "Талон")], 5.0) == [None]
    assert preparer.broken == "no espeak-ng"


def test_a_burst_after_the_first_call_needs_no_chime(tmp_path):
    files = [[HeldCache(tmp_path).wav_for(Phrase("ru", "x"))]]
    with_chime, _ = announcement_audio(files)
    without, _ = announcement_audio(files, with_chime=False)
    gap = pcm.read_wav(with_chime).seconds - pcm.read_wav(without).seconds
    assert gap == pytest.approx(chime().seconds + 0.25 - 0.05, abs=0.01)


# --- the route ----------------------------------------------------------------------------------


def called(services, language: str = "ru"):
    services.tickets.issue(life_situation="job_search", language=language, priority=False, actor="test")
    return services.tickets.call_next("window_1", actor="test")


def test_route_answers_202_until_speech_is_ready_then_the_chime_alone_when_final(
        app, services, signed_in, office, cache):
    app.extensions[EXTENSION_KEY] = speech = HallSpeech(office, Preparer(cache), wait_s=0.1)
    display = signed_in("display")
    ticket = called(services)
    cache.held.update(piece.text for piece in fragment_phrases(ticket.spoken_number, "1", "window", "ru"))
    cache.held.add(call_phrases(ticket.spoken_number, "1", "window", "ru")[0].text)
    path = f"{DISPLAY}?ticket={ticket.id}&token={display.token}"
    answer = display.client.get(path)
    assert answer.status_code == 202 and answer.headers["X-Speech"] == "preparing"
    final = display.client.get(path + "&final=1")
    assert final.status_code == 200 and final.headers["X-Speech"] == "unavailable"
    assert pcm.read_wav(final.data).samples == chime().samples
    cache.release.set()
    wait_for(speech.preparer.idle)
    spoken = display.client.get(path + "&chime=0")
    assert spoken.status_code == 200 and spoken.headers["X-Speech"] == "spoken"
    assert pcm.read_wav(spoken.data).samples[:100] == array("h", bytes(200)), "no chime: silence first"


def test_route_without_any_engine_is_the_chime_at_once(app, services, signed_in, office, tmp_path):
    app.extensions[EXTENSION_KEY] = HallSpeech(office, Preparer(HeldCache(tmp_path, broken=True)))
    display = signed_in("display")
    ticket = called(services)
    answer = display.client.get(f"{DISPLAY}?ticket={ticket.id}&token={display.token}")
    assert answer.status_code == 200 and answer.headers["X-Speech"] == "unavailable"


# --- real speech -------------------------------------------------------------------------------


@pytest.mark.speech
@pytest.mark.parametrize("language", ["ru", "tt", "en"])
def test_fragments_joined_sound_like_a_call(tmp_path, language):
    cache = PhraseCache(tmp_path)
    whole = pcm.read_wav(cache.wav_for(call_phrases("А 112", "5", "window", language)[0]))
    pieces = [cache.wav_for(piece) for piece in fragment_phrases("А 112", "5", "window", language)]
    audio, spoken = announcement_audio([pieces], with_chime=False)
    joined = pcm.read_wav(audio)
    assert spoken and pcm.rms(joined) > 0.02
    # Trimmed and joined, the pieces take about as long as the sentence said at once.
    assert 0.6 * whole.seconds < joined.seconds < 1.6 * whole.seconds, (joined.seconds, whole.seconds)


def test_trim_keeps_the_sound_and_a_margin_only():
    rate = 22050
    tone = pcm.Pcm(rate, array("h", (round(8000 * math.sin(i / 10)) for i in range(rate // 2))))
    padded = pcm.join([pcm.silence(rate, 0.4), tone, pcm.silence(rate, 0.3)])
    trimmed = pcm.trim(padded)
    assert trimmed.seconds == pytest.approx(0.5 + 2 * 0.02, abs=0.005)
    assert pcm.trim(pcm.silence(rate, 1.0)).seconds == 0
