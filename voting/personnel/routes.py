"""The register pages: units, their people, and each person's roles."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from voting.auth.access import require_role, role_required
from voting.conferences.rules import current_ruleset
from voting.effects import transaction
from voting.errors import DomainError
from voting.extensions import db
from voting.minutes.sheets import XLSX_MIMETYPE
from voting.personnel import operations as ops
from voting.personnel.eligibility import age_facts, flags
from voting.personnel.models import MEMBER_STATUSES, Member, Unit
from voting.personnel.sheets import read_register, register_csv, register_xlsx
from voting.views import commit_or_flash, download, flash_error

blueprint = Blueprint("personnel", __name__)


@blueprint.route("/register", methods=["GET", "POST"])
@login_required
def units() -> ResponseReturnValue:
    if request.method == "POST":
        require_role("chair", "admin")
        created: list[Unit] = []
        if commit_or_flash(
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
def unit(unit_id: int) -> ResponseReturnValue:
    found = _unit(unit_id)
    if request.method == "POST":
        require_role("chair", "admin")
        rows = ops.parse_register(request.form.get("register", ""))
        if commit_or_flash(
            lambda: ops.add_members(found, rows, current_ruleset()),
            _("%(n)s people added to the register.", n=len(rows)),
        ):
            return redirect(url_for("personnel.unit", unit_id=unit_id))
    reference = found.reference_on or date.today()
    ruleset = current_ruleset()
    facts = {m.id: age_facts(m, ruleset, reference) for m in found.members}
    found_flags = {m.id: flags(m, ruleset, reference) for m in found.members}
    return render_template(
        "personnel/unit.html",
        unit=found,
        statuses=MEMBER_STATUSES,
        reference=reference,
        facts=facts,
        flags=found_flags,
    )


@blueprint.post("/register/<int:unit_id>/reference")
@role_required("chair", "admin")
def reference(unit_id: int) -> ResponseReturnValue:
    found = _unit(unit_id)
    commit_or_flash(
        lambda: ops.set_reference_date(found, request.form.get("reference_on")),
        _("Reference date saved."),
    )
    return redirect(url_for("personnel.unit", unit_id=unit_id))


@blueprint.route("/register/member/<int:member_id>", methods=["GET", "POST"])
@role_required("chair", "admin")
def member(member_id: int) -> ResponseReturnValue:
    found = db.session.get(Member, member_id)
    if found is None:
        abort(404)
    if request.method == "POST":
        data: dict[str, Any] = request.form.to_dict()
        data["roles"] = request.form.getlist("roles")
        data["dossier_complete"] = {"yes": True, "no": False}.get(data.get("dossier_complete", ""))
        if commit_or_flash(lambda: ops.update_member(found, data, current_ruleset()), _("Saved.")):
            return redirect(url_for("personnel.unit", unit_id=found.unit_id))
    return render_template("personnel/member.html", member=found, statuses=MEMBER_STATUSES)


@blueprint.post("/register/member/<int:member_id>/discipline")
@role_required("chair", "admin")
def discipline(member_id: int) -> ResponseReturnValue:
    found = db.session.get(Member, member_id)
    if found is None:
        abort(404)
    commit_or_flash(
        lambda: ops.add_discipline(found, request.form.to_dict(), current_ruleset()),
        _("Discipline recorded."),
    )
    return redirect(url_for("personnel.member", member_id=member_id))


@blueprint.get("/register/<int:unit_id>/register.<fmt>")
@login_required
def export(unit_id: int, fmt: str) -> Response:
    found = _unit(unit_id)
    if fmt == "xlsx":
        data, mimetype = register_xlsx(found.members), XLSX_MIMETYPE
    elif fmt == "csv":
        data, mimetype = register_csv(found.members), "text/csv; charset=utf-8"
    else:
        abort(404)
    return download(data, mimetype, f"danh-sach-nhan-su.{fmt}")


@blueprint.post("/register/<int:unit_id>/import")
@role_required("chair", "admin")
def import_file(unit_id: int) -> ResponseReturnValue:
    found = _unit(unit_id)
    upload = request.files.get("file")
    try:
        rows = read_register(
            upload.filename or "" if upload else "", upload.read() if upload else b""
        )
        with transaction():
            ops.add_members(found, rows, current_ruleset())
    except DomainError as exc:
        flash_error(exc)
        for problem in exc.params.get("rows", [])[:50]:
            message = problem["message"]  # a msgid of the operations, translated here
            # Row 1 of the file is the header: data row n is file row n + 1.
            flash(
                _(
                    "Row %(row)s (%(field)s): %(message)s",
                    row=problem["row"] + 1,
                    field=problem["field"],
                    message=_(message),
                ),
                "error",
            )
    else:
        flash(_("%(n)s people added to the register.", n=len(rows)), "ok")
    return redirect(url_for("personnel.unit", unit_id=unit_id))
