"""Who is called next: the order inside a queue and across a workplace's queues.

Each waiting ticket a workplace may call gets a rank; the lowest rank is called
first.  docs/routing.md lists the cases, each one a test in tests/test_routing.py.

    rank  class              inside the class
    0     returning to me    longest waiting first
    1     sent to me         (redirected or postponed to this very workplace)
    2     appointment due    earliest appointment first
    3     out of turn        longest waiting first (priority flag, and everyone
                             who has waited past the priority bound)
    4     past the norm      longest waiting first, weights ignored
    5     everyone else      highest waited-minutes × queue weight first

Class 4 is what keeps a light queue from starving behind a heavily weighted one:
once a ticket has waited longer than the office's norm, weights no longer count.

The priority bound (``Rules.priority_bound_min``) is what keeps a steady flow of
out-of-turn visitors from starving everyone else: an ordinary ticket that has
waited longer than the bound joins class 3, so out-of-turn visitors who came after
it no longer go first.  A priority window (``Workplace.priority_window``, the
separate window) also calls out-of-turn tickets of queues it does not serve.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from queue_server.domain.office import Rules, Workplace
from queue_server.domain.tickets import Status, Ticket

RETURNING, SENT_TO_ME, APPOINTMENT, PRIORITY, OVERDUE, NORMAL = range(6)


def rank(ticket: Ticket, workplace: Workplace, now: datetime, rules: Rules) -> tuple | None:
    """Sort key of ``ticket`` for ``workplace``, or None if that workplace may not call it."""
    if ticket.status is not Status.WAITING:
        return None
    waited = (now - ticket.queued_at).total_seconds()
    if ticket.target_workplace is not None:
        if ticket.target_workplace != workplace.id:
            return None
        return (RETURNING if ticket.returning else SENT_TO_ME, -waited, ticket.seq)
    if not reaches(workplace, ticket):
        return None
    weight = workplace.weight_of(ticket.queue) or 1  # out of turn, weights do not count
    return _shared_rank(ticket, waited, weight, now, rules)


def reaches(workplace: Workplace, ticket: Ticket) -> bool:
    """Whether ``workplace`` may call ``ticket`` from the shared line of its queue.

    A workplace reaches the queues it serves; a priority window (the separate window)
    also reaches every out-of-turn ticket, whatever its queue.
    """
    return workplace.weight_of(ticket.queue) is not None or (
        ticket.priority and workplace.priority_window)


def _shared_rank(ticket: Ticket, waited: float, weight: int, now: datetime, rules: Rules) -> tuple:
    if ticket.appointment_at is not None and ticket.appointment_at <= now:
        return (APPOINTMENT, ticket.appointment_at.timestamp(), ticket.seq)
    if ticket.priority or waited > rules.priority_bound_min * 60:
        # The priority bound: past it, an ordinary visitor is no longer passed over.
        return (PRIORITY, -waited, ticket.seq)
    if waited > rules.wait_norm_min * 60:
        return (OVERDUE, -waited, ticket.seq)
    return (NORMAL, -waited * weight, ticket.seq)


def order_for_workplace(
    tickets: Iterable[Ticket], workplace: Workplace, now: datetime, rules: Rules,
) -> list[Ticket]:
    ranked = [(key, ticket) for ticket in tickets
              if (key := rank(ticket, workplace, now, rules)) is not None]
    ranked.sort(key=lambda pair: pair[0])
    return [ticket for _, ticket in ranked]


def next_for_workplace(
    tickets: Iterable[Ticket], workplace: Workplace, now: datetime, rules: Rules,
) -> Ticket | None:
    ordered = order_for_workplace(tickets, workplace, now, rules)
    return ordered[0] if ordered else None


def queue_order(tickets: Iterable[Ticket], queue_id: str, now: datetime, rules: Rules) -> list[Ticket]:
    """The shared waiting line of one queue (tickets sent to one workplace are not in it)."""
    ranked = [
        (_shared_rank(ticket, (now - ticket.queued_at).total_seconds(), 1, now, rules), ticket)
        for ticket in tickets
        if ticket.status is Status.WAITING and ticket.queue == queue_id
        and ticket.target_workplace is None
    ]
    ranked.sort(key=lambda pair: pair[0])
    return [ticket for _, ticket in ranked]


def estimated_wait_minutes(people_ahead: int, service_minutes: float, open_workplaces: int) -> int:
    """A plain estimate: the people ahead shared among the workplaces now open."""
    return round(people_ahead * service_minutes / max(1, open_workplaces))


def overdue(ticket: Ticket, now: datetime, rules: Rules) -> bool:
    norm = rules.appointment_wait_norm_min if ticket.appointment_at else rules.wait_norm_min
    return ticket.status is Status.WAITING and now - ticket.queued_at > timedelta(minutes=norm)
