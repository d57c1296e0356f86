"""500 phones on the status page: call → every page; and issuing with a phone vs without.

A real queue server (``queue-server demo --headless``) in its own process.

1. **Issue with a phone.** One kiosk connection issues tickets one after another,
   alternating with and without ``phone`` (+ consent), ``--issues`` of each; the
   ratio of their mean and p99 latencies is the cost of the phone (the contact row,
   the notifier's hook, «turn is near» for the first few) — same run, same server.
2. **Phones.** ``--phones`` tickets wait in one queue and each gets a status page
   client (``GET /t/<id>/events``, raw sockets from one asyncio loop, as a phone's
   EventSource).  For each sample an operator calls next at window 1; the clock
   starts just before the request and stops, per page, when the page has read its
   next state (every page changes: one fewer ahead, or «you are called»).  The
   called ticket is then cancelled and its page closed before the next sample.

    python -m bench.visitor_status [--phones 500] [--samples 30] [--issues 150]
                                   [--worker threads|gevent|both] [--threads 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bench.support import KIOSK_TOKEN, Client, latency_summary, login, print_table, queue_server, write_result

GOAL_P99_MS = 200.0
GOAL_ISSUE_RATIO = 1.2
WAIT_S = 30.0
WORKPLACE = "window_1"


class Page:
    """One phone holding the status page open: the arrival time of each state it reads."""

    def __init__(self, host: str, port: int, ticket_id: str):
        self.host, self.port, self.ticket_id = host, port, ticket_id
        self.connected = asyncio.get_running_loop().create_future()
        self.next_state: asyncio.Future | None = None
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run())

    def expect(self) -> asyncio.Future:
        self.next_state = asyncio.get_running_loop().create_future()
        return self.next_state

    async def _run(self) -> None:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        writer.write((f"GET /t/{self.ticket_id}/events HTTP/1.1\r\nHost: {self.host}\r\n"
                      "Accept: text/event-stream\r\n\r\n").encode())
        await writer.drain()
        try:
            while True:  # whole reads, not lines: the client's own cost stays out of the figure
                chunk = await reader.read(65536)
                if not chunk:
                    raise ConnectionError("stream closed by the server")
                if b"data: " not in chunk:
                    continue
                arrived = time.perf_counter()
                if not self.connected.done():
                    self.connected.set_result(True)
                elif self.next_state is not None and not self.next_state.done():
                    self.next_state.set_result(arrived)
        finally:
            writer.close()


def issue_costs(url: str, issues: int) -> tuple[dict, list[str]]:
    kiosk = Client(url, KIOSK_TOKEN)
    plain, with_phone, ids = [], [], []
    try:
        for n in range(issues * 2):
            body: dict = {"life_situation": "job_search", "language": "ru"}
            if n % 2:
                body |= {"phone": f"+7 912 {n // 10000:03d}-{n % 10000 // 100:02d}-{n % 100:02d}",
                         "phone_consent": True}
            status, answer, seconds = kiosk.request("POST", "/api/v1/tickets", body)
            assert status == 201, (status, answer)
            (with_phone if n % 2 else plain).append(seconds * 1000)
            ids.append(answer["id"])
    finally:
        kiosk.close()
    result = {"without_phone": latency_summary(plain), "with_phone": latency_summary(with_phone)}
    result["mean_ratio"] = round(statistics.fmean(with_phone) / statistics.fmean(plain), 3)
    result["p99_ratio"] = round(result["with_phone"]["p99_ms"] / result["without_phone"]["p99_ms"], 3)
    return result, ids


def fill_queue(url: str, count: int) -> list[str]:
    kiosk = Client(url, KIOSK_TOKEN)
    try:
        ids = []
        for _ in range(count):
            status, answer, _ = kiosk.request("POST", "/api/v1/tickets", {"life_situation": "job_search"})
            assert status == 201
            ids.append(answer["id"])
        return ids
    finally:
        kiosk.close()


async def phones(url: str, ticket_ids: list[str], samples: int) -> dict:
    host, port = url.removeprefix("http://").split(":")
    pages = {ticket_id: Page(host, int(port), ticket_id) for ticket_id in ticket_ids}
    connect_started = time.perf_counter()
    for page in pages.values():
        page.start()
    await asyncio.wait_for(asyncio.gather(*(p.connected for p in pages.values())), WAIT_S * 2)
    connect_s = time.perf_counter() - connect_started
    loop = asyncio.get_running_loop()
    operator = Client(url, login(url, "admin"))
    latencies, slowest = [], []
    try:
        for _ in range(samples):
            waiting = [page.expect() for page in pages.values()]
            started = time.perf_counter()
            status, called, _ = await loop.run_in_executor(
                None, operator.request, "POST", f"/api/v1/workplaces/{WORKPLACE}/call-next")
            assert status == 200, (status, called)
            arrivals = await asyncio.wait_for(asyncio.gather(*waiting), WAIT_S)
            sample = [(arrived - started) * 1000 for arrived in arrivals]
            latencies.extend(sample)
            slowest.append(max(sample))
            done = pages.pop(called["id"])
            status, _, _ = await loop.run_in_executor(
                None, operator.request, "POST", f"/api/v1/tickets/{called['id']}/cancel", {"reason": "bench"})
            assert status == 200, status
            assert done.task is not None
            done.task.cancel()
    finally:
        operator.close()
        for page in pages.values():
            if page.task:
                page.task.cancel()
        await asyncio.gather(*(p.task for p in pages.values() if p.task), return_exceptions=True)
    return {"pages": len(ticket_ids), "connect_s": round(connect_s, 2),
            "every_page": latency_summary(latencies), "last_page_per_call": latency_summary(slowest)}


def run_one(worker: str, threads: int, count: int, samples: int, issues: int) -> dict:
    with (tempfile.TemporaryDirectory(prefix="bench-status-") as data,
          queue_server(Path(data), threads=threads, worker=worker) as server):
        issuing, ids = issue_costs(server.url, issues)
        # Every waiting ticket gets a page: the issued ones (half with phones) and the rest.
        ids = (ids + fill_queue(server.url, max(0, count - len(ids))))[:count]
        cpu_before = server.cpu_seconds()
        measured = asyncio.run(phones(server.url, ids, samples))
        measured["server_cpu_ms_per_call"] = round((server.cpu_seconds() - cpu_before) * 1000 / samples, 1)
    return {"worker": worker, "issue": issuing, "phones": measured}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.visitor_status",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--issues", type=int, default=150,
                        help="tickets issued with and without a phone, each")
    parser.add_argument("--threads", type=int, default=1000, help="server threads (--worker threads)")
    parser.add_argument("--worker", choices=("threads", "gevent", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.phones, args.samples, args.issues, args.worker = 20, 3, 10, "threads"
    workers = ("threads", "gevent") if args.worker == "both" else (args.worker,)
    runs = [run_one(w, args.threads, args.phones, args.samples, args.issues) for w in workers]

    print_table(f"Call → every status page, {args.samples} calls (ms)",
                ["worker", "pages", "p50", "p99", "max", "last p50", "last p99", "CPU/call"],
                [[r["worker"], r["phones"]["pages"], r["phones"]["every_page"]["p50_ms"],
                  r["phones"]["every_page"]["p99_ms"], r["phones"]["every_page"]["max_ms"],
                  r["phones"]["last_page_per_call"]["p50_ms"], r["phones"]["last_page_per_call"]["p99_ms"],
                  r["phones"]["server_cpu_ms_per_call"]] for r in runs])
    print_table(f"Issue a ticket, {args.issues} with and {args.issues} without a phone, alternating (ms)",
                ["worker", "without p50", "without p99", "with p50", "with p99", "mean ratio", "p99 ratio"],
                [[r["worker"], r["issue"]["without_phone"]["p50_ms"], r["issue"]["without_phone"]["p99_ms"],
                  r["issue"]["with_phone"]["p50_ms"], r["issue"]["with_phone"]["p99_ms"],
                  r["issue"]["mean_ratio"], r["issue"]["p99_ratio"]] for r in runs])
    for r in runs:
        p99 = r["phones"]["every_page"]["p99_ms"]
        met = "met" if p99 < GOAL_P99_MS else "NOT met"
        print(f"  {r['worker']}: goal p99 < {GOAL_P99_MS:.0f} ms: {met};"
              f" issue with phone ≤ {GOAL_ISSUE_RATIO} × without (mean): "
              f"{'met' if r['issue']['mean_ratio'] <= GOAL_ISSUE_RATIO else 'NOT met'}")
    path = write_result("visitor_status", {"args": vars(args), "runs": runs}, argv or [])
    print(f"  written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
