"""The feedback journal: every rating and comment, what is unanswered and for how long,
and the forms that record a rating from a call or a paper form and a response."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, url_for

from queue_server.domain.lifecycle import WrongState
from queue_server.domain.limits import InvalidInput
from queue_server.service.errors import NotFound
from queue_server.service.feedback import JOURNAL_DAYS
from queue_server.web import services
from queue_server.web.staff import blueprint
from queue_server.web.staff.access import current_principal, requires
from queue_server.web.staff.forms import FeedbackRecordForm, FeedbackResponseForm
from queue_server.web.staff.report_tables import Names
from queue_server.web.staff.texts import current_language, t


def _page(record_form: FeedbackRecordForm | None = None, status: int = 200, page_error: str | None = None):
    recent, waiting = services().feedback.journal()
    now = services().now()
    return render_template(
        "staff/feedback.html", recent=recent, waiting=waiting, days=JOURNAL_DAYS,
        ages={r.id: (now - r.at).days for r in waiting},
        names=Names(services().office, current_language()), zone=ZoneInfo(services().office.time_zone),
        record_form=record_form or FeedbackRecordForm(formdata=None, day=services().today().isoformat()),
        response_form=lambda r: FeedbackResponseForm(formdata=None, prefix=f"r{r.id}"),
        page_error=page_error,
    ), status


@blueprint.get("/feedback")
@requires("feedback")
def feedback_journal():
    return _page()


@blueprint.post("/feedback")
@requires("feedback.record")
def record_feedback():
    form = FeedbackRecordForm()
    if not form.validate():
        return _page(form, 400, t("form_invalid"))
    principal = current_principal()
    try:
        ticket_id = None
        if form.number.data.strip():
            day = date.fromisoformat(form.day.data.strip()) if form.day.data.strip() else services().today()
            ticket_id = services().feedback.ticket_by_number(day, form.number.data)
        services().feedback.record(int(form.rating.data), form.comment.data, source=form.source.data,
                                   ticket_id=ticket_id, actor=principal.actor)
    except NotFound:
        return _page(form, 404, t("err_no_ticket_number", number=form.number.data.strip()))
    except (InvalidInput, WrongState, ValueError) as error:
        status = 409 if isinstance(error, WrongState) else 400
        return _page(form, status, t("err_feedback", reason=str(error)))
    flash(t("feedback_recorded"))
    return redirect(url_for("staff.feedback_journal"))


@blueprint.post("/feedback/<int:feedback_id>/response")
@requires("feedback.respond")
def respond_feedback(feedback_id: int):
    form = FeedbackResponseForm(prefix=f"r{feedback_id}")
    if not form.validate():
        return _page(status=400, page_error=t("form_invalid"))
    try:
        services().feedback.respond(feedback_id, form.response.data, actor=current_principal().actor)
    except NotFound:
        return _page(status=404, page_error=t("err_feedback", reason=f"#{feedback_id}"))
    flash(t("feedback_responded"))
    return redirect(url_for("staff.feedback_journal") + f"#feedback-{feedback_id}")
