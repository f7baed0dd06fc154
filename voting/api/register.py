"""JSON endpoints for the units and their register: what a process is set up from.

The register pages' operations (:mod:`voting.personnel.routes`): any signed-in user
reads a unit and exports its register; chairs and admins create a unit and import a
register file (the page's XLSX or UTF-8 CSV, as a multipart upload), all rows or none.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from voting.api.routes import _body, _login_required
from voting.conferences.rules import current_ruleset
from voting.effects import transaction
from voting.errors import DomainError
from voting.extensions import db
from voting.minutes.sheets import XLSX_MIMETYPE
from voting.personnel import operations as ops
from voting.personnel.models import Member, Unit
from voting.personnel.sheets import read_register, register_csv, register_xlsx
from voting.planning.steps import MAX_ID
from voting.views import download

blueprint = Blueprint("api_register", __name__, url_prefix="/api/v1")


def _may_change() -> None:
    _login_required()
    if current_user.role not in ("chair", "admin"):
        raise DomainError("forbidden", "Only a chair can change the register.", 403)


def _unit(unit_id: int) -> Unit:
    found = db.session.get(Unit, unit_id) if unit_id <= MAX_ID else None
    if found is None:
        raise DomainError("unit_not_found", "Not found.", 404)
    return found


def unit_summary(unit: Unit) -> dict[str, Any]:
    return {
        "id": unit.id,
        "name": unit.name,
        "parent_body": unit.parent_body,
        "locality": unit.locality,
        "reference_on": unit.reference_on.isoformat() if unit.reference_on else None,
        "members": len(unit.members),
    }


def member_json(m: Member) -> dict[str, Any]:
    return {
        "id": m.id,
        "seq": m.seq,
        "name": m.name,
        "birth_year": m.birth_year,
        "birth_month": m.birth_month,
        "sex": m.sex,
        "ethnicity": m.ethnicity,
        "post": m.post,
        "department": m.department,
        "qualification": m.qualification,
        "political_theory": m.political_theory,
        "roles": m.roles.split(),
        "status": m.status,
        "dossier_complete": m.dossier_complete,
    }


def unit_json(unit: Unit) -> dict[str, Any]:
    return {
        **unit_summary(unit),
        "departments": unit.departments(),
        "people": [member_json(m) for m in unit.members],
    }


@blueprint.get("/units")
def list_units() -> ResponseReturnValue:
    _login_required()
    found = db.session.scalars(sa.select(Unit).order_by(Unit.name))
    return jsonify(units=[unit_summary(u) for u in found])


@blueprint.post("/units")
def create_unit() -> ResponseReturnValue:
    _may_change()
    with transaction():
        unit = ops.create_unit(_body())
    return jsonify(unit_json(unit)), 201


@blueprint.get("/units/<int:unit_id>")
def get_unit(unit_id: int) -> ResponseReturnValue:
    _login_required()
    return jsonify(unit_json(_unit(unit_id)))


@blueprint.post("/units/<int:unit_id>/register")
def import_register(unit_id: int) -> ResponseReturnValue:
    """The page's import: the rows of an uploaded file appended, every row checked first."""
    _may_change()
    unit = _unit(unit_id)
    upload = request.files.get("file")
    if upload is None:
        raise DomainError("file_missing", "Attach the register file as the form field `file`.", 422)
    rows = read_register(upload.filename or "", upload.read())
    with transaction():
        added = ops.add_members(unit, rows, current_ruleset())
    return jsonify(added=len(added), unit=unit_json(unit)), 201


@blueprint.get("/units/<int:unit_id>/register.<fmt>")
def export_register(unit_id: int, fmt: str) -> Response:
    _login_required()
    unit = _unit(unit_id)
    if fmt == "xlsx":
        data, mimetype = register_xlsx(unit.members), XLSX_MIMETYPE
    elif fmt == "csv":
        data, mimetype = register_csv(unit.members), "text/csv; charset=utf-8"
    else:
        raise DomainError("unknown_format", "The register exports as xlsx or csv.", 404)
    return download(data, mimetype, f"danh-sach-nhan-su.{fmt}")
