"""Kiosk settings: defaults, a TOML file, then command-line options, in that order.

Each setting is a named record with a default and a help line (docs/kiosk.md
lists them all).  A wrong file names the file, the line and the key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS = (
    Setting("server", "http://127.0.0.1:8080", "address of the queue server"),
    Setting("token", "", "the kiosk's device token (queue-server device add NAME --kind kiosk)"),
    Setting("printer", "none", "ticket printer: usb:VID:PID, serial:PORT[:BAUD], net:HOST[:PORT], "
            "file:PATH or none"),
    Setting("fullscreen", False, "fill the screen, no window border"),
    Setting("speech", False, "speech mode on by default (and after every idle reset)"),
    Setting("appointments", True, "show the «I have an appointment» button once the server "
            "checks bookings in (false hides it)"),
    Setting("idle_seconds", 60.0, "back to the start screen, Russian, defaults after this idle time"),
    Setting("poll_seconds", 3.0, "how often to check the server while it is unreachable"),
    Setting("request_timeout", 5.0, "seconds to wait for one answer from the server"),
    Setting("request_attempts", 3, "attempts to issue one ticket (same request id each time)"),
    Setting("speech_rate", 130, "speaking rate in words per minute (slow by default)"),
    Setting("speech_volume", 1.0, "speech volume, 0.2 to 1.0"),
)


@dataclass(frozen=True)
class KioskConfig:
    server: str = "http://127.0.0.1:8080"
    token: str = ""
    printer: str = "none"
    fullscreen: bool = False
    speech: bool = False
    appointments: bool = True
    idle_seconds: float = 60.0
    poll_seconds: float = 3.0
    request_timeout: float = 5.0
    request_attempts: int = 3
    speech_rate: int = 130
    speech_volume: float = 1.0


class ConfigError(ValueError):
    """A setting is wrong; the message says where."""


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def _checked(name: str, value: Any, default: Any) -> Any:
    """``value`` converted to the type of ``default``, or a ValueError saying why."""
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be a whole number")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("must be a number")
        if value <= 0:
            raise ValueError("must be above zero")
        return float(value)
    if not isinstance(value, str):
        raise ValueError("must be a quoted string")
    return value


def load_config_file(path: Path) -> dict[str, Any]:
    """The settings in a TOML file (flat keys, or under a ``[kiosk]`` table)."""
    try:
        text = path.read_text("utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from error
    if isinstance(data.get("kiosk"), dict):
        data = data["kiosk"]
    known = {setting.name: setting for setting in SETTINGS}
    values: dict[str, Any] = {}
    for key, value in data.items():
        line = _line_of(text, key)
        where = f"{path}:{line}" if line else str(path)
        if key not in known:
            raise ConfigError(f"{where}: unknown setting {key!r} (known: {', '.join(known)})")
        try:
            values[key] = _checked(key, value, known[key].default)
        except ValueError as error:
            raise ConfigError(f"{where}: {key} {error}") from None
    return values


def build_config(file_values: dict[str, Any], overrides: dict[str, Any]) -> KioskConfig:
    """Defaults, then the file, then the options given on the command line."""
    names = {field.name for field in fields(KioskConfig)}
    merged = {**file_values, **{k: v for k, v in overrides.items() if v is not None}}
    return KioskConfig(**{k: v for k, v in merged.items() if k in names})
