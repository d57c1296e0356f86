"""Staff accounts, sign-in sessions and device tokens: who is calling, and changes to who may.

Every change to an account or a device is one write transaction together with its
audit record.  Token lookups answer an ``Identity``; caching them is the web
layer's business (``accounts_generation`` tells it when to forget).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from time import sleep as hold  # gevent's, when the process is patched (cli.py patches first)

from werkzeug.security import check_password_hash, generate_password_hash

from queue_server.domain import limits
from queue_server.service.context import Context
from queue_server.service.errors import SignInRefused
from queue_server.store import accounts as store
from queue_server.store.accounts import AccountError, User
from queue_server.store.audit import audit_entries, record_audit, targets_of
from queue_server.store.database import gevent_patched

__all__ = ["AccountError", "Accounts", "Identity", "SignedIn", "User"]


@dataclass(frozen=True)
class Identity:
    """A staff member with an open session, or a registered device."""

    kind: str  # "user" or "device"
    name: str
    role: str  # a staff role, or the device kind ("kiosk", "display")
    workplaces: tuple[str, ...]
    valid_until: datetime | None  # a session's end; None for a device token


@dataclass(frozen=True)
class SignedIn:
    token: str
    user: User
    expires_at: datetime


# Slowing down password guessing (see docs/security.md, "Sign-in"):
ACCOUNT_FREE_FAILURES = 3  # per account, from any address: then 2, 4, 8 … s, up to 5 min
ADDRESS_FREE_FAILURES = 10  # per address, whatever the names tried
GLOBAL_FAILURES = 30  # failures of the whole office in GLOBAL_WINDOW before everyone waits
GLOBAL_WINDOW = timedelta(minutes=1)
PASSWORD_CHECKS_AT_ONCE = 1  # scrypt takes a core for ~50 ms; the queue keeps the other
DELAYED_AT_ONCE = 64  # failed sign-ins held back at a time; beyond, they answer at once


@cache
def _dummy_hash() -> str:
    """Checked for an unknown name, so its answer takes as long as a real account's."""
    return generate_password_hash("no such account")


class Accounts:
    def __init__(self, context: Context):
        self._ctx = context
        self._store = context.store
        self._checking = threading.BoundedSemaphore(PASSWORD_CHECKS_AT_ONCE)
        self._recent_failures: deque[datetime] = deque()
        self._failures_lock = threading.Lock()
        self._delaying = threading.BoundedSemaphore(DELAYED_AT_ONCE)

    # --- who is calling -----------------------------------------------------------------

    def identity(self, token: str) -> Identity | None:
        """The staff member or device a token belongs to, or None if unknown or expired."""
        db = self._store.db
        session = store.active_session(db, token, now=self._ctx.now())
        if session is not None:
            user, expires_at = session
            return Identity("user", user.name, user.role, user.workplaces, expires_at)
        device = store.device_for_token(db, token)
        if device is None:
            return None
        return Identity("device", device.name, device.kind, (), None)

    @staticmethod
    def generation() -> int:
        """Grows with every change to accounts, sessions or devices in this process."""
        return store.changes()

    def sign_in(self, username: str, password: str, remote_addr: str | None, *,
                session_hours: float, failure_seconds: float = 0.0) -> SignedIn:
        """Check a password, slowing down repeated failures; open a session.

        The slow part (scrypt) runs outside the write lock, one check at a time, so
        guessing never holds up a ticket; unknown names cost the same as known ones.
        Failures are counted per account, per address and for the whole office, and
        each failed or refused attempt is answered only after ``failure_seconds``: a
        client guessing back to back gets one guess a second, not hundreds.
        """
        try:
            return self._sign_in(username, password, remote_addr, session_hours)
        except SignInRefused:
            self._hold_back(failure_seconds)
            raise

    def _hold_back(self, seconds: float) -> None:
        if seconds > 0 and self._delaying.acquire(blocking=False):
            try:
                hold(seconds)  # under gevent a greenlet's sleep; else one thread of many
            finally:
                self._delaying.release()

    def _sign_in(self, username: str, password: str, remote_addr: str | None,
                 session_hours: float) -> SignedIn:
        now = self._ctx.now()
        keys = {f"user:{username.lower()[:64]}": ACCOUNT_FREE_FAILURES,
                f"addr:{remote_addr or '-'}": ADDRESS_FREE_FAILURES}
        db = self._store.db
        wait = max([self._global_wait(now),
                    *(store.sign_in_delay(db, key, free=free, now=now) for key, free in keys.items())])
        if wait > 0:
            raise SignInRefused("too many failed attempts; try again later", wait)
        record = store.password_hash_of(db, username)
        with self._checking:
            matches = _off_the_loop(check_password_hash, record[1] if record else _dummy_hash(),
                                    password)
        user = record[0] if record is not None and matches else None
        with self._store.write() as db:
            for key in keys:
                store.note_sign_in(db, key, ok=user is not None, now=now)
            record_audit(db, actor=f"user:{username[:64]}", at=now,
                         action="sign_in" if user is not None else "sign_in_failed",
                         detail=f"from {remote_addr or 'unknown address'}")
            if user is not None:
                token, expires = store.open_session(db, user.name, now=now,
                                                    lifetime=timedelta(hours=session_hours))
        if user is None:  # raised after the commit, so the failure is counted
            self._note_global_failure(now)
            raise SignInRefused("wrong name or password")
        return SignedIn(token, user, expires)

    def _global_wait(self, now: datetime) -> float:
        """Seconds until the office's failures of the last minute fall below the limit."""
        with self._failures_lock:
            while self._recent_failures and self._recent_failures[0] <= now - GLOBAL_WINDOW:
                self._recent_failures.popleft()
            if len(self._recent_failures) < GLOBAL_FAILURES:
                return 0.0
            oldest = self._recent_failures[-GLOBAL_FAILURES]
            return max(1.0, (oldest + GLOBAL_WINDOW - now).total_seconds())

    def _note_global_failure(self, now: datetime) -> None:
        with self._failures_lock:
            self._recent_failures.append(now)

    def sign_out(self, token: str) -> None:
        now = self._ctx.now()
        with self._store.write() as db:
            user = store.session_user(db, token, now=now)
            store.close_session(db, token)
            if user is not None:
                record_audit(db, actor=f"user:{user.name}", action="sign_out", at=now)

    # --- managing accounts and devices ----------------------------------------------------

    def users(self) -> list[User]:
        return store.list_users(self._store.db)

    def user(self, name: str) -> User | None:
        return store.get_user(self._store.db, name)

    def create_user(self, name: str, role: str, password: str, workplaces: tuple[str, ...] = (),
                    *, actor: str, workplace: str | None = None, demo: bool = False) -> User:
        """``demo``: the demo office's accounts keep their well-known short password
        (``queue-server run`` refuses a data directory that has them)."""
        password_hash = generate_password_hash(password if demo else _checked(password))
        with self._store.write() as db:
            user = store.create_user(db, name, role, password_hash, workplaces, now=self._ctx.now())
            self._audit(db, actor, workplace, "account.created", name,
                        {"role": role, "workplaces": list(workplaces)})
        return user

    def update_user(self, name: str, *, role: str, workplaces: tuple[str, ...], active: bool,
                    actor: str, workplace: str | None = None) -> User:
        with self._store.write() as db:
            user = store.update_user(db, name, role=role, workplaces=workplaces, active=active)
            self._audit(db, actor, workplace, "account.updated", name,
                        {"role": role, "workplaces": list(workplaces), "active": active})
        return user

    def set_password(self, name: str, password: str, *, actor: str,
                     workplace: str | None = None) -> None:
        password_hash = generate_password_hash(_checked(password))
        with self._store.write() as db:
            store.set_password(db, name, password_hash)
            self._audit(db, actor, workplace, "account.password_reset", name, {})

    def add_device(self, name: str, kind: str, *, actor: str, token: str | None = None) -> str:
        """Register (or re-key) a kiosk or display; answers its token, shown once."""
        with self._store.write() as db:
            token = store.add_device(db, name, kind, now=self._ctx.now(), token=token)
            self._audit(db, actor, None, "device.add", name, {"kind": kind})
        return token

    def demo_leftovers(self, *, actor: str, password: str, tokens: dict[str, str]) -> list[str]:
        """The accounts ``actor`` created that still take ``password``, and the devices
        whose token is still one of ``tokens`` (name: token): what a demo left behind."""
        db = self._store.db
        left = [name for name, token in tokens.items()
                if (device := store.device_for_token(db, token)) is not None and device.name == name]
        for name in dict.fromkeys(targets_of(db, actor=actor, action="account.created")):
            record = store.password_hash_of(db, name)
            if record is not None and check_password_hash(record[1], password):
                left.append(name)
        return left

    def audit_entries(self, limit: int = 200) -> list[dict]:
        return audit_entries(self._store.db, limit)

    def _audit(self, db, actor: str, workplace: str | None, action: str, target: str,
               detail: dict) -> None:
        record_audit(db, actor=actor, action=action, workplace=workplace, at=self._ctx.now(),
                     detail=json.dumps({"target": target, **detail}, ensure_ascii=False))


def _off_the_loop(function, *args):
    """Under gevent, CPU-bound work in gevent's thread pool: scrypt releases the GIL, so the
    event loop (every stream, every ticket) keeps running meanwhile.  Otherwise: just call."""
    if not gevent_patched():
        return function(*args)
    import gevent

    return gevent.get_hub().threadpool.apply(function, args)


def _checked(password: str) -> str:
    try:
        return limits.password(password)
    except limits.InvalidInput as error:
        raise AccountError(str(error)) from None
