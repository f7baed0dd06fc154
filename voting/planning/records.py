"""Steps recorded without a ballot: the source list (B1) and the leadership's approval (B2)."""

from __future__ import annotations

import json
from typing import Any

from voting.errors import DomainError
from voting.extensions import db
from voting.personnel.models import Member
from voting.planning.intake import outside_person, refuse_if_planned
from voting.planning.models import Nominee, Process, ProcessPosition, ProcessStep
from voting.planning.steps import (
    MAX_ID,
    MAX_NOMINEES,
    audit_process,
    finish,
    ids,
    incoming,
    member_nominee,
    outgoing,
    position_of,
    require_current,
    set_outgoing,
    step_definition,
)
from voting.procedure.ruleset import Ruleset
from voting.validation import field_date, field_text, invalid_field, whole_number

# --- B1: the source list


def _replace_draft(row: ProcessStep) -> None:
    """The draft may be saved again before the step is done: the old draft goes."""
    drafted = [n for n in outgoing(row) if n.origin in ("source", "external")]
    set_outgoing(row, [])
    for n in drafted:
        db.session.delete(n)
    db.session.flush()


def _in_house(
    process: Process, position: ProcessPosition, raw: Any, members: dict[int, Member], where: str
) -> Nominee:
    field = f"{where}.member_id"
    member = members.get(
        whole_number(raw, field, 0, MAX_ID, "No such person in the unit's register.")
    )
    if member is None:
        raise invalid_field(field, "No such person in the unit's register.")
    if not member.serving:
        raise invalid_field(field, "This person is no longer serving.")
    return member_nominee(process, position.id, member, "source")


def _from_outside(process: Process, position: ProcessPosition, item: Any, where: str) -> Nominee:
    if process.flow != "annual-external":
        raise invalid_field(
            f"{where}.member_id", "In-house planning picks people from the register."
        )
    return Nominee(
        process=process,
        position=position,
        origin="external",
        name=field_text(item, "name", required=True),
        post=field_text(item, "post"),
        agency=field_text(item, "agency", required=True),
        **outside_person(item, where),
    )


def _source_nominees(process: Process, rows: list[Any]) -> list[Nominee]:
    members = {m.id: m for m in process.unit.members}
    seen: set[tuple[int, str]] = set()
    chosen: list[Nominee] = []
    for i, item in enumerate(rows):
        where = f"nominees[{i}]"
        if not isinstance(item, dict):
            raise invalid_field(where, "Each person must be an object.")
        position = position_of(process, item.get("position"), f"{where}.position")
        member_id = item.get("member_id")
        if member_id not in (None, ""):
            nominee = _in_house(process, position, member_id, members, where)
        else:
            nominee = _from_outside(process, position, item, where)
        key = (position.id, str(nominee.member_id or nominee.name.casefold()))
        if key in seen:
            raise invalid_field(where, "This person is listed twice for the same position.")
        seen.add(key)
        if process.flow != "term":  # a supplement adds people not yet planned
            refuse_if_planned(process, nominee, position, where)
        db.session.add(nominee)
        chosen.append(nominee)
    return chosen


def record_source_list(
    process: Process, row: ProcessStep, data: dict[str, Any], ruleset: Ruleset
) -> None:
    """B1 (or annual B1): the plan and the proposed list, from the register or from outside.

    ``data``: ``plan`` (text), ``drafted_on`` (date), ``nominees``: a list of
    ``{"position": id, "member_id": id}`` for in-house people or ``{"position": id,
    "name", "birth_year", "post", "agency"}`` for someone from another agency.
    """
    definition = step_definition(process, row, ruleset)
    require_current(row, "source-list", definition=definition)
    if row.conference_id is not None and row.conference and not row.conference.is_draft:
        raise DomainError(
            "conference_not_draft", "The ballot has opened; the list can no longer change.", 409
        )
    outcome = {
        "plan": field_text(data, "plan", limit=2000),
        "drafted_on": (
            d.isoformat() if (d := field_date(data, "drafted_on", required=False)) else ""
        ),
    }
    rows = data.get("nominees")
    if not isinstance(rows, list) or len(rows) > MAX_NOMINEES:
        raise invalid_field("nominees", "The list must be a list of people.")
    _replace_draft(row)
    chosen = _source_nominees(process, rows)
    row.outcome_json = json.dumps(outcome, ensure_ascii=False)
    set_outgoing(row, chosen)
    audit_process(
        "step.recorded", process, {"step": row.step, "kind": "source-list", "people": len(chosen)}
    )
    if definition.kind == "source-list":
        finish(process, row)


# --- B2: approval of the list


def approve_list(
    process: Process, row: ProcessStep, data: dict[str, Any], ruleset: Ruleset
) -> None:
    """The leadership's approval: meeting date, conclusion, the approved subset, quotas."""
    definition = step_definition(process, row, ruleset)
    require_current(row, "approve-list", definition=definition)
    candidates = incoming(process, row)
    approved = ids(data.get("approved", []), "approved")
    by_id = {n.id: n for n in candidates}
    if not approved <= by_id.keys():
        raise invalid_field("approved", "Only people on the proposed list can be approved.")
    quotas = data.get("quotas") or {}
    if not isinstance(quotas, dict):
        raise invalid_field("quotas", "The quotas must name a position each.")
    for raw, quota in quotas.items():
        position = position_of(process, raw, "quotas")
        # The message is named (not left to the default) so that the catalog extracts it.
        position.quota = whole_number(
            quota,
            f"quotas.{raw}",
            1,
            ruleset.max_quota,
            "Enter a whole number from %(low)s to %(high)s.",
        )
    row.outcome_json = json.dumps(
        {
            "meeting_on": field_date(data, "meeting_on").isoformat(),  # type: ignore[union-attr]
            "conclusion": field_text(data, "conclusion", limit=2000),
            "quotas": {p.name: p.quota for p in process.positions},
        },
        ensure_ascii=False,
    )
    set_outgoing(row, [n for n in candidates if n.id in approved])
    audit_process(
        "step.recorded",
        process,
        {
            "step": row.step,
            "kind": "approve-list",
            "proposed": len(candidates),
            "approved": len(approved),
        },
    )
    finish(process, row)
