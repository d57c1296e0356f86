"""The kiosk program prints each log line once (``queue-kiosk``, as ``./dev demo`` starts it)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.support.printer_listener import free_port

pytestmark = [pytest.mark.kivy]
ROOT = Path(__file__).parent.parent
STARTED = "Start application main loop"
BASIC_FORMAT_LINE = re.compile(r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL):")  # logging.basicConfig's


def kiosk_output_until_started(tmp_path: Path) -> list[str]:
    """Run ``python -m kiosk`` offscreen with Kivy's own console logging; its lines until the
    main loop starts (no server answers: the kiosk starts anyway and shows "unavailable")."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("KIVY_")}  # the tests' offscreen settings silence the console
    env.update(SDL_VIDEODRIVER="offscreen", KIVY_HOME=str(tmp_path), PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "kiosk", "--server", f"http://127.0.0.1:{free_port()}",
               "--token", "any", "--printer", "none"]
    lines: list[str] = []
    with subprocess.Popen(command, cwd=ROOT, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as process:
        watchdog = threading.Timer(60, process.kill)
        watchdog.start()
        try:
            for line in process.stdout:
                lines.append(line.rstrip("\n"))
                if STARTED in line:
                    break
        finally:
            watchdog.cancel()
            process.kill()
    assert any(STARTED in line for line in lines), "\n".join(lines[-20:])
    return lines


def test_each_log_line_is_printed_once(tmp_path):
    lines = kiosk_output_until_started(tmp_path)
    assert [line for line in lines if BASIC_FORMAT_LINE.match(line)] == []
    assert sum(STARTED in line for line in lines) == 1
    kivy_lines = [line for line in lines if line.startswith("[")]
    assert len(kivy_lines) > 10, lines
