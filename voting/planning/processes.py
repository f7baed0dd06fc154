"""Setting up a planning process: one flow for one unit, its positions, its timeline."""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa

from voting.auth.models import User
from voting.extensions import db
from voting.personnel.models import Unit
from voting.planning.models import Process, ProcessPosition, ProcessStep
from voting.planning.steps import MAX_ID, audit_process
from voting.procedure.ruleset import Ruleset, Step
from voting.validation import field_date, field_int, field_text, invalid_field, whole_number

MAX_POSITIONS = 20


def _flow_steps(data: dict[str, Any], ruleset: Ruleset) -> tuple[str, str, list[Step]]:
    level, flow = field_text(data, "level", required=True), field_text(data, "flow", required=True)
    if level not in ruleset.levels:
        raise invalid_field("level", "The ruleset has no such level.")
    if flow not in ruleset.flows:
        raise invalid_field("flow", "The ruleset has no such flow.")
    steps = ruleset.flow_steps(level, flow)
    if not steps:
        raise invalid_field("flow", "The ruleset has no steps for this flow.")
    return level, flow, steps


def _unit(data: dict[str, Any]) -> Unit:
    unit_id = field_int(data, "unit_id", "No such unit.", low=1, high=MAX_ID)
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise invalid_field("unit_id", "No such unit.")
    return unit


def _department(data: dict[str, Any], unit: Unit, scope: str) -> str:
    """The phòng whose leadership is planned; none above phòng level."""
    department = field_text(data, "department")
    if scope != "department":
        return ""
    if department not in unit.departments():
        raise invalid_field(
            "department",
            "Choose a division (phòng) of %(unit)s whose leadership is planned.",
            unit=unit.name,
        )
    return department


def _positions(rows: Any, ruleset: Ruleset) -> list[ProcessPosition]:
    if not isinstance(rows, list) or not rows or len(rows) > MAX_POSITIONS:
        raise invalid_field("positions", "List the positions planned, each with its quota.")
    positions = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise invalid_field(f"positions[{i}]", "Each position must be an object.")
        # The quota's message is named (not left to the default) so that it is extracted.
        positions.append(
            ProcessPosition(
                seq=i + 1,
                name=field_text(row, "name", required=True),
                quota=whole_number(
                    row.get("quota"),
                    f"positions[{i}].quota",
                    1,
                    ruleset.max_quota,
                    "Enter a whole number from %(low)s to %(high)s.",
                ),
            )
        )
    names = [p.name for p in positions]
    if len(set(names)) != len(names):
        raise invalid_field("positions", "A position is listed twice.")
    return positions


def _secretary_id(data: dict[str, Any]) -> int | None:
    if not data.get("secretary_username"):
        return None
    secretary = db.session.scalar(
        sa.select(User).where(User.username == str(data["secretary_username"]))
    )
    if secretary is None or secretary.role != "secretary":
        raise invalid_field("secretary_username", "No secretary account has that name.")
    return secretary.id


def create_process(owner: User, data: dict[str, Any], ruleset: Ruleset) -> Process:
    """Start one flow for one unit: its positions and its timeline from the ruleset."""
    if not isinstance(data, dict):
        raise invalid_field("$", "The request must be a JSON object.")
    level, flow, steps = _flow_steps(data, ruleset)
    unit = _unit(data)
    department = _department(data, unit, ruleset.levels[level]["scope"])
    positions = _positions(data.get("positions"), ruleset)
    process = Process(
        public_id=secrets.token_urlsafe(12),
        owner_id=owner.id,
        secretary_user_id=_secretary_id(data),
        unit_id=unit.id,
        level=level,
        flow=flow,
        department=department,
        period=field_text(data, "period", required=True, limit=32),
        title=field_text(data, "title", required=True, limit=300),
        ruleset_ref=f"{ruleset.id}@{ruleset.version}",
        status="active",
        positions=positions,
        steps=[
            ProcessStep(seq=i + 1, step=s.step, status="current" if i == 0 else "pending")
            for i, s in enumerate(steps)
        ],
    )
    db.session.add(process)
    db.session.flush()
    audit_process(
        "process.created",
        process,
        {"flow": f"{level}/{flow}", "positions": len(positions), "steps": len(steps)},
    )
    return process


def set_due_dates(process: Process, dates: dict[str, Any]) -> None:
    """The timeline: a due date per step (blank clears it)."""
    for row in process.steps:
        if row.step in dates:
            row.due_on = field_date(dates, row.step, required=False)
    db.session.flush()
    audit_process("process.updated", process, {"due_dates": sorted(dates)})
