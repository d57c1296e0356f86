"""The service files in docs/deploy/ start the programs with options the programs accept."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

import pytest

from displays import launcher
from kiosk import cli as kiosk_cli
from queue_server import cli as server_cli

DEPLOY = Path(__file__).resolve().parents[1] / "docs" / "deploy"
UNITS = sorted(DEPLOY.glob("*.service"))
PARSERS = {"queue-server": server_cli._parser, "queue-kiosk": kiosk_cli._run_parser,
           "queue-display": launcher._parser}


def _unit(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None, comment_prefixes=("#", ";"))
    unit.optionxform = str  # keys are case-sensitive in systemd
    unit.read_string(path.read_text("utf-8"))
    return unit


def test_there_are_units_for_the_server_the_kiosk_the_display_and_backups():
    assert {path.stem for path in UNITS} >= {"queue-server", "queue-kiosk", "queue-display", "queue-backup"}
    assert (DEPLOY / "queue-backup.timer").exists() and (DEPLOY / "odno-okno-journald.conf").exists()


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_each_unit_starts_a_program_with_options_it_accepts(path):
    service = _unit(path)["Service"]
    command = shlex.split(service["ExecStart"])
    program = Path(command[0]).name
    assert program in PARSERS, command
    PARSERS[program]().parse_args(command[1:])  # exits (SystemExit) on an unknown option
    assert service["UMask"] == "0077", "files the program creates must be private"
    if service.get("Type") != "oneshot":
        assert service["Restart"] == "always"


def test_the_server_unit_keeps_its_data_where_it_may_write_it():
    service = _unit(DEPLOY / "queue-server.service")["Service"]
    data = shlex.split(service["ExecStart"])
    assert data[data.index("--data") + 1] == "/var/lib/odno-okno" == service["ReadWritePaths"]
