"""Every text the kiosk shows or speaks comes from assets/i18n/kiosk.toml, in ru, tt and en."""

from __future__ import annotations

import ast
import itertools
import re
import tomllib
from pathlib import Path

import pytest

from kiosk.content import screen_text
from kiosk.flow import Flow, PrintState, Step
from kiosk.i18n import CATALOGUE_PATH, LANGUAGES, CatalogueError, load_catalogue, tr
from kiosk.office import parse_office
from tests.test_kiosk_flow import TICKET, office_document

KIOSK_DIR = Path(__file__).resolve().parent.parent / "kiosk"
# Modules of the kiosk app (printing and speech have their own catalogue and tests).
APP_SOURCES = sorted(
    path for path in [*KIOSK_DIR.glob("*.py"), *KIOSK_DIR.glob("screens/*.py"),
                      *KIOSK_DIR.glob("screens/*.kv")]
    if path.name not in {"speech.py", "test_print.py"}
)
KEY_IN_CALL = re.compile(r"""(?:\btr|\.t|_refused)\(\s*["']([a-z_]+)["']""")
KEY_IN_CHOICE = re.compile(r"""["']([a-z_]+)["']\s+if\s+.+?\s+else\s+["']([a-z_]+)["']""")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def catalogue_keys() -> set[str]:
    with CATALOGUE_PATH.open("rb") as handle:
        return set(tomllib.load(handle))


def keys_in_code() -> dict[str, str]:
    """Message keys named in the app's code and kv rules -> the file naming them."""
    found: dict[str, str] = {}
    for path in APP_SOURCES:
        for line in path.read_text("utf-8").splitlines():
            if "t(" not in line and "_refused(" not in line and "answer =" not in line:
                continue
            for key in KEY_IN_CALL.findall(line):
                found[key] = path.name
            for pair in KEY_IN_CHOICE.findall(line):
                for key in pair:
                    found[key] = path.name
    return found


def test_the_app_names_message_keys_at_all():
    assert len(keys_in_code()) > 20


@pytest.mark.parametrize(("key", "source"), sorted(keys_in_code().items()))
def test_every_key_used_exists_in_every_language(key, source):
    assert key in catalogue_keys(), f"{source} uses {key!r}, missing from {CATALOGUE_PATH.name}"
    for language in LANGUAGES:
        assert tr(key, language).strip()


def all_screens_of_the_flow():
    """Every step (and every print state of the ticket) in every language."""
    for language in LANGUAGES:
        ids = (f"r{n}" for n in itertools.count())
        flow = Flow(new_request_id=lambda ids=ids: next(ids), appointments_enabled=True)
        flow.office_loaded(parse_office(office_document()))
        flow.choose_language(language)
        yield language, flow
        flow.take_ticket()
        yield language, flow
        flow.choose_situation("s0")  # the employers' tile: no question, «Get my ticket»
        yield language, flow
        flow.back()
        flow.choose_situation("s1")
        yield language, flow
        request = flow.answer_priority(True)
        yield language, flow
        flow.ticket_issued(request.request_id, TICKET, printing=True)
        for state in PrintState:
            flow.print_state = state
            yield language, flow
        flow.open_phone()
        yield language, flow
        flow.press_digit("9")
        yield language, flow
        for digit in "123456789":
            flow.press_digit(digit)
        flow.submit_phone()
        for accepted in (True, False):
            flow.phone_answered(accepted)
            yield language, flow
        flow.phone_failed()
        yield language, flow
        flow.start_over()
        flow.open_appointment()
        flow.press_digit("7")
        yield language, flow
        flow.submit_code()
        yield language, flow
        for refusal in ("appointment_not_found", "appointment_unavailable", "appointment_code_length",
                        "appointment_too_early", "appointment_too_late", "appointment_too_many"):
            flow.check_in_refused(refusal, time="09:30")
            yield language, flow
            flow.submit_code()
        flow.check_in_failed()
        yield language, flow
        flow.start_over()
        for day in range(1, 9):  # today … in a week: every weekday's wording
            flow.office_closed(f"2026-12-{day:02d}T08:00")
            yield language, flow
        flow.office_closed(None)
        yield language, flow
        flow.start_over()
        flow.call_help()
        yield language, flow
        flow.help_sent()
        yield language, flow


def test_every_screen_has_its_text_in_every_language():
    seen = set()
    for language, flow in all_screens_of_the_flow():
        text = screen_text(flow)
        assert text.title and text.spoken, (language, flow.step)
        seen.add(flow.step)
        if language == "tt":
            # Tatar screens are Tatar: no English left over from a missing translation
            assert not re.search(r"\b(the|your|ticket)\b", text.spoken, re.I), text.spoken
    assert seen == set(Step), f"screens not covered: {set(Step) - seen}"


def test_no_catalogue_message_is_unused():
    used = set(keys_in_code())
    for path in APP_SOURCES:
        used |= set(re.findall(r"""["']([a-z_]+)["']""", path.read_text("utf-8")))
    assert catalogue_keys() <= used, f"unused messages: {sorted(catalogue_keys() - used)}"


@pytest.mark.parametrize("path", [p for p in APP_SOURCES if p.suffix == ".py"], ids=lambda p: p.name)
def test_no_visitor_text_is_a_literal_in_code(path):
    """Cyrillic only in docstrings and comments; shown text comes from the catalogue."""
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and id(node) not in docstrings):
            assert not CYRILLIC.search(node.value), f"{path.name}:{node.lineno} {node.value!r}"


@pytest.mark.parametrize("path", [p for p in APP_SOURCES if p.suffix == ".kv"], ids=lambda p: p.name)
def test_no_visitor_text_is_a_literal_in_kv(path):
    code = [line.split("#", 1)[0] for line in path.read_text("utf-8").splitlines()]
    assert not CYRILLIC.search("\n".join(code))


def test_broken_catalogue_is_named(tmp_path):
    bad = tmp_path / "kiosk.toml"
    bad.write_text('[hello]\nru = "Привет {name}"\ntt = "Сәлам"\nen = "Hello {name}"\n', "utf-8")
    with pytest.raises(CatalogueError, match=r"\[hello\] placeholders in tt"):
        load_catalogue(bad)
    bad.write_text('[hello]\nru = "Привет"\nen = "Hello"\n', "utf-8")
    with pytest.raises(CatalogueError, match=r"\[hello\] has no tt"):
        load_catalogue(bad)


def test_unknown_key_says_which():
    with pytest.raises(KeyError, match="no_such_message"):
        tr("no_such_message", "ru")
