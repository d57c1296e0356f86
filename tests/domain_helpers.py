"""Small builders for domain tests: an office, tickets, a clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from queue_server.domain import events as ev
from queue_server.domain.office import Rules, ServedQueue, Text, Workplace
from queue_server.domain.tickets import Ticket, apply

T0 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # 10:00 in Naberezhnye Chelny
RULES = Rules(wait_norm_min=15, calls_before_no_show=3)


def workplace(wid: str = "w1", **weights: int) -> Workplace:
    serves = tuple(ServedQueue(q, w) for q, w in (weights or {"main": 1}).items())
    return Workplace(wid, wid[1:], "window", "zone", Text("x", "x", "x"), serves)


def ticket(seq: int = 1, *, queue: str = "main", minutes_ago: float = 0, now: datetime = T0,
           priority: bool = False, appointment_at: datetime | None = None,
           prefix: str = "А") -> Ticket:
    at = now - timedelta(minutes=minutes_ago)
    return apply(None, ev.TicketIssued(
        ticket_id=f"t{seq}", at=at, actor="device:kiosk", day=at.date(), prefix=prefix,
        seq=seq, queue=queue, life_situation="job_search", language="ru", priority=priority,
        appointment_at=appointment_at))


def run(current: Ticket, events: list[ev.Event]) -> Ticket:
    for event in events:
        current = apply(current, event)  # type: ignore[arg-type]
    return current
