"""Check-in at the kiosk, touch to ticket on screen, against a walk-in ticket (goal ≤ 1.2×).

    python -m bench.kiosk_check_in [--tickets 20] [--quick]

One demo queue server (its clock from Monday 10:00, office time; the curator
schedule widened to 100 places a slot so every booking is on time) and one kiosk
in the offscreen window.  The call centre books ``--tickets`` visits at 10:20 over
the API first.  Then, alternating so both see the same machine: a walk-in (start,
«Ищу работу», timed from the touch on «Нет» to the number drawn) and a check-in (the
code typed by touch, timed from the touch on «Отметиться» to the number drawn).
The walk-in is the baseline of the same run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.support import write_result
from kiosk.screenshots import DEMO_KIOSK_TOKEN, demo_server
from queue_server.config import DEMO_OFFICE_PATH

GOAL_RATIO = 1.2
SLOT = "2026-11-30T10:20"


def office_file(directory: Path) -> Path:
    """The demo office with room for every booked visitor in one slot."""
    text = DEMO_OFFICE_PATH.read_text("utf-8")
    widened = text.replace('queue = "curator"\nslot_min = 20\ncapacity = 2',
                           'queue = "curator"\nslot_min = 20\ncapacity = 100')
    assert widened != text, "the demo office's curator schedule changed: update the bench"
    path = directory / "office.toml"
    path.write_text(widened, "utf-8")
    return path


def call(server: str, method: str, path: str, token: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(server + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def book(server: str, count: int) -> list[str]:
    token = call(server, "POST", "/api/v1/auth/login", "", {"username": "callcentre",
                                                           "password": "demo"})["token"]
    return [call(server, "POST", "/api/v1/appointments", token,
                 {"queue": "curator", "slot": SLOT})["code"] for _ in range(count)]


def measure(server: str, codes: list[str]) -> tuple[list[float], list[float]]:
    from kiosk.harness import KioskDriver, prepare_offscreen

    prepare_offscreen()
    from kiosk.app import KioskApp, SilentSpeaker
    from kiosk.config import KioskConfig
    from kiosk.flow import Step

    app = KioskApp(KioskConfig(server=server, token=DEMO_KIOSK_TOKEN), speaker=SilentSpeaker())
    kiosk = KioskDriver(app).start()
    kiosk.wait_until(lambda: app.flow.office is not None and app.appointments_enabled)

    def until_number_drawn(button) -> float:
        started = time.perf_counter()
        kiosk.touch(button)
        kiosk.wait_until(lambda: app.flow.step is Step.TICKET)
        kiosk.pump(1, draw=True)  # the number is on the screen
        elapsed = time.perf_counter() - started
        kiosk.touch(kiosk.control("done"))
        return elapsed

    walk_ins, check_ins = [], []
    try:
        for code in codes:
            kiosk.touch(kiosk.control("take_ticket"))
            kiosk.touch(kiosk.tile("job_search"))
            walk_ins.append(until_number_drawn(kiosk.control("no")))
            kiosk.touch(kiosk.control("appointment"))
            keypad = app.current_screen.ids.keypad.children
            for digit in code:
                kiosk.touch(next(b for b in keypad if getattr(b, "text", None) == digit))
            check_ins.append(until_number_drawn(kiosk.control("check_in")))
    finally:
        kiosk.stop()
    return walk_ins, check_ins


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bench.kiosk_check_in")
    parser.add_argument("--tickets", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--out", type=Path, default=None, help="result directory (var/bench)")
    args = parser.parse_args(argv)
    if args.quick:
        args.tickets = 3
    tmp = Path(tempfile.mkdtemp(prefix="bench-check-in-"))
    with demo_server("--config", str(office_file(tmp))) as server:
        codes = book(server, args.tickets)
        walk_ins, check_ins = measure(server, codes)
    walk, check = statistics.median(walk_ins), statistics.median(check_ins)
    ratio = check / walk
    verdict = "ok" if ratio <= GOAL_RATIO else "MISSED"
    print(f"\nTouch to ticket on screen, {args.tickets} each, alternating")
    print(f"  {'measure':26} {'median s':>9} {'max s':>7}")
    print(f"  {'walk-in (baseline)':26} {walk:>9.3f} {max(walk_ins):>7.3f}")
    print(f"  {'check-in with a code':26} {check:>9.3f} {max(check_ins):>7.3f}")
    print(f"  ratio check-in / walk-in: {ratio:.2f} (goal ≤ {GOAL_RATIO}) {verdict}")
    write_result("kiosk_check_in", {
        "tickets": args.tickets, "walk_in_median_s": round(walk, 4),
        "check_in_median_s": round(check, 4), "ratio": round(ratio, 3), "goal_ratio": GOAL_RATIO,
        "met": ratio <= GOAL_RATIO, "walk_in_s": walk_ins, "check_in_s": check_ins,
    }, argv, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
