"""What every benchmark needs: a server process on loopback, HTTP clients, load, tables.

Only the standard library is imported here, so load-generating child processes
(started with ``spawn``) come up fast and stay light.  Servers are separate
processes, exactly as in production: the load generator and the server never
share a GIL.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO / "var" / "bench"
BENCH_OFFICE = Path(__file__).with_name("office_16.toml")
LISTENING = re.compile(r"listening on (http://[\d.]+:\d+)")
KIOSK_TOKEN = "demo-kiosk-token"
ISSUE_BODY = {"life_situation": "job_search", "language": "ru", "priority": False}  # a kiosk ticket
DEMO_PASSWORD = "demo"
SERVER_THREADS = 400  # the production default of `queue-server run`

IDLE_RECONNECT_S = 5.0  # well below the server's idle timeout for keep-alive connections


# --- server processes -----------------------------------------------------------------


class ServerProcess:
    """A WSGI server in its own process; ``url`` once it prints "listening on URL"."""

    def __init__(self, command: Sequence[str], data_dir: Path, name: str):
        self.command = list(command)
        self.data_dir = data_dir
        self.name = name
        self.url = ""
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._log = log = (self.data_dir / f"{self.name}.log").open("ab")
        env = {**os.environ, "PYTHONUNBUFFERED": "1",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=log, env=env,
                                        cwd=REPO, start_new_session=True)
        assert self.process.stdout is not None
        found: list[str] = []
        self._reader = reader = threading.Thread(target=self._read_stdout, args=(found,), daemon=True)
        reader.start()
        deadline = time.monotonic() + timeout
        while not found and time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_tail()}")
            reader.join(0.05)
        if not found:
            self.stop()
            raise RuntimeError(f"{self.name} did not start in {timeout}s: {self.log_tail()}")
        self.url = found[0]
        return self

    def _read_stdout(self, found: list[str]) -> None:
        """Find the address, then keep draining so the server never blocks on a full pipe."""
        assert self.process is not None and self.process.stdout is not None
        for raw in self.process.stdout:
            if not found and (match := LISTENING.search(raw.decode("utf-8", "replace"))):
                found.append(match.group(1))

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def cpu_seconds(self) -> float:
        """User + system CPU the server process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_tail(self) -> str:
        path = self.data_dir / f"{self.name}.log"
        return path.read_text("utf-8", "replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(5)  # the pipe reaches its end once the process is gone
        assert self.process.stdout is not None
        self.process.stdout.close()
        self._log.close()
        self.process = None

    def __enter__(self) -> ServerProcess:
        return self.start() if self.process is None else self

    def __exit__(self, *exc) -> None:
        self.stop()


BENCH_CLOCK_START = "2026-11-30T10:00+03:00"  # a Monday, 10:00 in the office


def queue_server(data_dir: Path, *, threads: int = SERVER_THREADS, config: Path | None = None,
                 name: str = "queue-server", worker: str = "threads") -> ServerProcess:
    """The real server, demo accounts and device tokens seeded (`queue-server demo --headless`).

    ``worker``: "threads" (waitress, the default) or "gevent" (one event loop, Linux).
    """
    command = [sys.executable, "-m", "queue_server", "demo", "--headless", "--data", str(data_dir),
               "--host", "127.0.0.1", "--port", "0", "--threads", str(threads), "--worker", worker,
               # Open whatever the hour of the run: kiosks get no tickets outside office hours.
               "--clock-start", BENCH_CLOCK_START]
    if config is not None:
        command += ["--config", str(config)]
    return ServerProcess(command, data_dir, name)


def baseline_server(data_dir: Path, *, threads: int = SERVER_THREADS) -> ServerProcess:
    """The bare Flask + SQLite app of bench/_baseline_app.py on the same WSGI server."""
    command = [sys.executable, "-m", "bench._baseline_app", "--data", str(data_dir),
               "--port", "0", "--threads", str(threads)]
    return ServerProcess(command, data_dir, "baseline")


# --- HTTP -------------------------------------------------------------------------------


class Client:
    """One persistent HTTP/1.1 connection, as a kiosk or an operator's browser keeps."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 30.0):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.token = token
        self.timeout = timeout
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        self._last_used = time.monotonic()

    def request(self, method: str, path: str, body: object = None) -> tuple[int, object, float]:
        """(status, decoded JSON or None, seconds from send to the last byte)."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if time.monotonic() - self._last_used > IDLE_RECONNECT_S:
            # The server closes keep-alive connections idle for long (its channel timeout):
            # start afresh rather than race that close (a resent POST could issue twice).
            self.connection.close()
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            raw = response.read()
        except (ConnectionError, http.client.HTTPException):
            self.connection.close()  # the next request reconnects
            raise
        finally:
            self._last_used = time.monotonic()
        elapsed = time.perf_counter() - started
        return response.status, (json.loads(raw) if raw else None), elapsed

    def close(self) -> None:
        self.connection.close()


def login(url: str, username: str, password: str = DEMO_PASSWORD) -> str:
    client = Client(url)
    try:
        status, body, _ = client.request("POST", "/api/v1/auth/login",
                                         {"username": username, "password": password})
    finally:
        client.close()
    if status != 200:
        raise RuntimeError(f"login {username}: {status} {body}")
    assert isinstance(body, dict)
    return body["token"]


# --- closed-loop load -----------------------------------------------------------------


@dataclass(frozen=True)
class RequestSpec:
    method: str
    path: str
    body: object = None
    token: str | None = None
    expect: tuple[int, ...] = (200, 201)


@dataclass
class LoadResult:
    seconds: float
    completed: int
    errors: int
    latencies_ms: list[float] = field(repr=False)
    client_cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.completed / self.seconds


def _client_thread(url: str, spec: RequestSpec, start_at: float, stop_at: float,
                   latencies: list[float], errors: list[str]) -> None:
    client = Client(url, spec.token)
    try:
        # Connect before the start so connection set-up is not measured.
        client.connection.connect()
        time.sleep(max(0.0, start_at - time.time()))
        while True:
            try:
                status, _, elapsed = client.request(spec.method, spec.path, spec.body)
            except (OSError, http.client.HTTPException) as error:
                errors.append(repr(error))
                continue
            if time.time() > stop_at:
                return
            if status in spec.expect:
                latencies.append(elapsed * 1000)
            else:
                errors.append(f"HTTP {status}")
    finally:
        client.close()


def _load_process(url: str, spec: RequestSpec, threads: int, start_at: float, stop_at: float,
                  results) -> None:
    latencies: list[float] = []
    errors: list[str] = []
    workers = [threading.Thread(target=_client_thread,
                                args=(url, spec, start_at, stop_at, latencies, errors))
               for _ in range(threads)]
    for worker in workers:
        worker.start()
    time.sleep(max(0.0, start_at - time.time()))
    cpu_at_start = _cpu_seconds()
    for worker in workers:
        worker.join()
    results.put((latencies, errors[:20], len(errors), _cpu_seconds() - cpu_at_start))


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def closed_loop(url: str, spec: RequestSpec, *, clients: int = 16, seconds: float = 10.0,
                processes: int = 2) -> LoadResult:
    """``clients`` connections each sending ``spec`` back to back for ``seconds``.

    The clients are spread over ``processes`` child processes so the load generator's
    own GIL is not what limits the rate.  Only requests that complete inside the
    window count.
    """
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    per_process = [clients // processes + (1 if i < clients % processes else 0)
                   for i in range(processes)]
    start_at = time.time() + 0.4 + 0.4 * processes  # after every child has started
    stop_at = start_at + seconds
    children = [context.Process(target=_load_process,
                                args=(url, spec, count, start_at, stop_at, results))
                for count in per_process if count]
    for child in children:
        child.start()
    collected = [results.get(timeout=seconds + 120) for _ in children]
    for child in children:
        child.join()
    latencies = [value for part in collected for value in part[0]]
    error_count = sum(part[2] for part in collected)
    if error_count and not latencies:
        raise RuntimeError(f"every request failed: {collected[0][1][:3]}")
    return LoadResult(seconds, len(latencies), error_count, latencies,
                      sum(part[3] for part in collected))


# --- figures ----------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0–100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, round(share / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def latency_summary(latencies_ms: Sequence[float]) -> dict[str, float]:
    return {
        "count": len(latencies_ms),
        "p50_ms": round(percentile(latencies_ms, 50), 2),
        "p95_ms": round(percentile(latencies_ms, 95), 2),
        "p99_ms": round(percentile(latencies_ms, 99), 2),
        "max_ms": round(max(latencies_ms), 2) if latencies_ms else float("nan"),
        "mean_ms": round(statistics.fmean(latencies_ms), 2) if latencies_ms else float("nan"),
    }


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(h) for h in header]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        print("  " + "  ".join(value.rjust(width) for value, width in zip(row, widths, strict=True)))
        if index == 0:
            print("  " + "  ".join("-" * width for width in widths))


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def machine() -> dict[str, object]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "sqlite": _sqlite_version()}


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def write_result(name: str, result: dict, argv: Sequence[str], out_dir: Path | None = None) -> Path:
    """var/bench/<name>.json with the figures, the command line and the machine."""
    directory = out_dir or RESULTS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    payload = {"bench": name, "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
               "command": " ".join(["python", "-m", f"bench.{name}", *argv]),
               "machine": machine(), **result}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=_jsonable) + "\n")
    return path


def _jsonable(value: object) -> object:
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)  # type: ignore[arg-type]
    return str(value)


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


# --- scripted workers (operators, kiosks) -----------------------------------------------


def _worker_process(target, worker_args: list, start_at: float, stop_at: float, results) -> None:
    outcomes: list[dict] = []
    threads = [threading.Thread(target=lambda a=arg: outcomes.append(target(a, start_at, stop_at)))
               for arg in worker_args]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(outcomes)


def run_workers(target, worker_args: Sequence, *, seconds: float, processes: int = 2) -> list[dict]:
    """Run ``target(arg, start_at, stop_at) -> dict`` once per arg, as threads spread
    over ``processes`` child processes, all starting together; returns their dicts.

    ``target`` must be a module-level function (child processes are spawned).
    """
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    groups = [list(worker_args[i::processes]) for i in range(processes)]
    start_at = time.time() + 0.4 + 0.4 * processes
    stop_at = start_at + seconds
    children = [context.Process(target=_worker_process,
                                args=(target, group, start_at, stop_at, results))
                for group in groups if group]
    for child in children:
        child.start()
    outcomes = [item for _ in children for item in results.get(timeout=seconds + 120)]
    for child in children:
        child.join()
    return outcomes


def wait_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.time()))


def poll_until(condition, timeout: float, what: str, interval: float = 0.02):
    """``condition()``'s first truthy value, asked every ``interval`` s; RuntimeError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() <= deadline:
        if value := condition():
            return value
        time.sleep(interval)
    raise RuntimeError(f"timed out after {timeout}s waiting for {what}")
