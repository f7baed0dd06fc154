"""The planning lists: a process's as it will stand, and the approved ones kept per unit.

What the list page shows, and the structure checks of both. No Flask import.

Every unit has its own list at each level and phòng. Two units' "Văn phòng" or
"Phó Cục trưởng" lists are different lists: they are grouped, checked (quota,
structure) and counted (automatic exits) apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from voting.extensions import db
from voting.personnel.models import Member, Unit
from voting.planning.exits import automatic_exits
from voting.planning.models import Nominee, PlanningEntry, Process
from voting.planning.quota import planned
from voting.planning.steps import MAX_NOMINEES, reference_date, removal_proposals
from voting.planning.structure import Structure, check, person_of
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
    for entry, _member, _reasons in automatic_exits(ruleset, unit_id):
        exits[entry.unit_id] = exits.get(entry.unit_id, 0) + 1
    for uid, lists in found.items():
        lists.structures = {
            key: planning_structure(entries, ruleset, reference)
            for key, entries in active.get(uid, {}).items()
        }
        lists.exits = exits.get(uid, 0)
    return list(found.values())


def list_structure(
    process: Process, nominees: list[Nominee], ruleset: Ruleset, *, with_planned: bool = False
) -> Structure:
    """The structure check of a list of this process (warnings, never blocking).

    A source list is normally longer than the quota: only a list that is to be
    planned (``with_planned``: the final vote's, the approval's) is held to it, and
    then checked together with the people already planned who stay (everyone but
    those this process proposed for removal): the list as it will stand.
    """
    people = [person_of(n, n.position.name, n.member) for n in nominees]
    quotas = {p.name: p.quota if with_planned else MAX_NOMINEES for p in process.positions}
    if with_planned:
        leaving = {n.planning_entry_id for n in removal_proposals(process)}
        people += [
            person_of(e, e.position_name, db.session.get(Member, e.member_id or 0))
            for entries in planned(process).values()
            for e in entries
            if e.id not in leaving and e.position_name in quotas
        ]
    return check(people, quotas, ruleset, reference_date(process))


def planning_structure(
    entries: list[PlanningEntry], ruleset: Ruleset, reference: date
) -> Structure:
    """The structure check of an approved list (one level, one phòng)."""
    members = {
        m.id: m
        for m in db.session.scalars(
            sa.select(Member).where(Member.id.in_([e.member_id for e in entries if e.member_id]))
        )
    }
    people = [person_of(e, e.position_name, members.get(e.member_id or 0)) for e in entries]
    return check(people, {}, ruleset, reference)
