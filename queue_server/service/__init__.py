"""The application layer: every use case of the office, and the only door to the store.

Split by what it serves: ``tickets`` (issue, call, serve, send on, read back),
``desk`` (workplaces, help calls, devices), ``accounts`` (staff, sessions,
device tokens) and ``appointments`` (bookings, check-in, the door, the missed).
The web layer, the command line and the tests call these named functions; none
of them sees the store, and nothing here knows about HTTP.
"""

from __future__ import annotations

from pathlib import Path

from queue_server.domain.clock import Clock
from queue_server.domain.office import Office
from queue_server.eventbus import EventBus
from queue_server.service.accounts import Accounts
from queue_server.service.appointments import Appointments
from queue_server.service.context import Context
from queue_server.service.delivery import Worker, channels_for
from queue_server.service.desk import Desk
from queue_server.service.errors import (
    BadRequest,
    Busy,
    Forbidden,
    NotFound,
    Refused,
    SignInRefused,
    Unauthorized,
)
from queue_server.service.feedback import Feedback
from queue_server.service.health import Health
from queue_server.service.notifier import Notifier
from queue_server.service.reports import Reports
from queue_server.service.status import StatusBoard
from queue_server.service.tickets import Tickets
from queue_server.store.database import DATABASE_NAME, Store

__all__ = ["BadRequest", "Busy", "Forbidden", "NotFound", "Refused", "Services", "SignInRefused",
           "Unauthorized", "open_services", "services_of"]

APP_KEY = "odno_okno"  # where a web application keeps its Services (``app.extensions``)


class Services:
    """One office's use cases over one database."""

    def __init__(self, store: Store, office: Office, clock: Clock, bus: EventBus | None = None):
        self.store = store  # for tests and tools that inspect the file; never the web layer's
        context = Context(store, office, clock, bus or EventBus())
        self.office = office
        self.bus = context.bus
        self.now = context.now
        self.today = context.today
        self.notifier = Notifier(context)
        self.tickets = Tickets(context, self.notifier)
        self.status = StatusBoard(context, self.tickets)
        # Started by `queue-server run` (cli._serve); tests drive it with deliver_due().
        self.delivery = Worker(context, self.notifier,
                               channels_for(office.notifications, store.path.parent, office.id))
        self.desk = Desk(context)
        self.accounts = Accounts(context)
        self.appointments = Appointments(context, self.tickets, self.notifier)
        self.reports = Reports(context)
        self.feedback = Feedback(context)
        self.health = Health(context, self.desk)

    def close(self) -> None:
        self.reports.close()
        self.store.close()


def open_services(data_dir: Path, office: Office, clock: Clock, bus: EventBus | None = None) -> Services:
    """The services of the office whose database lives in ``data_dir`` (created and migrated)."""
    return Services(Store(Path(data_dir) / DATABASE_NAME), office, clock, bus)


def services_of(app) -> Services:
    """The Services a web application (Flask) was created with."""
    return app.extensions[APP_KEY]
