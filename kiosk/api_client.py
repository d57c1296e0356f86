"""The kiosk's side of the HTTP API (docs/api.md), on the standard library.

Every call has a timeout.  Issuing a ticket is retried after a timeout or a lost
connection with the *same* ``request_id``, which the server uses to answer with
the ticket it already made instead of a second one.  Nothing here returns a
ticket the server did not send.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

RETRY_PAUSE_S = 0.3
NO_ROUTE = "no_route"  # the server does not offer the address: a capability it lacks (docs/api.md)


class ServerUnreachable(Exception):
    """No answer: connection refused, reset, timed out, or a 5xx from a proxy or crash."""


class ApiError(Exception):
    """The server answered with an error (4xx): ``status``, ``code``, ``reason``."""

    def __init__(self, status: int, code: str, reason: str,
                 payload: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code}: {reason}")
        self.status, self.code, self.reason = status, code, reason
        self.payload = payload or {}
        """The whole answer: fields beside the code, e.g. ``opens_at`` or ``come_back_at``."""


class ApiClient:
    def __init__(
        self,
        server_url: str,
        token: str,
        *,
        timeout: float = 5.0,
        attempts: int = 3,
        on_retry: Callable[[int, Exception], None] | None = None,
    ) -> None:
        if not server_url.startswith(("http://", "https://")):
            raise ValueError(f"server address must start with http:// or https://: {server_url!r}")
        self.server_url = server_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.on_retry = on_retry
        """Called after a failed attempt that will be retried (attempt number, error)."""

    # --- plumbing ---------------------------------------------------------------------

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(self.server_url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, _decode(response.read())
        except urllib.error.HTTPError as error:
            payload = _decode(error.read())
            if error.code >= 500:
                raise ServerUnreachable(f"server error {error.code}") from error
            payload = payload if isinstance(payload, dict) else {}
            raise ApiError(
                error.code, str(payload.get("error", "http_error")), str(payload.get("reason", "")),
                payload,
            ) from error
        except (TimeoutError, urllib.error.URLError, http.client.HTTPException, OSError) as error:
            raise ServerUnreachable(str(getattr(error, "reason", error))) from error

    # --- resources --------------------------------------------------------------------

    def office(self) -> dict[str, Any]:
        _, body = self.request("GET", "/api/v1/office")
        if not isinstance(body, dict):
            raise ServerUnreachable("office answer is not a JSON object")
        return body

    def issue_ticket(
        self, life_situation: str, language: str, priority: bool, request_id: str
    ) -> dict[str, Any]:
        body = {
            "life_situation": life_situation,
            "language": language,
            "priority": priority,
            "request_id": request_id,
        }
        for attempt in range(1, self.attempts + 1):
            try:
                status, ticket = self.request("POST", "/api/v1/tickets", body)
            except ServerUnreachable as error:
                if attempt == self.attempts:
                    raise
                if self.on_retry:
                    self.on_retry(attempt, error)
                time.sleep(RETRY_PAUSE_S * attempt)  # back-off before the idempotent retry
                continue
            return _confirmed_ticket(status, ticket)
        raise AssertionError("unreachable")

    def check_in(self, code: str, language: str) -> dict[str, Any]:
        status, ticket = self.request(
            "POST", "/api/v1/appointments/check-in", {"code": code, "language": language}
        )
        return _confirmed_ticket(status, ticket)

    def leave_phone(self, ticket_id: str, phone: str) -> bool:
        """Whether the server took the phone for «your turn is near» (consent was given)."""
        status, body = self.request("POST", f"/api/v1/tickets/{ticket_id}/phone",
                                    {"phone": phone, "phone_consent": True})
        return status == 200 and isinstance(body, dict) and body.get("phone_accepted") is True

    def request_help(self) -> dict[str, Any]:
        _, body = self.request("POST", "/api/v1/help-calls", {})
        return body if isinstance(body, dict) else {}

    def report_printer(self, state: str, detail: str = "") -> None:
        self.request("POST", "/api/v1/devices/status", {"printer": state, "detail": detail[:300]})

    def heartbeat(self) -> None:
        """One attempt only: a missed beat is followed by the next one (kiosk/heartbeat.py)."""
        self.request("POST", "/api/v1/devices/heartbeat")


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _confirmed_ticket(status: int, ticket: Any) -> dict[str, Any]:
    if status not in (200, 201) or not isinstance(ticket, dict) or not ticket.get("number"):
        raise ServerUnreachable(f"no ticket in the answer (status {status})")
    return ticket
