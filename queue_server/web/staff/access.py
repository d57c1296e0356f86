"""Who may open which staff page or post which staff form, as Flask guards.

The server decides, not the menu: every view is wrapped in ``requires(page)``,
which resolves the signed-in principal from the session and answers 403 when the
role is not allowed.  The table is ``STAFF_PAGES`` in queue_server/domain/access.py;
tests walk it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort, g, redirect, request, session, url_for

from queue_server.domain.access import STAFF_PAGES, landing_page, may_open
from queue_server.web import auth

# a landing page: the view that shows it
LANDING_ENDPOINTS = {"operator": "staff.operator", "console": "staff.console",
                     "appointments": "staff.appointments", "reports": "staff.reports",
                     "home": "staff.no_workplace"}  # a landing page: the view that shows it

View = TypeVar("View", bound=Callable)


def current_principal() -> auth.Principal | None:
    """The staff member behind this browser session, or None when signed out or expired."""
    if "staff_principal" not in g:
        principal = auth.principal_for_token(session.get("token"))
        if principal is not None and principal.kind != "user":
            principal = None
        g.staff_principal = principal
    return g.staff_principal


def home_endpoint(role: str) -> str:
    """The view a role lands on after signing in."""
    return LANDING_ENDPOINTS[landing_page(role)]


def requires(page: str) -> Callable[[View], View]:
    """Let the view run only for a signed-in user whose role may use ``page``."""
    if page not in STAFF_PAGES:
        raise KeyError(page)

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args, **kwargs):
            principal = current_principal()
            if principal is None:
                session.pop("token", None)
                if request.method == "GET":
                    return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
                return redirect(url_for("staff.login"))
            if not may_open(principal.role, page):
                abort(403)
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate
