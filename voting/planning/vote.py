"""A vote step: the conference the process creates, and its locked result carried on.

The step fixes the rule and the process gives the ballot (see
:mod:`voting.planning.ballot`); the conference owns the vote itself. Once its result
is locked, who passes (or is selected) becomes the step's outgoing list.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa

from voting.auth.models import User
from voting.conferences import operations as conference_ops
from voting.conferences.document import ResultDocument
from voting.conferences.models import Conference
from voting.conferences.results import locked_result
from voting.errors import DomainError
from voting.extensions import db
from voting.personnel.eligibility import Flag
from voting.personnel.models import Member
from voting.planning import approval, chain
from voting.planning.ballot import ballot_lines, ballot_people, default_roster, review_flags
from voting.planning.eligible import nominee_flags
from voting.planning.models import BallotLink, Nominee, Process, ProcessPosition, ProcessStep
from voting.planning.quota import planned_member_ids
from voting.planning.rounds import kept_from_earlier, only_repeated
from voting.planning.steps import (
    audit_process,
    finish,
    flags_of,
    member_nominee,
    reference_date,
    removal_proposals,
    require_current,
    set_outgoing,
    step_definition,
)
from voting.procedure.ruleset import Ruleset, Step

Pool = Callable[[ProcessPosition, list[Any]], list[Member]]


def _write_in_pool(
    process: Process, definition: Step, ruleset: Ruleset, flagged: dict[int, list[Flag]]
) -> Pool:
    """Who a voter may introduce for a position: nobody outside a discovery step."""
    level = ruleset.levels[process.level]
    proposed = removal_proposals(process)

    def pool_of(position: ProcessPosition, nominees: list[Any]) -> list[Member]:
        if not definition.discovery:
            return []
        # Not listed already, not planned for this position already, not just proposed
        # for removal from it, and not its sitting holder.
        listed = {n.member_id for n in nominees if n.member_id}
        listed |= planned_member_ids(process, position)
        listed |= {n.member_id for n in proposed if n.position_id == position.id and n.member_id}
        # Only eligible people may be introduced: none with an automatic-exit condition.
        eligible = [
            m
            for m in process.unit.members
            if not any(f.exit for f in flagged.get(m.id, []))
            and not chain.holds_post(m.post, position.name)
        ]
        return chain.write_in_pool(  # type: ignore[return-value]
            level["pool_roles"], eligible, level["scope"], process.department, listed
        )

    return pool_of


def _conference_details(
    process: Process,
    row: ProcessStep,
    definition: Step,
    data: dict[str, Any],
    ruleset: Ruleset,
) -> dict[str, Any]:
    """The conference's set-up: the chair's details, the process's unit and roster."""
    people = data.get("people")
    if people is None:
        people = [
            {"name": m.name, "title": m.post, "group": m.department}
            for m in default_roster(process, definition, ruleset)
        ]
    return {
        "level": process.level,
        "flow": process.flow,
        "step": row.step,
        "title": data.get("title") or definition.title["vi"],
        "held_on": data.get("held_on") or date.today().isoformat(),
        "place": data.get("place", ""),
        "locality": data.get("locality") or process.unit.locality,
        "parent_body": data.get("parent_body") or process.unit.parent_body,
        "unit_name": data.get("unit_name") or process.unit.name,
        "chair_name": data.get("chair_name", ""),
        "secretary_name": data.get("secretary_name", ""),
        "people": people,
    }


def create_step_conference(
    process: Process, row: ProcessStep, data: dict[str, Any], ruleset: Ruleset
) -> Conference:
    """The vote step's conference: the step fixes the rule, the process gives the ballot.

    ``data`` holds the conference details (title, date, place…) and optionally
    ``people`` (the roster as edited by the chair); without it the roster is the
    register's holders of the step's roles.
    """
    definition = step_definition(process, row, ruleset)
    require_current(row, "vote", definition=definition)
    if row.conference_id is not None:
        raise DomainError("conference_exists", "This step already has its conference.", 409)
    approval.check_nothing_lost(process, row, ruleset)
    lines = only_repeated(row, ballot_people(process, row, ruleset))
    rule = ruleset.rule(definition.rule) if definition.rule else None
    flagged = flags_of(process, ruleset)
    review: list[dict[str, Any]] = []
    if rule is not None and not rule.removal:
        reference = reference_date(process)
        lines, review = review_flags(
            lines,
            lambda n: nominee_flags(n, flagged, ruleset, reference),
            data.get("flag_decisions") or {},
        )
    if not any(nominees for _, nominees in lines):
        raise DomainError("nobody_to_vote_on", "No one is on the list this step votes on.", 409)
    positions, links = ballot_lines(lines, _write_in_pool(process, definition, ruleset, flagged))
    details = _conference_details(process, row, definition, data, ruleset)
    details["positions"] = positions
    owner = db.session.get(User, process.owner_id)
    assert owner is not None
    conference = conference_ops.create_conference(owner, details, ruleset, ballot_owner="process")
    conference.secretary_user_id = process.secretary_user_id
    row.conference_id = conference.id
    if review:
        row.outcome_json = json.dumps({**row.outcome, "flag_review": review}, ensure_ascii=False)
    for link in links:
        link.step_id = row.id
        db.session.add(link)
    db.session.flush()
    audit_process(
        "step.conference_created",
        process,
        {
            "step": row.step,
            "conference": conference.public_id,
            "positions": len(positions),
            "flag_review": [
                {"name": r["name"], "flags": r["flags"], "decision": r["decision"]} for r in review
            ],
        },
        conference=conference,
    )
    return conference


def _carried(
    process: Process, row: ProcessStep, result: ResultDocument
) -> tuple[list[tuple[Nominee, int | None]], dict[int, int | None]]:
    """Who the locked result carries on (with their agree votes), and everyone's votes."""
    ranked = result.rule.ranked
    links = {
        (link.position_key, link.candidate_key): link
        for link in db.session.scalars(sa.select(BallotLink).where(BallotLink.step_id == row.id))
    }
    # A round held again for some positions keeps what the first round carried for the rest.
    moving: list[tuple[Nominee, int | None]] = kept_from_earlier(row)
    agree_of: dict[int, int | None] = {n.id: agree for n, agree in moving}
    for outcome in chain.outcomes(result.decision, ranked):
        link = links[(outcome.position_key, outcome.candidate_key)]
        if link.nominee_id is not None:
            nominee = db.session.get(Nominee, link.nominee_id)
            assert nominee is not None
            agree_of[nominee.id] = outcome.agree
            if outcome.carried:
                moving.append((nominee, outcome.agree))
        elif outcome.carried:
            member = db.session.get(Member, link.member_id)
            assert member is not None
            nominee = member_nominee(process, link.position_id, member, "write-in")
            db.session.add(nominee)
            db.session.flush()
            agree_of[nominee.id] = outcome.agree
            moving.append((nominee, outcome.agree))
    return moving, agree_of


def complete_vote_step(process: Process, row: ProcessStep, ruleset: Ruleset) -> None:
    """Carry the locked result on: who passes (or is selected) goes to the next step.

    A write-in who passes joins the process as a nominee; for a removal vote,
    those above the threshold are proposed for removal (the approval step decides).
    """
    definition = step_definition(process, row, ruleset)
    require_current(row, "vote", definition=definition)
    conference = row.conference
    if conference is None or not conference.is_locked or not conference.result_json:
        raise DomainError("result_not_locked", "Lock the conference's result first.", 409)
    result = locked_result(conference)
    rule = ruleset.rule(definition.rule) if definition.rule else None
    moving, agree_of = _carried(process, row, result)
    if rule is not None and rule.removal:
        if definition.records_list and row.outcome_json in ("", "{}"):
            raise DomainError(
                "source_list_missing", "Record the supplement list of this step first.", 409
            )
        set_outgoing(row, [n for n, _ in moving], kind="removal")
    else:
        set_outgoing(row, [n for n, _ in moving])
    for entry in row.entries:
        entry.agree = agree_of.get(entry.nominee_id, entry.agree)
    outcome_doc = row.outcome
    outcome_doc.pop("repeat", None)
    outcome_doc["result_sha256"] = conference.result_sha256
    row.outcome_json = json.dumps(outcome_doc, ensure_ascii=False)
    audit_process(
        "step.recorded",
        process,
        {
            "step": row.step,
            "kind": "vote",
            "conference": conference.public_id,
            "result_sha256": conference.result_sha256,
            "carried": len(moving),
        },
        conference=conference,
    )
    finish(process, row)
