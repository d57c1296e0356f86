"""Sign in, sign out and the language switch."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for

from queue_server.service.errors import SignInRefused
from queue_server.web import services
from queue_server.web.staff import blueprint
from queue_server.web.staff.access import current_principal, home_endpoint
from queue_server.web.staff.forms import LanguageForm, PlainForm, SignInForm
from queue_server.web.staff.texts import t


def safe_next(target: str | None) -> str | None:
    """Only a path on the staff pages; never another site (open redirect)."""
    if not target or not target.startswith("/staff") or "\\" in target or "//" in target:
        return None
    return target


def landing_url() -> str:
    principal = current_principal()
    return url_for(home_endpoint(principal.role) if principal else "staff.login")


@blueprint.get("/login")
def login():
    if current_principal() is not None:
        return redirect(landing_url())
    form = SignInForm(next=safe_next(request.args.get("next")) or "")
    return render_template("staff/login.html", form=form)


@blueprint.post("/login")
def login_submit():
    form = SignInForm()
    if not form.validate():
        return render_template("staff/login.html", form=form), 400
    try:
        signed_in = services().accounts.sign_in(
            form.username.data, form.password.data, request.remote_addr,
            session_hours=current_app.config["SESSION_HOURS"],
            failure_seconds=current_app.config["SIGN_IN_FAILURE_SECONDS"])
    except SignInRefused as refused:
        retry_after = int(getattr(refused, "retry_after", 0) or 0)
        message = t("login_slowed", seconds=retry_after) if retry_after else t("login_refused")
        form.password.data = ""
        status = 429 if retry_after else 401
        response = render_template("staff/login.html", form=form, refusal=message)
        return response, status, ({"Retry-After": str(retry_after)} if retry_after else {})
    language = session.get("lang")
    session.clear()  # a fresh session for the new identity
    if language:
        session["lang"] = language
    session["token"] = signed_in.token
    return redirect(safe_next(form.next.data) or landing_url())


@blueprint.post("/logout")
def logout():
    form = PlainForm()
    if not form.validate():
        flash(t("form_expired"))
        return redirect(landing_url())
    token = session.get("token")
    if token:
        services().accounts.sign_out(token)
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    return redirect(url_for("staff.login"))


@blueprint.post("/language")
def language():
    form = LanguageForm()
    if form.validate():
        session["lang"] = form.language.data
    else:
        flash(t("form_expired"))
    return redirect(safe_next(form.next.data) or landing_url())

