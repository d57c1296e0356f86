"""Who may do what: the staff roles, the devices, and every permission, in one place.

The API (``web.auth.require``), the staff pages (``web.staff.access.requires``), the
account store (which roles exist) and docs/permissions.md all derive from these tables;
``tests/test_permissions.py`` tries them on a live server and keeps the doc equal to them.
Serving is further limited to the workplaces the office gave a member of staff (checked
in the views); the refinements below say who is exempt.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES: dict[str, str] = {  # staff role: who holds it
    "administrator": "the hall administrator at the entrance; has no workplace",
    "reception": "primary reception: recognises the life situation, passes the visitor on",
    "curator": "leads a visitor through a life situation, from their own window",
    "specialist": "career consultant, psychologist, individual-work or employer specialist",
    "call_centre": "call centre: books, moves and cancels appointments; reads the rest",
    "manager": "office manager: reads only, and the devices' state, the reports and the feedback journal",
    "quality": "quality sector: the reports and the feedback journal; records ratings and responses",
    "admin": "configures the system and the accounts; may act at any workplace",
}
STAFF_ROLES: tuple[str, ...] = tuple(ROLES)

DEVICE_KINDS: dict[str, str] = {  # device kind: what it is
    "kiosk": "the touch kiosk in the hall: issues and prints tickets",
    "display": "a hall or window display: shows and announces calls",
    "feedback": "a tablet at a workplace: asks the visitor just served to rate the visit",
    "monitor": "a monitoring system (Prometheus): reads the metrics and nothing else",
}
DEVICES: tuple[str, ...] = tuple(DEVICE_KINDS)

_SCREENS = ("kiosk", "display", "feedback")  # the devices visitors see: all but monitoring
_EVERYONE = (*STAFF_ROLES, *_SCREENS)
_OPERATORS = ("reception", "curator", "specialist")  # serve visitors from a workplace of their own
_HALL = ("administrator", "admin")
_REPORTS = ("manager", "quality", "admin")
_FEEDBACK = ("curator", "administrator", *_REPORTS)
_ON_A_TICKET = ("serve visitors", "redirect tickets", "cancel tickets", "restore tickets",
                "change priority", "change life situation")  # from the ticket's workplace
_AT_A_WORKPLACE = ("call visitors", *_ON_A_TICKET, "set workplace status")  # one's own only

API_ACTIONS: dict[str, tuple[str, ...]] = {  # API action: staff roles and devices allowed
    "read office": _EVERYONE,
    "read queues": _EVERYONE,
    "read events": _EVERYONE,
    "read workplaces": (*STAFF_ROLES, "display"),
    "issue tickets": ("kiosk", "administrator", "reception", "admin"),
    "call visitors": (*_OPERATORS, "admin"),
    "serve visitors": (*_OPERATORS, "admin"),  # recall, start, postpone, no-show, finish
    "redirect tickets": (*_OPERATORS, *_HALL),
    "cancel tickets": (*_OPERATORS, *_HALL),
    "restore tickets": _HALL,
    "change priority": ("reception", *_HALL),
    "change life situation": ("reception", "curator", *_HALL),
    "set workplace status": (*_OPERATORS, "admin"),
    "request help": ("kiosk",),
    "answer help calls": _HALL,
    "report device status": ("kiosk",),
    "send heartbeats": _SCREENS,  # devices say they are alive; silence raises an alarm
    "read devices": (*_HALL, "manager"),
    "read appointments": ("call_centre", "curator", "reception", "specialist", *_HALL, "manager"),
    "book appointments": ("call_centre", "curator", *_HALL),
    "check in": ("kiosk", *_HALL),
    "meet at the door": _HALL,
    "read messages": (*_HALL, "manager"),  # the outbox: failed and pending messages to visitors
    "resend messages": _HALL,
    "rate visits": ("feedback", "kiosk"),  # the visitor's own rating, on a tablet or the kiosk
    "read metrics": ("manager", "admin", "monitor"),  # GET /api/v1/metrics, Prometheus text
}


@dataclass(frozen=True)
class Refinement:
    """A finer rule inside an API action: not a call of its own, a condition of one."""

    refines: tuple[str, ...]  # the API actions it applies to
    roles: tuple[str, ...]
    meaning: str


REFINEMENTS: dict[str, Refinement] = {
    "print on a kiosk": Refinement(
        ("issue tickets",), _HALL,
        'issue with `"print_on": "<kiosk>"`: the ticket is printed on a kiosk chosen in the console'),
    "work at every workplace": Refinement(
        _AT_A_WORKPLACE, ("admin",),
        "counts as working at every workplace: calls anywhere, acts as if at the ticket's workplace"),
    "act at any workplace": Refinement(
        _ON_A_TICKET, _HALL,
        "acts on a ticket at someone's workplace without a workplace of its own"),
}

STAFF_PAGES: dict[str, tuple[str, ...]] = {  # staff page or form action: roles allowed
    "home": STAFF_ROLES,  # the start page, which sends each role on, and "no workplace here"
    "operator": _OPERATORS,
    "operator.workplace": _OPERATORS,  # pick or change the workplace
    "console": _HALL,
    "appointments": ("call_centre", "curator", *_HALL),
    "messages": (*_HALL, "manager"),  # messages to visitors: failed, pending; resend
    "messages.resend": _HALL,
    "accounts": ("admin",),
    "accounts.create": ("admin",),
    "accounts.update": ("admin",),
    "accounts.password": ("admin",),
    "reports": _REPORTS,  # reports for a period, their XLSX/CSV tables and print layout
    "reports.export": ("manager", "admin"),  # the regional export of the event log
    "today": ("administrator", *_REPORTS),  # the live "today" view
    "feedback": _FEEDBACK,  # the feedback journal
    "feedback.record": ("curator", "quality", *_HALL),  # a rating from a phone call or a paper form
    "feedback.respond": _FEEDBACK,  # the response or action taken
}

LANDING_PAGES: dict[str, str] = {  # staff role: the page it lands on after signing in
    **{role: "operator" for role in _OPERATORS},
    **{role: "console" for role in _HALL},
    "call_centre": "appointments",
    "manager": "reports",
    "quality": "reports",
}


def may(role: str, action: str) -> bool:
    """Whether a staff role or device kind may do an API action or a refinement of one."""
    if action in API_ACTIONS:
        return role in API_ACTIONS[action]
    return role in REFINEMENTS[action].roles


def may_open(role: str, page: str) -> bool:
    """Whether a staff role may open a staff page or post its form."""
    return role in STAFF_PAGES[page]


def landing_page(role: str) -> str:
    return LANDING_PAGES.get(role, "home")
