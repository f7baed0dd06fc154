"""The approval step: the decision that writes the planning list, and what it checks.

The decision is dated no later than today; it never enters someone a second time
for a position they already hold an active entry for; the people already planned
count against each position's quota; and no position that had people may vanish
without the chair ending it (see :mod:`voting.planning.stalled`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from voting.clock import local_today
from voting.errors import DomainError
from voting.extensions import db
from voting.planning.models import Nominee, PlanningEntry, Process, ProcessStep
from voting.planning.quota import already_planned, quota_lines
from voting.planning.steps import (
    audit_process,
    finish,
    ids,
    incoming,
    removal_proposals,
    require_current,
    set_outgoing,
    step_definition,
)
from voting.procedure.ruleset import Ruleset
from voting.validation import field_date, field_text, invalid_field


def check_date(signed_on: date, field: str = "signed_on") -> None:
    if signed_on > local_today():
        raise invalid_field(field, "The decision date cannot be in the future.")


def check_nothing_lost(process: Process, row: ProcessStep, ruleset: Ruleset) -> None:
    from voting.planning.stalled import gaps  # stalled builds on the operations

    lost = gaps(process, row, ruleset)
    if lost:
        raise DomainError(
            "position_without_people",
            "Nobody is left for %(positions)s: end that position with nobody planned, "
            "or hold the previous vote again.",
            409,
            positions=", ".join(g.position.name for g in lost),
        )


def check_entries(process: Process, entering: list[Nominee], leaving: Iterable[int]) -> None:
    """No second active entry for one person and position; the quota counts everyone."""
    twice = already_planned(process, entering)
    if twice:
        raise DomainError(
            "already_planned",
            "Already in the planning list for that position (their entry stays): %(names)s.",
            409,
            names=", ".join(f"{n.name} ({n.position.name})" for n, _entry in twice),
        )
    over = [line for line in quota_lines(process, entering, leaving) if line.over]
    if over:
        line = over[0]
        raise DomainError(
            "over_quota",
            "%(position)s would hold %(total)s people (%(staying)s already planned, "
            "%(entering)s approved now) for a quota of %(quota)s.",
            409,
            position=line.position,
            total=line.total,
            staying=line.staying,
            entering=line.entering,
            quota=line.quota,
        )


def _submit(process: Process, row: ProcessStep, decision: dict[str, str]) -> None:
    """Submitted to a higher authority: the step stays open for its decision."""
    record = row.outcome
    record["submission"] = decision
    row.outcome_json = json.dumps(record, ensure_ascii=False)
    process.status = "submitted"
    db.session.flush()
    audit_process(
        "step.recorded",
        process,
        {"step": row.step, "kind": "submitted", "number": decision["number"]},
    )


def _entry(process: Process, nominee: Nominee, signed_on: date, decision: str) -> PlanningEntry:
    return PlanningEntry(
        unit_id=process.unit_id,
        level=process.level,
        department=process.department,
        position_name=nominee.position.name,
        member_id=nominee.member_id,
        name=nominee.name,
        birth_year=nominee.birth_year,
        birth_month=nominee.member.birth_month if nominee.member else nominee.birth_month,
        sex=nominee.member.sex if nominee.member else nominee.sex,
        post=nominee.post,
        agency=nominee.agency,
        period=process.period,
        entered_on=signed_on,
        entered_process_id=process.id,
        entered_decision=decision,
    )


def _leave(process: Process, leaving: list[Nominee], signed_on: date, decision: str) -> None:
    """The removals the decision confirms: their entries leave the list."""
    for nominee in leaving:
        entry = db.session.get(PlanningEntry, nominee.planning_entry_id)
        if entry is not None and entry.active:
            entry.left_on = signed_on
            entry.left_reason = "removal-vote"
            entry.left_process_id = process.id
            entry.left_decision = decision


def record_decision(
    process: Process, row: ProcessStep, data: dict[str, Any], ruleset: Ruleset
) -> None:
    """The approval step: the decision (number, date, signer) and the approved list.

    ``outcome`` "submitted" records the submission to a higher authority and
    leaves the step open; "approved" writes the planning list: the approved
    people enter it and the removals proposed by this process's removal vote
    that the decision confirms leave it.
    """
    definition = step_definition(process, row, ruleset)
    require_current(row, "decision", definition=definition)
    outcome = data.get("outcome")
    if outcome not in ("approved", "submitted"):
        raise invalid_field("outcome", "Choose approved or submitted to the higher authority.")
    number = field_text(data, "number", required=True)
    signed_on = field_date(data, "signed_on")
    assert signed_on is not None
    check_date(signed_on)
    signer = field_text(data, "signer", required=True)
    check_nothing_lost(process, row, ruleset)
    decision = {"number": number, "signed_on": signed_on.isoformat(), "signer": signer}
    if outcome == "submitted":
        _submit(process, row, decision)
        return
    candidates = {n.id: n for n in incoming(process, row)}
    approved = ids(data.get("approved", []), "approved")
    if not approved <= candidates.keys():
        raise invalid_field("approved", "Only people proposed by the last vote can be approved.")
    proposals = {n.id: n for n in removal_proposals(process)}
    removed = ids(data.get("removed", []), "removed")
    if not removed <= proposals.keys():
        raise invalid_field(
            "removed", "Only people proposed for removal by the vote can be removed."
        )
    entering = [n for n in candidates.values() if n.id in approved]
    leaving = [n for n in proposals.values() if n.id in removed and n.planning_entry_id]
    check_entries(process, entering, [n.planning_entry_id for n in leaving if n.planning_entry_id])
    decision_text = f"{number} ngày {signed_on.strftime('%d/%m/%Y')} ({signer})"
    record = row.outcome
    record["decision"] = decision
    row.outcome_json = json.dumps(record, ensure_ascii=False)
    for nominee in entering:
        db.session.add(_entry(process, nominee, signed_on, decision_text))
    _leave(process, leaving, signed_on, decision_text)
    set_outgoing(row, entering)
    process.status = "approved"
    audit_process(
        "step.recorded",
        process,
        {
            "step": row.step,
            "kind": "approved",
            "number": number,
            "entered": len(approved),
            "removed": len(removed),
        },
    )
    finish(process, row)
