"""GET /office: the office as its clients need it."""

from flask import current_app

from queue_server.web.api import blueprint
from queue_server.web.api.views import office_for
from queue_server.web.auth import current_principal, require


@blueprint.get("/office")
@require("read office")
def get_office():
    principal = current_principal()
    return office_for(current_app.config["OFFICE"], staff=principal.is_staff)
