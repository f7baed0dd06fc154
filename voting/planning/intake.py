"""Taking a person onto a process's list: the checks a list line must pass. No Flask.

Someone from another agency is typed in (name, birth month and year, sex, post,
agency); nobody may be proposed for a position they are already planned for.
"""

from __future__ import annotations

from typing import Any

from voting.personnel.operations import parse_birth, parse_sex
from voting.planning.models import Nominee, Process, ProcessPosition
from voting.planning.quota import key_of, planned
from voting.validation import invalid_field


def outside_person(item: dict[str, Any], where: str) -> dict[str, Any]:
    """Birth year, month and sex of someone outside the register (each may be blank)."""
    year, month = parse_birth(item, where)
    return {"birth_year": year, "birth_month": month, "sex": parse_sex(item, where)}


def refuse_if_planned(
    process: Process, nominee: Nominee, position: ProcessPosition, where: str
) -> None:
    """A person already in the approved list for this position cannot be proposed again."""
    for entry in planned(process).get(position.name, []):
        if key_of(entry) == key_of(nominee):
            raise invalid_field(
                where,
                "%(name)s is already in the planning list for %(position)s.",
                name=nominee.name,
                position=position.name,
            )
