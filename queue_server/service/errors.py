"""What a use case answers when it cannot do what was asked; the web maps each to a status."""

from __future__ import annotations

from queue_server.domain.limits import InvalidInput
from queue_server.store.database import StorageFault

__all__ = ["BadRequest", "Busy", "Forbidden", "NotFound", "SignInRefused", "StorageFault", "Unauthorized"]


class NotFound(LookupError):
    """No such ticket, workplace or help call."""


class BadRequest(InvalidInput):
    """A value the office does not know or allow; the message starts with the field's name."""


class Busy(Exception):
    """The workplace still has a visitor."""


class Unauthorized(Exception):
    """No valid token."""


class Forbidden(Exception):
    """The caller's role or workplace does not allow the action."""


class SignInRefused(Exception):
    def __init__(self, reason: str, retry_after: float = 0.0):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class Refused(Exception):
    """A use case refused for a reason clients act on.

    ``code`` is one of the API's machine codes (web/api/contract.py); ``extra`` goes into
    the answer beside it (e.g. ``opens_at`` for a closed office).
    """

    def __init__(self, code: str, reason: str, **extra: object):
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.extra = extra
