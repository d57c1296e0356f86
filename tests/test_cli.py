"""`python -m queue_server`: a bad office file is refused, accounts and devices are added.

Each command runs as a real process.  Signing in with what a command made goes through
the Flask app on the same data directory (a server process would add nothing there),
except for `run`, which is started for real.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from queue_server import cli
from queue_server.config import DEMO_OFFICE_PATH, load_office
from queue_server.domain.clock import ManualClock
from queue_server.web import create_app
from tests.support.app_fixtures import MONDAY_10_00

ROOT = Path(__file__).resolve().parent.parent
DEMO_TEXT = DEMO_OFFICE_PATH.read_text("utf-8")


def queue_server(*args: str, stdin: str = "", timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "queue_server", *args], input=stdin,
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)


def api(data_dir: Path):
    """A test client of the app the server would run on ``data_dir`` (demo office), its clock
    on a Monday at 10:00 (the office is open: kiosks get tickets)."""
    return create_app(office=load_office(DEMO_OFFICE_PATH), data_dir=data_dir,
                      clock=ManualClock(MONDAY_10_00)).test_client()


def line_of(text: str, fragment: str) -> int:
    return text[:text.index(fragment)].count("\n") + 1


# ---------------------------------------------------------------- a bad office file


@pytest.mark.parametrize(("original", "broken", "key", "reason"), [
    ("calls_before_no_show = 3", "calls_before_no_shows = 3", "rules.calls_before_no_shows",
     "unknown key"),
    ('queue = "employers"\nservices', 'queue = "employer"\nservices', "life_situations[8].queue",
     "unknown queue 'employer'"),
    ('time_zone = "Europe/Moscow"', 'time_zone = "Europe/Moskow"', "office.time_zone", "Moskow"),
])
def test_bad_config_is_refused_with_file_line_key_and_reason(tmp_path, original, broken, key, reason):
    text = DEMO_TEXT.replace(original, broken, 1)
    assert text != DEMO_TEXT
    config = tmp_path / "office.toml"
    config.write_text(text, "utf-8")
    data = tmp_path / "data"

    done = queue_server("run", "--config", str(config), "--data", str(data), "--port", "0")

    assert done.returncode != 0
    where = f"{config}:{line_of(text, broken)}: {key}: "
    message = next((line for line in done.stderr.splitlines() if where in line), None)
    assert message is not None, done.stderr
    assert reason in message.split(where, 1)[1]
    assert "Traceback" not in done.stderr
    assert "listening" not in done.stdout
    assert not data.exists(), "nothing starts on a refused configuration"


def test_run_starts_the_office_of_the_given_file(tmp_path):
    config = tmp_path / "office.toml"
    config.write_text(DEMO_TEXT.replace('en = "Naberezhnye Chelny Employment Centre"',
                                        'en = "Test Office"', 1), "utf-8")
    data = tmp_path / "data"
    added = queue_server("device", "add", "kiosk-7", "--kind", "kiosk", "--config", str(config),
                         "--data", str(data))
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip()

    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "queue_server", "run", "--config", str(config), "--data", str(data),
         "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode()  # blocks until the server says where it is
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        assert match, (line, process.stderr.read1().decode() if process.poll() is not None else "")
        request = urllib.request.Request(match.group(1) + "/api/v1/office",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            office = json.loads(response.read())
        assert office["name"]["en"] == "Test Office"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


# ---------------------------------------------------------------- accounts and devices


def test_user_add_reads_the_password_from_stdin_and_the_user_can_sign_in(tmp_path):
    done = queue_server("user", "add", "olga.k", "--role", "curator", "--workplace", "window_5",
                        "--data", str(tmp_path), stdin="Tatarstan-2026\n")
    assert done.returncode == 0, done.stderr
    assert "Tatarstan-2026" not in done.stdout + done.stderr

    client = api(tmp_path)
    answer = client.post("/api/v1/auth/login", json={"username": "olga.k", "password": "Tatarstan-2026"})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["user"] == {"name": "olga.k", "role": "curator", "workplaces": ["window_5"]}
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.get_json()["role"] == "curator"
    wrong = client.post("/api/v1/auth/login", json={"username": "olga.k", "password": "demo"})
    assert wrong.status_code == 401


def test_user_add_refuses_an_unknown_workplace_and_names_it(tmp_path):
    data = tmp_path / "data"
    done = queue_server("user", "add", "olga", "--role", "curator", "--workplace", "window_3",
                        "--workplace", "window_99", "--data", str(data), stdin="secret-1\n")
    assert done.returncode != 0
    assert "window_99" in done.stderr and "Traceback" not in done.stderr
    assert not data.exists(), "nothing written for a refused account"


def test_user_add_refuses_a_short_password_without_a_traceback(tmp_path):
    done = queue_server("user", "add", "olga", "--role", "curator", "--data", str(tmp_path),
                        stdin="abc\n")
    assert done.returncode != 0
    assert "password" in done.stderr and "Traceback" not in done.stderr


def test_device_add_prints_a_token_that_authenticates(tmp_path):
    kiosk = queue_server("device", "add", "kiosk-2", "--kind", "kiosk", "--data", str(tmp_path))
    display = queue_server("device", "add", "hall-2", "--kind", "display", "--data", str(tmp_path))
    assert kiosk.returncode == display.returncode == 0, kiosk.stderr + display.stderr
    kiosk_token, display_token = kiosk.stdout.strip(), display.stdout.strip()
    assert len(kiosk_token) >= 20 and kiosk_token != display_token

    client = api(tmp_path)
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {kiosk_token}"})
    assert me.get_json() == {"kind": "device", "name": "kiosk-2", "role": "kiosk", "workplaces": []}
    issued = client.post("/api/v1/tickets", json={"life_situation": "job_search"},
                         headers={"Authorization": f"Bearer {kiosk_token}"})
    assert issued.status_code == 201
    refused = client.post("/api/v1/tickets", json={"life_situation": "job_search"},
                          headers={"Authorization": f"Bearer {display_token}"})
    assert refused.status_code == 403
    shown = client.get("/api/v1/workplaces", headers={"Authorization": f"Bearer {display_token}"})
    assert shown.status_code == 200
    stranger = client.get("/api/v1/office", headers={"Authorization": "Bearer not-a-token"})
    assert stranger.status_code == 401


def test_every_command_takes_data_and_refuses_unknown_roles(tmp_path, capsys):
    with pytest.raises(SystemExit) as refused:  # argparse, in this process: nothing to start
        cli.main(["user", "add", "olga", "--role", "boss", "--data", str(tmp_path)])
    assert refused.value.code == 2 and "boss" in capsys.readouterr().err
    for command in (("run",), ("user", "add"), ("device", "add"), ("demo",)):
        with pytest.raises(SystemExit) as helped:
            cli.main([*command, "--help"])
        assert helped.value.code == 0
        text = capsys.readouterr().out
        assert "--data" in text and "--config" in text, command
        if command in (("run",), ("demo",)):
            assert "--ping-seconds" in text and "--replay-limit" in text
    assert not any(tmp_path.iterdir())


def test_user_add_refuses_a_four_character_password(tmp_path):
    done = queue_server("user", "add", "olga", "--role", "curator", "--data", str(tmp_path),
                        stdin="abcd\n")
    assert done.returncode == 2
    assert "password: 8" in done.stderr and "Traceback" not in done.stderr


def test_run_refuses_a_data_directory_the_demo_set_up_until_its_secrets_are_reset(tmp_path):
    import argparse

    from queue_server.cli import DEMO_ACTOR, DEMO_DEVICES, DEMO_PASSWORD, DEMO_STAFF, _seed_demo
    from queue_server.config import load_office
    from queue_server.domain.clock import SystemClock
    from queue_server.service import open_services

    _seed_demo(argparse.Namespace(data=tmp_path, config=None), load_office(DEMO_OFFICE_PATH))
    done = queue_server("run", "--data", str(tmp_path), "--port", "0", timeout=60)
    assert done.returncode == 2, done.stderr
    assert "queue-server demo" in done.stderr and f"rm -r {tmp_path}" in done.stderr
    assert "admin" in done.stderr and "kiosk-1" in done.stderr and "Traceback" not in done.stderr

    services = open_services(tmp_path, load_office(DEMO_OFFICE_PATH), SystemClock())
    for name, *_ in DEMO_STAFF:  # the way out short of a new directory: new secrets for all
        services.accounts.set_password(name, f"{name}-office-secret", actor="test")
    for name, (kind, _) in DEMO_DEVICES.items():
        services.accounts.add_device(name, kind, actor="test")
    assert services.accounts.demo_leftovers(
        actor=DEMO_ACTOR, password=DEMO_PASSWORD,
        tokens={name: token for name, (_, token) in DEMO_DEVICES.items()}) == []
    services.close()


@pytest.mark.parametrize("value", ["-1", "61", "soon"])
def test_speech_wait_is_a_number_of_seconds_up_to_a_minute(tmp_path, capsys, value):
    with pytest.raises(SystemExit) as refused:  # refused before anything starts
        cli.main(["run", "--data", str(tmp_path), "--speech-wait", value])
    assert refused.value.code == 2 and "--speech-wait" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
