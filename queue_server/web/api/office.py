"""GET /office: the office as its clients need it."""

from queue_server.web import services
from queue_server.web.api import blueprint
from queue_server.web.api.views import office_for
from queue_server.web.auth import current_principal, require


@blueprint.get("/office")
@require("read office")
def get_office():
    principal = current_principal()
    data = office_for(services().office, staff=principal.is_staff)
    # What the kiosk needs to say before a visitor chooses: whether a ticket can be had
    # now, when the doors open next, and whether bookings can be checked in here.
    appointments = services().appointments
    opens = appointments.next_opening()
    data["open_now"] = appointments.office_open()
    data["opens_at"] = opens.isoformat(timespec="minutes") if opens else None
    data["appointments"] = bool(services().office.schedules)
    return data
