"""Refusals on staff pages as translated pages, not bare HTTP errors."""

from __future__ import annotations

from flask import render_template

from queue_server.web.staff import blueprint
from queue_server.web.staff.texts import t


@blueprint.errorhandler(403)
def forbidden(_error):
    return render_template(
        "staff/error.html", heading=t("forbidden_title"), message=t("forbidden_text")
    ), 403
