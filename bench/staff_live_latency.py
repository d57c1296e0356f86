"""How fast a new ticket shows on the staff pages, against the raw event stream.

One demo server process on 127.0.0.1, two headless Chromium sessions (the hall
administrator's console and curator1's operator page) and one plain SSE client.
For each ticket the kiosk issues, we take the wall-clock time just before the POST
and, in each page, the moment a MutationObserver sees the number appear
(performance.timeOrigin + now(), same machine clock).  The baseline is the same
ticket's ``ticket.issued`` event arriving at a bare Python SSE reader: the pages'
figures are given as ratios to it.

    python -m bench.staff_live_latency [--tickets 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from tests.support.live_server import LiveServer
from tests.test_staff_browser import StaffBrowser

WATCH = """
window.__seen = {};
const stamp = () => {
  const now = performance.timeOrigin + performance.now();
  const numbers = [...document.querySelectorAll(arguments[0])]
    .flatMap(node => (node.dataset.number || node.textContent).split(/\\s+/)).filter(Boolean);
  for (const number of numbers) if (!(number in window.__seen)) window.__seen[number] = now;
};
new MutationObserver(stamp).observe(document.body, {subtree: true, childList: true, characterData: true});
stamp();
"""


class EventReader(threading.Thread):
    """A bare SSE client: when did each ticket.issued event arrive?"""

    def __init__(self, url: str, token: str):
        super().__init__(daemon=True)
        self.url = f"{url}/api/v1/events?token={token}"
        self.seen: dict[str, float] = {}
        self.ready = threading.Event()

    def run(self) -> None:
        with urllib.request.urlopen(self.url, timeout=60) as stream:
            self.ready.set()
            event = ""
            for raw in stream:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "ticket.issued":
                    number = json.loads(line[5:])["ticket"]["number"]
                    self.seen.setdefault(number, time.time() * 1000)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=30)
    args = parser.parse_args()

    server = LiveServer(Path(tempfile.mkdtemp(prefix="bench-staff-"))).start()
    console = StaffBrowser(server.url)
    operator = StaffBrowser(server.url)
    try:
        console.sign_in("hall", "/staff/console")
        operator.sign_in("curator1", "/staff/")
        console.driver.execute_script(WATCH, "#queues .chip[data-number]")
        operator.driver.execute_script(WATCH, "#my-queues .queue-numbers")
        reader = EventReader(server.url, server.login("hall"))
        reader.start()
        reader.ready.wait(10)

        issued: dict[str, float] = {}
        for _ in range(args.tickets):
            started = time.time() * 1000
            number = server.issue("job_search")["number"]
            issued[number] = started
            for browser in (console, operator):
                browser.wait_js("return arguments[0] in window.__seen", number)

        seen = {
            "event stream (baseline)": reader.seen,
            "administrator console": console.driver.execute_script("return window.__seen"),
            "operator queue panel": operator.driver.execute_script("return window.__seen"),
        }
        print(f"{args.tickets} tickets, issue → visible, milliseconds")
        print(f"{'where':26} {'p50':>7} {'p95':>7} {'max':>7} {'p50 / baseline':>15}")
        baseline = None
        for where, times in seen.items():
            delays = [times[number] - issued[number] for number in issued if number in times]
            p50 = statistics.median(delays)
            baseline = baseline or p50
            print(f"{where:26} {p50:7.1f} {percentile(delays, 0.95):7.1f} {max(delays):7.1f}"
                  f" {p50 / baseline:15.1f}")
    finally:
        console.quit()
        operator.quit()
        server.stop()


if __name__ == "__main__":
    main()
