"""Adding to and editing the unit's register (flushes only; the handler commits)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from voting import audit
from voting.errors import DomainError
from voting.extensions import db
from voting.personnel.models import MEMBER_STATUSES, SEXES, Discipline, Member, Unit
from voting.procedure.ruleset import Ruleset
from voting.validation import field_text, invalid_field, whole_number

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


def create_unit(data: dict[str, Any]) -> Unit:
    name = field_text(data, "name", required=True)
    if db.session.scalar(sa.select(Unit.id).where(Unit.name == name)):
        raise invalid_field("name", "A unit with this name already exists.")
    unit = Unit(
        name=name,
        parent_body=field_text(data, "parent_body"),
        locality=field_text(data, "locality", limit=100),
    )
    db.session.add(unit)
    db.session.flush()
    audit.record("unit.created", {"unit": unit.name})
    return unit


def parse_birth(row: dict[str, Any], where: str) -> tuple[int | None, int | None]:
    """(year, month) from "1978", "10/1961" or separate birth_year/birth_month fields."""
    year, month = row.get("birth_year"), row.get("birth_month")
    if isinstance(year, str) and "/" in year:
        month, _sep, year = year.partition("/")
    born: int | None = None
    if year not in (None, ""):
        born = whole_number(
            year,
            f"{where}.birth_year",
            1900,
            date.today().year,
            "The year of birth is not a valid year.",
        )
    born_month: int | None = None
    if month not in (None, ""):
        born_month = whole_number(
            month, f"{where}.birth_month", 1, 12, "The month of birth must be 1 to 12."
        )
    return born, born_month


def parse_sex(row: dict[str, Any], where: str) -> str | None:
    """ "male", "female" or None from Nam/Nữ (either language); anything else refused."""
    sex = row.get("sex") or None
    if isinstance(sex, str):
        sex = SEX_WORDS.get(sex.strip().casefold(), sex.strip() or None)
    if sex is not None and sex not in SEXES:
        raise invalid_field(f"{where}.sex", "Write the sex as Nam or Nữ.")
    return sex


def _member_fields(row: dict[str, Any], where: str, ruleset: Ruleset) -> dict[str, Any]:
    year, month = parse_birth(row, where)
    sex = parse_sex(row, where)
    roles = row.get("roles") or []
    if isinstance(roles, str):
        roles = roles.replace(",", " ").split()
    if not isinstance(roles, list) or any(r not in ruleset.roles for r in roles):
        raise invalid_field(f"{where}.roles", "Unknown role; use the ruleset's role tags.")
    status = row.get("status") or "serving"
    if status not in MEMBER_STATUSES:
        raise invalid_field(f"{where}.status", "Unknown status.")
    dossier = row.get("dossier_complete")
    if isinstance(dossier, str):
        dossier = {
            "": None,
            "có": True,
            "yes": True,
            "1": True,
            "không": False,
            "no": False,
            "0": False,
        }.get(dossier.strip().casefold(), dossier)
    if dossier is not None and not isinstance(dossier, bool):
        raise invalid_field(
            f"{where}.dossier_complete", "Write the dossier as complete or not (Có/Không)."
        )
    return {
        "name": field_text(row, "name", required=True, where=where),
        "birth_year": year,
        "birth_month": month,
        "sex": sex,
        "ethnicity": field_text(row, "ethnicity", limit=50, where=where),
        "post": field_text(row, "post", where=where),
        "department": field_text(row, "department", where=where),
        "qualification": field_text(row, "qualification", where=where),
        "political_theory": field_text(row, "political_theory", limit=50, where=where),
        "roles": " ".join(dict.fromkeys(roles)),
        "status": status,
        "dossier_complete": dossier,
    }


def add_members(unit: Unit, rows: Any, ruleset: Ruleset) -> list[Member]:
    """Append people to the register; any bad row refuses them all, naming the row."""
    if not isinstance(rows, list) or not rows:
        raise invalid_field("members", "List at least one person.")
    if len(unit.members) + len(rows) > MAX_MEMBERS:
        raise invalid_field("members", "The register is too long.")
    fields = []
    problems: list[dict[str, Any]] = []
    # Every row is checked before anything is written, so one bad row refuses
    # the whole import and the error lists every row to fix.
    for i, row in enumerate(rows):
        try:
            if not isinstance(row, dict):
                raise invalid_field(f"members[{i}]", "Each person must be an object.")
            fields.append(_member_fields(row, f"members[{i}]", ruleset))
        except DomainError as exc:
            problems.append(
                {"row": i + 1, "field": exc.params.get("field"), "message": exc.message}
            )
    if problems:
        first = problems[0]
        raise DomainError(
            "invalid_rows",
            "%(count)s rows have errors; nothing was added. First: row %(row)s, %(field)s.",
            422,
            count=len(problems),
            row=first["row"],
            field=str(first["field"]),
            rows=problems,
        )
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
        "birth_month": member.birth_month,
        "sex": member.sex,
        "ethnicity": member.ethnicity,
        "post": member.post,
        "department": member.department,
        "qualification": member.qualification,
        "political_theory": member.political_theory,
        "roles": member.roles.split(),
        "status": member.status,
        "dossier_complete": member.dossier_complete,
    }


def add_discipline(member: Member, data: dict[str, Any], ruleset: Ruleset) -> Discipline:
    """A disciplinary measure on the register (its form from the ruleset's list)."""
    form = data.get("form")
    if form not in ruleset.eligibility["discipline_forms"]:
        raise invalid_field("form", "Choose a form of discipline from the list.")

    def day(field: str, required: bool) -> date | None:
        raw = data.get(field)
        if raw in (None, "") and not required:
            return None
        try:
            return date.fromisoformat(str(raw))
        except ValueError:
            raise invalid_field(field, "The date must be written YYYY-MM-DD.") from None

    decided = day("decided_on", True)
    until = day("effect_until", False)
    assert decided is not None
    if until is not None and until < decided:
        raise invalid_field("effect_until", "The effect cannot end before the decision.")
    discipline = Discipline(
        form=form, decided_on=decided, effect_until=until, decision=field_text(data, "decision")
    )
    member.disciplines.append(discipline)
    db.session.flush()
    audit.record(
        "member.updated",
        {"unit": member.unit.name, "name": member.name, "fields": ["disciplines"]},
    )
    return discipline


def set_reference_date(unit: Unit, raw: Any) -> None:
    """The date the unit counts service left from (blank: today)."""
    if raw in (None, ""):
        unit.reference_on = None
    else:
        try:
            unit.reference_on = date.fromisoformat(str(raw))
        except ValueError:
            raise invalid_field("reference_on", "The date must be written YYYY-MM-DD.") from None
    db.session.flush()
    audit.record("unit.updated", {"unit": unit.name, "reference_on": str(unit.reference_on or "")})


def parse_register(text: str) -> list[dict[str, Any]]:
    """Pasted lines 'Name; year (or MM/YYYY); sex; post; department; roles' (tabs also work)."""
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
