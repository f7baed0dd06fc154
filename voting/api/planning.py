"""JSON endpoints for the approved planning list: what it holds, its history, its exits.

The same reads as the list pages (:func:`voting.planning.routes.planning_list`,
``automatic_exits``): each unit's list apart, any signed-in user may read them.
Recording an exit is the list page's operation (:func:`voting.planning.exits.
record_exit`), for chairs and admins, through the one commit point.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from voting.api.routes import _body, _login_required
from voting.clock import local_today
from voting.conferences.rules import current_ruleset
from voting.effects import transaction
from voting.errors import DomainError
from voting.extensions import db
from voting.personnel.models import Unit
from voting.planning.exits import automatic_exits, record_exit
from voting.planning.history import Event, events
from voting.planning.lists import unit_lists
from voting.planning.models import PlanningEntry, Process
from voting.planning.steps import MAX_ID
from voting.validation import field_text, invalid_field, whole_number

blueprint = Blueprint("api_planning", __name__, url_prefix="/api/v1")


@dataclass(frozen=True)
class Filters:
    """Which lists to show: one unit (else every unit), level, phòng, position."""

    unit_id: int | None
    level: str | None
    department: str | None
    position: str | None

    def keeps(self, entry: PlanningEntry) -> bool:
        return (
            (self.level is None or entry.level == self.level)
            and (self.department is None or entry.department == self.department)
            and (self.position is None or entry.position_name == self.position)
        )


def unit_arg() -> int | None:
    """``?unit=``: a unit's id (None: every unit); an unknown unit is 404."""
    raw = request.args.get("unit")
    if raw is None:
        return None
    unit_id = whole_number(raw, "unit", 1, MAX_ID, "No such unit.")
    if db.session.get(Unit, unit_id) is None:
        raise DomainError("unit_not_found", "Not found.", 404)
    return unit_id


def _text_arg(name: str) -> str | None:
    """A filter given (even empty: ``department=`` is the Cục level's lists) or None."""
    if name not in request.args:
        return None
    return field_text(request.args.to_dict(), name)


def filters() -> Filters:
    unit_id = unit_arg()
    level = _text_arg("level")
    if level is not None and level not in current_ruleset().levels:
        raise invalid_field("level", "The ruleset has no such level.")
    return Filters(unit_id, level, _text_arg("department"), _text_arg("position"))


def _public_ids() -> dict[int, str]:
    return {
        pid: public for pid, public in db.session.execute(sa.select(Process.id, Process.public_id))
    }


def entry_json(entry: PlanningEntry, processes: dict[int, str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": entry.id,
        "unit": entry.unit_id,
        "level": entry.level,
        "department": entry.department,
        "position": entry.position_name,
        "name": entry.name,
        "member_id": entry.member_id,
        "birth_year": entry.birth_year,
        "sex": entry.sex,
        "post": entry.post,
        "agency": entry.agency,
        "period": entry.period,
        "entered_on": entry.entered_on.isoformat(),
        "entered_decision": entry.entered_decision,
        "entered_process": processes.get(entry.entered_process_id or 0),
    }
    if entry.left_on is not None:
        out["left"] = {
            "on": entry.left_on.isoformat(),
            "reason": entry.left_reason,
            "decision": entry.left_decision,
            "note": entry.left_note,
            "process": processes.get(entry.left_process_id or 0),
        }
    return out


def _event_json(event: Event, processes: dict[int, str]) -> dict[str, Any]:
    entry = event.entry
    return {
        "on": event.on.isoformat(),
        "change": event.change,
        "entry": entry.id,
        "name": entry.name,
        "level": entry.level,
        "department": entry.department,
        "position": entry.position_name,
        "process": processes.get(event.process_id or 0),
        "decision": event.decision,
        "reason": event.reason,
        "note": event.note,
    }


@blueprint.get("/planning")
def planning_list() -> ResponseReturnValue:
    """Each unit's active list (who is planned today), filtered."""
    _login_required()
    wanted = filters()
    reference = local_today()
    processes = _public_ids()
    units = []
    for lists in unit_lists(current_ruleset(), reference, wanted.unit_id):
        entries = [
            e for found in lists.positions.values() for e in found if e.active and wanted.keeps(e)
        ]
        units.append(
            {
                "id": lists.unit.id,
                "name": lists.unit.name,
                "exits": lists.exits,
                "entries": [entry_json(e, processes) for e in entries],
            }
        )
    return jsonify(reference_on=reference.isoformat(), units=units)


@blueprint.get("/planning/history")
def planning_history() -> ResponseReturnValue:
    """Each unit's list history: every entering and leaving, oldest first."""
    _login_required()
    wanted = filters()
    processes = _public_ids()
    units = []
    for lists in unit_lists(current_ruleset(), local_today(), wanted.unit_id):
        entries = [e for found in lists.positions.values() for e in found if wanted.keeps(e)]
        units.append(
            {
                "id": lists.unit.id,
                "name": lists.unit.name,
                "events": [_event_json(ev, processes) for ev in events(entries)],
            }
        )
    return jsonify(units=units)


@blueprint.get("/planning/exits")
def planning_exits() -> ResponseReturnValue:
    """People in a list who now meet an automatic-exit condition (the chair records it)."""
    _login_required()
    processes = _public_ids()
    found = automatic_exits(current_ruleset(), unit_arg())
    return jsonify(
        exits=[
            {
                "entry": entry_json(entry, processes),
                "reasons": [{"code": f.code, "params": f.params} for f in reasons],
            }
            for entry, _member, reasons in found
        ]
    )


@blueprint.post("/planning/entries/<int:entry_id>/exit")
def exit_entry(entry_id: int) -> ResponseReturnValue:
    _login_required()
    if current_user.role not in ("chair", "admin"):
        raise DomainError("forbidden", "Only a chair can record an exit.", 403)
    entry = db.session.get(PlanningEntry, entry_id) if entry_id <= MAX_ID else None
    if entry is None:
        raise DomainError("entry_not_found", "Not found.", 404)
    with transaction():
        record_exit(entry, _body())
    return jsonify(entry_json(entry, _public_ids()))
