"""Who is calling: staff sessions and device tokens, and what each may do.

The API reads a bearer token from the ``Authorization`` header, or from
``?token=`` for clients that cannot set headers (EventSource, a TV browser).
It never reads cookies, so it is not exposed to cross-site request forgery;
the staff pages keep their token in Flask's signed session and pass it to their
scripts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from flask import current_app, g, request

from queue_server.domain import access
from queue_server.service.errors import Forbidden, Unauthorized
from queue_server.web import services


@dataclass(frozen=True)
class Principal:
    kind: str  # "user" or "device"
    name: str
    role: str  # a staff role, or the device kind ("kiosk", "display")
    workplaces: tuple[str, ...] = ()
    token: str = ""

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.name}"

    @property
    def is_staff(self) -> bool:
        return self.kind == "user"

    def may(self, action: str) -> bool:
        return access.may(self.role, action)

    def works_at(self, workplace_id: str | None) -> bool:
        return workplace_id is not None and (self.may("work at every workplace")
                                             or workplace_id in self.workplaces)


CACHE_SECONDS = 30.0  # how long a known token is trusted without asking the database again
CACHE_KEY = "odno_okno.principals"  # app.extensions: token -> (principal, until, generation)
CACHE_LIMIT = 10_000


def principal_for_token(token: str | None) -> Principal | None:
    """The staff member or device a token belongs to, or None if unknown or expired.

    Known tokens are remembered for a short while; any change to accounts or sessions
    in this process (sign-out, a disabled account, a new password) forgets them all.
    """
    if not token:
        return None
    accounts = services().accounts
    now = services().now()
    known: dict[str, tuple[Principal, datetime, int]] = current_app.extensions.setdefault(CACHE_KEY, {})
    cached = known.get(token)
    generation = accounts.generation()
    if cached is not None and cached[1] > now and cached[2] == generation:
        return cached[0]
    identity = accounts.identity(token)
    if identity is None:
        return None
    principal = Principal(identity.kind, identity.name, identity.role, identity.workplaces, token)
    until = now + timedelta(seconds=CACHE_SECONDS)
    if identity.valid_until is not None:
        until = min(until, identity.valid_until)
    if len(known) > CACHE_LIMIT:  # never grows without bound
        known.clear()
    known[token] = (principal, until, generation)
    return principal


def request_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[len("Bearer "):].strip()
    return request.args.get("token")


def current_principal() -> Principal | None:
    if "principal" not in g:
        g.principal = principal_for_token(request_token())
    return g.principal


def require(action: str) -> Callable:
    """Refuse the view unless the caller's role may perform ``action`` (domain/access.py)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            principal = current_principal()
            if principal is None:
                raise Unauthorized("a valid token is required")
            if not principal.may(action):
                raise Forbidden(f"{principal.role} may not {action}")
            return view(*args, **kwargs)

        guarded.required_action = action  # type: ignore[attr-defined]
        return guarded

    return decorator
