"""Load an office from its TOML file, or refuse the whole file with a precise error.

``load_office`` returns a complete ``Office`` or raises ``ConfigError``; nothing is
half-loaded.  Every refusal names the file, the line, the dotted key and the reason,
e.g. ``office.toml:212: life_situations[3].queue: unknown queue 'curatr'``.
"""

from __future__ import annotations

import re
import tomllib
import urllib.parse
import zoneinfo
from dataclasses import fields
from datetime import date, time
from pathlib import Path
from typing import TypeVar

from assets import ASSETS_DIR
from queue_server.config.errors import ConfigError
from queue_server.config.locator import KeyLocator
from queue_server.config.reader import MISSING, Context, Table, suggest
from queue_server.domain.notify import Notifications, Retention, SmsGateway, Smtp
from queue_server.domain.office import (
    LANGUAGES,
    Calendar,
    LifeSituation,
    Office,
    OpeningHours,
    Queue,
    Rules,
    Schedule,
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
    "calendar",
    "rules",
    "zones",
    "queues",
    "workplaces",
    "services",
    "life_situations",
    "schedules",
    "notifications",
    "retention",
)
CALENDAR_KEYS = ("holidays", "shortened")
SCHEDULE_KEYS = ("queue", "days", "slot_min", "capacity", "lunch", "horizon_days")
MAX_HORIZON_DAYS = 366
OFFICE_KEYS = ("id", "name", "time_zone", "languages", "public_url")
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
NOTIFICATION_KEYS = ("near_people_ahead", "attempts", "backoff_seconds", "give_up_minutes",
                     "reminder_hour", "file_outbox", "sms", "email")
SMS_KEYS = ("url", "sender", "username", "password", "format", "to_field", "text_field",
            "sender_field", "id_field", "ok_contains", "timeout_seconds")
SMS_FORMATS = ("json", "form")
SMTP_KEYS = ("host", "port", "sender", "username", "password", "starttls", "timeout_seconds")
RETENTION_KEYS = ("personal_days",)
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
    public_url = _public_url(head)
    notifications = _notifications(root.table("notifications", NOTIFICATION_KEYS, default={}))
    retention = Retention(root.table("retention", RETENTION_KEYS, default={}).integer(
        "personal_days", Retention.personal_days))

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
    calendar = _calendar(root.table("calendar", CALENDAR_KEYS, default={}))
    schedules: dict[str, Schedule] = {}
    for t in root.tables("schedules", SCHEDULE_KEYS, required=False):
        schedule = _schedule(t, queues, hours)
        if schedule.queue in schedules:
            raise t.error("queue", f"queue {schedule.queue!r} already has a schedule")
        schedules[schedule.queue] = schedule

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
        calendar=calendar,
        schedules=tuple(schedules.values()),
        source=ctx.file,
        public_url=public_url,
        notifications=notifications,
        retention=retention,
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
        opens, closes = _span(table, day)
        result.append(OpeningHours(weekday, opens, closes))
    if not result:
        raise table.ctx.error(table.path, 'no open day: add at least one, like mon = "08:00-17:00"')
    return tuple(result)


def _span(table: Table, key: str) -> tuple[time, time]:
    """A "HH:MM-HH:MM" value of ``key``: opening and closing time."""
    return _parse_span(table.ctx, table.key(key), table.string(key))


def _parse_span(ctx: Context, path: str, value: object) -> tuple[time, time]:
    bad = f'must be opening and closing time like "08:00-17:00", not {value!r}'
    match = _HOURS.fullmatch(value.strip()) if isinstance(value, str) else None
    if not match:
        raise ctx.error(path, bad)
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    try:
        opens, closes = time(h1, m1), time(h2, m2)
    except ValueError:
        raise ctx.error(path, bad) from None
    if opens >= closes:
        raise ctx.error(path, f"closes ({closes:%H:%M}) must be after opens ({opens:%H:%M})")
    return opens, closes


def _day(ctx: Context, path: str, value: object) -> date:
    """A calendar day: a TOML date (2026-12-31) or the same in quotes."""
    if type(value) is date:
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ctx.error(path, f"must be a day like 2026-12-31, not {value!r}")


def _calendar(table: Table) -> Calendar:
    holidays: set[date] = set()
    for n, value in enumerate(table.array("holidays", []), start=1):
        day = _day(table.ctx, f"{table.key('holidays')}[{n}]", value)
        if day in holidays:
            raise table.ctx.error(f"{table.key('holidays')}[{n}]", f"{day} is listed twice")
        holidays.add(day)
    shortened = []
    raw = table.get("shortened", (dict,), 'a table like { "2026-12-30" = "08:00-15:00" }', {})
    for key, value in raw.items():  # keys are days, so no Table (it would check key names)
        path = f"{table.key('shortened')}.{key}"
        day = _day(table.ctx, path, key)
        if day in holidays:
            raise table.ctx.error(path, f"{day} is also a holiday; keep it in one list")
        opens, closes = _parse_span(table.ctx, path, value)
        shortened.append((day, opens, closes))
    return Calendar(frozenset(holidays), tuple(shortened))


def _schedule(t: Table, queues: dict[str, tuple[Table, Queue]],
              office_hours: tuple[OpeningHours, ...]) -> Schedule:
    queue = t.ident("queue")
    _check_ref(t, "queue", queue, queues, "queue")
    days = _hours(t.table("days", WEEKDAYS)) if t.has("days") else office_hours
    for day in days:
        doors = next((h for h in office_hours if h.weekday == day.weekday), None)
        if doors is None or day.opens < doors.opens or day.closes > doors.closes:
            raise t.ctx.error(t.key(f"days.{WEEKDAYS[day.weekday]}"),
                              "must lie inside the office's [hours] of that day")
    slot_min = t.integer("slot_min", Schedule.slot_min, minimum=5)
    lunch = _span(t, "lunch") if t.has("lunch") else None
    horizon = t.integer("horizon_days", Schedule.horizon_days, minimum=1)
    if horizon > MAX_HORIZON_DAYS:
        raise t.error("horizon_days", f"at most {MAX_HORIZON_DAYS} days")
    return Schedule(queue=queue, days=days, slot_min=slot_min,
                    capacity=t.integer("capacity", Schedule.capacity), lunch=lunch,
                    horizon_days=horizon)


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
        appointment_late_min=table.integer(
            "appointment_late_min", default.appointment_late_min, minimum=0
        ),
    )


def _public_url(head: Table) -> str:
    """``https://queue.example.ru`` (a path prefix allowed), without the trailing slash."""
    if not head.has("public_url"):
        return ""
    value = head.string("public_url").strip()
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise head.error("public_url", f'must be an address like "https://queue.example.ru", not {value!r}')
    return value.rstrip("/")


def _notifications(table: Table) -> Notifications:
    default = Notifications()
    sms = table.table("sms", SMS_KEYS, default={})
    email = table.table("email", SMTP_KEYS, default={})
    return Notifications(
        near_people_ahead=table.integer("near_people_ahead", default.near_people_ahead, minimum=0),
        attempts=table.integer("attempts", default.attempts),
        backoff_seconds=table.number("backoff_seconds", default.backoff_seconds),
        give_up_minutes=table.integer("give_up_minutes", default.give_up_minutes),
        reminder_hour=_hour(table, "reminder_hour", default.reminder_hour),
        file_outbox=table.string("file_outbox", default.file_outbox),
        sms=_sms(sms) if sms.data else None,
        email=_smtp(email) if email.data else None,
    )


def _hour(table: Table, key: str, default: int) -> int:
    value = table.integer(key, default, minimum=0)
    if value > 23:
        raise table.error(key, f"must be an hour from 0 to 23, not {value}")
    return value


def _sms(t: Table) -> SmsGateway:
    url = t.string("url")
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise t.error("url", f'must be the gateway\'s http(s) address, not {url!r}')
    d = SmsGateway(url="", sender="")
    return SmsGateway(
        url=url, sender=t.string("sender"), username=t.string("username", d.username),
        password=t.string("password", d.password), format=t.string("format", d.format, choices=SMS_FORMATS),
        to_field=t.string("to_field", d.to_field), text_field=t.string("text_field", d.text_field),
        sender_field=t.string("sender_field", d.sender_field), id_field=t.string("id_field", d.id_field),
        ok_contains=t.string("ok_contains", d.ok_contains),
        timeout_seconds=t.number("timeout_seconds", d.timeout_seconds),
    )


def _smtp(t: Table) -> Smtp:
    d = Smtp(host="", sender="")
    port = t.integer("port", d.port)
    if port > 65535:
        raise t.error("port", f"must be a port from 1 to 65535, not {port}")
    return Smtp(
        host=t.string("host"), sender=t.string("sender"), port=port,
        username=t.string("username", d.username), password=t.string("password", d.password),
        starttls=t.boolean("starttls", d.starttls),
        timeout_seconds=t.number("timeout_seconds", d.timeout_seconds),
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
