"""Who is already planned, and each position's quota counted with them.

The approved list is kept per unit, level, phòng and position. A process adds to
that list, so every check of "no one twice" and "at most the quota" must count
the people already in it — not just the incoming ones. No Flask import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from voting.extensions import db
from voting.planning.models import Nominee, PlanningEntry, Process, ProcessPosition


def person_key(member_id: int | None, name: str, birth_year: int | None) -> str:
    """One person across lists: the register row, else name and year (another agency)."""
    if member_id is not None:
        return f"m{member_id}"
    return f"n:{name.strip().casefold()}:{birth_year or ''}"


def key_of(line: Any) -> str:
    """The key of a nominee or a planning entry."""
    return person_key(line.member_id, line.name, line.birth_year)


def current_list(process: Process) -> list[PlanningEntry]:
    """The approved planning list this process's unit, level (and phòng) holds today."""
    return list(
        db.session.scalars(
            sa.select(PlanningEntry)
            .where(
                PlanningEntry.unit_id == process.unit_id,
                PlanningEntry.level == process.level,
                PlanningEntry.department == process.department,
                PlanningEntry.left_on.is_(None),
            )
            .order_by(PlanningEntry.position_name, PlanningEntry.id)
        )
    )


def planned(process: Process) -> dict[str, list[PlanningEntry]]:
    """The unit's active list at this process's level (and phòng), by position name."""
    found: dict[str, list[PlanningEntry]] = {}
    # Read-only: a half-built list line of the caller must not be flushed by the query.
    with db.session.no_autoflush:
        rows = current_list(process)
    for entry in rows:
        found.setdefault(entry.position_name, []).append(entry)
    return found


def planned_member_ids(process: Process, position: ProcessPosition) -> set[int]:
    """Register members already in the list for this position (never a write-in for it)."""
    return {e.member_id for e in planned(process).get(position.name, []) if e.member_id}


def already_planned(
    process: Process, nominees: Iterable[Nominee]
) -> list[tuple[Nominee, PlanningEntry]]:
    """Each nominee who already holds an active entry for the same position."""
    current = planned(process)
    found = []
    for n in nominees:
        for entry in current.get(n.position.name, []):
            if key_of(entry) == key_of(n):
                found.append((n, entry))
                break
    return found


@dataclass(frozen=True)
class QuotaLine:
    """One position at the approval: who stays in the list, who enters, against the quota."""

    position: str
    quota: int
    staying: int
    entering: int

    @property
    def total(self) -> int:
        return self.staying + self.entering

    @property
    def over(self) -> bool:
        return self.total > self.quota


def quota_lines(
    process: Process, entering: Iterable[Nominee], leaving_entry_ids: Iterable[int] = ()
) -> list[QuotaLine]:
    """Per position: the people already planned (less those this decision removes)
    plus those it approves, against the position's quota."""
    leaving = set(leaving_entry_ids)
    current = planned(process)
    coming = list(entering)
    return [
        QuotaLine(
            position=p.name,
            quota=p.quota,
            staying=sum(1 for e in current.get(p.name, []) if e.id not in leaving),
            entering=sum(1 for n in coming if n.position_id == p.id),
        )
        for p in process.positions
    ]
