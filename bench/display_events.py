"""Call-to-screen latency of the event stream with 300 displays and staff pages connected.

A real queue server (``queue-server demo --headless``, waitress, default threads)
runs in its own process.  ``--clients`` event-stream clients (half with the display
token, half with staff sessions, as hall screens and operator pages) connect over
raw sockets from one asyncio loop.  For each sample a ticket is issued, then an
operator calls it (``POST /workplaces/window_1/call-next``); the clock starts just
before that request is sent and stops, per client, when the client has read the
``ticket.called`` event for that ticket.  The ticket is then cancelled and every
client is waited for before the next sample, so samples do not overlap.

The baseline is the same procedure with one display client, in the same run,
against the same server.  Memory is the server's VmRSS from /proc.

    python -m bench.display_events [--clients 300] [--samples 30] [--worker threads|gevent|both]

``--worker both`` measures waitress and gevent one after the other in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from bench.support import (
    KIOSK_TOKEN,
    SERVER_THREADS,
    Client,
    ServerProcess,
    latency_summary,
    login,
    print_table,
    queue_server,
    write_result,
)

DISPLAY_TOKEN = "demo-display-token"
STAFF_ACCOUNTS = ("admin", "hall", "reception", "curator1", "curator2", "manager")
WORKPLACE = "window_1"
GOAL_P99_MS = 100.0
GOAL_RSS_MB = 200.0
WAIT_S = 10.0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class StreamClient:
    """One event-stream connection; remembers when it saw each (type, ticket id)."""

    def __init__(self, host: str, port: int, token: str):
        self.host, self.port, self.token = host, port, token
        self.seen: dict[tuple[str, str], float] = {}
        self.waiters: dict[tuple[str, str], asyncio.Future] = {}
        self.connected = asyncio.get_running_loop().create_future()
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        writer.write((f"GET /api/v1/events?token={self.token} HTTP/1.1\r\nHost: {self.host}\r\n"
                      "Accept: text/event-stream\r\n\r\n").encode())
        await writer.drain()
        try:
            while True:
                line = await reader.readline()
                if not line:
                    raise ConnectionError("stream closed by the server")
                if line.startswith(b": connected") and not self.connected.done():
                    self.connected.set_result(True)
                elif line.startswith(b"data: "):
                    arrived = time.perf_counter()
                    event = json.loads(line[6:])
                    ticket = (event.get("ticket") or {}).get("id")
                    if ticket:
                        key = (event["type"], ticket)
                        self.seen.setdefault(key, arrived)
                        waiter = self.waiters.pop(key, None)
                        if waiter and not waiter.done():
                            waiter.set_result(arrived)
        finally:
            writer.close()

    async def wait_for(self, key: tuple[str, str]) -> float:
        if key in self.seen:
            return self.seen[key]
        waiter = self.waiters.setdefault(key, asyncio.get_running_loop().create_future())
        return await waiter


async def all_see(clients: list[StreamClient], key: tuple[str, str]) -> list[float]:
    return await asyncio.wait_for(asyncio.gather(*(c.wait_for(key) for c in clients)), WAIT_S)


async def measure(server: ServerProcess, tokens: list[str], samples: int) -> dict:
    host, port = server.url.removeprefix("http://").split(":")
    clients = [StreamClient(host, int(port), token) for token in tokens]
    connect_started = time.perf_counter()
    for client in clients:
        client.start()
    await asyncio.wait_for(asyncio.gather(*(c.connected for c in clients)), 30)
    connect_s = time.perf_counter() - connect_started
    rss_connected = rss_mb(server.pid)

    loop = asyncio.get_running_loop()
    kiosk, operator = Client(server.url, KIOSK_TOKEN), Client(server.url, login(server.url, "admin"))
    latencies, slowest, spreads = [], [], []
    cpu_before = server.cpu_seconds()
    try:
        for _ in range(samples):
            status, ticket, _ = await loop.run_in_executor(None, kiosk.request, "POST", "/api/v1/tickets", {
                "life_situation": "job_search", "language": "ru", "priority": False})
            assert status == 201, (status, ticket)
            await all_see(clients, ("ticket.issued", ticket["id"]))
            started = time.perf_counter()
            status, called, _ = await loop.run_in_executor(
                None, operator.request, "POST", f"/api/v1/workplaces/{WORKPLACE}/call-next")
            assert status == 200 and called["id"] == ticket["id"], (status, called)
            arrivals = await all_see(clients, ("ticket.called", ticket["id"]))
            sample = [(arrived - started) * 1000 for arrived in arrivals]
            latencies.extend(sample)
            slowest.append(max(sample))
            spreads.append(max(sample) - min(sample))
            status, _, _ = await loop.run_in_executor(
                None, operator.request, "POST", f"/api/v1/tickets/{ticket['id']}/cancel", {"reason": "bench"})
            assert status in (200, 204), status
            await all_see(clients, ("ticket.cancelled", ticket["id"]))
    finally:
        kiosk.close()
        operator.close()
    cpu_per_call_ms = (server.cpu_seconds() - cpu_before) * 1000 / samples
    rss_after = rss_mb(server.pid)
    for client in clients:
        assert client.task is not None
        client.task.cancel()
    await asyncio.gather(*(c.task for c in clients if c.task), return_exceptions=True)
    return {
        "clients": len(clients), "connect_s": round(connect_s, 2),
        "every_client": latency_summary(latencies),
        "last_client_per_call": latency_summary(slowest),
        "first_to_last_client": latency_summary(spreads),
        # issue + call + cancel and their delivery to every client, per sample
        "server_cpu_ms_per_sample": round(cpu_per_call_ms, 1),
        "rss_connected_mb": round(rss_connected, 1), "rss_after_calls_mb": round(rss_after, 1),
    }


def run_one(worker: str, clients: int, samples: int, threads: int) -> dict:
    """Baseline and loaded measurement against one fresh server with ``worker``."""
    with (tempfile.TemporaryDirectory(prefix="bench-display-") as data,
          queue_server(Path(data), threads=threads, worker=worker) as server):
        rss_idle = rss_mb(server.pid)
        staff = [login(server.url, name) for name in STAFF_ACCOUNTS]
        many = [DISPLAY_TOKEN if index % 2 == 0 else staff[index % len(staff)]
                for index in range(clients)]
        baseline = asyncio.run(measure(server, [DISPLAY_TOKEN], samples))
        loaded = asyncio.run(measure(server, many, samples))
    return {"worker": worker, "rss_idle_mb": round(rss_idle, 1), "baseline": baseline,
            "loaded": loaded,
            "p99_ratio_loaded_to_baseline": round(
                loaded["every_client"]["p99_ms"] / baseline["every_client"]["p99_ms"], 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.display_events",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--threads", type=int, default=SERVER_THREADS, help="server worker threads")
    parser.add_argument("--worker", choices=("threads", "gevent", "both"), default="threads",
                        help="the server's --worker; both: one after the other (default threads)")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.clients, args.samples = min(args.clients, 20), min(args.samples, 3)

    workers = ("threads", "gevent") if args.worker == "both" else (args.worker,)
    runs = [run_one(worker, args.clients, args.samples, args.threads) for worker in workers]

    rows = []
    for run in runs:
        for name, result in (("baseline", run["baseline"]), ("loaded", run["loaded"])):
            every, last = result["every_client"], result["last_client_per_call"]
            rows.append([run["worker"], name, result["clients"], every["p50_ms"], every["p99_ms"],
                         last["p50_ms"], last["p99_ms"], result["first_to_last_client"]["p50_ms"],
                         result["server_cpu_ms_per_sample"], result["rss_connected_mb"]])
    print_table(f"Call to screen, {args.samples} calls, server threads {args.threads} (ms; RSS in MB)",
                ["worker", "run", "clients", "p50", "p99", "last p50", "last p99", "spread p50",
                 "CPU/sample", "RSS"], rows)
    for run in runs:
        p99, rss = run["loaded"]["every_client"]["p99_ms"], run["loaded"]["rss_connected_mb"]
        print(f"\n  {run['worker']}: p99 loaded / baseline: {run['p99_ratio_loaded_to_baseline']:.2f}"
              f"   idle RSS {run['rss_idle_mb']:.1f} MB")
        print(f"  goal p99 < {GOAL_P99_MS:.0f} ms: {'met' if p99 < GOAL_P99_MS else 'NOT met'};"
              f" goal RSS < {GOAL_RSS_MB:.0f} MB: {'met' if rss < GOAL_RSS_MB else 'NOT met'}")
    if len(runs) == 2:
        ratio = runs[1]["loaded"]["every_client"]["p99_ms"] / runs[0]["loaded"]["every_client"]["p99_ms"]
        print(f"  p99 gevent / threads, same run: {ratio:.2f}")
    first = runs[0]
    result = {"clients": args.clients, "samples": args.samples, "threads": args.threads,
              "worker": args.worker, **{k: first[k] for k in ("rss_idle_mb", "baseline", "loaded",
                                                              "p99_ratio_loaded_to_baseline")}}
    if len(runs) > 1:
        result["runs"] = runs
    path = write_result("display_events", result, argv or [])
    print(f"  written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
