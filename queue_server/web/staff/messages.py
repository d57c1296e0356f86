"""Messages to visitors, for the hall administrator: what failed, what waits; send again."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from queue_server.domain import notify
from queue_server.service.errors import BadRequest, NotFound
from queue_server.web import services
from queue_server.web.api.views import message_for
from queue_server.web.staff import blueprint
from queue_server.web.staff.access import requires
from queue_server.web.staff.forms import ResendForm
from queue_server.web.staff.texts import t

SHOWN = (notify.FAILED, notify.PENDING, notify.SENDING)


@blueprint.get("/messages")
@requires("messages")
def messages():
    notifier, office = services().notifier, services().office
    rows = [message_for(m, office) for m in notifier.messages(SHOWN)]
    return render_template("staff/messages.html", rows=rows, counts=notifier.counts(),
                           form=ResendForm(formdata=None))


@blueprint.post("/messages/<int:message_id>/resend")
@requires("messages.resend")
def resend(message_id: int):
    if ResendForm().validate_on_submit():
        try:
            services().notifier.resend(message_id)
            flash(t("messages_resent"), "ok")
        except (BadRequest, NotFound):
            flash(t("messages_not_resent"), "error")
    else:
        flash(t("form_expired"), "error")
    return redirect(url_for("staff.messages"))
