"""A real queue-server process on 127.0.0.1 for integration tests.

It runs ``python -m queue_server demo --headless``: the demo office of Naberezhnye
Chelny with its demo accounts (password ``demo``) and demo device tokens, on an
ephemeral port, with its data in a temporary directory.  ``kill()`` sends SIGKILL,
``restart()`` starts it again on the same port and data.

The demo office refuses kiosk tickets outside its opening hours, so a test run at
night would see only refusals: outside the hours the server's clock is started at
the next opening plus two hours (``--clock-start``); inside them it is the machine's.
A test that needs a clock of its own passes ``clock_start``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

KIOSK_TOKEN = "demo-kiosk-token"
DISPLAY_TOKEN = "demo-display-token"
DEMO_PASSWORD = "demo"
LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:(\d+))")


def office_hours_clock() -> datetime | None:
    """None while the demo office is open; else a moment two hours after it next opens."""
    from queue_server.config import DEMO_OFFICE_PATH, load_office
    from queue_server.domain.schedule import is_open, next_opening

    office = load_office(DEMO_OFFICE_PATH)
    zone = ZoneInfo(office.time_zone)
    local = datetime.now(UTC).astimezone(zone).replace(tzinfo=None)
    if is_open(office, local - timedelta(minutes=0)) and is_open(office, local + timedelta(hours=1)):
        return None  # open now and for the next hour: a test run fits
    opens = next_opening(office, local)
    assert opens is not None
    return (opens + timedelta(hours=2)).replace(tzinfo=zone)


class LiveServer:
    def __init__(self, data_dir: Path, *, extra_args: tuple[str, ...] = (), env: dict | None = None,
                 clock_start: datetime | None = None,
                 log_dir: Path | None = None):
        self.data_dir = data_dir
        clock_start = clock_start or office_hours_clock()
        if clock_start is not None and "--clock-start" not in extra_args:
            extra_args = (*extra_args, "--clock-start", clock_start.isoformat())
        self.log_path = (log_dir or data_dir) / "server.log"  # elsewhere when the data's disk fills
        self.extra_args = extra_args
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.port = 0
        self.url = ""
        self.process: subprocess.Popen | None = None
        self.kiosk_token = KIOSK_TOKEN
        self.display_token = DISPLAY_TOKEN
        self._tokens: dict[str, str] = {}

    def start(self, timeout: float = 20.0) -> LiveServer:
        command = [
            sys.executable, "-m", "queue_server", "demo", "--headless",
            "--data", str(self.data_dir), "--host", "127.0.0.1", "--port", str(self.port),
            *self.extra_args,
        ]
        with self.log_path.open("ab") as log:  # the child keeps its own copy
            self.process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=log, env=self.env, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline().decode("utf-8", "replace")
            if not line:
                raise RuntimeError(f"queue-server exited: {self.log_tail()}")
            match = LISTENING.search(line)
            if match:
                self.url, self.port = match.group(1), int(match.group(2))
                # Keep draining stdout so the server never blocks on a full pipe.
                os.set_blocking(self.process.stdout.fileno(), False)
                return self
        raise RuntimeError(f"queue-server did not start in {timeout}s: {self.log_tail()}")

    def log_tail(self) -> str:
        path = self.log_path
        return path.read_text("utf-8", "replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._forget_process()

    def kill(self) -> None:
        """SIGKILL, as a crash or a pulled plug would."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._forget_process()

    def _forget_process(self) -> None:
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()
        self.process = None

    def restart(self) -> LiveServer:
        self.stop()
        self._tokens.clear()
        return self.start()

    # --- talking to it --------------------------------------------------------------

    def request(self, method: str, path: str, *, token: str | None = None,
                body: object = None, timeout: float = 10.0) -> tuple[int, object]:
        """One HTTP request; answers (status, decoded JSON or None)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            raw, status = error.read(), error.code
        return status, (json.loads(raw) if raw else None)

    def login(self, username: str, password: str = DEMO_PASSWORD) -> str:
        """A bearer token for a demo account (cached per server run)."""
        if username not in self._tokens:
            status, body = self.request(
                "POST", "/api/v1/auth/login", body={"username": username, "password": password}
            )
            assert status == 200, (status, body)
            self._tokens[username] = body["token"]
        return self._tokens[username]

    def issue(self, life_situation: str = "job_search", language: str = "ru",
              priority: bool = False, **extra) -> dict:
        status, body = self.request(
            "POST", "/api/v1/tickets", token=self.kiosk_token,
            body={"life_situation": life_situation, "language": language,
                  "priority": priority, **extra},
        )
        assert status in (200, 201), (status, body)
        return body
