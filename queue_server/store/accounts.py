"""Staff accounts, their sign-in sessions, and device tokens.

Passwords are hashed with werkzeug's scrypt; tokens are random and only their
SHA-256 is stored, so a copy of the database gives no one a working token.
Hashing and checking a password is slow on purpose, so it is the service's job and
happens before the write transaction: this module stores and reads hashes only.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from queue_server.domain.access import DEVICES, STAFF_ROLES

NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


class AccountError(ValueError):
    pass


class _Changes:
    """Counts changes to accounts and sessions in this process, so caches know when to forget."""

    count = 0

    @classmethod
    def note(cls) -> None:
        cls.count += 1


def changes() -> int:
    return _Changes.count


@dataclass(frozen=True)
class User:
    name: str
    role: str
    workplaces: tuple[str, ...]
    active: bool


@dataclass(frozen=True)
class Device:
    name: str
    kind: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_name(name: str) -> str:
    if not name or len(name) > 64 or not set(name) <= NAME_CHARS:
        raise AccountError("name: 1–64 characters of a–z, 0–9, '.', '_' or '-'")
    return name


def check_role(role: str) -> str:
    if role not in STAFF_ROLES:
        raise AccountError(f"role: must be one of {', '.join(STAFF_ROLES)}")
    return role


def _user(row: dict) -> User:
    return User(row["name"], row["role"], tuple(json.loads(row["workplaces"])), bool(row["active"]))


def create_user(db: sqlite_utils.Database, name: str, role: str, password_hash: str,
                workplaces: list[str] | tuple[str, ...] = (), *, now: datetime) -> User:
    check_name(name)
    check_role(role)
    if get_user(db, name) is not None:
        raise AccountError(f"name: user {name!r} exists")
    db["users"].insert({
        "name": name, "role": role, "password_hash": password_hash,
        "workplaces": json.dumps(list(workplaces)), "active": 1, "created_at": now.isoformat(),
    })
    return User(name, role, tuple(workplaces), True)


def get_user(db: sqlite_utils.Database, name: str) -> User | None:
    rows = list(db.query("SELECT * FROM users WHERE name = ?", [name]))
    return _user(rows[0]) if rows else None


def list_users(db: sqlite_utils.Database) -> list[User]:
    return [_user(row) for row in db.query("SELECT * FROM users ORDER BY name")]


def update_user(db: sqlite_utils.Database, name: str, *, role: str | None = None,
                workplaces: list[str] | tuple[str, ...] | None = None,
                active: bool | None = None) -> User:
    if get_user(db, name) is None:
        raise AccountError(f"name: no user {name!r}")
    changes: dict = {}
    if role is not None:
        changes["role"] = check_role(role)
    if workplaces is not None:
        changes["workplaces"] = json.dumps(list(workplaces))
    if active is not None:
        changes["active"] = int(active)
        if not active:
            db.execute("DELETE FROM sessions WHERE user = ?", [name])
    if changes:
        db["users"].update(name, changes)
    _Changes.note()
    user = get_user(db, name)
    assert user is not None
    return user


def set_password(db: sqlite_utils.Database, name: str, password_hash: str) -> None:
    if get_user(db, name) is None:
        raise AccountError(f"name: no user {name!r}")
    db["users"].update(name, {"password_hash": password_hash})
    db.execute("DELETE FROM sessions WHERE user = ?", [name])
    _Changes.note()


def password_hash_of(db: sqlite_utils.Database, name: str) -> tuple[User, str] | None:
    """An active account and its password hash, or None."""
    rows = list(db.query("SELECT * FROM users WHERE name = ? AND active = 1", [name]))
    return (_user(rows[0]), rows[0]["password_hash"]) if rows else None


def open_session(db: sqlite_utils.Database, name: str, *, now: datetime,
                 lifetime: timedelta) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires = now + lifetime
    db["sessions"].insert({"token_hash": hash_token(token), "user": name,
                           "created_at": now.isoformat(), "expires_at": expires.isoformat()})
    return token, expires


def active_session(db: sqlite_utils.Database, token: str, *,
                   now: datetime) -> tuple[User, datetime] | None:
    """The user of an unexpired session of an active account, and when the session ends."""
    rows = list(db.query(
        "SELECT users.*, sessions.expires_at AS session_expires_at FROM sessions "
        "JOIN users ON users.name = sessions.user "
        "WHERE token_hash = ? AND expires_at > ? AND users.active = 1",
        [hash_token(token), now.isoformat()]))
    if not rows:
        return None
    row = rows[0]
    return _user(row), datetime.fromisoformat(row["session_expires_at"])


def session_user(db: sqlite_utils.Database, token: str, *, now: datetime) -> User | None:
    session = active_session(db, token, now=now)
    return session[0] if session is not None else None


def close_session(db: sqlite_utils.Database, token: str) -> None:
    db.execute("DELETE FROM sessions WHERE token_hash = ?", [hash_token(token)])
    _Changes.note()


def add_device(db: sqlite_utils.Database, name: str, kind: str, *, now: datetime,
               token: str | None = None) -> str:
    """Register a kiosk or display; answers its token (shown once, stored hashed)."""
    check_name(name)
    if kind not in DEVICES:
        raise AccountError(f"kind: must be one of {', '.join(DEVICES)}")
    token = token or secrets.token_urlsafe(24)
    db["devices"].upsert({"name": name, "kind": kind, "token_hash": hash_token(token),
                          "created_at": now.isoformat()}, pk="name")
    _Changes.note()
    return token


def device_for_token(db: sqlite_utils.Database, token: str) -> Device | None:
    rows = list(db.query("SELECT name, kind FROM devices WHERE token_hash = ?", [hash_token(token)]))
    return Device(rows[0]["name"], rows[0]["kind"]) if rows else None


# --- slowing down password guessing -------------------------------------------------

MAX_DELAY_SECONDS = 300


def sign_in_delay(db: sqlite_utils.Database, key: str, *, free: int, now: datetime) -> float:
    """Seconds to wait before ``key`` (an account, an address) may try again; 0 when free.

    After ``free`` failures in a row each further one doubles the wait, up to 5 minutes.
    """
    rows = list(db.query("SELECT * FROM sign_in_failures WHERE key = ?", [key]))
    if not rows or rows[0]["failures"] < free:
        return 0.0
    delay = min(MAX_DELAY_SECONDS, 2 ** min(20, rows[0]["failures"] - free + 1))
    ready = datetime.fromisoformat(rows[0]["last_at"]) + timedelta(seconds=delay)
    return max(0.0, (ready - now).total_seconds())


def note_sign_in(db: sqlite_utils.Database, key: str, *, ok: bool, now: datetime) -> None:
    if ok:
        db.execute("DELETE FROM sign_in_failures WHERE key = ?", [key])
        return
    db.execute(
        "INSERT INTO sign_in_failures (key, failures, last_at) VALUES (?, 1, ?) "
        "ON CONFLICT (key) DO UPDATE SET failures = failures + 1, last_at = excluded.last_at",
        [key, now.isoformat()])
