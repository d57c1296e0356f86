"""Staff accounts, managed by the admin in the browser: create, change, disable, reset.

Each change is one write transaction together with its audit record.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from wtforms import SelectChoice

from queue_server.domain.access import STAFF_ROLES
from queue_server.service.accounts import User
from queue_server.web import services
from queue_server.web.staff import blueprint
from queue_server.web.staff.access import current_principal, requires
from queue_server.web.staff.backend import acting
from queue_server.web.staff.forms import AccountCreateForm, AccountUpdateForm, PasswordResetForm
from queue_server.web.staff.texts import t
from queue_server.web.staff.workplaces import workplace_choices


def _translated_roles(form) -> None:
    form.role.choices = [SelectChoice(role, t(f"role_{role}")) for role in STAFF_ROLES]
    form.workplaces.choices = workplace_choices()


def _create_form(**kwargs) -> AccountCreateForm:
    form = AccountCreateForm(**kwargs)
    _translated_roles(form)
    return form


def _update_form(name: str, user: User | None = None) -> AccountUpdateForm:
    """The form of one account row; the prefix keeps field ids unique on the page."""
    if user is None:
        form = AccountUpdateForm(prefix=f"u-{name}")
    else:
        form = AccountUpdateForm(
            formdata=None, prefix=f"u-{name}", role=user.role, workplaces=list(user.workplaces),
            active=user.active,
        )
    _translated_roles(form)
    return form


def _page(create_form: AccountCreateForm | None = None, status: int = 200,
          page_error: str | None = None):
    rows = [
        (user, _update_form(user.name, user), PasswordResetForm(formdata=None, prefix=f"p-{user.name}"))
        for user in services().accounts.users()
    ]
    return render_template(
        "staff/accounts.html",
        rows=rows,
        create_form=create_form or _create_form(formdata=None),
        workplace_titles=dict(workplace_choices()),
        page_error=page_error,
    ), status


@blueprint.get("/accounts")
@requires("accounts")
def accounts():
    return _page()


@blueprint.post("/accounts")
@requires("accounts.create")
def create_account():
    form = _create_form()
    if not form.validate():
        return _page(form, 400)
    workplaces = tuple(form.workplaces.data or ())
    if services().accounts.user(form.name.data) is not None:
        form.name.errors = ["err_user_exists"]
        return _page(form, 409)
    services().accounts.create_user(form.name.data, form.role.data, form.password.data, workplaces,
                                    **acting())
    flash(t("account_created", name=form.name.data))
    return redirect(url_for("staff.accounts"))


@blueprint.post("/accounts/<name>")
@requires("accounts.update")
def update_account(name: str):
    user = services().accounts.user(name)
    if user is None:
        return _page(status=404, page_error=t("err_no_user", name=name))
    form = _update_form(name)
    if not form.validate():
        return _page(status=400, page_error=t("form_invalid"))
    active = bool(form.active.data)
    if name == current_principal().name and (not active or form.role.data != user.role):
        return _page(status=409, page_error=t("err_self_lockout"))
    workplaces = tuple(form.workplaces.data or ())
    services().accounts.update_user(name, role=form.role.data, workplaces=workplaces, active=active,
                                    **acting())
    flash(t("account_updated", name=name))
    return redirect(url_for("staff.accounts"))


@blueprint.post("/accounts/<name>/password")
@requires("accounts.password")
def reset_password(name: str):
    if services().accounts.user(name) is None:
        return _page(status=404, page_error=t("err_no_user", name=name))
    form = PasswordResetForm(prefix=f"p-{name}")
    if not form.validate():
        errors = form.password.errors or ["form_invalid"]
        key = errors[0] if errors[0].startswith("err_") else "form_invalid"
        return _page(status=400, page_error=t(key))
    services().accounts.set_password(name, form.password.data, **acting())
    flash(t("password_reset_done", name=name))
    return redirect(url_for("staff.accounts"))
