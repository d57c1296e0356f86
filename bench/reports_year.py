"""Report pages and exports on a year of history (300,000 visits with their events),
the live "today" view, and kiosk issue latency while reports run.

Goals (issue 12): every report page and export under 2 s, "today" under 0.5 s, and
issue latency during a report at most 1.5 × the latency without (same run).  The
history is built once (bench/_year_history.py, var/bench/year-<N>.db) and copied
for each run; the real server runs on the copy and a manager signs in through the
staff sign-in form like a browser.

    python -m bench.reports_year [--visits 300000] [--requests 200] [--quick]
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench._year_history import build_year
from bench.support import (
    BENCH_CLOCK_START,
    ISSUE_BODY,
    KIOSK_TOKEN,
    RESULTS_DIR,
    Client,
    latency_summary,
    print_table,
    queue_server,
    write_result,
)
from queue_server.config.loader import DEMO_OFFICE_PATH, load_office
from queue_server.domain.clock import ManualClock
from queue_server.domain.reports import MAX_PERIOD_DAYS
from queue_server.service import open_services

PAGE_GOAL_S, TODAY_GOAL_S, LATENCY_GOAL = 2.0, 0.5, 1.5
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Browser:
    """A staff member's browser: one connection, the session cookie, full responses timed."""

    def __init__(self, url: str, timeout: float = 300.0):
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        self.cookie = ""

    def get(self, path: str) -> tuple[int, bytes, float]:
        return self._send("GET", path)

    def close(self) -> None:
        self.connection.close()

    def _send(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes, float]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, data, elapsed

    def sign_in(self, username: str, password: str = "demo") -> None:
        _, page, _ = self.get("/staff/login")
        token = CSRF.search(page.decode()).group(1)
        status, _, _ = self._send("POST", "/staff/login", urlencode(
            {"username": username, "password": password, "csrf_token": token}))
        if status != 302:
            raise RuntimeError(f"sign-in {username}: {status}")


def _timed(browser: Browser, path: str, runs: int) -> dict[str, float]:
    """The first request (computed) and the median of the others (the server's one-minute
    memory answers a report asked again)."""
    seconds = []
    size = 0
    for _ in range(runs):
        status, data, elapsed = browser.get(path)
        if status != 200:
            raise RuntimeError(f"{path}: {status} {data[:200]!r}")
        seconds.append(elapsed)
        size = len(data)
    again = seconds[1:] or seconds
    return {"median_s": round(statistics.median(seconds), 3), "first_s": round(seconds[0], 3),
            "again_s": round(statistics.median(again), 3), "max_s": round(max(seconds), 3),
            "bytes": size, "runs": runs}


def _issue_latencies(url: str, requests: int) -> list[float]:
    kiosk = Client(url, KIOSK_TOKEN)
    latencies = []
    for _ in range(requests):
        status, body, seconds = kiosk.request("POST", "/api/v1/tickets", ISSUE_BODY)
        if status != 201:
            raise RuntimeError(f"issue: {status} {body}")
        latencies.append(seconds * 1000)
    kiosk.close()
    return latencies


def _during_reports(url: str, today: date, requests: int) -> tuple[list[float], int]:
    """Issue latencies while a manager's browser asks for month reports one after another,
    each of a different 30 days (so none comes from the server's one-minute memory)."""
    stop = threading.Event()
    done = [0]

    def keep_reporting() -> None:
        browser = Browser(url)
        browser.sign_in("manager")
        while not stop.is_set():
            end = today - timedelta(days=1 + done[0] % 300)
            browser.get("/staff/reports?" + urlencode(
                {"start": (end - timedelta(days=29)).isoformat(), "end": end.isoformat()}))
            done[0] += 1
        browser.close()

    worker = threading.Thread(target=keep_reporting, daemon=True)
    worker.start()
    time.sleep(1.0)  # the first report is running
    try:
        return _issue_latencies(url, requests), done[0]
    finally:
        stop.set()
        worker.join(timeout=600)


def _write_facts(data: Path) -> tuple[float, int]:
    """The one-off backfill of the report facts (the server's ticker would write them a
    week per round): every day closed on the server's clock, as the server sees it."""
    clock = ManualClock(datetime.fromisoformat(BENCH_CLOCK_START))
    services = open_services(data, load_office(DEMO_OFFICE_PATH), clock)
    try:
        started = time.perf_counter()
        days = services.reports.write_facts(max_days=MAX_PERIOD_DAYS * 10)
        return time.perf_counter() - started, days
    finally:
        services.close()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visits", type=int, default=300_000)
    parser.add_argument("--requests", type=int, default=200, help="issues measured per side")
    parser.add_argument("--runs", type=int, default=3, help="requests per page measured")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.quick:
        args.visits, args.requests, args.runs = 3_000, 10, 1
    today = date.today()
    directory = args.out or RESULTS_DIR
    cache = directory / f"year-{args.visits}-{today.isoformat()}.db"  # history ends yesterday
    if not cache.exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        print(f"building {cache} ({args.visits:,} visits) …", flush=True)
        print(f"  built in {build_year(cache, args.visits, today):.1f} s", flush=True)

    def period(days: int) -> str:
        return urlencode({"start": (today - timedelta(days=days)).isoformat(),
                          "end": (today - timedelta(days=1)).isoformat()})

    month, quarter, year = period(30), period(91), period(365)
    pages = {
        "report, month": f"/staff/reports?{month}",
        "report, quarter": f"/staff/reports?{quarter}",
        "report, year": f"/staff/reports?{year}",
        "report, year, one workplace": f"/staff/reports?{year}&workplace=room_12",
        "summary.xlsx, month": f"/staff/reports/summary.xlsx?{month}",
        "registry.xlsx, month": f"/staff/reports/registry.xlsx?{month}",
        "registry.csv, month": f"/staff/reports/registry.csv?{month}",
        "events.jsonl, month": f"/staff/export/events.jsonl?{month}",
        "events.csv, month": f"/staff/export/events.csv?{month}",
        "today": "/staff/today",
        "today.json": "/staff/today.json",
    }
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-reports-", dir=cache.parent) as tmp:
        data = Path(tmp)
        shutil.copyfile(cache, data / "queue.db")
        backfill_s, days = _write_facts(data)
        print(f"  report facts of {days} closed days written in {backfill_s:.1f} s", flush=True)
        with queue_server(data) as server:
            browser = Browser(server.url)
            browser.sign_in("manager")
            browser.get(f"/staff/reports?{period(1)}")  # warm: first import of matplotlib, openpyxl
            for name, path in pages.items():
                runs = 1 if "year" in name else args.runs
                results[name] = _timed(browser, path, runs if "today" not in name else 10)
                print(f"  {name}: {results[name]['first_s']} s", flush=True)
            alone = _issue_latencies(server.url, args.requests)
            browser.close()
            during, reports_done = _during_reports(server.url, today, args.requests)

    latency = {"without": latency_summary(alone), "during": latency_summary(during)}
    ratios = {figure: latency["during"][f"{figure}_ms"] / latency["without"][f"{figure}_ms"]
              for figure in ("p50", "p99")}
    print_table(f"Reports on {args.visits:,} visits of history (seconds)",
                ("page or export", "first", "again", "MB", "goal"),
                [(name, r["first_s"], r["again_s"], round(r["bytes"] / 2**20, 2),
                  TODAY_GOAL_S if "today" in name else PAGE_GOAL_S) for name, r in results.items()])
    print_table("Kiosk issue latency while month reports run, each a different month (ms)",
                ("side", "p50", "p99"),
                [(side, latency[side]["p50_ms"], latency[side]["p99_ms"]) for side in latency])
    print(f"  ratio during/without: p50 {ratios['p50']:.2f}, p99 {ratios['p99']:.2f} "
          f"(goal ≤ {LATENCY_GOAL}); {reports_done} reports finished meanwhile")
    path = write_result("reports_year", {
        "settings": vars(args) | {"out": str(args.out) if args.out else None},
        "pages": results, "facts_backfill_s": round(backfill_s, 1), "facts_days": days,
        "issue_latency": latency,
        "issue_ratio": {k: round(v, 3) for k, v in ratios.items()}, "reports_during": reports_done,
    }, argv, args.out)
    print(f"  written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
