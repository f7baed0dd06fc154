"""The register pages: units, their people, and each person's roles."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from voting.auth.access import require_role, role_required
from voting.conferences.rules import current_ruleset
from voting.errors import DomainError
from voting.extensions import db
from voting.personnel import operations as ops
from voting.personnel.models import MEMBER_STATUSES, Member, Unit
from voting.views import flash_error

blueprint = Blueprint("personnel", __name__)


def _commit(action: Any, done: str) -> bool:
    try:
        action()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash_error(exc)
        return False
    flash(done, "ok")
    return True


@blueprint.route("/register", methods=["GET", "POST"])
@login_required
def units():  # type: ignore[no-untyped-def]
    if request.method == "POST":
        require_role("chair", "admin")
        created: list[Unit] = []
        if _commit(
            lambda: created.append(ops.create_unit(request.form.to_dict())), _("Unit created.")
        ):
            return redirect(url_for("personnel.unit", unit_id=created[0].id))
    found = db.session.scalars(sa.select(Unit).order_by(Unit.name)).all()
    return render_template("personnel/units.html", units=found)


def _unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    return unit


@blueprint.route("/register/<int:unit_id>", methods=["GET", "POST"])
@login_required
def unit(unit_id: int):  # type: ignore[no-untyped-def]
    found = _unit(unit_id)
    if request.method == "POST":
        require_role("chair", "admin")
        rows = ops.parse_register(request.form.get("register", ""))
        if _commit(
            lambda: ops.add_members(found, rows, current_ruleset()),
            _("%(n)s people added to the register.", n=len(rows)),
        ):
            return redirect(url_for("personnel.unit", unit_id=unit_id))
    return render_template("personnel/unit.html", unit=found, statuses=MEMBER_STATUSES)


@blueprint.route("/register/member/<int:member_id>", methods=["GET", "POST"])
@role_required("chair", "admin")
def member(member_id: int):  # type: ignore[no-untyped-def]
    found = db.session.get(Member, member_id)
    if found is None:
        abort(404)
    if request.method == "POST":
        data = request.form.to_dict()
        data["roles"] = request.form.getlist("roles")
        if _commit(lambda: ops.update_member(found, data, current_ruleset()), _("Saved.")):
            return redirect(url_for("personnel.unit", unit_id=found.unit_id))
    return render_template("personnel/member.html", member=found, statuses=MEMBER_STATUSES)
