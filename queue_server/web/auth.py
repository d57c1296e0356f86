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
from datetime import timedelta
from functools import wraps

from flask import current_app, g, request

from queue_server.domain import access
from queue_server.store import accounts
from queue_server.store.audit import record_audit


class Unauthorized(Exception):
    pass


class Forbidden(Exception):
    pass


class SignInRefused(Exception):
    def __init__(self, reason: str, retry_after: float = 0.0):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


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


@dataclass(frozen=True)
class SignedIn:
    token: str
    user: accounts.User
    expires_at: object


def _services():
    return current_app.extensions["odno_okno"]


CACHE_SECONDS = 30.0  # how long a known token is trusted without asking the database again


def principal_for_token(token: str | None) -> Principal | None:
    """The staff member or device a token belongs to, or None if unknown or expired.

    Known tokens are remembered for a short while; any change to accounts or sessions
    in this process (sign-out, a disabled account, a new password) forgets them all.
    """
    if not token:
        return None
    service = _services()
    now = service.now()
    known = service.principal_cache  # one per application, like its database
    cached = known.get(token)
    if cached is not None and cached[1] > now and cached[2] == accounts.changes():
        return cached[0]
    generation = accounts.changes()
    db = service.store.db
    session = accounts.active_session(db, token, now=now)
    if session is not None:
        user, expires_at = session
        principal = Principal("user", user.name, user.role, user.workplaces, token)
        until = min(now + timedelta(seconds=CACHE_SECONDS), expires_at)
    else:
        device = accounts.device_for_token(db, token)
        if device is None:
            return None
        principal = Principal("device", device.name, device.kind, (), token)
        until = now + timedelta(seconds=CACHE_SECONDS)
    if len(known) > 10_000:  # never grows without bound
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


def sign_in(username: str, password: str, remote_addr: str | None) -> SignedIn:
    """Check a password, slowing down repeated failures; open a session."""
    service = _services()
    now = service.now()
    key = f"{username.lower()}|{remote_addr or '-'}"
    with service.store.write() as db:
        wait = accounts.sign_in_delay(db, key, now=now)
        if wait > 0:
            raise SignInRefused("too many failed attempts; try again later", wait)
        user = accounts.verify_password(db, username, password)
        accounts.note_sign_in(db, key, ok=user is not None, now=now)
        record_audit(db, actor=f"user:{username[:64]}", at=now,
                     action="sign_in" if user is not None else "sign_in_failed",
                     detail=f"from {remote_addr or 'unknown address'}")
        if user is not None:
            hours = current_app.config["SESSION_HOURS"]
            token, expires = accounts.open_session(db, user.name, now=now,
                                                   lifetime=timedelta(hours=hours))
    if user is None:  # raised after the commit, so the failure is counted
        raise SignInRefused("wrong name or password")
    return SignedIn(token, user, expires)


def sign_out(token: str) -> None:
    service = _services()
    with service.store.write() as db:
        user = accounts.session_user(db, token, now=service.now())
        accounts.close_session(db, token)
        if user is not None:
            record_audit(db, actor=f"user:{user.name}", action="sign_out", at=service.now())
