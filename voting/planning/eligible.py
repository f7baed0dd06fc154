"""Eligibility flags of a process's nominees, people from another agency included.

A register member's flags come from the register. Someone from another agency has
no register row: their age comes from what the process recorded (year, month, sex)
and their dossier from the consultation (items received against the checklist), so
an incomplete dossier is flagged before the final vote like any other bar. No Flask.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from voting.personnel.eligibility import Flag, flags
from voting.procedure.ruleset import Ruleset


@dataclass
class OutsideFacts:
    """What the eligibility check reads, for someone outside the register."""

    birth_year: int | None
    birth_month: int | None
    sex: str | None
    dossier_complete: bool | None = None
    status: str = "serving"
    disciplines: list[Any] = field(default_factory=list)


def dossier_count(nominee: Any, ruleset: Ruleset) -> tuple[int, int] | None:
    """(items received, items required) once the consultation is recorded, else None."""
    record = nominee.consult
    if not record.get("met_on"):
        return None
    required = ruleset.dossier_items_vi
    have = sum(1 for item in record.get("dossier", []) if item in required)
    return have, len(required)


def outside_flags(line: Any, ruleset: Ruleset, reference: date) -> list[Flag]:
    """Flags of a nominee or planning entry with no register row."""
    count = dossier_count(line, ruleset) if hasattr(line, "consult_json") else None
    facts = OutsideFacts(
        birth_year=line.birth_year,
        birth_month=line.birth_month,
        sex=line.sex,
        dossier_complete=None if count is None else count[0] >= count[1],
    )
    found = flags(facts, ruleset, reference)
    if count is not None:
        found = [
            Flag(f.code, f.source, f.exit, {"have": count[0], "of": count[1]})
            if f.code == "dossier"
            else f
            for f in found
        ]
    return found


def nominee_flags(
    nominee: Any, member_flags: dict[int, list[Flag]], ruleset: Ruleset, reference: date
) -> list[Flag]:
    """The flags the chair decides on for one ballot line."""
    if nominee.member_id is not None:
        return member_flags.get(nominee.member_id, [])
    return outside_flags(nominee, ruleset, reference)
