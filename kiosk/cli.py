"""``queue-kiosk``: run the touch kiosk, or check a printer with ``test-print``.

    queue-kiosk --server URL --token TOKEN --printer SPEC [--fullscreen] [--speech]
                [--config FILE]
    queue-kiosk test-print --printer SPEC [--server URL --token TOKEN | --config FILE]

Settings come from defaults, then ``--config FILE`` (TOML), then the options.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kiosk.config import SETTINGS, ConfigError, KioskConfig, build_config, load_config_file

WINDOW_SIZE = (1920, 1080)


def _run_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="queue-kiosk",
        description="Touch kiosk of Odno okno (one window): a visitor takes a ticket.",
        epilog="Maintenance: queue-kiosk test-print --printer SPEC prints a sample ticket.",
    )
    helps = {setting.name: setting.help for setting in SETTINGS}
    parser.add_argument("--config", type=Path, help="TOML file with kiosk settings")
    parser.add_argument("--server", help=helps["server"])
    parser.add_argument("--token", help=helps["token"])
    parser.add_argument("--printer", metavar="SPEC", help=helps["printer"])
    parser.add_argument("--fullscreen", action="store_true", default=None, help=helps["fullscreen"])
    parser.add_argument("--speech", action="store_true", default=None, help=helps["speech"])
    return parser


def _test_print_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="queue-kiosk test-print",
        description="Print a sample ticket (Russian and Tatar lines, QR code) to check a printer.",
    )
    parser.add_argument("--printer", metavar="SPEC", required=True,
                        help="usb:VID:PID, serial:PORT[:BAUD], net:HOST[:PORT], file:PATH")
    parser.add_argument("--config", type=Path, help="the kiosk's TOML settings (server and token)")
    parser.add_argument("--server", help="queue server whose office time is printed")
    parser.add_argument("--token", help="the kiosk's device token for --server")
    return parser


def _test_print(argv: list[str]) -> int:
    options = _test_print_parser().parse_args(argv)
    from kiosk.test_print import office_time
    from kiosk.test_print import run as run_test_print

    try:
        file_values = load_config_file(options.config) if options.config else {}
    except ConfigError as error:
        print(f"queue-kiosk: {error}", file=sys.stderr)
        return 2
    config = build_config(file_values, {"server": options.server, "token": options.token})
    # The office's time if a server is named; without one, this machine's local time.
    now = office_time(config.server, config.token) if config.token else None
    return run_test_print(options.printer, now=now)


def parse_config(argv: list[str]) -> KioskConfig:
    """The effective settings; ConfigError or SystemExit (argparse) when they are wrong."""
    options = _run_parser().parse_args(argv)
    file_values = load_config_file(options.config) if options.config else {}
    config = build_config(file_values, {
        "server": options.server, "token": options.token, "printer": options.printer,
        "fullscreen": options.fullscreen, "speech": options.speech,
    })
    if not config.token:
        raise ConfigError("no kiosk token: give --token or token = \"...\" in the config file")
    if not config.server.startswith(("http://", "https://")):
        raise ConfigError(f"server must be an http:// or https:// address, not {config.server!r}")
    from kiosk.printing import parse_printer_spec

    try:
        parse_printer_spec(config.printer)
    except ValueError as error:
        raise ConfigError(f"printer: {error}") from None
    return config


def prepare_kivy(fullscreen: bool) -> None:
    """Kivy settings that must be set before Kivy creates the window."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # our options are not Kivy's
    from kivy.config import Config

    Config.set("graphics", "width", str(WINDOW_SIZE[0]))
    Config.set("graphics", "height", str(WINDOW_SIZE[1]))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("kivy", "exit_on_escape", "0")


def use_kivy_logging() -> None:
    """Make Kivy's handlers the only log output; call before anything imports python-escpos.

    python-escpos calls ``logging.basicConfig()`` when it is imported.  Imported before
    Kivy, it gave the root logger a second handler beside Kivy's console handler, and
    every log line of the kiosk was printed twice.  With Kivy's logging in place first,
    ``basicConfig`` finds a handler and does nothing.
    """
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # our options are not Kivy's
    import kivy.logger  # noqa: F401  (sets up Kivy's handlers)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] != ["test-print"]:
        use_kivy_logging()
    if argv[:1] == ["test-print"]:
        return _test_print(argv[1:])
    try:
        config = parse_config(argv)
    except ConfigError as error:
        print(f"queue-kiosk: {error}", file=sys.stderr)
        return 2
    prepare_kivy(config.fullscreen)
    from kiosk.app import KioskApp

    KioskApp(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
