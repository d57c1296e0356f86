"""The office as data: zones, queues, workplaces, life situations and their services.

Built by the configuration loader from a TOML file; read by routing, the API and the
pages.  Frozen, so one loaded office can be shared by every request thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from queue_server.domain.notify import Notifications, Retention

LANGUAGES: tuple[str, ...] = ("ru", "tt", "en")
DEFAULT_LANGUAGE = "ru"


@dataclass(frozen=True)
class Text:
    """One visitor-facing text in every office language."""

    ru: str
    tt: str
    en: str

    def get(self, language: str) -> str:
        return getattr(self, language, None) or self.ru

    def as_dict(self) -> dict[str, str]:
        return {"ru": self.ru, "tt": self.tt, "en": self.en}


@dataclass(frozen=True)
class Zone:
    id: str
    name: Text


@dataclass(frozen=True)
class Queue:
    id: str
    name: Text
    prefix: str
    service_minutes: float = 10.0  # average service time, for the wait estimate


@dataclass(frozen=True)
class ServedQueue:
    queue: str
    weight: int = 1


@dataclass(frozen=True)
class Workplace:
    id: str
    number: str  # what the hall screen shows: "5" in "окно 5"
    kind: str  # "window" or "room"
    zone: str
    label: Text  # staff-facing role of the place, e.g. "куратор"
    serves: tuple[ServedQueue, ...] = ()
    priority_window: bool = False  # the separate window: also calls out-of-turn visitors of every queue

    def weight_of(self, queue_id: str) -> int | None:
        for served in self.serves:
            if served.queue == queue_id:
                return served.weight
        return None

    @property
    def queue_ids(self) -> tuple[str, ...]:
        return tuple(served.queue for served in self.serves)


@dataclass(frozen=True)
class Service:
    id: str
    name: Text
    group: str  # "existing", "new" or "other" (the seed's three groups)


@dataclass(frozen=True)
class LifeSituation:
    id: str
    kind: str  # "citizen" (жизненная ситуация) or "business" (бизнес-ситуация)
    name: Text  # 1–3 words for a kiosk tile
    description: Text  # one plain-language line
    pictogram: str  # file stem under assets/pictograms
    queue: str  # the queue a new ticket enters
    services: tuple[str, ...] = ()  # ids of the complex's services
    sensitive: bool = False  # health-related: must share its entry queue (privacy rule)
    ask_priority: bool = True  # the kiosk asks the out-of-turn question (not for employers)

    @property
    def printed(self) -> bool:
        """Whether the paper ticket may name this situation: a dropped ticket must not tell
        the hall why its holder came, so a sensitive one is never printed."""
        return not self.sensitive


@dataclass(frozen=True)
class OpeningHours:
    weekday: int  # 0 = Monday
    opens: time
    closes: time


@dataclass(frozen=True)
class Rules:
    wait_norm_min: int = 15
    appointment_wait_norm_min: int = 5
    calls_before_no_show: int = 3
    end_of_day: str = "cancel"  # what happens to waiting tickets at the day boundary: cancel | keep
    appointment_early_min: int = 30  # how early an appointment may be checked in
    priority_bound_min: int = 30  # after this wait, out-of-turn visitors who came later no longer go first
    appointment_late_min: int = 15  # how late after its slot an appointment may still be checked in


@dataclass(frozen=True)
class Calendar:
    """Days that differ from the week: holidays (closed) and shortened days (own hours)."""

    holidays: frozenset[date] = frozenset()
    shortened: tuple[tuple[date, time, time], ...] = ()  # day, opens, closes

    def shortened_on(self, day: date) -> tuple[time, time] | None:
        return next(((opens, closes) for d, opens, closes in self.shortened if d == day), None)


@dataclass(frozen=True)
class Schedule:
    """When one queue takes booked visitors: the slots the call centre may book."""

    queue: str
    days: tuple[OpeningHours, ...]  # working hours per weekday (default: the office's)
    slot_min: int = 20
    capacity: int = 1  # visitors per slot (how many places take booked visitors at once)
    lunch: tuple[time, time] | None = None
    horizon_days: int = 14  # how far ahead booking opens

    @property
    def id(self) -> str:
        return self.queue


@dataclass(frozen=True)
class Office:
    id: str
    name: Text
    time_zone: str
    languages: tuple[str, ...]
    hours: tuple[OpeningHours, ...]
    rules: Rules
    zones: tuple[Zone, ...]
    queues: tuple[Queue, ...]
    workplaces: tuple[Workplace, ...]
    services: tuple[Service, ...]
    life_situations: tuple[LifeSituation, ...]
    calendar: Calendar = Calendar()
    schedules: tuple[Schedule, ...] = ()
    source: str = field(default="", compare=False)  # the file it came from
    public_url: str = ""  # the office's address from the street: QR codes and the status page
    notifications: Notifications = field(default_factory=Notifications)
    retention: Retention = field(default_factory=Retention)

    def queue(self, queue_id: str) -> Queue:
        return _by_id(self.queues, queue_id, "queue")

    def workplace(self, workplace_id: str) -> Workplace:
        return _by_id(self.workplaces, workplace_id, "workplace")

    def life_situation(self, situation_id: str) -> LifeSituation:
        return _by_id(self.life_situations, situation_id, "life situation")

    def service(self, service_id: str) -> Service:
        return _by_id(self.services, service_id, "service")

    def zone(self, zone_id: str) -> Zone:
        return _by_id(self.zones, zone_id, "zone")

    def schedule(self, queue_id: str) -> Schedule:
        return _by_id(self.schedules, queue_id, "schedule of queue")

    def workplaces_serving(self, queue_id: str) -> tuple[Workplace, ...]:
        return tuple(w for w in self.workplaces if w.weight_of(queue_id) is not None)


class UnknownId(KeyError):
    """An id that the office configuration does not define."""

    def __init__(self, what: str, ident: str):
        super().__init__(f"unknown {what} {ident!r}")
        self.what = what
        self.ident = ident

    def __str__(self) -> str:
        return self.args[0]


def _by_id(items, ident, what):
    index = _index(items)
    if ident in index:
        return index[ident]
    raise UnknownId(what, ident)


_indexes: dict[int, tuple[tuple, dict]] = {}


def _index(items: tuple) -> dict:
    """An id → item map per tuple of the (immutable) office, built on first use."""
    cached = _indexes.get(id(items))
    if cached is None or cached[0] is not items:
        if len(_indexes) > 256:  # offices loaded and dropped (tests): never grows unbounded
            _indexes.clear()
        cached = (items, {item.id: item for item in items})
        _indexes[id(items)] = cached
    return cached[1]
