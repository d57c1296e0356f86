"""The operator workplace: curator, primary reception, specialists."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for

from queue_server.domain.access import may, may_open
from queue_server.web import services
from queue_server.web.staff import blueprint
from queue_server.web.staff.access import current_principal, home_endpoint, requires
from queue_server.web.staff.forms import PlainForm, WorkplaceForm
from queue_server.web.staff.texts import t
from queue_server.web.staff.workplaces import workplace_choices

BUTTONS = {  # the page's buttons (data-action, or the break toggle): the API action each needs
    "call-next": "call visitors",
    "recall": "serve visitors",
    "start": "serve visitors",
    "redirect": "redirect tickets",
    "postpone": "serve visitors",
    "no-show": "serve visitors",
    "finish": "serve visitors",
    "situation": "change life situation",
    "break": "set workplace status",
}


def buttons_for(role: str) -> frozenset[str]:
    """The buttons the page shows a role: those whose API action the role may do."""
    return frozenset(button for button, action in BUTTONS.items() if may(role, action))


def chosen_workplace(choices: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The workplace this session works from: the only one assigned, or the one picked."""
    if len(choices) == 1:
        return choices[0]
    picked = session.get("workplace")
    return next((choice for choice in choices if choice[0] == picked), None)


@blueprint.get("/")
@requires("home")
def operator():
    """The staff start page: the operator workplace, or the page the role works on."""
    principal = current_principal()
    if not may_open(principal.role, "operator"):
        return redirect(url_for(home_endpoint(principal.role)))
    choices = workplace_choices(tuple(principal.workplaces))
    chosen = chosen_workplace(choices)
    if chosen is None:
        form = WorkplaceForm()
        form.workplace.choices = choices
        return render_template("staff/pick_workplace.html", form=form, choices=choices)
    workplace_id, title = chosen
    return render_template(
        "staff/operator.html",
        workplace_id=workplace_id,
        workplace_title=title,
        buttons=buttons_for(principal.role),
        can_switch=len(choices) > 1,
        follow_up_queue=follow_up_queue(workplace_id),
    )


def follow_up_queue(workplace_id: str) -> str | None:
    """The bookable queue a follow-up visit from this workplace goes to: the first it serves."""
    office = services().office
    bookable = {schedule.queue for schedule in office.schedules}
    return next((q for q in office.workplace(workplace_id).queue_ids if q in bookable), None)


@blueprint.post("/workplace")
@requires("operator.workplace")
def pick_workplace():
    principal = current_principal()
    form = WorkplaceForm()
    form.workplace.choices = workplace_choices(tuple(principal.workplaces))
    if form.validate():
        session["workplace"] = form.workplace.data
    else:
        flash(t("err_workplace"))
    return redirect(url_for("staff.operator"))


@blueprint.post("/workplace/change")
@requires("operator.workplace")
def change_workplace():
    """Forget the picked workplace, so the operator picks again."""
    if PlainForm().validate():
        session.pop("workplace", None)
    else:
        flash(t("form_expired"))
    return redirect(url_for("staff.operator"))
