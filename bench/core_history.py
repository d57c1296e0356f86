"""Issue and call-next on a database with 1,000,000 finished tickets of history,
as a ratio of the same on an empty database (goal: within 1.5×).

The history database is built once with plain SQL in bulk (the schema comes from
``queue_server.store.database.Store``, so every migration applies): ``--tickets``
finished visits over past office days, each with its four events (issued, called,
started, finished).  It is kept as
var/bench/history-<N>.db and reused; every run works on a fresh copy, so the cached
file never changes.  Then the real server runs on the empty database and on the
copy in turn, and one client, sequentially (latency, not contention), issues
``--requests`` tickets and calls them all through call-next → start → finish at
window 1.

    python -m bench.core_history [--tickets 1000000] [--requests 300] [--quick]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.support import (
    ISSUE_BODY,
    KIOSK_TOKEN,
    RESULTS_DIR,
    SERVER_THREADS,
    Client,
    latency_summary,
    login,
    print_table,
    queue_server,
    write_result,
)

GOAL_RATIO = 1.5
TICKETS_PER_DAY = 500
WARM_UP = 10
# (queue, prefix, life situation, workplace) of the demo office, in the mix of a day
VISIT_KINDS = (
    ("reception", "А", "job_search", "window_1"),
    ("reception", "А", "lost_job", "window_2"),
    ("curator", "К", "pre_pension", "window_3"),
    ("curator", "К", "legal", "window_4"),
    ("career", "П", "youth", "room_11"),
    ("individual", "И", "business_start", "window_7"),
)


# --- building the history ---------------------------------------------------------------


def history_path(tickets: int, directory: Path = RESULTS_DIR) -> Path:
    return directory / f"history-{tickets}.db"


def build_history(path: Path, tickets: int) -> float:
    """Write ``tickets`` finished visits ending yesterday into a new database; seconds taken."""
    from queue_server.store.database import Store

    started = time.perf_counter()
    building = path.with_suffix(".building")
    for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
        leftover.unlink(missing_ok=True)
    Store(building).close()  # the schema, every migration applied
    conn = sqlite3.connect(building, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")  # a bulk load of throw-away data; rebuilt if lost
    conn.execute("BEGIN")
    days = -(-tickets // TICKETS_PER_DAY)
    first_day = date.today() - timedelta(days=days + 1)
    conn.executemany(
        "INSERT INTO tickets (id, day, prefix, seq, queue, life_situation, language, priority, "
        "status, issued_at, queued_at, workplace, target_workplace, [returning], return_stack, "
        "calls, called_at, started_at, finished_at, comment) "
        "VALUES (?, ?, ?, ?, ?, ?, 'ru', 0, 'finished', ?, ?, ?, NULL, 0, '[]', 1, ?, ?, ?, '')",
        _ticket_rows(tickets, first_day))
    conn.executemany(
        "INSERT INTO events (type, at, actor, workplace, ticket_id, payload) VALUES (?, ?, ?, ?, ?, ?)",
        _event_rows(tickets, first_day))
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()
    building.rename(path)
    return time.perf_counter() - started


def _visits(tickets: int, first_day: date) -> Iterator[tuple]:
    """(index, day, queue, prefix, seq, situation, workplace, issued_at) of each visit."""
    seqs: dict[tuple[date, str], int] = {}
    for index in range(tickets):
        day = first_day + timedelta(days=index // TICKETS_PER_DAY)
        queue, prefix, situation, workplace = VISIT_KINDS[index % len(VISIT_KINDS)]
        seq = seqs[day, prefix] = seqs.get((day, prefix), 0) + 1
        # 05:00 UTC is 08:00 in Naberezhnye Chelny; visits spread over the working day
        issued = datetime(day.year, day.month, day.day, 5, tzinfo=UTC) + timedelta(
            seconds=(index % TICKETS_PER_DAY) * 57)
        yield index, day, queue, prefix, seq, situation, workplace, issued


def _ticket_rows(tickets: int, first_day: date) -> Iterator[tuple]:
    for index, day, queue, prefix, seq, situation, workplace, issued in _visits(tickets, first_day):
        called = issued + timedelta(minutes=9)
        yield (f"h{index:015x}", day.isoformat(), prefix, seq, queue, situation, issued.isoformat(),
               issued.isoformat(), workplace, called.isoformat(),
               (called + timedelta(minutes=1)).isoformat(),
               (called + timedelta(minutes=15)).isoformat())


def _event_rows(tickets: int, first_day: date) -> Iterator[tuple]:
    for index, day, queue, prefix, seq, situation, workplace, issued in _visits(tickets, first_day):
        ticket_id = f"h{index:015x}"
        called = issued + timedelta(minutes=9)
        issued_payload = json.dumps({
            "day": day.isoformat(), "prefix": prefix, "seq": seq, "queue": queue,
            "life_situation": situation, "language": "ru", "priority": False,
            "appointment_at": None, "request_id": None}, ensure_ascii=False)
        operator = f"user:{workplace}"
        yield "ticket.issued", issued.isoformat(), "device:kiosk-1", None, ticket_id, issued_payload
        yield "ticket.called", called.isoformat(), operator, workplace, ticket_id, "{}"
        yield ("ticket.started", (called + timedelta(minutes=1)).isoformat(), operator, workplace,
               ticket_id, "{}")
        yield ("ticket.finished", (called + timedelta(minutes=15)).isoformat(), operator, workplace,
               ticket_id, '{"services": ["job_search_help"], "result": "done"}')


# --- measuring ---------------------------------------------------------------------------


def measure(url: str, requests: int) -> dict[str, list[float]]:
    """Issue ``requests`` tickets, then call them all at window 1; latencies in ms."""
    operator = Client(url, login(url, "admin"))
    kiosk = Client(url, KIOSK_TOKEN)
    timings: dict[str, list[float]] = {"issue": [], "call-next": []}
    for index in range(WARM_UP + requests):
        status, body, seconds = kiosk.request("POST", "/api/v1/tickets", ISSUE_BODY)
        if status != 201:
            raise RuntimeError(f"issue: {status} {body}")
        if index >= WARM_UP:
            timings["issue"].append(seconds * 1000)
    for index in range(WARM_UP + requests):
        status, ticket, seconds = operator.request("POST", "/api/v1/workplaces/window_1/call-next")
        if status != 200 or not isinstance(ticket, dict):
            raise RuntimeError(f"call-next: {status} {ticket}")
        if index >= WARM_UP:
            timings["call-next"].append(seconds * 1000)
        for action, body in (("start", None), ("finish", {"services": [], "result": "bench"})):
            status, answer, _ = operator.request("POST", f"/api/v1/tickets/{ticket['id']}/{action}", body)
            if status != 200:
                raise RuntimeError(f"{action}: {status} {answer}")
    operator.close()
    kiosk.close()
    return timings


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000, help="tickets of history")
    parser.add_argument("--requests", type=int, default=300, help="issues and calls per side")
    parser.add_argument("--threads", type=int, default=SERVER_THREADS, help="waitress threads")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--out", type=Path, default=None, help="result directory (var/bench)")
    args = parser.parse_args(argv)
    if args.quick:
        args.tickets, args.requests = 2_000, 10

    cache = history_path(args.tickets, args.out or RESULTS_DIR)
    build_seconds = None
    if not cache.exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        print(f"building {cache} ({args.tickets:,} tickets) …", flush=True)
        build_seconds = build_history(cache, args.tickets)
        print(f"  built in {build_seconds:.1f} s", flush=True)

    sides: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-history-", dir=cache.parent) as tmp:
        for side in ("empty", "history"):
            data = Path(tmp) / side
            data.mkdir()
            if side == "history":
                shutil.copyfile(cache, data / "queue.db")
            with queue_server(data, threads=args.threads) as server:
                sides[side] = measure(server.url, args.requests)

    summaries = {side: {name: latency_summary(values) for name, values in timings.items()}
                 for side, timings in sides.items()}
    ratios = {
        f"{name} {figure}":
            summaries["history"][name][f"{figure}_ms"] / summaries["empty"][name][f"{figure}_ms"]
        for name in ("issue", "call-next") for figure in ("p50", "p99")
    }
    print_table(
        f"History: {args.tickets:,} tickets vs empty database, {args.requests} sequential requests each",
        ("request", "empty p50", "empty p99", "history p50", "history p99", "ratio p50", "ratio p99"),
        [(name, summaries["empty"][name]["p50_ms"], summaries["empty"][name]["p99_ms"],
          summaries["history"][name]["p50_ms"], summaries["history"][name]["p99_ms"],
          ratios[f"{name} p50"], ratios[f"{name} p99"]) for name in ("issue", "call-next")],
    )
    worst = max(ratios.values())
    verdict = "meets" if worst <= GOAL_RATIO else "MISSES"
    print(f"\n  worst ratio history/empty = {worst:.2f}  ({verdict} goal ≤ {GOAL_RATIO})")
    path = write_result("core_history", {
        "settings": {"tickets": args.tickets, "requests": args.requests, "threads": args.threads,
                     "quick": args.quick},
        "history_db": str(cache), "history_db_mb": round(cache.stat().st_size / 2**20, 1),
        "build_seconds": build_seconds, "latency": summaries,
        "ratios": {k: round(v, 3) for k, v in ratios.items()},
        "goal": GOAL_RATIO, "meets_goal": worst <= GOAL_RATIO,
    }, argv, args.out)
    print(f"  written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
