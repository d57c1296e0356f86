"""Ticket issue throughput, as a ratio of a bare Flask + SQLite endpoint (goal ≥ 0.7).

Both sides run in the same run on the same WSGI server (waitress, same thread
count, same options) with the same SQLite durability (WAL, synchronous=FULL), and
are loaded by the same closed-loop client: ``--clients`` persistent HTTP/1.1
connections spread over ``--processes`` processes, each sending the next request
as soon as the last one answered.  Since the same client drives both sides, the
ratio holds even where the client takes a share of the 2 cores; the server's own
CPU time per request is reported too, as a ratio that does not depend on the client.

    python -m bench.core_issue [--seconds 10] [--clients 16] [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench.support import (
    ISSUE_BODY,
    KIOSK_TOKEN,
    SERVER_THREADS,
    RequestSpec,
    ServerProcess,
    baseline_server,
    closed_loop,
    latency_summary,
    print_table,
    queue_server,
    write_result,
)

GOAL_RATIO = 0.7


def measure(server: ServerProcess, spec: RequestSpec, args: argparse.Namespace) -> dict:
    cpu_before = server.cpu_seconds()
    load = closed_loop(server.url, spec, clients=args.clients, seconds=args.seconds,
                       processes=args.processes)
    server_cpu = server.cpu_seconds() - cpu_before
    return {
        "requests": load.completed,
        "errors": load.errors,
        "req_per_s": round(load.rate, 1),
        "server_cpu_ms_per_req": round(1000 * server_cpu / max(1, load.completed), 3),
        "client_cpu_ms_per_req": round(1000 * load.client_cpu_seconds / max(1, load.completed), 3),
        **latency_summary(load.latencies_ms),
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="load time per side")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=SERVER_THREADS, help="waitress threads")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--out", type=Path, default=None, help="result directory (var/bench)")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.clients, args.processes = 0.5, 4, 1

    sides: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-issue-") as tmp:
        with baseline_server(Path(tmp) / "baseline", threads=args.threads) as server:
            spec = RequestSpec("POST", "/rows", ISSUE_BODY, expect=(201,))
            sides["baseline"] = measure(server, spec, args)
        with queue_server(Path(tmp) / "queue", threads=args.threads) as server:
            spec = RequestSpec("POST", "/api/v1/tickets", ISSUE_BODY, KIOSK_TOKEN, expect=(201,))
            sides["issue"] = measure(server, spec, args)

    base, issue = sides["baseline"], sides["issue"]
    ratio = issue["req_per_s"] / base["req_per_s"]
    cpu_ratio = base["server_cpu_ms_per_req"] / issue["server_cpu_ms_per_req"]
    print_table(
        f"Ticket issue throughput: {args.clients} clients, {args.seconds:g} s per side, "
        f"waitress {args.threads} threads",
        ("endpoint", "req/s", "p50 ms", "p99 ms", "server CPU ms/req", "client CPU ms/req", "errors"),
        [(name, s["req_per_s"], s["p50_ms"], s["p99_ms"], s["server_cpu_ms_per_req"],
          s["client_cpu_ms_per_req"], s["errors"]) for name, s in sides.items()],
    )
    verdict = "meets" if ratio >= GOAL_RATIO else "MISSES"
    print(f"\n  throughput ratio issue/baseline = {ratio:.2f}  ({verdict} goal ≥ {GOAL_RATIO})")
    print(f"  server CPU ratio baseline/issue = {cpu_ratio:.2f}")
    path = write_result("core_issue", {
        "settings": {"seconds": args.seconds, "clients": args.clients,
                     "processes": args.processes, "threads": args.threads, "quick": args.quick},
        "sides": sides, "ratio": round(ratio, 3), "cpu_ratio": round(cpu_ratio, 3),
        "goal": GOAL_RATIO, "meets_goal": ratio >= GOAL_RATIO,
    }, argv, args.out)
    print(f"  written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
