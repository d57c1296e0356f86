"""Free-slot search: 60 days × 10 bookable queues with 20,000 existing bookings (goal p99 < 50 ms).

The real app (Flask, the service, the store) over a real SQLite file, in this process:
each request is ``GET /api/v1/appointments/slots?queue=…&days=60`` with a call-centre
token through Flask's test client, so JSON, routing and the token check count.  The
office is the demo office with four more queues, each of the ten with a schedule
(20-minute slots, 4 places, a lunch hour, 60 days ahead); the bookings are spread
over them at random.  Baseline in the same run: the bare SQL that counts the taken
places of one queue over the 60 days (what no search can do without).

    python -m bench.appointments_slots [--bookings 20000] [--requests 300] [--quick]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from bench.support import latency_summary, print_table, write_result
from queue_server.config import DEMO_OFFICE_PATH, load_office
from queue_server.domain import schedule as sch
from queue_server.domain.clock import ManualClock
from queue_server.domain.office import Office, Queue, Schedule, Text
from queue_server.service import services_of
from queue_server.web import create_app

GOAL_P99_MS = 50.0
DAYS = 60
QUEUES = 10
MONDAY_10_00 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # 10:00 in Naberezhnye Chelny


def bench_office() -> Office:
    office = load_office(DEMO_OFFICE_PATH)
    extra = tuple(Queue(f"extra_{n}", Text(f"Очередь {n}", f"Чират {n}", f"Queue {n}"), prefix)
                  for n, prefix in enumerate("ВГДЖ", start=1))
    queues = (*office.queues, *extra)[:QUEUES]
    schedules = tuple(Schedule(queue=q.id, days=office.hours, slot_min=20, capacity=4,
                               lunch=(clock_time(12), clock_time(13)), horizon_days=DAYS)
                      for q in queues)
    return replace(office, queues=queues, schedules=schedules)


def seed(services, office: Office, bookings: int, rng: random.Random) -> int:
    """Spread ``bookings`` over the free places of the 60 days, straight into the table."""
    today = datetime(2026, 11, 30, 10, 0)
    places = [(schedule.queue, slot) for schedule in office.schedules
              for day in range(DAYS) for slot in sch.slots_on(schedule, office, today.date() +
                                                              timedelta(days=day))
              if slot > today for _ in range(schedule.capacity)]
    chosen = rng.sample(places, min(bookings, len(places)))
    rows = [(f"{n:06d}", queue, "job_search", slot.strftime("%Y-%m-%dT%H:%M"), "booked", "bench",
             "2026-11-30T07:00:00+00:00", "2026-11-30T07:00:00+00:00")
            for n, (queue, slot) in enumerate(chosen)]
    db = services.store.db
    with services.store.write():
        db.conn.executemany(
            "INSERT INTO appointments (code, queue, life_situation, slot_at, status, booked_by, "
            "booked_at, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def timed(call, count: int) -> list[float]:
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bookings", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=300, help="searches, spread over the queues")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--out", type=Path, default=None, help="result directory (var/bench)")
    args = parser.parse_args(argv)
    if args.quick:
        args.bookings, args.requests = 500, 20
    rng = random.Random(10)
    office = bench_office()
    with tempfile.TemporaryDirectory(prefix="bench-slots-") as tmp:
        app = create_app(office=office, data_dir=Path(tmp), clock=ManualClock(MONDAY_10_00),
                         config={"TESTING": True})
        services = services_of(app)
        seeded = seed(services, office, args.bookings, rng)
        services.accounts.create_user("bench-cc", "call_centre", "bench-password", (), actor="bench")
        client = app.test_client()
        token = client.post("/api/v1/auth/login", json={
            "username": "bench-cc", "password": "bench-password"}).get_json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        queue_ids = [q.id for q in office.queues]
        found: list[int] = []

        def search() -> None:
            queue = rng.choice(queue_ids)
            answer = client.get(f"/api/v1/appointments/slots?queue={queue}&days={DAYS}", headers=headers)
            assert answer.status_code == 200, answer.get_json()
            found.append(len(answer.get_json()["slots"]))

        db = services.store.db

        def bare() -> None:
            db.execute("SELECT slot_at, count(*) FROM appointments WHERE queue = ? AND slot_at >= ? "
                       "AND slot_at <= ? AND status != 'cancelled' GROUP BY slot_at",
                       [rng.choice(queue_ids), "2026-11-30T00:00", "2027-01-29T00:00"]).fetchall()

        timed(search, 5)  # warm up
        baseline = latency_summary(timed(bare, args.requests))
        searched = latency_summary(timed(search, args.requests))
        services.close()

    ratio = searched["p99_ms"] / baseline["p99_ms"]
    verdict = "ok" if searched["p99_ms"] < GOAL_P99_MS else "MISSED"
    print_table(
        f"Free-slot search: {DAYS} days × {len(queue_ids)} queues, {seeded} bookings, "
        f"{args.requests} searches",
        ("side", "p50 ms", "p95 ms", "p99 ms", "goal"),
        [("bare SQL count (baseline)", baseline["p50_ms"], baseline["p95_ms"], baseline["p99_ms"], ""),
         ("GET /appointments/slots", searched["p50_ms"], searched["p95_ms"], searched["p99_ms"],
          f"< {GOAL_P99_MS:g} ms {verdict}")])
    print(f"  ratio p99 search / p99 baseline: {ratio:.1f}; free slots per answer ≈ "
          f"{sum(found) // max(1, len(found))}")
    write_result("appointments_slots", {
        "bookings": seeded, "days": DAYS, "queues": len(queue_ids), "requests": args.requests,
        "baseline": baseline, "search": searched, "ratio_p99": round(ratio, 2),
        "goal_p99_ms": GOAL_P99_MS, "met": searched["p99_ms"] < GOAL_P99_MS,
    }, argv, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
