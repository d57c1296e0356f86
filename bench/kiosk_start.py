"""Kiosk figures: cold start to the first screen, and touch to ticket on screen.

    python -m bench.kiosk_start [--starts 5] [--tickets 30]

Both run against the demo queue server on 127.0.0.1 (started here), in the
offscreen window.  Baselines measured in the same run:

* cold start — a bare Kivy window with one label, started the same way;
* touch to ticket — the bare ``POST /api/v1/tickets`` over HTTP from Python.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.request

from kiosk.screenshots import DEMO_KIOSK_TOKEN, demo_server

KIOSK_START = """
import sys, time
started = float(sys.argv[1])
from kiosk.harness import prepare_offscreen, KioskDriver
prepare_offscreen()
from kiosk.app import KioskApp, SilentSpeaker
from kiosk.config import KioskConfig
app = KioskApp(KioskConfig(server=sys.argv[2], token=sys.argv[3]), speaker=SilentSpeaker())
kiosk = KioskDriver(app).start()
kiosk.wait_until(lambda: app.flow.office is not None and app.screens.current == "start")
kiosk.pump(1, draw=True)
print(time.time() - started, flush=True)
kiosk.stop()
"""

BARE_KIVY_START = """
import sys, time
started = float(sys.argv[1])
from kiosk.harness import prepare_offscreen
prepare_offscreen()
from kivy.base import EventLoop
from kivy.uix.label import Label
EventLoop.ensure_window()
EventLoop.window.add_widget(Label(text="Одно окно", font_size=64))
EventLoop.idle()
print(time.time() - started, flush=True)
"""


def cold_start(script: str, *args: str) -> float:
    """Seconds from spawning the process to its first drawn screen."""
    result = subprocess.run(
        [sys.executable, "-c", script, repr(time.time()), *args],
        capture_output=True, text=True, check=True, timeout=60,
    )
    return float(result.stdout.strip().splitlines()[-1])


def touch_to_ticket(server: str, count: int) -> list[float]:
    from kiosk.harness import KioskDriver, prepare_offscreen

    prepare_offscreen()
    from kiosk.app import KioskApp, SilentSpeaker
    from kiosk.config import KioskConfig
    from kiosk.flow import Step

    app = KioskApp(KioskConfig(server=server, token=DEMO_KIOSK_TOKEN), speaker=SilentSpeaker())
    kiosk = KioskDriver(app).start()
    kiosk.wait_until(lambda: app.flow.office is not None)
    timings, phases = [], []
    try:
        for _ in range(count):
            kiosk.touch(kiosk.control("take_ticket"))
            kiosk.touch(kiosk.tile("job_search"))
            button = kiosk.control("no")  # the answer asks for the ticket
            started = time.perf_counter()
            kiosk.touch(button)
            kiosk.wait_until(lambda: app.flow.step is Step.TICKET)
            confirmed = time.perf_counter()
            kiosk.pump(1, draw=True)  # the number is on the screen
            timings.append(time.perf_counter() - started)
            phases.append(confirmed - started)
            kiosk.touch(kiosk.control("done"))
    finally:
        kiosk.stop()
    return timings, phases


def bare_post(server: str, count: int) -> list[float]:
    timings = []
    for index in range(count):
        body = json.dumps({"life_situation": "job_search", "language": "ru", "priority": False,
                           "request_id": f"bench-{time.time_ns()}-{index}"}).encode()
        request = urllib.request.Request(server + "/api/v1/tickets", data=body, method="POST")
        request.add_header("Content-Type", "application/json")
        request.add_header("Authorization", f"Bearer {DEMO_KIOSK_TOKEN}")
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
        timings.append(time.perf_counter() - started)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.kiosk_start")
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--tickets", type=int, default=30)
    options = parser.parse_args(argv)
    with demo_server() as server:
        kiosk_starts = [cold_start(KIOSK_START, server, DEMO_KIOSK_TOKEN)
                        for _ in range(options.starts)]
        bare_starts = [cold_start(BARE_KIVY_START) for _ in range(options.starts)]
        baseline = bare_post(server, options.tickets)
        kiosk, until_shown = touch_to_ticket(server, options.tickets)

    rows = [
        ("cold start to first screen", kiosk_starts, bare_starts, "bare Kivy window", 3.0),
        ("touch to ticket on screen", kiosk, baseline, "bare HTTP POST", 0.5),
        ("  of which: until screen built", until_shown, baseline, "bare HTTP POST", 0.5),
    ]
    print(f"{'measure':30} {'n':>3} {'median s':>9} {'p95 s':>7} {'baseline s':>10} "
          f"{'ratio':>6}  {'goal':>6}  baseline")
    for name, values, base, base_name, goal in rows:
        median, base_median = statistics.median(values), statistics.median(base)
        verdict = "ok" if median < goal else "MISSED"
        print(f"{name:30} {len(values):>3} {median:>9.3f} {percentile(values, 0.95):>7.3f} "
              f"{base_median:>10.3f} {median / base_median:>6.1f}  <{goal:<4} {verdict:6} "
              f"{base_name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
