"""The notifier's worker and channels: sends what the outbox holds, outside the queue's path.

One worker per server process.  A message is claimed in a short transaction (status
``sending``, one more attempt), sent with a time limit while no lock is held, and its
outcome recorded in another short transaction: sent; pending again after a backoff
that doubles; or failed with the reason, when the failure is permanent, the attempts
are used up or the message has outlived its use.  A server stopped during an attempt
finds the message ``sending`` at its next start and tries it again, with the same
outbox id in the gateway request and the same Message-ID in the e-mail, so a gateway
or mail system that drops repeats sees it once.
"""

from __future__ import annotations

import base64
import json
import os
import smtplib
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path
from typing import Any, Protocol

from queue_server.domain import notify
from queue_server.domain.notify import Notifications, SmsGateway, Smtp
from queue_server.service.context import Context
from queue_server.service.notifier import Notifier
from queue_server.store import outbox

POLL_SECONDS = 1.0  # the worker also looks without being woken (reminders falling due)
BATCH = 20
REASON_LIMIT = 300  # characters of a failure kept for the administrator


class SendError(Exception):
    """A delivery that did not happen; ``permanent`` ones are not tried again."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason[:REASON_LIMIT])
        self.permanent = permanent


class Channel(Protocol):
    timeout_seconds: float

    def send(self, message: dict[str, Any]) -> None: ...


class FileChannel:
    """The demo's channel: one text file per message in a directory (written once, atomically)."""

    timeout_seconds = 5.0

    def __init__(self, directory: Path):
        self.directory = directory

    def send(self, message: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / f"{message['id']:08d}-{message['channel']}.txt"
        if target.exists():  # sent before a crash, not yet marked: exactly one file
            return
        text = (f"To: {message['recipient']}\nKind: {message['kind']}\n"
                + (f"Subject: {message['subject']}\n" if message["subject"] else "")
                + f"\n{message['body']}\n")
        temporary = target.with_suffix(".tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)


class HttpSmsChannel:
    """An operator's HTTP gateway; 5xx, timeouts and garbage are retried, 4xx is final."""

    def __init__(self, gateway: SmsGateway):
        self.gateway = gateway
        self.timeout_seconds = gateway.timeout_seconds

    def send(self, message: dict[str, Any]) -> None:
        g = self.gateway
        fields = {g.to_field: message["recipient"], g.text_field: message["body"],
                  g.sender_field: g.sender, g.id_field: str(message["id"])}
        if g.format == "form":
            data, content_type = urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
        else:
            data, content_type = json.dumps(fields, ensure_ascii=False).encode(), "application/json"
        request = urllib.request.Request(g.url, data=data, method="POST",
                                         headers={"Content-Type": content_type})
        if g.username:
            pair = base64.b64encode(f"{g.username}:{g.password}".encode()).decode()
            request.add_header("Authorization", f"Basic {pair}")
        try:
            with urllib.request.urlopen(request, timeout=g.timeout_seconds) as response:
                answer = response.read(4096).decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            permanent = 400 <= error.code < 500 and error.code not in (408, 429)
            raise SendError(f"gateway answered {error.code} {error.reason}", permanent=permanent) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise SendError(f"gateway unreachable: {reason}") from None
        if g.ok_contains and g.ok_contains not in answer:
            raise SendError(f"gateway answer not understood: {answer[:80]!r}")


class SmtpChannel:
    """E-mail through the office's SMTP server; a 5xx refusal is final, the rest retried."""

    def __init__(self, settings: Smtp, office_id: str):
        self.settings = settings
        self.office_id = office_id
        self.timeout_seconds = settings.timeout_seconds

    def send(self, message: dict[str, Any]) -> None:
        s = self.settings
        mail = EmailMessage()
        mail["From"] = formataddr(("", s.sender)) if "<" not in s.sender else s.sender
        mail["To"] = message["recipient"]
        mail["Subject"] = message["subject"]
        # The same id on every attempt: a repeat after a crash is recognisable as one.
        day = message["created_at"][:10]
        mail["Message-ID"] = f"<outbox-{message['id']}.{day}@{self.office_id}.odno-okno>"
        mail.set_content(message["body"])
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds) as smtp:
                if s.starttls:
                    smtp.starttls()
                if s.username:
                    smtp.login(s.username, s.password)
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            raise SendError(f"mail server refused the address: {code} {_text(text)}",
                            permanent=code >= 500) from None
        except smtplib.SMTPResponseException as error:
            raise SendError(f"mail server answered {error.smtp_code} {_text(error.smtp_error)}",
                            permanent=error.smtp_code >= 500) from None
        except (smtplib.SMTPException, OSError) as error:
            raise SendError(f"mail server unreachable: {error}") from None


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def channels_for(settings: Notifications, data_dir: Path, office_id: str) -> dict[str, Channel]:
    """The channel of each address kind: the configured gateway or server, else the file outbox."""
    directory = Path(settings.file_outbox)
    files = FileChannel(directory if directory.is_absolute() else data_dir / directory)
    return {
        notify.SMS: HttpSmsChannel(settings.sms) if settings.sms else files,
        notify.EMAIL: SmtpChannel(settings.email, office_id) if settings.email else files,
    }


class Worker:
    """Sends due messages until stopped; never holds the write lock while sending."""

    def __init__(self, context: Context, notifier: Notifier, channels: dict[str, Channel]):
        self._ctx = context
        self._store = context.store
        self._notifier = notifier
        self._settings = notifier.settings
        self.channels = channels

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                sent_any = self.deliver_due()
            except Exception as error:  # keep going; the next round retries
                print(f"queue-server: notifier worker: {error!r}", file=sys.stderr, flush=True)
                sent_any = 0
            if not sent_any:
                self._notifier.wake.wait(POLL_SECONDS)
            self._notifier.wake.clear()

    def deliver_due(self) -> int:
        """One round: every message due now, tried once.  Answers how many were tried."""
        due = outbox.due(self._store.db, self._ctx.now(), BATCH)
        for message in due:
            self.deliver(message)
        return len(due)

    def deliver(self, message: dict[str, Any]) -> None:
        channel = self.channels[message["channel"]]
        now = self._ctx.now()
        if now >= datetime.fromisoformat(message["expires_at"]):
            with self._store.write() as db:
                outbox.mark_failed(db, message["id"], _reason("too late to be of use", message))
            return
        retry_at = now + timedelta(seconds=channel.timeout_seconds + 5)
        with self._store.write() as db:
            if not outbox.claim(db, message["id"], now, retry_at):
                return
        attempts = message["attempts"] + 1
        try:
            channel.send(message)
        except SendError as error:
            self._failed(message, attempts, error)
            return
        except Exception as error:  # a channel's bug: a failure of this message, not of the worker
            self._failed(message, attempts, SendError(f"unexpected: {error!r}"))
            return
        with self._store.write() as db:
            outbox.mark_sent(db, message["id"], self._ctx.now())

    def _failed(self, message: dict[str, Any], attempts: int, error: SendError) -> None:
        now = self._ctx.now()
        retry_at = now + timedelta(seconds=self._settings.backoff_seconds * 2 ** (attempts - 1))
        reason = f"attempt {attempts}: {error}"
        final = (error.permanent or attempts >= self._settings.attempts
                 or retry_at >= datetime.fromisoformat(message["expires_at"]))
        with self._store.write() as db:
            if final:
                outbox.mark_failed(db, message["id"], reason)
            else:
                outbox.mark_retry(db, message["id"], reason, retry_at)


def _reason(text: str, message: dict[str, Any]) -> str:
    last = message.get("last_error")
    return f"{text}; last: {last}" if last else text
