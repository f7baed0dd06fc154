"""The approved planning lists, kept per unit: what the list page shows. No Flask import.

Every unit has its own list at each level and phòng. Two units' "Văn phòng" or
"Phó Cục trưởng" lists are different lists: they are grouped, checked (quota,
structure) and counted (automatic exits) apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from voting.extensions import db
from voting.personnel.models import Unit
from voting.planning import operations as ops
from voting.planning.models import PlanningEntry
from voting.planning.structure import Structure
from voting.procedure.ruleset import Ruleset


@dataclass
class UnitLists:
    """One unit's approved lists: each position's history, each list's structure."""

    unit: Unit
    #: (level, phòng, position) -> every entry, active or closed, in order of entry.
    positions: dict[tuple[str, str, str], list[PlanningEntry]] = field(default_factory=dict)
    #: (level, phòng) -> the structure of the active list.
    structures: dict[tuple[str, str], Structure] = field(default_factory=dict)
    #: People of this unit's list who now meet an automatic-exit condition.
    exits: int = 0


def unit_lists(ruleset: Ruleset, reference: date, unit_id: int | None = None) -> list[UnitLists]:
    """Every unit's lists (or one unit's), units by name."""
    query = (
        sa.select(PlanningEntry, Unit)
        .join(Unit, PlanningEntry.unit_id == Unit.id)
        .order_by(
            Unit.name,
            PlanningEntry.level,
            PlanningEntry.department,
            PlanningEntry.position_name,
            PlanningEntry.entered_on,
            PlanningEntry.id,
        )
    )
    if unit_id is not None:
        query = query.where(PlanningEntry.unit_id == unit_id)
    found: dict[int, UnitLists] = {}
    active: dict[int, dict[tuple[str, str], list[PlanningEntry]]] = {}
    for entry, unit in db.session.execute(query):
        lists = found.setdefault(unit.id, UnitLists(unit))
        key = (entry.level, entry.department, entry.position_name)
        lists.positions.setdefault(key, []).append(entry)
        if entry.active:
            active.setdefault(unit.id, {}).setdefault((entry.level, entry.department), []).append(
                entry
            )
    exits: dict[int, int] = {}
    for entry, _member, _reasons in ops.automatic_exits(ruleset, unit_id):
        exits[entry.unit_id] = exits.get(entry.unit_id, 0) + 1
    for uid, lists in found.items():
        lists.structures = {
            key: ops.planning_structure(entries, ruleset, reference)
            for key, entries in active.get(uid, {}).items()
        }
        lists.exits = exits.get(uid, 0)
    return list(found.values())
