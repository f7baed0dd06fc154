"""When a vote carries nobody for a position: say so, and the ways forward.

A position had people at an earlier step but nobody comes into the current one
(nobody passed the last vote, or the leadership approved nobody): the process must
not go on as if the position had never been planned. The chair either ends that
position with nobody planned (recorded with its reason) or, when the step that
left nobody was a vote, holds that step again with a new conference for those
positions (audited, the first conference kept in the step's record). A vote step
with nobody at all on its ballot is recorded as held without a ballot. No Flask.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from voting import audit
from voting.clock import local_today
from voting.conferences.results import locked_result
from voting.errors import DomainError
from voting.extensions import db
from voting.planning import chain, steps
from voting.planning.ballot import ballot_people
from voting.planning.models import BallotLink, Process, ProcessPosition, ProcessStep
from voting.planning.steps import require_current
from voting.procedure.ruleset import Ruleset
from voting.validation import field_date, field_text, invalid_field


@dataclass(frozen=True)
class Gap:
    """A position with nobody coming into the current step, though it had people before."""

    position: ProcessPosition
    #: The step whose outgoing list has nobody for the position.
    left_by: ProcessStep
    #: That step was a vote on people for this position: it can be held again.
    repeatable: bool


def _is_plain_vote(process: Process, row: ProcessStep, ruleset: Ruleset) -> bool:
    definition = steps.step_definition(process, row, ruleset)
    if definition.kind != "vote" or not definition.rule:
        return False
    return not ruleset.rule(definition.rule).removal


def _had_people(process: Process, position: ProcessPosition, row: ProcessStep) -> bool:
    return any(
        e.kind == "carried" and e.nominee.position_id == position.id
        for s in process.steps[: row.seq - 1]
        for e in s.entries
    )


def gaps(process: Process, row: ProcessStep, ruleset: Ruleset) -> list[Gap]:
    """The positions the current step would silently lose, with what can be done."""
    if row.status != "current" or process.status == "approved":
        return []
    definition = steps.step_definition(process, row, ruleset)
    if definition.kind == "source-list":
        return []
    if definition.kind == "vote" and not _is_plain_vote(process, row, ruleset):
        return []  # a removal vote's ballot is the current list, not the last step's
    before = steps.previous_step(process, row)
    if before is None:
        return []
    coming = {n.position_id for n in steps.incoming(process, row)}
    voted_on = (
        {n.position_id for n in steps.incoming(process, before)}
        if _is_plain_vote(process, before, ruleset) and before.conference is not None
        else set()
    )
    return [
        Gap(position=p, left_by=before, repeatable=p.id in voted_on)
        for p in process.positions
        if not p.ended and p.id not in coming and _had_people(process, p, row)
    ]


def nobody_on_ballot(process: Process, row: ProcessStep, ruleset: Ruleset) -> bool:
    """A current plain vote step with nobody to vote on (and no position left to decide)."""
    if row.status != "current" or row.conference_id is not None:
        return False
    if not _is_plain_vote(process, row, ruleset) or gaps(process, row, ruleset):
        return False
    return not any(people for _, people in ballot_people(process, row, ruleset, persist=False))


#: A step of any kind may find a position empty: its incoming list has nobody for it.
ANY_KIND = ("source-list", "approve-list", "consult", "vote", "decision")


def _reason(data: dict[str, Any]) -> str:
    return field_text(data, "reason", required=True, limit=500)


def _day(data: dict[str, Any], field: str) -> date:
    day = field_date(data, field, required=False) or local_today()
    if day > local_today():
        raise invalid_field(field, "This date cannot be in the future.")
    return day


def end_position(
    process: Process, row: ProcessStep, data: dict[str, Any], ruleset: Ruleset
) -> ProcessPosition:
    """End a position that lost everyone with nobody planned: the step, date and reason."""
    require_current(row, *ANY_KIND, definition=steps.step_definition(process, row, ruleset))
    found = {g.position.id: g for g in gaps(process, row, ruleset)}
    raw = data.get("position")
    gap = next((g for pid, g in found.items() if raw in (pid, str(pid))), None)
    if gap is None:
        raise invalid_field("position", "Only a position with nobody left at this step can end.")
    reason = _reason(data)
    position = gap.position
    position.ended_step = row.step
    position.ended_on = _day(data, "ended_on")
    position.ended_reason = reason
    db.session.flush()
    audit.record(
        "position.ended",
        {
            "process": process.public_id,
            "step": row.step,
            "position": position.name,
            "left_by": gap.left_by.step,
            "reason": reason,
        },
    )
    return position


def repeat_previous(
    process: Process, row: ProcessStep, data: dict[str, Any], ruleset: Ruleset
) -> ProcessStep:
    """Hold the vote that carried nobody again, for those positions, with a new conference.

    The step that voted becomes current again (this one waits); its first conference
    stays locked and is kept in the step's record (``rounds``) with the reason; the
    people it carried for the other positions stay carried.
    """
    require_current(row, *ANY_KIND, definition=steps.step_definition(process, row, ruleset))
    chosen = [g for g in gaps(process, row, ruleset) if g.repeatable]
    if not chosen:
        raise DomainError(
            "cannot_repeat", "The previous step is not a vote that left a position empty.", 409
        )
    reason = _reason(data)
    before = chosen[0].left_by
    old = before.conference
    assert old is not None
    record = before.outcome
    record["rounds"] = [
        *record.get("rounds", []),
        {
            "conference": old.public_id,
            "held_on": old.held_on.isoformat(),
            "result_sha256": old.result_sha256,
            "positions": [g.position.name for g in chosen],
            "reason": reason,
            "repeated_on": local_today().isoformat(),
        },
    ]
    record["repeat"] = {"positions": [g.position.id for g in chosen]}
    record.pop("result_sha256", None)
    before.outcome_json = json.dumps(record, ensure_ascii=False)
    before.conference_id = None
    # The links named the first round's ballot lines; that result is carried already.
    db.session.execute(sa.delete(BallotLink).where(BallotLink.step_id == before.id))
    before.status, before.done_dt = "current", None
    row.status = "pending"
    db.session.flush()
    audit.record(
        "step.repeated",
        {
            "process": process.public_id,
            "step": before.step,
            "positions": [g.position.name for g in chosen],
            "earlier_conference": old.public_id,
            "reason": reason,
        },
        conference=old,
    )
    return before


def skip_vote(process: Process, row: ProcessStep, data: dict[str, Any], ruleset: Ruleset) -> None:
    """Record a vote step that has nobody to vote on as held without a ballot."""
    require_current(row, "vote", definition=steps.step_definition(process, row, ruleset))
    if not nobody_on_ballot(process, row, ruleset):
        raise DomainError(
            "ballot_not_empty", "This step has people to vote on; hold its conference.", 409
        )
    reason = field_text(data, "reason", limit=500)
    row.outcome_json = json.dumps({**row.outcome, "skipped": reason or "-"}, ensure_ascii=False)
    steps.set_outgoing(row, [])
    audit.record("step.skipped", {"process": process.public_id, "step": row.step})
    steps.finish(process, row)


def carrying_nobody(process: Process, row: ProcessStep, ruleset: Ruleset) -> list[str]:
    """The positions a locked, not yet carried vote passes nobody for (to say so first)."""
    conference = row.conference
    if row.status != "current" or conference is None or not conference.result_json:
        return []
    if not conference.is_locked or not _is_plain_vote(process, row, ruleset):
        return []
    result = locked_result(conference)
    moving = {
        o.position_key for o in chain.outcomes(result.decision, result.rule.ranked) if o.carried
    }
    names = {p.id: p.name for p in result.positions}
    return [name for key, name in names.items() if key not in moving]
