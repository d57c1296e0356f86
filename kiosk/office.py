"""The office as the kiosk sees it, parsed from ``GET /api/v1/office``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.i18n import pick

MAX_TILES = 8
HELP_KIND = "help"


@dataclass(frozen=True)
class LifeSituation:
    id: str
    kind: str
    name: dict[str, str]
    description: dict[str, str]
    pictogram: str
    queue: str
    printed: bool = False
    """Whether the paper ticket may name it: the server's flag, absent = never."""
    ask_priority: bool = True
    """Whether to ask the out-of-turn question after this tile (the office's setting)."""


@dataclass(frozen=True)
class Office:
    id: str
    name: dict[str, str]
    situations: tuple[LifeSituation, ...]
    help_situation: LifeSituation | None
    destinations: dict[str, dict[str, str]] = field(default_factory=dict)
    """Where a visitor of each queue goes: queue id -> ``{ru, tt, en}``."""
    time_zone: str = ""
    """The office's IANA time zone, e.g. ``Europe/Moscow``: every time the kiosk shows."""
    open_now: bool = True
    """Whether the server issues tickets now (the office's hours); absent = open."""
    opens_at: str | None = None
    """The next opening in office wall time (``2026-12-01T08:00``), when the server says."""
    appointments: bool = False
    """Whether the server checks bookings in: the «I have an appointment» button."""

    @property
    def tiles(self) -> tuple[LifeSituation, ...]:
        """The situations shown as tiles, in configuration order, at most eight."""
        return self.situations[:MAX_TILES]

    def situation(self, situation_id: str) -> LifeSituation | None:
        for situation in (*self.tiles, self.help_situation):
            if situation is not None and situation.id == situation_id:
                return situation
        return None

    def destination(self, queue_id: str, language: str) -> str:
        return pick(self.destinations.get(queue_id), language)


def office_now(office: Office | None) -> datetime:
    """Now in the office's time, with its UTC offset; without an office (or with a zone this
    machine does not know), the machine's own local time and offset."""
    if office is not None and office.time_zone:
        try:
            return datetime.now(ZoneInfo(office.time_zone))
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return datetime.now().astimezone()


class OfficeFormatError(ValueError):
    """The server's office document lacks something the kiosk needs."""


def _text(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"ru": value}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return {}


def _destinations(document: dict[str, Any]) -> dict[str, dict[str, str]]:
    """For each queue, the zone of the workplaces whose main queue it is.

    A workplace's main queue is the one it serves with the highest weight, so
    reception goes to the reception zone even though curators also take it.
    """
    zones = {zone["id"]: _text(zone.get("name")) for zone in document.get("zones", [])}
    votes: dict[str, Counter[str]] = {}
    for workplace in document.get("workplaces", []):
        serves = workplace.get("serves") or []
        if not serves or workplace.get("zone") not in zones:
            continue
        main = max(serves, key=lambda entry: entry.get("weight", 1))["queue"]
        votes.setdefault(main, Counter())[workplace["zone"]] += 1
    destinations = {queue: zones[counter.most_common(1)[0][0]] for queue, counter in votes.items()}
    for queue in document.get("queues", []):
        destinations.setdefault(queue["id"], _text(queue.get("name")))
    return destinations


def parse_office(document: dict[str, Any]) -> Office:
    try:
        situations = [
            LifeSituation(
                id=entry["id"],
                kind=entry.get("kind", "citizen"),
                name=_text(entry["name"]),
                description=_text(entry.get("description")),
                pictogram=entry.get("pictogram") or "",
                queue=entry.get("queue") or "",
                printed=entry.get("printed") is True,
                ask_priority=entry.get("ask_priority", True) is not False,
            )
            for entry in document["life_situations"]
        ]
        office_id, name = document["id"], _text(document["name"])
    except (KeyError, TypeError) as error:
        raise OfficeFormatError(f"office document lacks {error}") from error
    helpers = [situation for situation in situations if situation.kind == HELP_KIND]
    return Office(
        id=office_id,
        name=name,
        situations=tuple(s for s in situations if s.kind != HELP_KIND),
        help_situation=helpers[0] if helpers else None,
        destinations=_destinations(document),
        time_zone=str(document.get("time_zone") or ""),
        open_now=document.get("open_now") is not False,
        opens_at=document.get("opens_at") if isinstance(document.get("opens_at"), str) else None,
        appointments=document.get("appointments") is True,
    )
