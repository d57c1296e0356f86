"""Every time shown is the office's: the devices list, help calls and the kiosk's test print.

The demo office is in Europe/Moscow (UTC+3).  The kiosk processes below run with
TZ=Asia/Vladivostok (UTC+10), so a time printed in the machine's zone, or in UTC,
cannot pass for the office's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.office import Office, office_now, parse_office
from kiosk.test_print import sample_slip
from kiosk.ticket_slip import build_ticket_slip
from tests.support.printer_listener import PrinterListener, printed_text

ROOT = Path(__file__).parent.parent
OFFICE_ZONE = ZoneInfo("Europe/Moscow")
MACHINE_ZONE = "Asia/Vladivostok"


# --- the server: GET /api/v1/devices and /help-calls --------------------------------------


def test_devices_list_shows_the_report_time_in_office_time(signed_in, clock):
    kiosk, hall = signed_in("kiosk"), signed_in("administrator")
    assert kiosk.post("/api/v1/devices/status", {"printer": "paper_out"}).status_code == 204
    devices = hall.get("/api/v1/devices").get_json()["devices"]
    seen_at = next(device["seen_at"] for device in devices if device["name"] == kiosk.name)
    assert seen_at.endswith("+03:00"), seen_at
    assert datetime.fromisoformat(seen_at) == clock.now()
    assert datetime.fromisoformat(seen_at).strftime("%H:%M") == "10:00"  # Monday 10:00 in the office


def test_open_help_calls_carry_office_time(signed_in, clock):
    kiosk, hall = signed_in("kiosk"), signed_in("administrator")
    assert kiosk.post("/api/v1/help-calls").status_code == 201
    calls = hall.get("/api/v1/help-calls").get_json()["help_calls"]
    assert [call["at"] for call in calls] == [clock.now().astimezone(OFFICE_ZONE).isoformat()]


def test_a_device_that_never_reported_has_no_time(signed_in):
    signed_in("kiosk")
    devices = signed_in("administrator").get("/api/v1/devices").get_json()["devices"]
    assert devices and all(device["seen_at"] is None for device in devices)


# --- the kiosk ---------------------------------------------------------------------------


def test_kiosk_reads_the_office_time_zone(shared_server):
    status, document = shared_server.request("GET", "/api/v1/office", token=shared_server.kiosk_token)
    assert status == 200
    office = parse_office(document)
    assert office.time_zone == "Europe/Moscow"
    assert office_now(office).utcoffset() == timedelta(hours=3)


def test_a_ticket_without_its_time_is_stamped_with_office_time():
    office = Office(id="x", name={"ru": "X"}, situations=(), help_situation=None,
                    time_zone="Asia/Yekaterinburg")
    slip = build_ticket_slip({"number": "А1"}, office, server_url="http://queue.invalid")
    assert slip.issued_at.utcoffset() == timedelta(hours=5)


def test_test_print_sample_carries_an_offset():
    assert sample_slip().issued_at.utcoffset() is not None


def printed_times(zone: ZoneInfo, *extra: str) -> tuple[set[str], list[str]]:
    """Run ``queue-kiosk test-print`` on this machine in Vladivostok time; the printed text,
    and the HH:MM readings of ``zone`` that were current while it ran."""
    env = {**os.environ, "TZ": MACHINE_ZONE, "PYTHONPATH": str(ROOT)}
    started = datetime.now(UTC)
    with PrinterListener() as printer:
        result = subprocess.run([sys.executable, "-m", "kiosk", "test-print", "--printer", printer.spec,
                                 *extra], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        text = printed_text(bytes(printer.last().received))
    finished = datetime.now(UTC)
    minutes, moment = set(), started.replace(second=0, microsecond=0)
    while moment <= finished:
        minutes.add(moment.astimezone(zone).strftime("%H:%M"))
        moment += timedelta(minutes=1)
    return minutes, text


def issued_line(text: list[str]) -> str:
    return next(line for line in text if line.startswith("Выдан"))


def test_test_print_with_a_server_prints_office_time(shared_server):
    expected, text = printed_times(OFFICE_ZONE, "--server", shared_server.url,
                                   "--token", shared_server.kiosk_token)
    assert any(f"в {minute}" in issued_line(text) for minute in expected), (issued_line(text), expected)


def test_test_print_without_a_server_prints_the_machines_local_time():
    expected, text = printed_times(ZoneInfo(MACHINE_ZONE))
    assert any(f"в {minute}" in issued_line(text) for minute in expected), (issued_line(text), expected)
