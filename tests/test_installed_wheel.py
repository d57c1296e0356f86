"""A built wheel, installed in a fresh virtual environment outside the checkout, runs the office.

As on a kiosk PC or a display PC: no checkout, only the wheel.  The wheel is built
without network (``--no-build-isolation --no-index``); the fresh environment gets the
wheel itself and sees the shared environment's libraries through a ``.pth`` line, which
adds that folder to ``sys.path`` but runs none of its ``.pth`` files, so the
development (editable) install of the checkout stays out of it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.request
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")
KIOSK_TOKEN = "demo-kiosk-token"
DISPLAY_TOKEN = "demo-display-token"


def _run(command: list, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)
    assert result.returncode == 0, (command, result.stdout[-2000:], result.stderr[-3000:])
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin/ folder of a fresh venv holding only the built wheel (plus the shared libraries)."""
    place = tmp_path_factory.mktemp("wheel")
    source = place / "source"  # a clean copy: no build/ leftovers of an earlier build in the checkout
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "var", "*.egg-info", "__pycache__", "tests", "bench", "docs"))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
          "-q", "-w", str(place / "dist"), str(source)])
    wheel = next((place / "dist").glob("odno_okno-*.whl"))
    env_dir = place / "env"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
          "-q", str(wheel)])
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
                .stdout.strip())
    (site / "shared_libraries.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return env_dir / "bin"


def _clean_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, "PYTHONUNBUFFERED": "1", "HOME": str(tmp), "KIVY_HOME": str(tmp / "kivy")}


def test_installed_packages_come_from_the_wheel_with_their_assets(installed, tmp_path):
    probe = ("import assets, queue_server, kiosk, displays\n"
             "from queue_server.i18n import translate\n"
             "from queue_server.config.loader import PICTOGRAM_DIR\n"
             "from displays.speech import CHIME_PATH\n"
             "from kiosk.printing.raster_text import FONT_FILES\n"
             "print(assets.ASSETS_DIR); print(queue_server.__file__); print(kiosk.__file__)\n"
             "assert PICTOGRAM_DIR.joinpath('briefcase.png').is_file()\n"
             "assert CHIME_PATH.is_file() and all(p.is_file() for p in FONT_FILES.values())\n"
             "assert translate('display', next(iter(__import__('queue_server.i18n').i18n"
             ".catalogue('display'))), 'tt')\n")
    out = _run([str(installed / "python"), "-c", probe], cwd=tmp_path, env=_clean_env(tmp_path)).stdout
    env_dir = str(installed.parent)
    for line in out.splitlines():
        assert line.startswith(env_dir) and str(ROOT) not in line, out


def test_installed_server_serves_and_the_installed_kiosk_prints(installed, tmp_path):
    env = _clean_env(tmp_path)
    server = subprocess.Popen(
        [str(installed / "queue-server"), "demo", "--headless", "--data", str(tmp_path / "data"),
         "--port", "0"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    try:
        url = _wait_listening(server)
        with urllib.request.urlopen(f"{url}/healthz", timeout=10) as answer:
            assert answer.status == 200
        with urllib.request.urlopen(f"{url}/display/fonts/DejaVuSans.ttf?token={DISPLAY_TOKEN}",
                                    timeout=10) as answer:
            assert len(answer.read()) > 100_000  # the bundled font, from the installed package
        with urllib.request.urlopen(f"{url}/display/hall/all?token={DISPLAY_TOKEN}",
                                    timeout=10) as answer:
            assert answer.status == 200
        paper = tmp_path / "printer.bin"
        printed = _run([str(installed / "queue-kiosk"), "test-print", "--printer", f"file:{paper}",
                        "--server", url, "--token", KIOSK_TOKEN], cwd=tmp_path, env=env)
        assert "no office time" not in printed.stderr
        assert paper.stat().st_size > 1000 and b"\x1dV" in paper.read_bytes()  # printed and cut
        shown = _run([str(installed / "queue-display"), "--print", "--browser", "/bin/true",
                      f"{url}/display/hall/all?token={DISPLAY_TOKEN}"], cwd=tmp_path, env=env)
        assert "/display/hall/all" in shown.stdout
    finally:
        server.terminate()
        server.wait(15)
        server.stdout.close()


def _wait_listening(server: subprocess.Popen, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    seen = []
    assert server.stdout is not None
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line:
            break
        seen.append(line)
        if match := LISTENING.search(line):
            os.set_blocking(server.stdout.fileno(), False)
            return match.group(1)
    raise AssertionError("installed queue-server did not start: " + "".join(seen)[-3000:])
