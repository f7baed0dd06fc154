"""Leaving the approved planning list without a removal vote. No Flask import.

Someone leaves by a decision of its own (a transfer, retirement, discipline…), or
meets an automatic-exit condition of the ruleset: those are listed for the chair
to record, never taken off silently.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from voting import audit
from voting.clock import local_today
from voting.errors import DomainError
from voting.extensions import db
from voting.personnel.eligibility import Flag, flags
from voting.personnel.models import Member, Unit
from voting.planning.eligible import outside_flags
from voting.planning.models import EXIT_REASONS, PlanningEntry
from voting.procedure.ruleset import Ruleset
from voting.validation import field_date, field_text, invalid_field


def record_exit(entry: PlanningEntry, data: dict[str, Any]) -> None:
    """Someone leaves the approved list outside a removal vote, tied to its decision."""
    if not entry.active:
        raise DomainError("already_left", "This person has already left the planning list.", 409)
    reason = data.get("reason")
    if reason not in EXIT_REASONS or reason == "removal-vote":
        raise invalid_field("reason", "Choose why this person leaves the planning list.")
    entry.left_on = field_date(data, "left_on")
    entry.left_reason = reason
    entry.left_decision = field_text(data, "decision", required=True, limit=300)
    entry.left_note = field_text(data, "note", limit=500)
    db.session.flush()
    audit.record(
        "planning.exit_recorded",
        {"entry": entry.id, "name": entry.name, "reason": reason, "decision": entry.left_decision},
    )


def automatic_exits(
    ruleset: Ruleset, unit_id: int | None = None
) -> list[tuple[PlanningEntry, Member | None, list[Flag]]]:
    """People in a unit's approved list (every unit's by default) who now meet an
    automatic-exit condition; someone from another agency by what the list holds."""
    found: list[tuple[PlanningEntry, Member | None, list[Flag]]] = []
    query = (
        sa.select(PlanningEntry, Member, Unit)
        .outerjoin(Member, PlanningEntry.member_id == Member.id)
        .join(Unit, PlanningEntry.unit_id == Unit.id)
        .where(PlanningEntry.left_on.is_(None))
        .order_by(
            Unit.name, PlanningEntry.level, PlanningEntry.department, PlanningEntry.position_name
        )
    )
    if unit_id is not None:
        query = query.where(PlanningEntry.unit_id == unit_id)
    for entry, member, unit in db.session.execute(query):
        on = unit.reference_on or local_today()
        found_flags = flags(member, ruleset, on) if member else outside_flags(entry, ruleset, on)
        reasons = [f for f in found_flags if f.exit]
        if reasons:
            found.append((entry, member, reasons))
    return found
