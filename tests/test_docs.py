"""The docs name every office configuration key, kiosk setting and command-line option.

The lists come from the code: the tables the office loader checks (recorded while it
loads the demo office), ``kiosk.config.SETTINGS`` and the argparse parsers of
``queue-server``, ``queue-kiosk`` and ``queue-display``.  Each must have its row in
the docs, and every row there must still exist in the code.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from displays import launcher
from kiosk import cli as kiosk_cli
from kiosk.config import SETTINGS
from queue_server import cli as server_cli
from queue_server.config import DEMO_OFFICE_PATH, load_office
from queue_server.config.loader import TOP_KEYS
from queue_server.config.reader import Table
from queue_server.domain.office import LANGUAGES

DOCS = Path(__file__).resolve().parent.parent / "docs"
CELL_SEPARATOR = re.compile(r"(?<!\\)\|")


def sections(markdown: str) -> dict[str, str]:
    """Level-2 sections by heading text."""
    parts = re.split(r"^## +(.+)$", markdown, flags=re.MULTILINE)
    return {heading.strip(): body for heading, body in zip(parts[1::2], parts[2::2], strict=True)}


def table_rows(section: str) -> Iterator[list[str]]:
    """The cells of every table row of a section, header and ruler rows left out."""
    for line in section.splitlines():
        if line.startswith("|") and not re.fullmatch(r"[|\-: ]+", line):
            cells = [cell.strip() for cell in CELL_SEPARATOR.split(line)[1:-1]]
            if cells[0] not in ("key", "setting", "option"):
                yield cells


def first_words(cell: str) -> list[str]:
    """`--data DIR` `--port PORT` -> ['--data', '--port']."""
    return [code.split()[0] for code in re.findall(r"`([^`]+)`", cell)]


def documented(section: str) -> set[str]:
    return {word for cells in table_rows(section) for word in first_words(cells[0])}


# ---------------------------------------------------------------- office configuration


@pytest.fixture(scope="module")
def office_tables() -> dict[str, tuple[str, ...]]:
    """Every table the loader checks while loading the demo office: its allowed keys.

    The path leaves list positions out (``workplaces.serves``).  Texts (tables of
    languages, like ``office.name``) are left out: their keys are the languages.
    """
    tables: dict[str, tuple[str, ...]] = {}
    checking = Table.__init__

    def recording(self, ctx, path, data, keys):
        keys = tuple(keys)
        if keys != LANGUAGES:
            tables.setdefault(re.sub(r"\[\d+\]", "", path), keys)
        checking(self, ctx, path, data, keys)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Table, "__init__", recording)
        load_office(DEMO_OFFICE_PATH)
    return tables


@pytest.fixture(scope="module")
def configuration_sections() -> dict[str, str]:
    """The sections of docs/configuration.md about one table, by table name: `[rules]`, `[[zones]]`."""
    found = {}
    for heading, body in sections((DOCS / "configuration.md").read_text("utf-8")).items():
        match = re.fullmatch(r"`\[{1,2}(\w+)\]{1,2}`", heading)
        if match:
            found[match.group(1)] = body
    return found


def test_the_loader_checks_every_top_level_table(office_tables):
    assert office_tables[""] == TOP_KEYS
    assert set(TOP_KEYS) <= {path.split(".")[0] for path in office_tables}


def test_every_top_level_table_has_its_section(configuration_sections):
    assert set(configuration_sections) == set(TOP_KEYS)


def test_every_configuration_key_is_documented_in_its_section(office_tables, configuration_sections):
    for path, keys in office_tables.items():
        if not path:
            continue
        listed = documented(configuration_sections[path.split(".")[0]])
        missing = [key for key in keys if key not in listed]
        assert not missing, f"docs/configuration.md, section [{path}]: keys not documented: {missing}"


def test_no_configuration_key_is_documented_that_the_loader_refuses(office_tables, configuration_sections):
    for table, section in configuration_sections.items():
        known = {key for path, keys in office_tables.items() if path.split(".")[0] == table for key in keys}
        assert documented(section) <= known, f"[{table}]: {sorted(documented(section) - known)}"


def test_the_languages_of_texts_are_documented(configuration_sections):
    (row,) = [cells for cells in table_rows(configuration_sections["office"]) if "`languages`" in cells[0]]
    for language in LANGUAGES:
        assert f'`"{language}"`' in row[1], language


# ---------------------------------------------------------------- kiosk settings


def kiosk_settings_table() -> dict[str, str]:
    """docs/kiosk.md, section Settings: the documented default of each setting."""
    section = sections((DOCS / "kiosk.md").read_text("utf-8"))["Settings"]
    return {first_words(cells[0])[0]: cells[1] for cells in table_rows(section)}


def documented_default(cell: str) -> object:
    """`60` -> 60, `false` -> False, – -> "" (no default), `none` -> "none"."""
    text = cell.strip("`")
    if text in ("–", "-"):
        return ""
    if text in ("true", "false"):
        return text == "true"
    try:
        return float(text)
    except ValueError:
        return text


def test_every_kiosk_setting_is_documented_with_its_default():
    table = kiosk_settings_table()
    assert list(table) == [setting.name for setting in SETTINGS], "docs/kiosk.md lists other settings"
    for setting in SETTINGS:
        assert documented_default(table[setting.name]) == setting.default, setting.name


# ---------------------------------------------------------------- command line


def commands(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """The parsers of a program's commands: its subcommands' (at any depth), or its own."""
    choices = [action.choices for action in parser._actions
               if isinstance(action, argparse._SubParsersAction)]
    if not choices:
        yield parser
    for subcommands in choices:
        for subparser in subcommands.values():
            yield from commands(subparser)


def cli_commands() -> dict[str, list[str]]:
    """Every command (``queue-server user add``) and its options and arguments (``--role``, ``NAME``)."""
    parsers = [server_cli._parser(), kiosk_cli._run_parser(), kiosk_cli._test_print_parser(),
               launcher._parser()]
    found = {}
    for parser in (command for program in parsers for command in commands(program)):
        found[parser.prog] = [
            max(action.option_strings, key=len) if action.option_strings else action.dest.upper()
            for action in parser._actions if not isinstance(action, argparse._HelpAction)
        ]
    return found


@pytest.fixture(scope="module")
def cli_sections() -> dict[str, str]:
    return {heading.strip("`"): body
            for heading, body in sections((DOCS / "cli.md").read_text("utf-8")).items()}


def test_the_command_walk_finds_every_program_and_subcommand():
    assert {"queue-server run", "queue-server user add", "queue-server device add", "queue-server demo",
            "queue-kiosk", "queue-kiosk test-print", "queue-display"} <= set(cli_commands())


@pytest.mark.parametrize("command", sorted(cli_commands()))
def test_every_command_and_option_is_documented(command, cli_sections):
    assert command in cli_sections, f"docs/cli.md has no section ## `{command}`"
    listed = documented(cli_sections[command])
    options = cli_commands()[command]
    assert [option for option in options if option not in listed] == [], "not in docs/cli.md"
    assert sorted(listed - set(options)) == [], "in docs/cli.md but not in the command"


def test_docs_describe_no_command_that_does_not_exist(cli_sections):
    assert set(cli_sections) <= set(cli_commands())
