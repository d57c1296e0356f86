"""Screenshots of every kiosk screen in ru, tt and en, normal and high-contrast themes.

    python -m kiosk.screenshots docs/screenshots [--server URL --token TOKEN]

Without ``--server`` it starts the demo queue server (``python -m queue_server
demo --headless``) on a free loopback port for the run.  Files are named
``kiosk-<screen>-<language>-<theme>.png``.
"""

from __future__ import annotations

import argparse
import re
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.harness import KioskDriver, prepare_offscreen

LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")
DEMO_KIOSK_TOKEN = "demo-kiosk-token"
DEMO_CLOCK_START = "2026-11-30T10:00+03:00"
"""The demo server's clock starts on a Monday at 10:00, office time: open, whatever the hour
of the run (the server refuses kiosk tickets outside the office's hours)."""


@contextmanager
def demo_server(*extra_args: str) -> Iterator[str]:
    """A demo queue server in a child process, for the length of the run."""
    data = tempfile.mkdtemp(prefix="kiosk-shots-")
    process = subprocess.Popen(
        [sys.executable, "-m", "queue_server", "demo", "--headless", "--data", data,
         "--host", "127.0.0.1", "--port", "0", "--clock-start", DEMO_CLOCK_START, *extra_args],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            match = LISTENING.search(line)
            if match:
                yield match.group(1)
                break
        else:
            raise RuntimeError("the demo server did not start")
    finally:
        process.terminate()
        process.wait(10)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


VARIANTS = [
    *((theme, language) for theme in ("normal", "high_contrast") for language in ("ru", "tt", "en")),
    ("larger_text", "tt"),
]


def capture_all(out_dir: Path, server: str, token: str) -> list[Path]:
    written: list[Path] = []
    for theme_name, language in VARIANTS:
        written += capture_variant(out_dir, server, token, theme_name, language)
    return written


def capture_variant(out_dir: Path, server: str, token: str, theme_name: str,
                    language: str) -> list[Path]:
    """Walk through every screen once in one language and theme, saving each."""
    from kiosk.app import KioskApp, SilentSpeaker
    from kiosk.config import KioskConfig
    from kiosk.flow import PrintState, Step

    config = KioskConfig(server=server, token=token, appointments=True,
                         printer=f"net:127.0.0.1:{closed_port()}", poll_seconds=60)
    kiosk = KioskDriver(KioskApp(config, speaker=SilentSpeaker())).start()
    flow = kiosk.app.flow
    kiosk.wait_until(lambda: flow.office is not None, what="office")
    written: list[Path] = []

    def shot(screen: str) -> None:
        path = out_dir / f"kiosk-{screen}-{language}-{theme_name}.png"
        written.append(kiosk.screenshot(path))

    try:
        kiosk.touch(kiosk.control(f"lang_{language}"))  # goes on to the situations
        kiosk.touch(kiosk.control("start_over_button"))
        if theme_name == "high_contrast":
            kiosk.touch(kiosk.control("contrast_button"))
        if theme_name == "larger_text":
            kiosk.touch(kiosk.control("larger_text_button"))
        shot("start")
        kiosk.touch(kiosk.control("take_ticket"))
        shot("situation")
        kiosk.touch(kiosk.tile("staff_search"))  # employers: no question, «Get my ticket»
        shot("confirm")
        kiosk.touch(kiosk.control("back_button"))
        kiosk.touch(kiosk.tile("job_search"))
        shot("priority")
        kiosk.touch(kiosk.control("no"))  # the answer asks for the ticket
        kiosk.wait_until(lambda: flow.print_state is PrintState.FAILED, what="ticket")
        shot("ticket-not-printed")
        flow.print_state = PrintState.PRINTING  # how it reads after a good print
        flow.printed(True)
        shot("ticket")
        kiosk.touch(kiosk.control("done"))
        kiosk.touch(kiosk.control("appointment"))
        for digit in "2417":
            flow.press_digit(digit)
        shot("appointment")
        kiosk.touch(kiosk.control("start_over_button"))
        kiosk.touch(kiosk.control("call_admin"))
        kiosk.wait_until(lambda: flow.step is Step.HELP_COMING, what="help")
        shot("help")
        kiosk.touch(kiosk.control("start_over_button"))
        flow.connection_changed(False)
        kiosk.touch(kiosk.control("take_ticket"))
        shot("unavailable")
        flow.connection_changed(True)
        kiosk.touch(kiosk.control("start_over_button"))
        kiosk.touch(kiosk.control("speech_button"))
        kiosk.touch(kiosk.control("take_ticket"))  # speech mode: the first touch names it
        shot("speech-mode")
    finally:
        kiosk.stop()
    return written


def shrink(paths: list[Path]) -> None:
    """Palette PNGs: the screens have few colours, and docs/ should stay small."""
    from PIL import Image

    for path in paths:
        with Image.open(path) as image:
            small = image.convert("RGB").quantize(colors=64)
        small.save(path, optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.screenshots", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--server", help="queue server address (default: start the demo one)")
    parser.add_argument("--token", default=DEMO_KIOSK_TOKEN, help="kiosk device token")
    options = parser.parse_args(argv)
    prepare_offscreen()
    if options.server:
        written = capture_all(options.out_dir, options.server, options.token)
    else:
        with demo_server() as url:
            written = capture_all(options.out_dir, url, options.token)
    shrink(written)
    print(f"{len(written)} screenshots in {options.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
