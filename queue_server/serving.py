"""The HTTP servers' limits: what one slow, idle or greedy client can hold, and for how long.

Both worker modes bound the open connections (``max_connections``) and give every
request ``request_seconds`` to arrive whole — request line, headers and body — and an
idle kept-alive connection ``idle_seconds``.  A client that dribbles a byte every few
seconds is cut off at the deadline, so a thousand of them hold a thousand sockets for
a while, never the workers.  The settings are the libraries' own where they have one
(waitress ``connection_limit``, ``channel_timeout``, ``cleanup_interval``,
``max_request_body_size``; a gevent ``Pool``); the whole-request deadline is the one
thing neither offers.  Event streams have a limit of their own (``web.api.events``).
docs/security.md ("Limits") explains the figures and the reverse proxy in front.
"""

from __future__ import annotations

import io
import sys
import time
from dataclasses import dataclass

MAX_BODY_BYTES = 64 * 1024  # the largest request of the API or a staff form is < 4 KiB
FILES_PER_CONNECTION = 1
FILES_SPARE = 256  # the database, its WAL, logs, the listening socket, sounds


@dataclass(frozen=True)
class Limits:
    max_connections: int = 4000
    request_seconds: float = 20.0  # a whole request must arrive within this
    idle_seconds: float = 30.0  # a kept-alive connection with no request is closed after this

    def files_needed(self) -> int:
        return self.max_connections * FILES_PER_CONNECTION + FILES_SPARE


def raise_open_file_limit(limits: Limits) -> str | None:
    """Raise this process's soft RLIMIT_NOFILE to what the connections need, up to the
    hard limit; answers a warning when even that is too low."""
    if sys.platform == "win32":
        return None
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = limits.files_needed()
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    if soft != resource.RLIM_INFINITY and soft < needed:
        return (f"open-file limit {soft} is below the {needed} that --max-connections "
                f"{limits.max_connections} needs; raise it (LimitNOFILE= in the systemd unit, "
                f"ulimit -n) or lower --max-connections")
    return None


# --- waitress (--worker threads) ------------------------------------------------------------

def waitress_server(app, *, host: str, port: int, threads: int, limits: Limits):
    """A waitress server whose maintenance also closes channels too slow to send a request."""
    from waitress.adjustments import Adjustments
    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser
    from waitress.server import TcpWSGIServer

    class TimedParser(HTTPRequestParser):
        """Remembers when the request's first byte came."""

        def __init__(self, adj):
            super().__init__(adj)
            self.started = time.monotonic()

    class DeadlineChannel(HTTPChannel):
        parser_class = TimedParser

    class DeadlineServer(TcpWSGIServer):
        channel_class = DeadlineChannel

        def maintenance(self, now):
            super().maintenance(now)  # idle channels: channel_timeout
            cutoff = time.monotonic() - limits.request_seconds
            for channel in list(self.active_channels.values()):
                partial = channel.request
                if partial is not None and getattr(partial, "started", cutoff) < cutoff:
                    channel.will_close = True  # dribbling: the deadline for the whole request

    adj = Adjustments(
        host=host, port=port, threads=threads, ident="odno-okno", asyncore_use_poll=True,
        connection_limit=limits.max_connections, channel_timeout=int(limits.idle_seconds),
        cleanup_interval=max(1, int(min(limits.request_seconds, limits.idle_seconds) / 4)),
        max_request_body_size=MAX_BODY_BYTES, max_request_header_size=MAX_BODY_BYTES,
    )
    return DeadlineServer(app, adj=adj)


# --- gevent (--worker gevent) -----------------------------------------------------------------

def gevent_handler_class(limits: Limits):
    """A pywsgi handler that reads each request (body included) within the deadline,
    before the application runs: the app never waits on a slow client's body."""
    import gevent
    from gevent.pywsgi import WSGIHandler

    class TooSlow(BaseException):  # not an Exception: pywsgi would answer it as an app error
        pass

    class DeadlineHandler(WSGIHandler):
        def handle_one_request(self):
            # Covers waiting for the request line too: an idle kept-alive connection ends.
            self._deadline = gevent.Timeout(limits.request_seconds, TooSlow)
            self._deadline.start()
            try:
                return super().handle_one_request()
            except TooSlow:
                self.close_connection = True
                return None
            finally:
                self._deadline.close()

        def run_application(self):
            if self.environ["wsgi.input"] is not self.wsgi_input:  # an upgrade: not ours to read
                return self._refuse("400 Bad Request", b"connection upgrades are not served\n")
            try:  # chunked bodies carry no length: read one byte past the limit to tell
                body = self.wsgi_input.read(MAX_BODY_BYTES + 1)
            except TooSlow:
                return self._refuse("408 Request Timeout", b"request not received in time\n")
            if len(body) > MAX_BODY_BYTES:
                return self._refuse("413 Content Too Large", b"request body too large\n")
            self.environ["wsgi.input"] = io.BytesIO(body)
            self._deadline.close()  # the request is in: the answer (or a stream) may take its time
            return super().run_application()

        def _refuse(self, status: str, text: bytes) -> None:
            self._deadline.close()
            self.close_connection = True
            # pywsgi would read the rest of the body before closing: at a dribbler's pace.
            self.wsgi_input._chunked_input_error = True
            self.start_response(status, [("Content-Type", "text/plain"), ("Connection", "close"),
                                         ("Content-Length", str(len(text)))])
            self.result = [text]
            self.process_result()
            self.result = None

    return DeadlineHandler
