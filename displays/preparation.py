"""Announcement phrases synthesised before anyone waits for them, and what to say when one is late.

A hall must never answer a call with the chime alone.  So the phrases are made
ahead wherever they can be known:

- when the server starts: the fixed fragments of every call (the words before
  the number, each queue's letter, the numbers, the rest of the sentence with each
  window or room: "Талон", "А", "12", "окно 5"), in every language, and the
  whole call phrases of tickets already waiting;
- when a ticket is issued, redirected or sent back: its whole call phrase for each
  workplace that can call it, in its language and in Russian.

One ``Preparer`` thread does this work, lowest priority first-come; a request that
needs a phrase now jumps the queue.  Synthesis itself runs on the speech
package's engine thread (``kiosk.speech``), so nothing here blocks the API: the
event bus hands over tickets, the announcement route waits on an Event at most
``--speech-wait`` seconds, and then joins fragments instead of the late phrase.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from displays.announcements import call_phrases, fragment_phrases, spoken_number_for
from kiosk.speech import CACHE_DIR_NAME, Phrase, PhraseCache, SpeechUnavailable
from queue_server.domain.office import LANGUAGES, Office
from queue_server.eventbus import CLOSED, OVERFLOW
from queue_server.service import services_of

log = logging.getLogger(__name__)

URGENT, TICKET, FRAGMENT = 0, 1, 2  # job priorities: a waiting request, a new ticket, start-up
DEFAULT_SPEECH_WAIT_S = 3.0
NUMBERS_AHEAD = 15  # number fragments kept ready beyond the highest ticket number seen
PREPARING_EVENTS = frozenset({"ticket.issued", "ticket.redirected", "ticket.returned", "ticket.restored"})
EXTENSION_KEY = "displays.speech"  # where the app keeps its HallSpeech
_MADE = threading.Lock()  # two first requests at once make one HallSpeech


class Preparer:
    """Synthesises phrases into the cache on its own thread, most urgent first."""

    def __init__(self, cache: PhraseCache) -> None:
        self.cache = cache
        self.broken: str | None = None  # why the engine refused the last phrase; None after a success
        self._jobs: queue.PriorityQueue[tuple[int, int, Phrase]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._done: dict[Phrase, threading.Event] = {}
        self._priority: dict[Phrase, int] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def ready(self, phrase: Phrase) -> Path | None:
        path = self.cache.path_of(phrase)
        return path if path.exists() else None

    def prepare(self, phrases: Iterable[Phrase], priority: int = TICKET) -> None:
        """Queue the phrases not yet made; returns at once."""
        for phrase in phrases:
            self._enqueue(phrase, priority)

    def wait(self, phrases: list[Phrase], timeout: float) -> list[Path | None]:
        """Each phrase's file, made before any other work; at most ``timeout`` seconds in all."""
        deadline = time.monotonic() + timeout
        pending = [self._enqueue(phrase, URGENT) for phrase in phrases]
        for done in pending:
            if done is not None:
                done.wait(max(0.0, deadline - time.monotonic()))
        return [self.ready(phrase) for phrase in phrases]

    def idle(self) -> bool:
        with self._lock:
            return not self._done

    def _enqueue(self, phrase: Phrase, priority: int) -> threading.Event | None:
        if self.ready(phrase):
            return None
        with self._lock:
            done = self._done.get(phrase)
            if done is None:
                done = self._done[phrase] = threading.Event()
            elif self._priority[phrase] <= priority:
                return done  # already queued at least as urgently
            self._priority[phrase] = priority
            self._jobs.put((priority, next(self._order), phrase))
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="speech-preparer", daemon=True)
                self._thread.start()
        return done

    def _work(self) -> None:
        while True:
            priority, _, phrase = self._jobs.get()
            with self._lock:
                if self._priority.get(phrase) != priority:
                    continue  # made already, or queued again more urgently
            try:
                self.cache.wav_for(phrase)
                self.broken = None
            except SpeechUnavailable as error:
                self.broken = str(error)
                log.warning("speech not prepared: %s", error)
            except TimeoutError:
                log.warning("speech engine busy: %r not prepared in time", phrase.text)
            except Exception:  # the preparer must outlive any one phrase
                log.exception("speech not prepared: %r", phrase.text)
            finally:
                with self._lock:
                    self._priority.pop(phrase, None)
                    done = self._done.pop(phrase, None)
                if done is not None:
                    done.set()


@dataclass(frozen=True)
class Voice:
    """What an announcement says: per language the files to play, and how it was made."""

    languages: list[list[Path]]
    speech: str  # "spoken" (whole phrases), "fragments" (some joined from pieces) or "unavailable"


class HallSpeech:
    """The office's announcements: which phrases to prepare, and the files of one call."""

    def __init__(self, office: Office, preparer: Preparer, wait_s: float = DEFAULT_SPEECH_WAIT_S) -> None:
        self.office = office
        self.preparer = preparer
        self.wait_s = wait_s
        self._numbers_ready = 0  # number fragments 1..this are queued

    # --- what to prepare ------------------------------------------------------------------

    def phrases_for(self, ticket) -> list[Phrase]:
        """The call of ``ticket`` at every workplace that can call it, visitor's language and Russian."""
        if ticket.target_workplace:
            places = [self.office.workplace(ticket.target_workplace)]
        else:
            places = list(self.office.workplaces_serving(ticket.queue))
        return [phrase for place in places
                for phrase in call_phrases(ticket.spoken_number, place.number, place.kind, ticket.language)]

    def fixed_fragments(self) -> list[Phrase]:
        """The words around the number with every workplace, and each queue's letter, in every language."""
        phrases: dict[Phrase, None] = {}
        letters = sorted({queue.prefix for queue in self.office.queues})
        for language in LANGUAGES:
            for place in self.office.workplaces:
                phrases.update(dict.fromkeys(fragment_phrases("", place.number, place.kind, language)))
            phrases.update(dict.fromkeys(Phrase(language, spoken_number_for(letter, language))
                                         for letter in letters))
        return list(phrases)

    def number_fragments(self, highest: int) -> list[Phrase]:
        """Numbers up to ``highest`` + NUMBERS_AHEAD not yet queued (1–99, then 100, 200, …)."""
        upto = highest + NUMBERS_AHEAD
        wanted = list(range(self._numbers_ready + 1, min(upto, 99) + 1))
        wanted += [hundred for hundred in range(100, min(upto, 999) + 1, 100)
                   if hundred > self._numbers_ready]
        self._numbers_ready = max(self._numbers_ready, min(upto, 999))
        return [Phrase(language, str(number)) for number in wanted for language in LANGUAGES]

    def start(self, open_tickets: list) -> None:
        """At server start: the phrases of tickets already waiting, then every fixed fragment."""
        for ticket in open_tickets:
            self.preparer.prepare(self.phrases_for(ticket), TICKET)
        self.preparer.prepare(self.fixed_fragments(), FRAGMENT)
        highest = max((ticket.seq for ticket in open_tickets), default=0)
        self.preparer.prepare(self.number_fragments(highest), FRAGMENT)

    def on_events(self, items: list) -> None:
        """Stored events from the bus: a ticket that may soon be called is prepared for."""
        for item in items:
            ticket = getattr(item, "ticket", None)
            if ticket is None or getattr(item.event, "type", None) not in PREPARING_EVENTS:
                continue
            self.preparer.prepare(self.phrases_for(ticket), TICKET)
            self.preparer.prepare(self.number_fragments(ticket.seq), FRAGMENT)

    # --- what to say now ---------------------------------------------------------------------

    def voice(self, spoken_number: str, place: str, kind: str, language: str) -> Voice:
        """The files of one call: whole phrases if they are ready within ``wait_s``, else fragments.

        A language whose fragments are not all ready either is left out (and its
        fragments asked for, so the page's next attempt finds them).
        """
        phrases = call_phrases(spoken_number, place, kind, language)
        files = self.preparer.wait(phrases, self.wait_s)
        languages: list[list[Path]] = []
        whole = True
        for phrase, path in zip(phrases, files, strict=True):
            if path is not None:
                languages.append([path])
                continue
            whole = False
            pieces = fragment_phrases(spoken_number, place, kind, phrase.language)
            ready = [self.preparer.ready(piece) for piece in pieces]
            if all(ready):
                languages.append([path for path in ready if path is not None])
            else:
                self.preparer.prepare(pieces, URGENT)
        if not languages:
            return Voice([], "unavailable")
        return Voice(languages, "spoken" if whole else "fragments")


def hall_speech(app) -> HallSpeech:
    """The app's HallSpeech, made on first use (a server started by the CLI makes it at start)."""
    with _MADE:
        speech = app.extensions.get(EXTENSION_KEY)
        if speech is None:
            cache = PhraseCache(Path(app.config["DATA_DIR"]) / CACHE_DIR_NAME)
            speech = HallSpeech(services_of(app).office, Preparer(cache),
                                float(app.config.get("SPEECH_WAIT_S", DEFAULT_SPEECH_WAIT_S)))
            app.extensions[EXTENSION_KEY] = speech
        return speech


def start_preparing(app) -> HallSpeech:
    """Prepare phrases from now on: what is known at start, then every ticket the bus reports."""
    services = services_of(app)
    speech = hall_speech(app)
    subscription = services.bus.subscribe()

    def follow() -> None:
        while True:
            item = subscription.get(timeout=60.0)
            if item is CLOSED:
                return
            if item is None or item is OVERFLOW:
                continue
            try:
                speech.on_events([item])
            except Exception:  # a bad ticket must not stop the preparation of the next ones
                log.exception("speech preparation failed for %r", item)

    threading.Thread(target=follow, name="speech-follower", daemon=True).start()
    speech.start(services.tickets.open_tickets())
    return speech

