"""Who may do what: one table, enforced by ``auth.require`` and documented in docs/permissions.md.

Serving actions are further limited to the workplaces the office gave a member of
staff (checked in the views): a curator acts only from their own window.
"""

from __future__ import annotations

STAFF = ("administrator", "reception", "curator", "specialist", "call_centre", "manager", "admin")
OPERATORS = ("reception", "curator", "specialist", "admin")
DEVICES = ("kiosk", "display")

PERMISSIONS: dict[str, tuple[str, ...]] = {
    "read office": (*STAFF, *DEVICES),
    "read queues": (*STAFF, *DEVICES),
    "read events": (*STAFF, *DEVICES),
    "read workplaces": (*STAFF, "display"),
    "issue tickets": ("kiosk", "administrator", "reception", "admin"),
    "call visitors": OPERATORS,
    "serve visitors": OPERATORS,  # recall, start, postpone, no-show, finish
    "redirect tickets": (*OPERATORS, "administrator"),
    "cancel tickets": (*OPERATORS, "administrator"),
    "restore tickets": ("administrator", "admin"),
    "change priority": ("administrator", "reception", "admin"),
    "change life situation": ("reception", "curator", "administrator", "admin"),
    "set workplace status": OPERATORS,
    "request help": ("kiosk",),
    "answer help calls": ("administrator", "admin"),
    "report device status": ("kiosk",),
    "read devices": ("administrator", "admin", "manager"),
}

# Issuing with "print_on" (a ticket printed on a kiosk chosen in the console) is a
# refinement of "issue tickets" for the hall, not an action of its own: one more row in
# PERMISSIONS would need its own API call.  docs/permissions.md lists it under the table.
PRINT_ON_KIOSK: tuple[str, ...] = ("administrator", "admin")


def allowed_roles(action: str) -> tuple[str, ...]:
    return PERMISSIONS[action]
