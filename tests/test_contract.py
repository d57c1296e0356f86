"""The wire contract: event types from the event classes, error codes from one table, and
docs/api.md and the JavaScript clients in step with both.

Regenerate the two tables of docs/api.md with: python -m tests.test_contract
"""

from __future__ import annotations

import re
from pathlib import Path

from queue_server.domain import events
from queue_server.domain.events import EVENT_TYPES, Audience, Event
from queue_server.web.api.contract import ERROR_CODES, RESYNC, stream_event_types, stream_message_audiences
from queue_server.web.api.views import PUBLIC_EVENT_TYPES

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "api.md"
SCRIPTS = sorted([*(ROOT / "displays").rglob("*.js"), *(ROOT / "queue_server").rglob("*.js")])
ARRAY_LITERAL = re.compile(r"\[[^\[\]]*\]")  # no nested brackets: a list of plain values
QUOTED = re.compile(r"""["'`]([^"'`\s]+)["'`]""")


def error_codes_table() -> str:
    lines = ["| code | status | meaning |", "|---|---|---|"]
    lines += [f"| `{code}` | {error.status} | {error.meaning} |" for code, error in ERROR_CODES.items()]
    return "\n".join(lines)


def event_types_table() -> str:
    lines = ["| event type | audience |", "|---|---|"]
    lines += [f"| `{name}` | {audience} |" for name, audience in stream_message_audiences().items()]
    return "\n".join(lines)


def test_every_event_class_names_its_type_and_audience():
    classes = [value for value in vars(events).values()
               if isinstance(value, type) and issubclass(value, Event) and "type" in vars(value)]
    assert classes and set(EVENT_TYPES.values()) == set(classes)
    for cls in classes:
        assert "audience" in vars(cls), f"{cls.__name__} does not say who may receive it"
        assert isinstance(cls.audience, Audience)
    assert len(EVENT_TYPES) == len(classes), "two event classes share a type"
    assert RESYNC not in EVENT_TYPES


def test_readers_receive_what_the_audiences_say():
    assert set(stream_event_types(staff=True)) == set(EVENT_TYPES)
    public = {name for name, cls in EVENT_TYPES.items() if cls.audience is Audience.PUBLIC}
    assert set(stream_event_types(staff=False)) == PUBLIC_EVENT_TYPES == public
    assert "ticket.called" in public and "ticket.priority_changed" not in public
    assert "ticket.print_requested" not in public  # addressed to one kiosk, never to a screen


def test_every_error_code_is_a_json_api_status():
    for code, error in ERROR_CODES.items():
        assert re.fullmatch(r"[a-z_]+", code) and 400 <= error.status < 600 and error.meaning, code


def documented_table(text: str, header: str) -> str:
    """The whole Markdown table of docs/api.md that starts with ``header``."""
    lines = text.splitlines()
    start = lines.index(header)
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    return "\n".join(lines[start:end])


def test_docs_list_the_error_codes_and_event_types_of_the_code():
    text = DOC.read_text("utf-8")
    for table in (error_codes_table(), event_types_table()):
        header = table.splitlines()[0]
        assert documented_table(text, header) == table, "regenerate with: python -m tests.test_contract"


def test_no_script_keeps_its_own_list_of_event_types():
    """The pages subscribe to the types the server renders into them (displays/routes.py,
    the staff pages' head); a script names a type only to treat it specially."""
    known = set(stream_message_audiences())
    assert SCRIPTS
    for path in SCRIPTS:
        for literal in ARRAY_LITERAL.findall(path.read_text("utf-8")):
            named = set(QUOTED.findall(literal)) & known
            assert len(named) <= 2, f"{path.relative_to(ROOT)} lists event types: {sorted(named)}"


if __name__ == "__main__":
    print(error_codes_table(), event_types_table(), sep="\n\n")
