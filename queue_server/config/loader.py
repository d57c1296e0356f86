"""Load an office from its TOML file, or refuse the whole file with a precise error.

``load_office`` returns a complete ``Office`` or raises ``ConfigError``; nothing is
half-loaded.  Every refusal names the file, the line, the dotted key and the reason,
e.g. ``office.toml:212: life_situations[3].queue: unknown queue 'curatr'``.
"""

from __future__ import annotations

import re
import tomllib
import zoneinfo
from dataclasses import fields
from datetime import time
from pathlib import Path
from typing import TypeVar

from assets import ASSETS_DIR
from queue_server.config.errors import ConfigError
from queue_server.config.locator import KeyLocator
from queue_server.config.reader import MISSING, Context, Table, suggest
from queue_server.domain.office import (
    LANGUAGES,
    LifeSituation,
    Office,
    OpeningHours,
    Queue,
    Rules,
    ServedQueue,
    Service,
    Workplace,
    Zone,
)

PICTOGRAM_DIR = ASSETS_DIR / "pictograms"
DEMO_OFFICE_PATH = Path(__file__).resolve().parent / "naberezhnye_chelny.toml"

TOP_KEYS = (
    "office",
    "hours",
    "rules",
    "zones",
    "queues",
    "workplaces",
    "services",
    "life_situations",
)
OFFICE_KEYS = ("id", "name", "time_zone", "languages")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RULE_KEYS = tuple(f.name for f in fields(Rules))
END_OF_DAY = ("cancel", "keep")
QUEUE_KEYS = ("id", "name", "prefix", "service_minutes")
WORKPLACE_KEYS = ("id", "number", "kind", "zone", "label", "serves", "priority_window")
WORKPLACE_KINDS = ("window", "room")
SERVICE_KEYS = ("id", "name", "group")
SITUATION_KEYS = (
    "id",
    "kind",
    "name",
    "description",
    "pictogram",
    "queue",
    "services",
    "sensitive",
    "ask_priority",
)
SITUATION_KINDS = ("citizen", "business", "help")
MAX_TILES = 8  # citizen and business tiles the kiosk screen holds
# Letters that are hard to recognise when a ticket number is announced aloud.
UNSPOKEN_LETTERS = "ЙЪЬЫЁ"
# Latin capitals that look like Cyrillic ones: "A" and "А" on one screen are one prefix.
_LOOKALIKE = str.maketrans("ABEKMHOPCTXY", "АВЕКМНОРСТХУ")
_HOURS = re.compile(r"(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})")

T = TypeVar("T")


def load_office(path: str | Path, *, pictogram_dir: str | Path | None = None) -> Office:
    """Read, parse and check an office file; raise ConfigError on the first problem."""
    file = str(path)
    text = _read(file)
    data = _parse(file, text)
    ctx = Context(file, text)
    return build_office(ctx, data, Path(pictogram_dir) if pictogram_dir else PICTOGRAM_DIR)


def _read(file: str) -> str:
    try:
        raw = Path(file).read_bytes()
    except OSError as exc:
        raise ConfigError(file, None, "file", f"cannot read: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(file, line, "file", "not UTF-8 text; save it as UTF-8") from None


def _parse(file: str, text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        match = re.search(r"at line (\d+), column (\d+)", message)
        line = int(match.group(1)) if match else None
        where = f" at column {match.group(2)}" if match else ""
        if reason == "Illegal character '\\n'":
            reason += " (is a closing quote or bracket missing?)"
        duplicates = KeyLocator(text).duplicates
        if reason.startswith("Cannot") and duplicates:
            key, line = duplicates[0]
            raise ConfigError(file, line, key, f"written twice ({reason})") from None
        if line is None and "end of document" in message:
            line = text.count("\n") + (0 if text.endswith("\n") else 1)
        raise ConfigError(file, line, "syntax", f"not valid TOML{where}: {reason}") from None


def build_office(ctx: Context, data: dict, pictogram_dir: Path) -> Office:
    root = Table(ctx, "", data, TOP_KEYS)
    head = root.table("office", OFFICE_KEYS)
    ctx.languages = _languages(head)
    office_id = head.ident("id")
    name = head.text("name")
    time_zone = _time_zone(head)
    hours = _hours(root.table("hours", WEEKDAYS))
    rules = _rules(root.table("rules", RULE_KEYS, default={}))

    zones = _unique(
        [(t, Zone(t.ident("id"), t.text("name"))) for t in root.tables("zones", ("id", "name"))]
    )
    queues = _unique([(t, _queue(t)) for t in root.tables("queues", QUEUE_KEYS)])
    _check_prefixes(queues)
    workplaces = _unique(
        [(t, _workplace(t, zones, queues)) for t in root.tables("workplaces", WORKPLACE_KEYS)]
    )
    _check_numbers(workplaces)
    _check_every_queue_served(queues, workplaces)
    services = _unique(
        [(t, _service(t)) for t in root.tables("services", SERVICE_KEYS, required=False)]
    )
    situations = _unique(
        [
            (t, _situation(t, queues, services, pictogram_dir))
            for t in root.tables("life_situations", SITUATION_KEYS)
        ]
    )
    _check_tiles(situations)
    _check_privacy(situations)

    return Office(
        id=office_id,
        name=name,
        time_zone=time_zone,
        languages=ctx.languages,
        hours=hours,
        rules=rules,
        zones=_values(zones),
        queues=_values(queues),
        workplaces=_values(workplaces),
        services=_values(services),
        life_situations=_values(situations),
        source=ctx.file,
    )


# -- office-wide settings


def _languages(head: Table) -> tuple[str, ...]:
    result = []
    for n, value in enumerate(head.array("languages"), start=1):
        key = f"{head.key('languages')}[{n}]"
        if value not in LANGUAGES:
            known = ", ".join(f'"{lang}"' for lang in LANGUAGES)
            raise head.ctx.error(key, f"{value!r} is not a supported language ({known})")
        if value in result:
            raise head.ctx.error(key, f'"{value}" is listed twice')
        result.append(value)
    if "ru" not in result:
        raise head.error("languages", 'must include "ru": Russian is the state language')
    return tuple(result)


def _time_zone(head: Table) -> str:
    name = head.string("time_zone")
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise head.error(
            "time_zone", f'unknown time zone {name!r}; use a name like "Europe/Moscow"'
        ) from None
    return name


def _hours(table: Table) -> tuple[OpeningHours, ...]:
    result = []
    for weekday, day in enumerate(WEEKDAYS):
        if not table.has(day):
            continue
        value = table.string(day)
        bad = f'must be opening and closing time like "08:00-17:00", not {value!r}'
        match = _HOURS.fullmatch(value.strip())
        if not match:
            raise table.error(day, bad)
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        try:
            opens, closes = time(h1, m1), time(h2, m2)
        except ValueError:
            raise table.error(day, bad) from None
        if opens >= closes:
            raise table.error(day, f"closes ({closes:%H:%M}) must be after opens ({opens:%H:%M})")
        result.append(OpeningHours(weekday, opens, closes))
    if not result:
        raise table.ctx.error(table.path, 'no open day: add at least one, like mon = "08:00-17:00"')
    return tuple(result)


def _rules(table: Table) -> Rules:
    default = Rules()
    return Rules(
        wait_norm_min=table.integer("wait_norm_min", default.wait_norm_min),
        appointment_wait_norm_min=table.integer(
            "appointment_wait_norm_min", default.appointment_wait_norm_min
        ),
        calls_before_no_show=table.integer("calls_before_no_show", default.calls_before_no_show),
        end_of_day=table.string("end_of_day", default.end_of_day, choices=END_OF_DAY),
        appointment_early_min=table.integer(
            "appointment_early_min", default.appointment_early_min, minimum=0
        ),
        priority_bound_min=table.integer("priority_bound_min", default.priority_bound_min),
    )


# -- entries


def _queue(t: Table) -> Queue:
    queue_id = t.ident("id")
    name = t.text("name")
    prefix = t.string("prefix")
    if len(prefix) != 1 or not (prefix.isalpha() and prefix.isupper()):
        raise t.error("prefix", f'must be one capital letter, like "А", not {prefix!r}')
    if prefix in UNSPOKEN_LETTERS:
        raise t.error(
            "prefix",
            f"{prefix!r} is hard to recognise when announced; avoid {', '.join(UNSPOKEN_LETTERS)}",
        )
    return Queue(queue_id, name, prefix, t.number("service_minutes", Queue.service_minutes))


def _workplace(t: Table, zones: dict[str, Zone], queues: dict[str, Queue]) -> Workplace:
    workplace_id = t.ident("id")
    number = str(t.get("number", (str, int), 'a number like "5"', MISSING)).strip()
    if not number:
        raise t.error("number", 'must be what the screens show, like "5"')
    kind = t.string("kind", choices=WORKPLACE_KINDS)
    zone = t.ident("zone")
    _check_ref(t, "zone", zone, zones, "zone")
    label = t.text("label")
    serves: list[ServedQueue] = []
    for s in t.tables("serves", ("queue", "weight")):
        queue = s.ident("queue")
        _check_ref(s, "queue", queue, queues, "queue")
        if any(served.queue == queue for served in serves):
            raise s.error("queue", f"queue {queue!r} is listed twice for this workplace")
        serves.append(ServedQueue(queue, s.integer("weight", 1, minimum=1)))
    return Workplace(workplace_id, number, kind, zone, label, tuple(serves),
                     priority_window=t.boolean("priority_window", False))


def _service(t: Table) -> Service:
    service_id = t.ident("id")
    name = t.text("name", ru_only=True)
    return Service(service_id, name, t.ident("group"))


def _situation(
    t: Table, queues: dict[str, Queue], services: dict[str, Service], pictogram_dir: Path
) -> LifeSituation:
    situation_id = t.ident("id")
    kind = t.string("kind", choices=SITUATION_KINDS)
    name = t.text("name")
    description = t.text("description")
    pictogram = t.ident("pictogram")
    picture = pictogram_dir / f"{pictogram}.png"
    if not picture.is_file():
        raise t.error("pictogram", f"no picture file {picture}")
    queue = t.ident("queue")
    _check_ref(t, "queue", queue, queues, "queue")
    service_ids = []
    for path, service_id in t.ident_list("services", default=[]):
        if service_id not in services:
            raise t.ctx.error(path, _unknown("service", service_id, services))
        service_ids.append(service_id)
    return LifeSituation(
        id=situation_id,
        kind=kind,
        name=name,
        description=description,
        pictogram=pictogram,
        queue=queue,
        services=tuple(service_ids),
        sensitive=t.boolean("sensitive", False),
        ask_priority=t.boolean("ask_priority", True),
    )


# -- whole-file checks


def _unique(entries: list[tuple[Table, T]]) -> dict[str, tuple[Table, T]]:
    """Entries by id, refusing a repeated id."""
    result: dict[str, tuple[Table, T]] = {}
    for table, item in entries:
        item_id = item.id  # type: ignore[attr-defined]
        if item_id in result:
            first = result[item_id][0]
            raise table.error("id", f"duplicate id {item_id!r}: already used by {first.path}")
        result[item_id] = (table, item)
    return result


def _values(entries: dict[str, tuple[Table, T]]) -> tuple[T, ...]:
    return tuple(item for _, item in entries.values())


def _unknown(what: str, value: str, known: dict) -> str:
    listed = ", ".join(list(known)[:12]) + (", …" if len(known) > 12 else "")
    return f"unknown {what} {value!r}{suggest(value, known)}; known: {listed or 'none'}"


def _check_ref(t: Table, key: str, value: str, known: dict, what: str) -> None:
    if value not in known:
        raise t.error(key, _unknown(what, value, known))


def _check_prefixes(queues: dict[str, tuple[Table, Queue]]) -> None:
    seen: dict[str, Queue] = {}
    for table, queue in queues.values():
        shape = queue.prefix.translate(_LOOKALIKE)
        if shape in seen:
            other = seen[shape]
            raise table.error(
                "prefix",
                f"prefix {queue.prefix!r} is already used by queue {other.id!r}: "
                "every queue needs its own letter",
            )
        seen[shape] = queue


def _check_numbers(workplaces: dict[str, tuple[Table, Workplace]]) -> None:
    seen: dict[str, str] = {}
    for table, workplace in workplaces.values():
        if workplace.number in seen:
            raise table.error(
                "number",
                f"number {workplace.number!r} is already used by workplace "
                f"{seen[workplace.number]!r}",
            )
        seen[workplace.number] = workplace.id


def _check_every_queue_served(queues: dict, workplaces: dict) -> None:
    for queue_id, (table, _) in queues.items():
        if not any(w.weight_of(queue_id) for _, w in workplaces.values()):
            raise table.ctx.error(
                table.path, f"no workplace serves queue {queue_id!r}; add it to some serves"
            )


def _check_tiles(situations: dict[str, tuple[Table, LifeSituation]]) -> None:
    tiles = helps = 0
    for table, situation in situations.values():
        if situation.kind == "help":
            helps += 1
            if helps > 1:
                raise table.error("kind", 'only one life situation may be of kind "help"')
        else:
            tiles += 1
            if tiles > MAX_TILES:
                raise table.ctx.error(
                    table.path,
                    f"the kiosk shows at most {MAX_TILES} citizen and business situations; "
                    "this is one more",
                )


def _check_privacy(situations: dict[str, tuple[Table, LifeSituation]]) -> None:
    """A sensitive (health-related) situation must share its entry queue.

    Otherwise the ticket prefix of that queue, shown on hall screens and read aloud,
    would tell everyone in the hall that the holder has, e.g., a disability.
    """
    for table, situation in situations.values():
        if not situation.sensitive:
            continue
        shared = any(
            other.queue == situation.queue and not other.sensitive
            for _, other in situations.values()
        )
        if not shared:
            raise table.error(
                "queue",
                f"sensitive situation {situation.id!r} is the only one entering queue "
                f"{situation.queue!r}, so that queue's ticket letter would reveal health; "
                "let a non-sensitive life situation enter the same queue",
            )
