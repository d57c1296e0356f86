"""GET /office: the office as its clients need it."""

from queue_server.web import services
from queue_server.web.api import blueprint
from queue_server.web.api.views import office_for
from queue_server.web.auth import current_principal, require


@blueprint.get("/office")
@require("read office")
def get_office():
    principal = current_principal()
    return office_for(services().office, staff=principal.is_staff)
