"""Every word on the staff pages comes from assets/i18n/staff.toml.

The templates, views and scripts name message keys; each key they use (directly, or
built from a known family such as ``status_<workplace status>``) must exist, and no
Russian or Tatar literal may hide in the code.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from queue_server.domain import events
from queue_server.domain.access import STAFF_ROLES
from queue_server.domain.office import LANGUAGES
from queue_server.domain.tickets import Status
from queue_server.service.desk import PRINTER_STATES, WORKPLACE_STATUSES
from queue_server.store.appointments import STATUSES

ROOT = Path(__file__).parent.parent
STAFF = ROOT / "queue_server" / "web" / "staff"
CATALOGUE = tomllib.loads((ROOT / "assets" / "i18n" / "staff.toml").read_text("utf-8"))
SOURCES = sorted([*STAFF.glob("*.py"), *STAFF.glob("templates/staff/*.html"), *STAFF.glob("static/*.js")])
CYRILLIC = re.compile(r"[А-Яа-яЁёӘәӨөҮүҖҗҢңҺһ]")
USED_KEY = re.compile(r"""(?:\bt|Staff\.text|translate)\(\s*(?:"staff",\s*)?["']([a-z_0-9]+)["']""")


def ticket_event_types() -> set[str]:
    return {cls.type.removeprefix("ticket.") for cls in vars(events).values()
            if isinstance(cls, type) and isinstance(getattr(cls, "type", None), str)
            and cls.type.startswith("ticket.")}


FAMILIES = {
    "role": set(STAFF_ROLES),
    "status": set(WORKPLACE_STATUSES),
    "ticket": {status.value for status in Status},
    "history": ticket_event_types(),
    "language": set(LANGUAGES),
    "service_group": {"existing", "new", "other"},
    "printer": set(PRINTER_STATES),
    "connection": {"connecting", "live", "lost"},
    "endonym": set(LANGUAGES),
    "weekday": {str(day) for day in range(7)},
    "booking_status": set(STATUSES),
    "result": {"served", "consulted", "follow_up", "referred_outside", "refused"},
}


def test_there_are_sources_to_check():
    assert len(SOURCES) > 10


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.name)
def test_every_key_a_source_uses_exists(source):
    used = {key for key in USED_KEY.findall(source.read_text("utf-8")) if not key.endswith("_")}
    assert used - set(CATALOGUE) == set()


@pytest.mark.parametrize(("family", "members"), sorted(FAMILIES.items()))
def test_every_member_of_a_key_family_exists(family, members):
    missing = {f"{family}_{member}" for member in members} - set(CATALOGUE)
    assert missing == set()


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.name)
def test_no_russian_or_tatar_literal_in_the_code(source):
    text = source.read_text("utf-8")
    if source.suffix == ".py":  # docstrings and comments may quote the UI
        text = re.sub(r'""".*?"""|#[^\n]*', "", text, flags=re.S)
    elif source.suffix == ".js":
        text = re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)
    else:
        text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
    assert CYRILLIC.findall(text) == []
