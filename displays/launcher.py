"""`queue-display URL`: open a display page full screen in Chromium, sound allowed.

    queue-display "http://queue-server:8080/display/hall/all?token=..."
    queue-display --browser /opt/chrome/chrome --profile /var/lib/display URL

The flags let a TV PC play announcements with nobody touching it (no autoplay
gesture), and keep crash bubbles, first-run pages and translation offers off the
screen.  A separate profile directory keeps the kiosk browser apart from anyone's
own browsing.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

LINUX_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
WINDOWS_PATHS = (
    r"Google\Chrome\Application\chrome.exe",
    r"Chromium\Application\chrome.exe",
    r"Microsoft\Edge\Application\msedge.exe",  # Chromium-based, present on every Windows 10/11
)
KIOSK_FLAGS = (
    "--kiosk",
    "--autoplay-policy=no-user-gesture-required",
    "--noerrdialogs",
    "--disable-session-crashed-bubble",
    "--disable-infobars",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-translate",
    "--disable-features=Translate",
    "--disable-pinch",
    "--overscroll-history-navigation=0",
    "--check-for-update-interval=31536000",
)


class BrowserNotFound(RuntimeError):
    pass


def find_browser(platform: str | None = None, environ: dict[str, str] | None = None) -> str:
    """The path of Chromium or Chrome (Edge on Windows as a last resort)."""
    platform = platform or sys.platform
    environ = dict(os.environ if environ is None else environ)
    if platform.startswith("win"):
        roots = [environ.get(name) for name in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA")]
        for root in filter(None, roots):
            for relative in WINDOWS_PATHS:
                candidate = Path(root) / relative
                if candidate.exists():
                    return str(candidate)
        names = ("chrome.exe", "msedge.exe")
    else:
        names = LINUX_NAMES
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserNotFound("no Chromium or Chrome found; install chromium or pass --browser PATH")


def default_profile() -> Path:
    base = os.environ.get("LOCALAPPDATA") or os.environ.get("XDG_STATE_HOME") or Path.home() / ".local/state"
    return Path(base) / "odno-okno" / "display-profile"


def command_for(url: str, browser: str, profile: Path, *, windowed: bool = False) -> list[str]:
    flags = [flag for flag in KIOSK_FLAGS if not (windowed and flag == "--kiosk")]
    return [browser, *flags, f"--user-data-dir={profile}", url]


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"not a display address: {url!r} (http://host:port/display/...)")
    if "/display/" not in parts.path:
        raise argparse.ArgumentTypeError(f"{url!r} is not a /display/ page of the queue server")
    return url


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="queue-display", description=__doc__.split("\n")[0])
    parser.add_argument("url", type=check_url,
                        help="the display page, with its token: http://host:port/display/hall/all?token=...")
    parser.add_argument("--browser", help="Chromium or Chrome executable (default: found on PATH)")
    parser.add_argument("--profile", type=Path, default=None,
                        help=f"browser profile directory (default {default_profile()})")
    parser.add_argument("--windowed", action="store_true", help="not full screen (for setting up)")
    parser.add_argument("--print", dest="print_only", action="store_true",
                        help="print the command instead of running it")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        browser = args.browser or find_browser()
    except BrowserNotFound as error:
        print(f"queue-display: {error}", file=sys.stderr)
        return 2
    profile = args.profile or default_profile()
    command = command_for(args.url, browser, profile, windowed=args.windowed)
    if args.print_only:
        print(subprocess.list2cmdline(command) if sys.platform.startswith("win") else shlex.join(command))
        return 0
    profile.mkdir(parents=True, exist_ok=True)
    try:
        return subprocess.call(command)
    except OSError as error:
        print(f"queue-display: cannot start {browser}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
