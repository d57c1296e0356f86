"""A whole simulated office day replayed through a real server at 50× speed, with a kill -9 in the middle.

2,000 visits arrive over a 9-hour day (a morning peak), issued by 4 kiosks; 40
workplaces call, serve and sometimes send visitors on; 20 hall screens follow the
event stream.  Halfway through the day the server is killed with SIGKILL and started
again on the same data: kiosks retry with the same request id (as the real kiosk
does), operators and screens reconnect.  At the end the database is read directly:

- nothing lost: every ticket a kiosk got an answer for is in the database;
- nothing duplicated: one ticket per visit (request id), whatever the retries;
- nobody called twice: a ticket is called at most once per queue it waited in;
- every latency within its goal (outside the seconds of the kill and restart):
  issue, call next, start, finish, and call → every screen.

The baseline, measured in the same run before the day starts, is the same
requests on the quiet server: the day's p50 is given as a ratio to it.

Actors are small classes with ``run(day)``.  Appointments and visitor feedback
(bench/office_day_bookings.py) join them: a call centre books slots through the
morning, its visitors check in at the kiosk around their slot (some early, some
late), and tablets rate a share of the finished visits.  The server's clock runs at
the day's speed (``--clock-speed``), so slots and check-in windows are office time.
After the day, besides the above:

- every booking that got a ticket at check-in is checked in with exactly that ticket,
  one ticket per booking, none lost through the kill -9;
- every rating sent is recorded exactly once.

    python -m bench.office_day [--visits 2000] [--workplaces 40] [--screens 20] [--speed 50]
    python -m bench.office_day --quick          # 200 visits at 400×, a smoke run
    python -m bench.office_day --worker gevent  # the server on one event loop
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bench import office_day_bookings as bookings
from bench.support import (
    REPO,
    Client,
    latency_summary,
    login,
    percentile,
    print_table,
    write_result,
)

DAY_HOURS = 9  # 09:00–18:00
ARRIVAL_WEIGHTS = (6, 10, 12, 11, 8, 7, 9, 8, 5)  # visits per hour, relative: the morning peak
# id, prefix, share of visits, share of the workplaces, service minutes: 40 workplaces serve
# about 2,700 visits in the day and its last hour and a half, so 2,000 leave nobody waiting.
QUEUES = (
    ("reception", "А", 0.35, 0.30, 6),
    ("curator", "К", 0.30, 0.30, 10),
    ("career", "Б", 0.15, 0.15, 12),
    ("psychologist", "П", 0.10, 0.12, 15),
    ("employers", "Р", 0.10, 0.13, 10),
)
SEND_ON_SHARE = 0.1  # visitors an operator sends on to another queue instead of finishing
POLL_MINUTES = 1.0  # an idle operator presses "call next" again after this (office minutes)
GOALS_MS = {"issue": 100.0, "call-next": 50.0, "start": 100.0, "finish": 100.0, "redirect": 100.0,
            "call → screen": 100.0}
KIOSK_TOKEN = "demo-kiosk-token"
DISPLAY_TOKEN = "demo-display-token"
RETRY_PAUSE_S = 0.2
FINISHED = {"services": [], "result": "served"}
QUIET_PREFIX = "quiet-"  # request ids of the baseline's tickets, before the day
DAY_OPENS = datetime.fromisoformat("2026-11-30T09:00+03:00")  # a Monday; the clock starts before it
PRE_DAY_S = 4.0  # about the real seconds from the server's start to the day's (sign-in, baseline)


# --- the office and the day -----------------------------------------------------------------


def office_toml(workplaces: int) -> str:
    """An office of 5 queues and ``workplaces`` workplaces shared among them."""
    parts = ['[office]\nid = "day"\nname = { ru = "Центр занятости", tt = "Эш үзәге", en = "Centre" }\n'
             'time_zone = "Europe/Moscow"\nlanguages = ["ru", "tt", "en"]\n',
             "[hours]\n" + "".join(f'{d} = "00:00-23:59"\n' for d in
                                    ("mon", "tue", "wed", "thu", "fri", "sat", "sun")),
             '[rules]\nend_of_day = "keep"\n', bookings.schedules_toml(),
             '[[zones]]\nid = "hall"\nname = { ru = "Зал", tt = "Зал", en = "Hall" }\n']
    for queue, prefix, _, _, minutes in QUEUES:
        names = f'{{ ru = "{queue}", tt = "{queue}", en = "{queue}" }}'
        parts.append(f'[[queues]]\nid = "{queue}"\nname = {names}\n'
                     f'prefix = "{prefix}"\nservice_minutes = {minutes}\n')
        parts.append(f'[[life_situations]]\nid = "{queue}_visit"\nkind = "citizen"\n'
                     f'name = {names}\ndescription = {names}\n'
                     f'pictogram = "question"\nqueue = "{queue}"\n')
    for number, (queue, _) in enumerate(workplace_queues(workplaces), start=1):
        parts.append(f'[[workplaces]]\nid = "w{number}"\nnumber = "{number}"\nkind = "window"\n'
                     f'zone = "hall"\nlabel = {{ ru = "{queue}", tt = "{queue}", en = "{queue}" }}\n'
                     f'serves = [{{ queue = "{queue}", weight = 1 }}]\n')
    return "\n".join(parts)


def workplace_queues(workplaces: int) -> list[tuple[str, float]]:
    """(queue, service minutes) of each workplace, in proportion to the queues' shares (one at least)."""
    counts = [max(1, round(share * workplaces)) for _, _, _, share, _ in QUEUES]
    while sum(counts) > max(workplaces, len(QUEUES)):
        counts[counts.index(max(counts))] -= 1
    return [(queue, minutes) for (queue, _, _, _, minutes), count in zip(QUEUES, counts, strict=True)
            for _ in range(count)]


@dataclass(frozen=True)
class Visit:
    at_s: float  # arrival, office seconds after opening
    queue: str
    priority: bool
    request_id: str
    send_on_to: str | None  # the queue an operator sends this visitor on to, if any


def plan_day(visits: int, seed: int = 7) -> list[Visit]:
    rng = random.Random(seed)
    hours = rng.choices(range(DAY_HOURS), weights=ARRIVAL_WEIGHTS, k=visits)
    queues = [q[0] for q in QUEUES]
    shares = [q[2] for q in QUEUES]
    plan = []
    for hour in hours:
        queue = rng.choices(queues, weights=shares)[0]
        send_on = rng.choice([q for q in queues if q != queue]) if rng.random() < SEND_ON_SHARE else None
        plan.append(Visit(at_s=(hour + rng.random()) * 3600, queue=queue, priority=rng.random() < 0.05,
                          request_id=str(uuid.UUID(int=rng.getrandbits(128))), send_on_to=send_on))
    return sorted(plan, key=lambda v: v.at_s)


# --- the running day ------------------------------------------------------------------------


@dataclass
class Day:
    """What every actor shares: the clock, the server's address, and what was measured."""

    url: str
    speed: float
    started: float = field(default_factory=time.monotonic)
    arrivals_over: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outage: list[tuple[float, float]] = field(default_factory=list)  # (from, to) monotonic
    confirmed: dict[str, str] = field(default_factory=dict)  # request id -> ticket id
    request_of: dict[str, str] = field(default_factory=dict)  # ticket id -> request id
    calls_sent: dict[tuple[str, int], float] = field(default_factory=dict)  # (ticket, calls) -> sent
    screen_seen: list[dict[tuple[str, int], float]] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    office_origin: datetime = DAY_OPENS  # the server's wall clock at office second 0, measured
    bookings: dict = field(default_factory=dict)  # appointment id -> Booking
    check_ins: dict[int, list] = field(default_factory=lambda: defaultdict(list))  # id -> (status, ticket)
    ratings: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # ticket -> statuses
    extra_requests: set[str] = field(default_factory=set)  # walk-in tickets of booked visitors too late

    def office_seconds(self) -> float:
        return (time.monotonic() - self.started) * self.speed

    def server_wall(self, office_seconds: float) -> datetime:
        """The server's office wall time at this office second of the day."""
        with self.lock:
            return self.office_origin + timedelta(seconds=office_seconds)

    def office_seconds_at(self, wall: datetime) -> float:
        with self.lock:
            return (wall - self.office_origin).total_seconds()

    def count(self, what: str) -> None:
        with self.lock:
            self.errors[what] += 1

    def measure_origin(self, kiosk_token: str, name: str) -> None:
        """Reads the server's clock (a ticket's ``issued_at``) and maps office second 0 to it."""
        client = Client(self.url, kiosk_token, timeout=10)
        sent = time.monotonic()
        status, ticket, _ = client.request("POST", "/api/v1/tickets", {
            "life_situation": "reception_visit", "language": "ru", "request_id": f"{QUIET_PREFIX}{name}"})
        middle = (sent + time.monotonic()) / 2
        client.close()
        assert status == 201, (status, ticket)
        issued = datetime.fromisoformat(ticket["issued_at"]).replace(tzinfo=None)
        with self.lock:
            self.office_origin = issued - timedelta(seconds=(middle - self.started) * self.speed)

    def sleep_office(self, seconds: float) -> None:
        self.stop.wait(seconds / self.speed)

    def in_outage(self, moment: float) -> bool:
        return any(begin - 0.5 <= moment <= end + 2.0 for begin, end in self.outage) or (
            bool(self.outage) and self.outage[-1][1] == 0.0 and moment >= self.outage[-1][0] - 0.5)

    def record(self, action: str, sent: float, seconds: float) -> None:
        with self.lock:
            if not self.in_outage(sent):
                self.latencies[action].append(seconds * 1000)


def _request(day: Day, client: Client, action: str, method: str, path: str, body: object = None,
             *, retry: bool = True) -> tuple[int, object]:
    """One request, retried through connection failures and 5xx answers (the server's restart)."""
    while True:
        sent = time.monotonic()
        try:
            status, answer, seconds = client.request(method, path, body)
        except (OSError, ConnectionError) as error:
            with day.lock:
                day.errors[f"{action}: {type(error).__name__}"] += 1
            if not retry or day.stop.is_set():
                return 0, None
            time.sleep(RETRY_PAUSE_S)
            continue
        if status >= 500 and retry and not day.stop.is_set():
            with day.lock:
                day.errors[f"{action}: {status}"] += 1
            time.sleep(RETRY_PAUSE_S)
            continue
        day.record(action, sent, seconds)
        return status, answer


class Kiosk:
    """Issues the visits given to it at their arrival times, retrying with the same request id."""

    def __init__(self, visits: list[Visit]):
        self.visits = visits

    def run(self, day: Day) -> None:
        client = Client(day.url, KIOSK_TOKEN, timeout=10)
        for visit in self.visits:
            day.sleep_office(max(0.0, visit.at_s - day.office_seconds()))
            if day.stop.is_set():
                return
            status, answer = _request(day, client, "issue", "POST", "/api/v1/tickets", {
                "life_situation": f"{visit.queue}_visit", "language": "ru", "priority": visit.priority,
                "request_id": visit.request_id})
            if status in (200, 201) and isinstance(answer, dict):
                with day.lock:
                    day.confirmed[visit.request_id] = answer["id"]
                    day.request_of[answer["id"]] = visit.request_id
            else:
                with day.lock:
                    day.errors[f"issue answered {status}"] += 1
        client.close()


class Operator:
    """One workplace: call next, start, serve for the queue's time, finish or send on."""

    def __init__(self, workplace: str, service_minutes: float, token: str, send_on: dict[str, str | None],
                 tablets: bookings.FeedbackTablets):
        self.workplace = workplace
        self.tablets = tablets
        self.minutes = service_minutes
        self.token = token
        self.send_on = send_on  # ticket request id -> queue; filled from the plan

    def run(self, day: Day) -> None:
        client = Client(day.url, self.token, timeout=10)
        rng = random.Random(self.workplace)
        while not day.stop.is_set():
            sent = time.monotonic()
            status, ticket = _request(day, client, "call-next", "POST",
                                      f"/api/v1/workplaces/{self.workplace}/call-next")
            if status != 200 or not isinstance(ticket, dict):
                if day.arrivals_over.is_set() and status == 204:
                    pass
                day.sleep_office(POLL_MINUTES * 60)
                continue
            with day.lock:
                day.calls_sent[(ticket["id"], ticket["calls"])] = sent
            day.sleep_office(30)  # the visitor walks to the window
            path = f"/api/v1/tickets/{ticket['id']}"
            _request(day, client, "start", "POST", f"{path}/start", {})
            day.sleep_office(self.minutes * 60 * rng.uniform(0.6, 1.4))
            with day.lock:
                send_to = self.send_on.get(day.request_of.get(ticket["id"], ""))
            if send_to and ticket["queue"] != send_to:  # once: in the new queue it is finished
                _request(day, client, "redirect", "POST", f"{path}/redirect",
                         {"queue": send_to, "comment": ""})
            else:
                status, _ = _request(day, client, "finish", "POST", f"{path}/finish", FINISHED)
                if status == 200:
                    self.tablets.visit_finished(day, ticket["id"], self.workplace)
        client.close()


class Screen:
    """A hall screen: follows the event stream, resuming after the last event it saw."""

    def __init__(self, index: int):
        self.index = index

    def run(self, day: Day) -> None:
        seen: dict[tuple[str, int], float] = {}
        with day.lock:
            day.screen_seen.append(seen)
        last = None
        while not day.stop.is_set():
            url = f"{day.url}/api/v1/events?token={DISPLAY_TOKEN}" + (f"&after={last}" if last else "")
            try:
                with urllib.request.urlopen(url, timeout=15) as stream:
                    event = ""
                    for raw in stream:
                        if day.stop.is_set():
                            return
                        line = raw.decode("utf-8").rstrip("\n")
                        if line.startswith("id:"):
                            last = line[3:].strip()
                        elif line.startswith("event:"):
                            event = line[6:].strip()
                        elif line.startswith("data:") and event in ("ticket.called", "ticket.recalled"):
                            ticket = json.loads(line[5:])["ticket"]
                            seen.setdefault((ticket["id"], ticket["calls"]), time.monotonic())
            except (OSError, urllib.error.URLError, ValueError):
                time.sleep(RETRY_PAUSE_S)


class Crash:
    """kill -9 at the middle of the day, then the server starts again on the same data."""

    def __init__(self, server: OfficeServer, at_fraction: float = 0.5):
        self.server = server
        self.at_fraction = at_fraction
        self.restart_seconds = 0.0

    def run(self, day: Day) -> None:
        day.sleep_office(DAY_HOURS * 3600 * self.at_fraction)
        if day.stop.is_set():
            return
        begin = time.monotonic()
        with day.lock:
            day.outage.append((begin, 0.0))
        self.server.kill()
        # the clock goes on from where it was, plus about the start's duration
        ahead = (self.server.started_in + time.monotonic() - begin) * day.speed
        self.server.start(day.server_wall(day.office_seconds() + ahead).replace(
            tzinfo=DAY_OPENS.tzinfo), day.speed)
        end = time.monotonic()
        day.measure_origin(KIOSK_TOKEN, "clock-after-restart")
        self.restart_seconds = end - begin
        with day.lock:
            day.outage[-1] = (begin, end)


def actors(plan: list[Visit], workplaces: int, screens: int, kiosks: int, admin: str,
           server: OfficeServer, crash: bool) -> list:
    """Every actor of the day: kiosks, operators, screens, the call centre and its visitors,
    feedback tablets, and the crash."""
    send_on = {visit.request_id: visit.send_on_to for visit in plan}
    tablets = bookings.FeedbackTablets()
    cast: list = [Kiosk(plan[n::kiosks]) for n in range(kiosks)]
    cast += [Operator(f"w{n}", minutes, admin, send_on, tablets)
             for n, (_, minutes) in enumerate(workplace_queues(workplaces), start=1)]
    cast += [bookings.CallCentre(round(len(plan) * bookings.BOOKING_SHARE), KIOSK_TOKEN, admin), tablets]
    cast += [Screen(n) for n in range(screens)]
    if crash:
        cast.append(Crash(server))
    return cast


# --- the server ---------------------------------------------------------------------------


class OfficeServer:
    """`queue-server demo` on a fixed port, so that a restart keeps its address."""

    def __init__(self, data_dir: Path, config: Path, worker: str = "threads"):
        self.data_dir = data_dir
        self.config = config
        self.worker = worker
        self.started_in = 0.0  # seconds the last start took
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, clock_start: datetime, speed: float, timeout: float = 60.0) -> None:
        """Starts the server with its office clock at ``clock_start``, running ``speed`` times fast."""
        command = [sys.executable, "-m", "queue_server", "demo", "--headless", "--config", str(self.config),
                   "--data", str(self.data_dir), "--host", "127.0.0.1", "--port", str(self.port),
                   "--worker", self.worker, "--clock-start", clock_start.isoformat(),
                   "--clock-speed", str(speed)]
        begun = time.monotonic()
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        with (self.data_dir.parent / "server.log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=log, env=env, cwd=REPO,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    self.started_in = time.monotonic() - begun
                    return
            except (OSError, urllib.error.URLError):
                if self.process.poll() is not None:
                    raise RuntimeError("queue-server exited") from None
                time.sleep(0.05)
        raise RuntimeError("queue-server did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(15)


# --- checks -------------------------------------------------------------------------------


def check_database(database: Path, day: Day, plan: list[Visit]) -> dict:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        tickets = dict(connection.execute(  # check-ins' tickets are counted with their bookings
            "SELECT request_id, id FROM tickets WHERE request_id IS NOT NULL AND appointment_at IS NULL"))
        per_ticket = Counter(row[0] for row in connection.execute(
            "SELECT ticket_id FROM events WHERE type = 'ticket.called'"))
        queues_waited = Counter(row[0] for row in connection.execute(
            "SELECT ticket_id FROM events WHERE type IN ('ticket.issued', 'ticket.redirected')"))
        statuses = Counter(row[0] for row in connection.execute("SELECT status FROM tickets"))
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()
    tickets = {rid: ticket for rid, ticket in tickets.items() if not rid.startswith(QUIET_PREFIX)}
    lost = [rid for rid, ticket in day.confirmed.items() if tickets.get(rid) != ticket]
    planned = {visit.request_id for visit in plan} | day.extra_requests
    return {"visits": len(plan), "confirmed": len(day.confirmed), "tickets": len(tickets),
            "still_waiting": statuses.get("waiting", 0) + statuses.get("called", 0),
            "lost": len(lost), "duplicated": len(tickets) - len(set(tickets.values())) + len(
                set(tickets) - planned),
            "called_twice": sum(1 for ticket, calls in per_ticket.items() if calls > queues_waited[ticket]),
            "statuses": dict(statuses), "integrity": integrity,
            "late_walk_ins": len(day.extra_requests)}  # booked visitors too late, with an ordinary ticket


def screen_latencies(day: Day) -> list[float]:
    latencies = []
    for (ticket, calls), sent in day.calls_sent.items():
        if day.in_outage(sent):
            continue
        for seen in day.screen_seen:
            if (ticket, calls) in seen:
                latencies.append((seen[(ticket, calls)] - sent) * 1000)
    return latencies


def quiet_baseline(url: str, admin: str, samples: int) -> dict[str, float]:
    """The same requests on the quiet server before the day: p50 of issue and call-next (ms)."""
    kiosk, operator = Client(url, KIOSK_TOKEN), Client(url, admin)
    issue, call = [], []
    for n in range(samples):
        _, _, seconds = kiosk.request("POST", "/api/v1/tickets", {
            "life_situation": "reception_visit", "language": "ru", "request_id": f"{QUIET_PREFIX}{n}"})
        issue.append(seconds * 1000)
        status, called, seconds = operator.request("POST", "/api/v1/workplaces/w1/call-next")
        assert status == 200, (status, called)
        call.append(seconds * 1000)
        operator.request("POST", f"/api/v1/tickets/{called['id']}/start", {})
        operator.request("POST", f"/api/v1/tickets/{called['id']}/finish", FINISHED)
    kiosk.close()
    operator.close()
    return {"issue": percentile(issue, 50), "call-next": percentile(call, 50)}


# --- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.office_day", description=__doc__.split("\n")[0])
    parser.add_argument("--visits", type=int, default=2000)
    parser.add_argument("--workplaces", type=int, default=40)
    parser.add_argument("--screens", type=int, default=20)
    parser.add_argument("--kiosks", type=int, default=4)
    parser.add_argument("--speed", type=float, default=50.0, help="office seconds per real second")
    parser.add_argument("--no-crash", action="store_true", help="no kill -9 in the middle")
    parser.add_argument("--worker", choices=("threads", "gevent"), default="threads",
                        help="the server's worker (queue-server --worker)")
    parser.add_argument("--quick", action="store_true", help="200 visits, 8 workplaces, 4 screens, 400×")
    parser.add_argument("--out", type=Path, default=None, help="directory for the JSON result")
    args = parser.parse_args(argv)
    if args.quick:
        args.visits, args.workplaces, args.screens, args.speed = 200, 8, 4, 400.0

    work = Path(tempfile.mkdtemp(prefix="bench-day-"))
    config = work / "office.toml"
    config.write_text(office_toml(args.workplaces), "utf-8")
    server = OfficeServer(work / "data", config, args.worker)
    server.start(DAY_OPENS - timedelta(hours=min(3.0, args.speed * PRE_DAY_S / 3600)), args.speed)
    plan = plan_day(args.visits)
    try:
        admin = login(server.url, "admin")
        baseline = quiet_baseline(server.url, admin, 30)
        admin = login(server.url, "admin")  # fresh: the session's 12 office hours cover the day
        day = Day(server.url, args.speed)
        day.measure_origin(KIOSK_TOKEN, "clock")
        cast = actors(plan, args.workplaces, args.screens, args.kiosks, admin, server, not args.no_crash)
        threads = [threading.Thread(target=actor.run, args=(day,), daemon=True) for actor in cast]
        for thread in threads:
            thread.start()
        kiosks = [t for t, a in zip(threads, cast, strict=True) if isinstance(a, Kiosk)]
        for thread in kiosks:
            thread.join()
        day.arrivals_over.set()
        day.sleep_office(90 * 60)  # the last visitors are served
        day.stop.set()
        for thread in threads:
            thread.join(20)
        crash = next((a for a in cast if isinstance(a, Crash)), None)
    finally:
        server.stop()
    outcome = check_database(server.data_dir / "queue.db", day, plan)
    booked = bookings.check_bookings(server.data_dir / "queue.db", day)
    goals = {**GOALS_MS, **bookings.GOALS_MS}
    latency = {action: latency_summary(values) for action, values in sorted(day.latencies.items())}
    latency["call → screen"] = latency_summary(screen_latencies(day))
    met = {action: latency[action]["p99_ms"] <= goal for action, goal in goals.items()
           if action in latency and latency[action]["count"]}
    ratios = {action: round(latency[action]["p50_ms"] / baseline[action], 2) for action in baseline}
    print_table(f"office day: {args.visits} visits, {args.workplaces} workplaces, {args.screens} screens, "
                f"{args.kiosks} kiosks, {args.speed:g}×, {args.worker} (ms, outside the restart)",
                ["action", "count", "p50", "p95", "p99", "max", "goal p99", "met"],
                [[a, s["count"], s["p50_ms"], s["p95_ms"], s["p99_ms"], s["max_ms"], goals.get(a, "–"),
                  met.get(a, "–")] for a, s in latency.items()])
    print_table("nothing lost", ["visits", "confirmed", "tickets", "lost", "duplicated", "called twice",
                                 "integrity", "restart s"],
                [[outcome["visits"], outcome["confirmed"], outcome["tickets"], outcome["lost"],
                  outcome["duplicated"], outcome["called_twice"], outcome["integrity"],
                  round(crash.restart_seconds, 2) if crash else "–"]])
    print_table("appointments and feedback", ["bookings", "checked in", "in db", "appointment tickets",
                                              "lost", "duplicated", "ratings sent", "in db", "lost",
                                              "duplicated"],
                [[booked["bookings"], booked["checked_in"], booked["checked_in_db"],
                  booked["appointment_tickets"], booked["check_in_lost"], booked["check_in_duplicated"],
                  booked["ratings_sent"], booked["ratings_in_db"], booked["ratings_lost"],
                  booked["ratings_duplicated"]]])
    print(f"\nbooked visitors: {booked['arrivals']}; bookings at the end: {booked['statuses']}; "
          f"rating answers: {booked['ratings_answers']}")
    print(f"load average at the end: {os.getloadavg()}")
    print(f"\nquiet baseline p50: {baseline}; day p50 / quiet p50: {ratios}")
    print(f"retried through the restart: {dict(day.errors)}")
    write_result("office_day", {
        "visits": args.visits, "workplaces": args.workplaces, "screens": args.screens, "kiosks": args.kiosks,
        "speed": args.speed, "worker": args.worker, "latency": latency, "goals_ms": goals, "met": met,
        "bookings": booked, "load_average": os.getloadavg(),
        "baseline_p50_ms": baseline, "ratios": ratios, "outcome": outcome, "errors": dict(day.errors),
        "restart_seconds": crash.restart_seconds if crash else None}, argv or [], args.out)
    ok = outcome["lost"] == 0 and outcome["duplicated"] == 0 and outcome["called_twice"] == 0 and not any(
        booked[key] for key in ("check_in_lost", "check_in_duplicated", "ratings_lost", "ratings_duplicated"))
    return 0 if ok and outcome["integrity"] == "ok" else 1


if __name__ == "__main__":
    raise SystemExit(main())
