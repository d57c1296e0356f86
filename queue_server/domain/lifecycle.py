"""What may happen to a ticket, and what it takes.

Each command checks the ticket's state and answers the events to record, or
raises ``WrongState`` with a reason a person can read.  Nothing here stores,
sends or knows about HTTP.

    waiting ──call──▶ called ──start──▶ serving ──finish──▶ finished
       ▲  ▲            │ ▲recall          │  │
       │  │            │ └──────┘          │  └─redirect(return to me)─▶ waiting elsewhere
       │  └─restore── no_show              │           └─finish there──▶ waiting at sender
       │                                    └─postpone─▶ postponed ──timer / call──▶ …
       └──────── redirect (from called, serving or waiting) ─────────┘
    any active state ──cancel──▶ cancelled
"""

from __future__ import annotations

from datetime import datetime, timedelta

from queue_server.domain import events as ev
from queue_server.domain import limits
from queue_server.domain.office import Workplace
from queue_server.domain.routing import reaches
from queue_server.domain.tickets import Status, Ticket


class WrongState(Exception):
    """The ticket is not in a state that allows the action."""


def _require(ticket: Ticket, action: str, *allowed: Status) -> None:
    if ticket.status not in allowed:
        wanted = " or ".join(status.value for status in allowed)
        raise WrongState(f"ticket {ticket.number} is {ticket.status.value}; {action} needs {wanted}")


def _require_at(ticket: Ticket, workplace: str | None, action: str) -> None:
    if workplace is None or ticket.workplace != workplace:
        where = ticket.workplace or "no workplace"
        raise WrongState(f"ticket {ticket.number} is at {where}; {action} must come from there")


def call(ticket: Ticket, *, workplace: str, place: Workplace | None = None,
         at: datetime, actor: str) -> list[ev.Event]:
    """Call a particular ticket (call-next chooses one with routing first).

    ``place`` is the calling workplace's configuration: a ticket in a queue it does not
    reach (``routing.reaches``) may be called only by the workplace it waits for or
    that postponed it.
    """
    _require(ticket, "call", Status.WAITING, Status.POSTPONED)
    if ticket.target_workplace and ticket.target_workplace != workplace:
        raise WrongState(f"ticket {ticket.number} waits for {ticket.target_workplace}")
    mine = workplace in (ticket.target_workplace, ticket.postponed_by)
    if place is not None and not mine and not reaches(place, ticket):
        raise WrongState(f"ticket {ticket.number} is in queue {ticket.queue}, "
                         f"which {workplace} does not serve")
    return [ev.TicketCalled(ticket_id=ticket.id, at=at, actor=actor, workplace=workplace)]


def recall(ticket: Ticket, *, workplace: str | None, at: datetime, actor: str) -> list[ev.Event]:
    _require(ticket, "recall", Status.CALLED)
    _require_at(ticket, workplace, "recall")
    return [ev.TicketRecalled(ticket_id=ticket.id, at=at, actor=actor, workplace=workplace)]


def start(ticket: Ticket, *, workplace: str | None, at: datetime, actor: str) -> list[ev.Event]:
    _require(ticket, "start", Status.CALLED)
    _require_at(ticket, workplace, "start")
    return [ev.ServiceStarted(ticket_id=ticket.id, at=at, actor=actor, workplace=workplace)]


def redirect(
    ticket: Ticket, *, to_queue: str, to_workplace: str | None = None, comment: str = "",
    return_to_me: bool = False, workplace: str | None, at: datetime, actor: str,
) -> list[ev.Event]:
    """Send the visitor on, to a queue or to one workplace, keeping the number.

    ``to_queue`` is the queue the ticket waits in (for a workplace: one it serves).
    With ``return_to_me`` the visitor comes back to ``workplace`` when the next
    specialist finishes, ahead of new arrivals.
    """
    _require(ticket, "redirect", Status.WAITING, Status.CALLED, Status.SERVING)
    if ticket.status is not Status.WAITING:
        _require_at(ticket, workplace, "redirect")
    if return_to_me and (workplace is None or ticket.status is Status.WAITING):
        raise WrongState("return to me needs the ticket to be at your workplace")
    if to_workplace is not None and to_workplace == workplace:
        raise WrongState(f"ticket {ticket.number} is already at {workplace}")
    return [ev.TicketRedirected(
        ticket_id=ticket.id, at=at, actor=actor, workplace=workplace, to_queue=to_queue,
        to_workplace=to_workplace, comment=limits.text("comment", comment),
        return_to=workplace if return_to_me else None,
    )]


def postpone(
    ticket: Ticket, *, minutes: float | None, workplace: str | None, at: datetime, actor: str,
) -> list[ev.Event]:
    """The visitor steps away (to fetch a document); with ``minutes`` they come back by themselves."""
    limits.postpone_minutes(minutes)
    _require(ticket, "postpone", Status.CALLED, Status.SERVING)
    _require_at(ticket, workplace, "postpone")
    until = at + timedelta(minutes=minutes) if minutes is not None else None
    return [ev.TicketPostponed(ticket_id=ticket.id, at=at, actor=actor, workplace=workplace,
                               until=until)]


def return_due(ticket: Ticket, *, at: datetime) -> list[ev.Event]:
    """A postponed ticket whose time is up goes back to the workplace that postponed it."""
    if (
        ticket.status is Status.POSTPONED and ticket.postponed_until is not None
        and ticket.postponed_until <= at and ticket.postponed_by
    ):
        return [ev.TicketReturned(
            ticket_id=ticket.id, at=at, actor=ev.SYSTEM, workplace=None,
            to_workplace=ticket.postponed_by, to_queue=ticket.queue,
            reason="postponement_over",
        )]
    return []


def no_show(
    ticket: Ticket, *, calls_before_no_show: int, workplace: str | None, at: datetime, actor: str,
) -> list[ev.Event]:
    _require(ticket, "no-show", Status.CALLED)
    _require_at(ticket, workplace, "no-show")
    if ticket.calls < calls_before_no_show:
        raise WrongState(
            f"ticket {ticket.number} was called {ticket.calls} of {calls_before_no_show} times; "
            "recall before marking a no-show"
        )
    return [ev.TicketNoShow(ticket_id=ticket.id, at=at, actor=actor, workplace=workplace)]


def restore(
    ticket: Ticket, *, reason: str, workplace: str | None, at: datetime, actor: str,
) -> list[ev.Event]:
    """A visitor who missed their call, or was cancelled by mistake, gets their place back."""
    _require(ticket, "restore", Status.NO_SHOW, Status.CANCELLED)
    return [ev.TicketRestored(ticket_id=ticket.id, at=at, actor=actor, workplace=workplace,
                              reason=limits.text("reason", reason))]


def finish(
    ticket: Ticket, *, services: tuple[str, ...] = (), result: str = "",
    workplace: str | None, at: datetime, actor: str,
) -> list[ev.Event]:
    """End this leg; with a pending "return to me" the visitor goes back to the sender."""
    _require(ticket, "finish", Status.SERVING)
    _require_at(ticket, workplace, "finish")
    finished: list[ev.Event] = [ev.ServiceFinished(
        ticket_id=ticket.id, at=at, actor=actor, workplace=workplace,
        services=tuple(services), result=limits.text("result", result),
    )]
    if ticket.return_stack:
        sender, sender_queue = ticket.return_stack[-1]
        finished.append(ev.TicketReturned(
            ticket_id=ticket.id, at=at, actor=actor, workplace=workplace,
            to_workplace=sender, to_queue=sender_queue, reason="return_to_sender",
        ))
    return finished


def cancel(
    ticket: Ticket, *, reason: str, workplace: str | None, at: datetime, actor: str,
) -> list[ev.Event]:
    _require(ticket, "cancel", Status.WAITING, Status.CALLED, Status.SERVING, Status.POSTPONED)
    return [ev.TicketCancelled(ticket_id=ticket.id, at=at, actor=actor, workplace=workplace,
                               reason=limits.text("reason", reason))]


def change_priority(
    ticket: Ticket, *, priority: bool, reason: str, workplace: str | None, at: datetime, actor: str,
) -> list[ev.Event]:
    _require(ticket, "priority", Status.WAITING, Status.POSTPONED)
    if ticket.priority == priority:
        return []
    return [ev.PriorityChanged(ticket_id=ticket.id, at=at, actor=actor, workplace=workplace,
                               priority=priority, reason=limits.text("reason", reason))]


def change_situation(
    ticket: Ticket, *, life_situation: str, workplace: str | None, at: datetime, actor: str,
) -> list[ev.Event]:
    """Primary reception names the visitor's life situation ("not sure" at the kiosk)."""
    _require(ticket, "situation", Status.WAITING, Status.CALLED, Status.SERVING)
    if ticket.life_situation == life_situation:
        return []
    return [ev.SituationChanged(ticket_id=ticket.id, at=at, actor=actor, workplace=workplace,
                                life_situation=life_situation)]


def end_of_day(ticket: Ticket, *, today, policy: str, at: datetime) -> list[ev.Event]:
    """At the office-day boundary, what is still open from an earlier day is closed.

    ``policy`` "cancel" cancels it with reason ``end_of_day``; "keep" leaves it.
    History stays either way.
    """
    if policy != "cancel" or not ticket.is_active or ticket.day >= today:
        return []
    return [ev.TicketCancelled(ticket_id=ticket.id, at=at, actor=ev.SYSTEM, reason="end_of_day")]
