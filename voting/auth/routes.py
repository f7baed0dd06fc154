"""Log in and out; the administrator's account list."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
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
from voting.errors import DomainError
from voting.extensions import db, login_manager

blueprint = Blueprint("auth", __name__)


def throttle() -> LoginThrottle:
    """This app's failed-login counter (one per app, so tests and apps don't share)."""
    return current_app.extensions.setdefault("voting.login_throttle", LoginThrottle())


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
    client = request.remote_addr or "?"
    if form.validate_on_submit():
        try:
            user = throttled_login(
                throttle(), form.username.data or "", form.password.data or "", client, via="form"
            )
        except DomainError as exc:
            db.session.commit()  # the audit entry of the attempt
            if exc.status == 429:
                error = _("Too many failed attempts. Wait a few minutes and try again.")
                return render_template("auth/login.html", form=form, error=error), 429
            error = _("Wrong user name or password.")
        else:
            db.session.commit()  # the audit entry of the attempt
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
    if form.validate_on_submit():
        try:
            create_user(
                form.username.data or "",
                form.password.data or "",
                form.role.data or "",
                form.display_name.data or "",
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(_(exc.message), "error")
        else:
            flash(_("Account created."), "ok")
            return redirect(url_for("auth.users"))
    accounts = db.session.scalars(sa.select(User).order_by(User.username)).all()
    return render_template("auth/users.html", form=form, accounts=accounts)


@blueprint.route("/account", methods=["GET", "POST"])
@login_required
def account() -> ResponseReturnValue:
    """Any signed-in user changes their own password."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current.data or "", form.password.data or "")
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(_(exc.message), "error")
        else:
            flash(_("Password changed."), "ok")
            return redirect(url_for("conferences.index"))
    return render_template("auth/account.html", form=form)
