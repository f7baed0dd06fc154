"""Log in and out; the administrator's account list."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from voting.auth.access import role_required
from voting.auth.forms import LoginForm, PasswordForm, UserForm
from voting.auth.models import User
from voting.auth.operations import (
    LoginThrottle,
    change_password,
    create_user,
    safe_next,
    throttled_login,
)
from voting.effects import transaction
from voting.errors import DomainError
from voting.extensions import db, login_manager
from voting.views import commit_or_flash

blueprint = Blueprint("auth", __name__)


def throttle() -> LoginThrottle:
    """This app's failed-login counter (one per app, so tests and apps don't share)."""
    return current_app.extensions.setdefault("voting.login_throttle", LoginThrottle())


def attempt_login(username: str, password: str, *, via: str) -> User:
    """Check a login against this app's throttle; a refusal is raised.

    The attempt's audit entry is committed either way (a refused login must stay in
    the trail), through the one commit point, before the refusal goes on.
    """
    refused: DomainError | None = None
    with transaction():
        try:
            user = throttled_login(
                throttle(), username, password, request.remote_addr or "?", via=via
            )
        except DomainError as exc:
            refused = exc
    if refused is not None:
        raise refused
    return user


login_manager.login_view = "auth.login"
login_manager.login_message = None


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("conferences.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = attempt_login(form.username.data or "", form.password.data or "", via="form")
        except DomainError as exc:
            if exc.status == 429:
                error = _("Too many failed attempts. Wait a few minutes and try again.")
                return render_template("auth/login.html", form=form, error=error), 429
            error = _("Wrong user name or password.")
        else:
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("conferences.index"))
    return render_template("auth/login.html", form=form, error=error), 401 if error else 200


@blueprint.post("/logout")
def logout() -> ResponseReturnValue:
    logout_user()
    return redirect(url_for("auth.login"))


@blueprint.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users() -> ResponseReturnValue:
    form = UserForm()
    if form.validate_on_submit() and commit_or_flash(
        lambda: create_user(
            form.username.data or "",
            form.password.data or "",
            form.role.data or "",
            form.display_name.data or "",
        ),
        _("Account created."),
    ):
        return redirect(url_for("auth.users"))
    accounts = db.session.scalars(sa.select(User).order_by(User.username)).all()
    return render_template("auth/users.html", form=form, accounts=accounts)


@blueprint.route("/account", methods=["GET", "POST"])
@login_required
def account() -> ResponseReturnValue:
    """Any signed-in user changes their own password."""
    form = PasswordForm()
    if form.validate_on_submit() and commit_or_flash(
        lambda: change_password(current_user, form.current.data or "", form.password.data or ""),
        _("Password changed."),
    ):
        return redirect(url_for("conferences.index"))
    return render_template("auth/account.html", form=form)
