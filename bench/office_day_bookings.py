"""The office day's appointments and feedback: a call centre, visitors checking in, rating tablets.

The server's clock runs at the day's speed (``--clock-speed``) so that booked slots and
the check-in window (30 minutes before to 15 after, office time) fall inside the
replayed day.  ``Day.office_origin`` is the server's clock at the day's first office
second; the bench measures it from a ticket's ``issued_at`` and again after the kill -9.
"""

from __future__ import annotations

import queue
import random
import sqlite3
import threading
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bench.support import Client

# queue, slot minutes, places per slot: about 190 places in a 9-hour day
SCHEDULES = (("curator", 20, 4), ("career", 30, 2), ("psychologist", 40, 1), ("employers", 30, 2))
BOOKING_SHARE = 0.075  # bookings per visit of the day
CALLS_UNTIL_S = 5 * 3600  # the call centre takes calls in the first five office hours
AHEAD_MIN, LAST_SLOT_S = 60, 8.5 * 3600  # slots at least an hour ahead, inside the day
# how booked visitors arrive: (share, minutes from their slot): on time, early, late, not at all
ARRIVALS = (("on time", 0.75, (-25, 10)), ("early", 0.1, (-55, -35)), ("late", 0.1, (20, 40)),
            ("no-show", 0.05, None))
COME_BACK_MIN = -5  # told "too early", the visitor comes back this long before the slot
FEEDBACK_SHARE = 0.3  # finished visits rated at the workplace's tablet
FEEDBACK_TOKEN = "demo-feedback-token"
CALL_CENTRE_USER = "admin"  # signs in like the operators; the bench's admin session
GOALS_MS = {"slots": 100.0, "book": 100.0, "check-in": 100.0, "rating": 100.0}


def schedules_toml() -> str:
    return "".join(f'[[schedules]]\nqueue = "{q}"\nslot_min = {minutes}\ncapacity = {places}\n'
                   f'horizon_days = 2\n' for q, minutes, places in SCHEDULES)


@dataclass
class Booking:
    id: int
    code: str
    queue: str
    slot: datetime  # office wall time
    arrival: str
    offset_min: float


class CallCentre:
    """Takes calls through the morning, books a free slot an hour or more ahead, hands the
    booking to its visitor, who comes to the kiosk around the slot."""

    def __init__(self, calls: int, kiosk_token: str, staff_token: str, seed: int = 11):
        rng = random.Random(seed)
        self.calls = sorted(rng.uniform(0, CALLS_UNTIL_S) for _ in range(calls))
        self.rng = rng
        self.kiosk_token, self.staff_token = kiosk_token, staff_token
        self.visitors: list[threading.Thread] = []

    def run(self, day) -> None:
        client = Client(day.url, self.staff_token, timeout=10)
        for at in self.calls:
            day.sleep_office(max(0.0, at - day.office_seconds()))
            if day.stop.is_set():
                break
            booking = self._book(day, client)
            if booking is not None:
                visitor = threading.Thread(target=self._visit, args=(day, booking), daemon=True)
                self.visitors.append(visitor)
                visitor.start()
        client.close()

    def _book(self, day, client: Client) -> Booking | None:
        from bench.office_day import _request

        target = self.rng.choices([s[0] for s in SCHEDULES], weights=[s[2] * 60 / s[1] for s in SCHEDULES])[0]
        status, answer = _request(day, client, "slots", "GET",
                                  f"/api/v1/appointments/slots?queue={target}&days=1")
        if status != 200 or not isinstance(answer, dict):
            day.count(f"slots answered {status}")
            return None
        now, last = day.server_wall(day.office_seconds()), day.server_wall(LAST_SLOT_S)
        free = [s["at"] for s in answer["slots"]
                if now + timedelta(minutes=AHEAD_MIN) <= datetime.fromisoformat(s["at"]) <= last]
        if not free:
            day.count("no free slot")
            return None
        status, booked = _request(day, client, "book", "POST", "/api/v1/appointments", {
            "queue": target, "slot": self.rng.choice(free), "phone": "+7 900 123-45-67"})
        if status != 201 or not isinstance(booked, dict):
            day.count(f"book answered {status}")  # 409 slot_full: another call took the last place
            return None
        name, share_ranges = zip(*[(a[0], (a[1], a[2])) for a in ARRIVALS], strict=True)
        arrival = self.rng.choices(name, weights=[s for s, _ in share_ranges])[0]
        minutes = dict(zip(name, [r for _, r in share_ranges], strict=True))[arrival]
        offset = self.rng.uniform(*minutes) if minutes else 0.0
        booking = Booking(booked["id"], booked["code"], target, datetime.fromisoformat(booked["slot_at"]),
                          arrival, offset)
        with day.lock:
            day.bookings[booking.id] = booking
        return booking

    def _visit(self, day, booking: Booking) -> None:
        """The booked visitor at the kiosk: on time, early (comes back), late (an ordinary ticket)."""
        from bench.office_day import _request

        if booking.arrival == "no-show":
            return
        client = Client(day.url, self.kiosk_token, timeout=10)
        try:
            status, answer = self._check_in(day, client, booking, booking.offset_min)
            if status == 409 and isinstance(answer, dict) and answer.get("error") == "too_early":
                status, answer = self._check_in(day, client, booking, COME_BACK_MIN)
            with day.lock:
                day.check_ins[booking.id].append((status, answer.get("id") if isinstance(answer, dict) and
                                                  status in (200, 201) else None))
            if status in (200, 201) or day.stop.is_set():
                return
            request_id = str(uuid.uuid4())  # too late: an ordinary ticket, as the kiosk offers
            with day.lock:
                day.extra_requests.add(request_id)
            status, ticket = _request(day, client, "issue", "POST", "/api/v1/tickets", {
                "life_situation": f"{booking.queue}_visit", "language": "ru", "request_id": request_id})
            if status in (200, 201) and isinstance(ticket, dict):
                with day.lock:
                    day.confirmed[request_id] = ticket["id"]
                    day.request_of[ticket["id"]] = request_id
        finally:
            client.close()

    @staticmethod
    def _check_in(day, client: Client, booking: Booking, offset_min: float) -> tuple[int, object]:
        from bench.office_day import _request

        while not day.stop.is_set():  # the origin moves a little with the restart: re-read it
            wait = day.office_seconds_at(booking.slot + timedelta(minutes=offset_min)) - day.office_seconds()
            if wait <= 0:
                break
            day.sleep_office(min(wait, 600))
        if day.stop.is_set():
            return 0, None
        return _request(day, client, "check-in", "POST", "/api/v1/appointments/check-in",
                        {"code": booking.code, "language": "ru"})


class FeedbackTablets:
    """Tablets at the workplaces: a share of the visitors an operator finishes rate the visit."""

    def __init__(self, tablets: int = 2, seed: int = 13):
        self.tablets = tablets
        self.rng = random.Random(seed)
        self.finished: queue.Queue[tuple[str, str]] = queue.Queue()

    def visit_finished(self, day, ticket_id: str, workplace: str) -> None:
        with day.lock:
            chosen = self.rng.random() < FEEDBACK_SHARE
        if chosen:
            self.finished.put((ticket_id, workplace))

    def run(self, day) -> None:
        threads = [threading.Thread(target=self._tablet, args=(day, n), daemon=True)
                   for n in range(self.tablets)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _tablet(self, day, n: int) -> None:
        from bench.office_day import _request

        client = Client(day.url, FEEDBACK_TOKEN, timeout=10)
        rng = random.Random(n)
        while not day.stop.is_set():
            try:
                ticket_id, workplace = self.finished.get(timeout=0.2)
            except queue.Empty:
                continue
            status, _ = _request(day, client, "rating", "POST", "/api/v1/feedback", {
                "ticket_id": ticket_id, "workplace": workplace, "rating": rng.choice((3, 4, 5, 5, 5)),
                "reasons": rng.choice(([], ["quick"], ["polite", "clear"]))})
            with day.lock:
                day.ratings[ticket_id].append(status)
        client.close()


def check_bookings(database: Path, day) -> dict:
    """Checked-in bookings have exactly one ticket; ratings are recorded exactly once."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = {row[0]: (row[1], row[2]) for row in connection.execute(
            "SELECT id, status, ticket_id FROM appointments")}
        appointment_tickets = Counter(row[0] for row in connection.execute(
            "SELECT ticket_id FROM appointments WHERE ticket_id IS NOT NULL"))
        with_slot = connection.execute(
            "SELECT count(*) FROM tickets WHERE appointment_at IS NOT NULL").fetchone()[0]
        rated = Counter(row[0] for row in connection.execute("SELECT ticket_id FROM feedback"))
    finally:
        connection.close()
    answered = {bid: next((t for s, t in answers if t), None) for bid, answers in day.check_ins.items()}
    checked = {bid: ticket for bid, ticket in answered.items() if ticket}
    lost = [bid for bid, ticket in checked.items() if rows.get(bid) != ("checked_in", ticket)]
    # a booking answered twice (a retry through the restart) must still name one ticket
    split = [bid for bid, answers in day.check_ins.items() if len({t for _, t in answers if t}) > 1]
    statuses = Counter(status for status, _ in rows.values())
    sent = set(day.ratings)
    return {"bookings": len(day.bookings), "booked_in_db": len(rows),
            "arrivals": dict(Counter(b.arrival for b in day.bookings.values())),
            "checked_in": len(checked), "checked_in_db": statuses.get("checked_in", 0),
            "appointment_tickets": with_slot, "statuses": dict(statuses),
            "check_in_lost": len(lost) + len(split),
            "check_in_duplicated": sum(n - 1 for n in appointment_tickets.values()) + max(
                0, with_slot - statuses.get("checked_in", 0)),
            "ratings_sent": len(sent), "ratings_in_db": sum(rated.values()),
            "ratings_answers": dict(Counter(str(s) for answers in day.ratings.values() for s in answers)),
            "ratings_lost": sum(1 for t in sent if rated[t] == 0),
            "ratings_duplicated": sum(n - 1 for n in rated.values()) + len(set(rated) - sent)}
