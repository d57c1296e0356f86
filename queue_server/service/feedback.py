"""Ratings of visits and the feedback journal.

A rating is tied to a visit that reached "finish" at least once, one per visit
(the store's unique index backs the check made here); a curator may also record
one from a phone call or a paper form, with or without the visit's number.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from queue_server.domain import feedback as rules
from queue_server.domain import limits
from queue_server.domain import reports as rep
from queue_server.domain.lifecycle import WrongState
from queue_server.service.context import Context
from queue_server.service.errors import NotFound
from queue_server.store import feedback as feedback_store
from queue_server.store import reports as report_store
from queue_server.store import tickets as repo

NUMBER = re.compile(r"^(?P<prefix>\D+?)\s*(?P<seq>\d{1,6})$")
JOURNAL_DAYS = 31  # the journal page shows this many days back, and everything unanswered


class Feedback:
    def __init__(self, context: Context):
        self._ctx = context
        self._store = context.store

    def rate(self, ticket_id: str, rating: object, reasons: object = None, comment: object = None, *,
             source: str, workplace: str | None, recorded_by: str | None = None) -> int:
        """Record a rating of a visit; WrongState when not finished yet or already rated."""
        value = rules.checked_rating(rating)
        chosen = rules.checked_reasons(reasons)
        text = rules.checked_comment(comment)
        source = rules.checked_source(source)
        with self._store.write() as db:
            ticket = repo.get_ticket(db, ticket_id)
            if ticket is None:
                raise NotFound(f"no ticket {ticket_id!r}")
            if not feedback_store.was_finished(db, ticket_id):
                raise WrongState(f"ticket {ticket.number} is not finished yet; rate it after the visit")
            if feedback_store.rated(db, ticket_id):
                raise WrongState(f"ticket {ticket.number} is rated already")
            return feedback_store.add_rating(
                db, ticket_id=ticket_id, at=self._ctx.now(), rating=value, reasons=chosen, comment=text,
                source=source, workplace=workplace, recorded_by=recorded_by)

    def record(self, rating: object, comment: object, *, source: object, ticket_id: str | None,
               actor: str) -> int:
        """A rating a curator took down from a phone call or a paper form."""
        source = rules.checked_source(source, rules.STAFF_SOURCES)
        if ticket_id:
            return self.rate(ticket_id, rating, None, comment, source=source, workplace=None,
                             recorded_by=actor)
        value, text = rules.checked_rating(rating), rules.checked_comment(comment)
        with self._store.write() as db:
            return feedback_store.add_rating(
                db, ticket_id=None, at=self._ctx.now(), rating=value, reasons=(), comment=text,
                source=source, workplace=None, recorded_by=actor)

    def respond(self, feedback_id: int, response: object, *, actor: str) -> None:
        if not isinstance(response, str) or not response.strip():
            raise limits.InvalidInput("response: what was answered or done")
        text = limits.text("response", response)
        with self._store.write() as db:
            if not feedback_store.exists(db, feedback_id):
                raise NotFound(f"no feedback {feedback_id}")
            feedback_store.respond(db, feedback_id, response=text, by=actor, at=self._ctx.now())

    def journal(self) -> tuple[list[rep.Rating], list[rep.Rating]]:
        """(the last JOURNAL_DAYS of ratings, newest first; every one still waiting for a response)."""
        now = self._ctx.now()
        with self._store.read_only() as conn:
            since = now - timedelta(days=JOURNAL_DAYS)
            recent = report_store.ratings(conn, since, now + timedelta(seconds=1))
            waiting = report_store.unanswered(conn)
        return list(reversed(recent)), waiting

    def ticket_by_number(self, day: date, number: str) -> str:
        """The id of ticket ``number`` ("А012") of ``day``; NotFound when there was none."""
        match = NUMBER.match(number.strip().upper())
        ticket_id = None
        if match:
            ticket_id = feedback_store.ticket_id_by_number(
                self._store.db, day.isoformat(), match["prefix"], int(match["seq"]))
        if ticket_id is None:
            raise NotFound(f"number: no ticket {number} on {day.isoformat()}")
        return ticket_id

    def visitor_at(self, workplace_id: str) -> str | None:
        """The visit the workplace's tablet may still ask about: finished there moments ago, unrated."""
        self._ctx.workplace(workplace_id)
        since = self._ctx.now() - timedelta(seconds=rules.IDLE_AFTER_S)
        db = self._store.db
        ticket_id = feedback_store.last_finished_at(db, workplace_id, since)
        if ticket_id is None or feedback_store.rated(db, ticket_id):
            return None
        return ticket_id
