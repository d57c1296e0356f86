"""call-next latency with 16 operators working at once (goal: p99 < 50 ms).

The bench office (bench/office_16.toml) has one queue served by 16 windows.  Each
operator is a thread with its own persistent connection at its own window and
works in cycles: call next → start → finish, then a kiosk connection issues one
new ticket, so the line stays at ``--waiting`` tickets all along (a busy hall, not
an ever-growing or draining one).

Two scenarios run in one go.  *Human pace*: after each cycle an operator pauses
``--pause`` seconds on average (uniform 0.5–1.5×; 1 s by default — a real service
takes minutes, so this is already a hall far busier than any office); the goal
applies here.  *No pause*: every operator hammers the server back to back, which
measures the server's capacity and the queueing behind its single writer.  Only
the call-next round trips are the figure; start, finish and issue are reported
for context.  Operators are spread over two client processes; the server is the real `queue-server` process.

    python -m bench.core_call_next [--seconds 10] [--operators 16] [--waiting 200] [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path

from bench.support import (
    BENCH_OFFICE,
    ISSUE_BODY,
    KIOSK_TOKEN,
    SERVER_THREADS,
    Client,
    latency_summary,
    login,
    print_table,
    queue_server,
    run_workers,
    wait_until,
    write_result,
)

GOAL_P99_MS = 50.0


def operator(arg: tuple[str, str, str, float], start_at: float, stop_at: float) -> dict:
    """One operator at ``workplace``: call, start, finish, and one new arrival, until stop_at."""
    import random
    import time

    url, token, workplace, pause = arg
    desk, kiosk = Client(url, token), Client(url, KIOSK_TOKEN)
    timings: dict[str, list[float]] = {"call-next": [], "start": [], "finish": [], "issue": []}
    empty = errors = 0
    wait_until(start_at)
    while time.time() < stop_at:
        status, ticket, seconds = desk.request("POST", f"/api/v1/workplaces/{workplace}/call-next")
        if status == 204:
            empty += 1
            continue
        if status != 200 or not isinstance(ticket, dict):
            errors += 1
            continue
        timings["call-next"].append(seconds * 1000)
        for action, body in (("start", None), ("finish", {"services": [], "result": "bench"})):
            status, _, seconds = desk.request("POST", f"/api/v1/tickets/{ticket['id']}/{action}", body)
            if status == 200:
                timings[action].append(seconds * 1000)
            else:
                errors += 1
        status, _, seconds = kiosk.request("POST", "/api/v1/tickets", ISSUE_BODY)
        if status == 201:
            timings["issue"].append(seconds * 1000)
        else:
            errors += 1
        if pause > 0:
            time.sleep(min(random.uniform(0.5, 1.5) * pause, max(0.0, stop_at - time.time())))
    desk.close()
    kiosk.close()
    return {"timings": timings, "empty": empty, "errors": errors}


def prefill(url: str, count: int, connections: int = 8) -> None:
    """``count`` waiting tickets, issued over the API like kiosks would."""
    shares = [count // connections + (1 if i < count % connections else 0) for i in range(connections)]
    failures: list[str] = []

    def issue(share: int) -> None:
        kiosk = Client(url, KIOSK_TOKEN)
        for _ in range(share):
            status, body, _ = kiosk.request("POST", "/api/v1/tickets", ISSUE_BODY)
            if status != 201:
                failures.append(f"{status} {body}")
        kiosk.close()

    threads = [threading.Thread(target=issue, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"prefill failed: {failures[:3]}")


def waiting_count(url: str, token: str) -> int:
    client = Client(url, token)
    _, body, _ = client.request("GET", "/api/v1/queues")
    client.close()
    assert isinstance(body, dict)
    return sum(queue["waiting"] for queue in body["queues"])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="no-pause scenario length")
    parser.add_argument("--paced-seconds", type=float, default=30.0, help="human-pace length")
    parser.add_argument("--pause", type=float, default=1.0,
                        help="mean pause of an operator between cycles at human pace (s)")
    parser.add_argument("--operators", type=int, default=16)
    parser.add_argument("--waiting", type=int, default=200, help="tickets waiting all along")
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=SERVER_THREADS, help="waitress threads")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--out", type=Path, default=None, help="result directory (var/bench)")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.paced_seconds, args.waiting, args.processes = 0.5, 1.0, 20, 1
    if not 1 <= args.operators <= 16:
        parser.error("--operators: the bench office has 16 windows")

    results = {}
    for scenario, pause, seconds in (("human pace", args.pause, args.paced_seconds),
                                     ("no pause", 0.0, args.seconds)):
        results[scenario] = run_scenario(args, scenario, pause, seconds)
    paced_p99 = results["human pace"]["latency"]["call-next"]["p99_ms"]
    capacity_p99 = results["no pause"]["latency"]["call-next"]["p99_ms"]
    verdict = "meets" if paced_p99 < GOAL_P99_MS else "MISSES"
    print(f"\n  call-next p99 at human pace = {paced_p99:.1f} ms  ({verdict} goal < {GOAL_P99_MS:g} ms)")
    print(f"  call-next p99 with no pause = {capacity_p99:.1f} ms  (capacity, no goal)")
    path = write_result("core_call_next", {
        "settings": {"seconds": args.seconds, "paced_seconds": args.paced_seconds,
                     "pause": args.pause, "operators": args.operators, "waiting": args.waiting,
                     "processes": args.processes, "threads": args.threads, "quick": args.quick},
        "scenarios": results, "goal_p99_ms": GOAL_P99_MS, "meets_goal": paced_p99 < GOAL_P99_MS,
    }, argv, args.out)
    print(f"  written to {path}")
    return 0


def run_scenario(args: argparse.Namespace, scenario: str, pause: float, seconds: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-call-next-") as tmp, \
            queue_server(Path(tmp), threads=args.threads, config=BENCH_OFFICE) as server:
        token = login(server.url, "admin")  # admin may act at any workplace
        prefill(server.url, args.waiting)
        before = waiting_count(server.url, token)
        outcomes = run_workers(
            operator,
            [(server.url, token, f"window_{i + 1}", pause) for i in range(args.operators)],
            seconds=seconds, processes=args.processes)
        after = waiting_count(server.url, token)

    timings = {name: [v for o in outcomes for v in o["timings"][name]]
               for name in ("call-next", "start", "finish", "issue")}
    summaries = {name: latency_summary(values) for name, values in timings.items()}
    errors = sum(o["errors"] for o in outcomes)
    empty = sum(o["empty"] for o in outcomes)
    print_table(
        f"call-next, {scenario}: {args.operators} operators, {seconds:g} s, "
        f"{before}→{after} tickets waiting, waitress {args.threads} threads",
        ("request", "count", "per s", "p50 ms", "p95 ms", "p99 ms", "max ms"),
        [(name, s["count"], s["count"] / seconds, s["p50_ms"], s["p95_ms"], s["p99_ms"],
          s["max_ms"]) for name, s in summaries.items()],
    )
    return {"pause": pause, "seconds": seconds, "waiting_before": before, "waiting_after": after,
            "latency": summaries, "errors": errors, "empty_calls": empty}


if __name__ == "__main__":
    raise SystemExit(main())
