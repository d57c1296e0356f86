"""The kiosk says it is alive: ``POST /api/v1/devices/heartbeat`` every 30 seconds.

On its own thread, so a slow or absent server never delays a touch or a ticket; a
failed beat is simply the next one's job.  When beats stop (the PC is off, the
program crashed, the network is gone) the administrator's console raises an alarm.
"""

from __future__ import annotations

import logging
import threading

from kiosk.api_client import ApiClient, ApiError, ServerUnreachable

log = logging.getLogger(__name__)

EVERY_S = 30.0


class Heartbeat:
    def __init__(self, api: ApiClient, every_s: float = EVERY_S):
        self._api = api
        self._every = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="heartbeat", daemon=True)
        self.sent = 0  # beats the server accepted

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _beat(self) -> None:
        while True:
            try:
                self._api.heartbeat()
                self.sent += 1
            except (ServerUnreachable, ApiError) as error:
                log.warning("heartbeat not delivered: %s", error)
            if self._stop.wait(self._every):
                return
