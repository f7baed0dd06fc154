"""Adding to and editing the unit's register (flushes only; the handler commits)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from voting import audit
from voting.errors import DomainError
from voting.extensions import db
from voting.personnel.models import MEMBER_STATUSES, SEXES, Member, Unit
from voting.procedure.ruleset import Ruleset

TEXT_LIMIT = 200
MAX_MEMBERS = 5000
#: How a sex is written in a pasted register, both languages.
SEX_WORDS = {
    "nam": "male",
    "male": "male",
    "m": "male",
    "nữ": "female",
    "female": "female",
    "f": "female",
}


def _invalid(field: str, message: str, **params: Any) -> DomainError:
    return DomainError("invalid_field", message, 422, field=field, **params)


def _text(
    data: dict[str, Any],
    field: str,
    *,
    required: bool = False,
    limit: int = TEXT_LIMIT,
    where: str = "",
) -> str:
    """A text field; ``where`` ("members[3]") names the row in the error."""
    name = f"{where}.{field}" if where else field
    value = data.get(field) or ""
    if not isinstance(value, str):
        raise _invalid(name, "This field must be text.")
    value = value.strip()
    if required and not value:
        raise _invalid(name, "This field is required.")
    if len(value) > limit:
        raise _invalid(name, "This field is too long.")
    return value


def create_unit(data: dict[str, Any]) -> Unit:
    name = _text(data, "name", required=True)
    if db.session.scalar(sa.select(Unit.id).where(Unit.name == name)):
        raise _invalid("name", "A unit with this name already exists.")
    unit = Unit(
        name=name,
        parent_body=_text(data, "parent_body"),
        locality=_text(data, "locality", limit=100),
    )
    db.session.add(unit)
    db.session.flush()
    audit.record("unit.created", {"unit": unit.name})
    return unit


def _member_fields(row: dict[str, Any], where: str, ruleset: Ruleset) -> dict[str, Any]:
    year = row.get("birth_year")
    if year in (None, ""):
        year = None
    else:
        if isinstance(year, str) and year.strip().isdigit():
            year = int(year.strip())
        if (
            isinstance(year, bool)
            or not isinstance(year, int)
            or not 1900 <= year <= date.today().year
        ):
            raise _invalid(f"{where}.birth_year", "The year of birth is not a valid year.")
    sex = row.get("sex") or None
    if isinstance(sex, str):
        sex = SEX_WORDS.get(sex.strip().casefold(), sex.strip() or None)
    if sex is not None and sex not in SEXES:
        raise _invalid(f"{where}.sex", "Write the sex as Nam or Nữ.")
    roles = row.get("roles") or []
    if isinstance(roles, str):
        roles = roles.replace(",", " ").split()
    if not isinstance(roles, list) or any(r not in ruleset.roles for r in roles):
        raise _invalid(f"{where}.roles", "Unknown role; use the ruleset's role tags.")
    status = row.get("status") or "serving"
    if status not in MEMBER_STATUSES:
        raise _invalid(f"{where}.status", "Unknown status.")
    return {
        "name": _text(row, "name", required=True, where=where),
        "birth_year": year,
        "sex": sex,
        "post": _text(row, "post", where=where),
        "department": _text(row, "department", where=where),
        "roles": " ".join(dict.fromkeys(roles)),
        "status": status,
    }


def add_members(unit: Unit, rows: Any, ruleset: Ruleset) -> list[Member]:
    """Append people to the register; any bad row refuses them all, naming the row."""
    if not isinstance(rows, list) or not rows:
        raise _invalid("members", "List at least one person.")
    if len(unit.members) + len(rows) > MAX_MEMBERS:
        raise _invalid("members", "The register is too long.")
    fields = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise _invalid(f"members[{i}]", "Each person must be an object.")
        fields.append(_member_fields(row, f"members[{i}]", ruleset))
    start = len(unit.members)
    added = [Member(seq=start + i + 1, **f) for i, f in enumerate(fields)]
    unit.members.extend(added)
    db.session.flush()
    audit.record("members.added", {"unit": unit.name, "added": len(added)})
    return added


def update_member(member: Member, data: dict[str, Any], ruleset: Ruleset) -> None:
    fields = _member_fields({**_as_row(member), **data}, "member", ruleset)
    for key, value in fields.items():
        setattr(member, key, value)
    db.session.flush()
    audit.record(
        "member.updated", {"unit": member.unit.name, "name": member.name, "fields": sorted(data)}
    )


def _as_row(member: Member) -> dict[str, Any]:
    return {
        "name": member.name,
        "birth_year": member.birth_year,
        "sex": member.sex,
        "post": member.post,
        "department": member.department,
        "roles": member.roles,
        "status": member.status,
    }


def parse_register(text: str) -> list[dict[str, Any]]:
    """Pasted lines 'Name; year; sex; post; department; roles' (tabs also work)."""
    rows = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        sep = "\t" if "\t" in line else ";"
        cells = [c.strip() for c in line.split(sep)] + [""] * 6
        rows.append(
            {
                "name": cells[0],
                "birth_year": cells[1],
                "sex": cells[2],
                "post": cells[3],
                "department": cells[4],
                "roles": cells[5],
            }
        )
    return rows
