"""Who may open which staff page or post which staff form.

The server decides, not the menu: every view is wrapped in ``requires(page)``,
which resolves the signed-in principal from the session and answers 403 when the
role is not allowed.  The table below is the single source; tests walk it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort, g, redirect, request, session, url_for

from queue_server.web import auth

OPERATOR_ROLES = frozenset({"curator", "reception", "specialist"})
CONSOLE_ROLES = frozenset({"administrator", "admin"})
ACCOUNT_ROLES = frozenset({"admin"})
ALL_ROLES = frozenset(
    {"administrator", "reception", "curator", "specialist", "call_centre", "manager", "admin"}
)

# page or form action -> roles allowed
PERMISSIONS: dict[str, frozenset[str]] = {
    "home": ALL_ROLES,
    "operator": OPERATOR_ROLES,
    "operator.workplace": OPERATOR_ROLES,
    "console": CONSOLE_ROLES,
    "accounts": ACCOUNT_ROLES,
    "accounts.create": ACCOUNT_ROLES,
    "accounts.update": ACCOUNT_ROLES,
    "accounts.password": ACCOUNT_ROLES,
}

View = TypeVar("View", bound=Callable)


def current_principal() -> auth.Principal | None:
    """The staff member behind this browser session, or None when signed out or expired."""
    if "staff_principal" not in g:
        principal = auth.principal_for_token(session.get("token"))
        if principal is not None and principal.kind != "user":
            principal = None
        g.staff_principal = principal
    return g.staff_principal


def home_endpoint(role: str) -> str | None:
    """The page a role lands on after signing in."""
    if role in OPERATOR_ROLES:
        return "staff.operator"
    if role in CONSOLE_ROLES:
        return "staff.console"
    return None


def requires(page: str) -> Callable[[View], View]:
    """Let the view run only for a signed-in user whose role may use ``page``."""
    allowed = PERMISSIONS[page]

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args, **kwargs):
            principal = current_principal()
            if principal is None:
                session.pop("token", None)
                if request.method == "GET":
                    return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
                return redirect(url_for("staff.login"))
            if principal.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate
