"""Staff accounts, sign-in sessions and device tokens: who is calling, and changes to who may.

Every change to an account or a device is one write transaction together with its
audit record.  Token lookups answer an ``Identity``; caching them is the web
layer's business (``accounts_generation`` tells it when to forget).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from queue_server.service.context import Context
from queue_server.service.errors import SignInRefused
from queue_server.store import accounts as store
from queue_server.store.accounts import AccountError, User
from queue_server.store.audit import audit_entries, record_audit

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


class Accounts:
    def __init__(self, context: Context):
        self._ctx = context
        self._store = context.store

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
                session_hours: float) -> SignedIn:
        """Check a password, slowing down repeated failures; open a session."""
        now = self._ctx.now()
        key = f"{username.lower()}|{remote_addr or '-'}"
        with self._store.write() as db:
            wait = store.sign_in_delay(db, key, now=now)
            if wait > 0:
                raise SignInRefused("too many failed attempts; try again later", wait)
            user = store.verify_password(db, username, password)
            store.note_sign_in(db, key, ok=user is not None, now=now)
            record_audit(db, actor=f"user:{username[:64]}", at=now,
                         action="sign_in" if user is not None else "sign_in_failed",
                         detail=f"from {remote_addr or 'unknown address'}")
            if user is not None:
                token, expires = store.open_session(db, user.name, now=now,
                                                    lifetime=timedelta(hours=session_hours))
        if user is None:  # raised after the commit, so the failure is counted
            raise SignInRefused("wrong name or password")
        return SignedIn(token, user, expires)

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
                    *, actor: str, workplace: str | None = None) -> User:
        with self._store.write() as db:
            user = store.create_user(db, name, role, password, workplaces, now=self._ctx.now())
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
        with self._store.write() as db:
            store.set_password(db, name, password)
            self._audit(db, actor, workplace, "account.password_reset", name, {})

    def add_device(self, name: str, kind: str, *, actor: str, token: str | None = None) -> str:
        """Register (or re-key) a kiosk or display; answers its token, shown once."""
        with self._store.write() as db:
            token = store.add_device(db, name, kind, now=self._ctx.now(), token=token)
            self._audit(db, actor, None, "device.add", name, {"kind": kind})
        return token

    def audit_entries(self, limit: int = 200) -> list[dict]:
        return audit_entries(self._store.db, limit)

    def _audit(self, db, actor: str, workplace: str | None, action: str, target: str,
               detail: dict) -> None:
        record_audit(db, actor=actor, action=action, workplace=workplace, at=self._ctx.now(),
                     detail=json.dumps({"target": target, **detail}, ensure_ascii=False))
