"""State changes of a planning process: set-up, each step's record, the approved list.

Steps run in the ruleset's order: only the current step can be recorded, and a
done step never changes. Each step ends with its outgoing list (``StepEntry``
rows of kind "carried"), which is exactly the next step's incoming list — so a
candidate who fails a vote can never reach a later ballot. Like the conference
operations, these functions flush; the request handler commits once.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa

from voting import audit
from voting.auth.models import User, utcnow
from voting.clock import local_today
from voting.conferences import operations as conference_ops
from voting.conferences.models import Conference
from voting.errors import DomainError
from voting.extensions import db
from voting.personnel.eligibility import Flag, flags
from voting.personnel.models import Member, Unit
from voting.planning import approval, chain
from voting.planning.eligible import nominee_flags, outside_flags
from voting.planning.intake import outside_person, refuse_if_planned
from voting.planning.models import (
    EXIT_REASONS,
    Attachment,
    BallotLink,
    Nominee,
    PlanningEntry,
    Process,
    ProcessPosition,
    ProcessStep,
    StepEntry,
)
from voting.planning.quota import current_list, planned, planned_member_ids
from voting.planning.rounds import kept_from_earlier, only_repeated
from voting.planning.structure import Structure, check, person_of
from voting.procedure.ruleset import Ruleset, Step
from voting.validation import field_date, field_text, invalid_field

MAX_POSITIONS = 20
MAX_NOMINEES = 200
#: Largest uploaded file (a scanned letter); bigger ones belong in the archive system.
MAX_UPLOAD = 5 * 1024 * 1024
UPLOAD_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}


def _int(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not (low <= value <= high):
        raise invalid_field(
            field, "Enter a whole number from %(low)s to %(high)s.", low=low, high=high
        )
    return value


def _ids(value: Any, field: str) -> set[int]:
    if not isinstance(value, list):
        raise invalid_field(field, "This must be a list.")
    out: set[int] = set()
    for v in value:
        if isinstance(v, str) and v.isdigit():
            v = int(v)
        if isinstance(v, bool) or not isinstance(v, int):
            raise invalid_field(field, "This must be a list of ids.")
        out.add(v)
    return out


def _audit(action: str, process: Process, details: dict[str, Any], conference: Any = None) -> None:
    audit.record(action, {"process": process.public_id, **details}, conference=conference)


# --- the process


def step_definition(process: Process, row: ProcessStep, ruleset: Ruleset) -> Step:
    found = ruleset.step(process.level, process.flow, row.step)
    if found is None:  # the ruleset lost a step this process started with
        raise DomainError("unknown_step", "The ruleset no longer has this step.", 409)
    return found


def find_process(public_id: object) -> Process | None:
    if not isinstance(public_id, str) or not 1 <= len(public_id) <= 32:
        return None
    return db.session.scalar(sa.select(Process).where(Process.public_id == public_id))


def create_process(owner: User, data: dict[str, Any], ruleset: Ruleset) -> Process:
    """Start one flow for one unit: its positions and its timeline from the ruleset."""
    if not isinstance(data, dict):
        raise invalid_field("$", "The request must be a JSON object.")
    level, flow = field_text(data, "level", required=True), field_text(data, "flow", required=True)
    if level not in ruleset.levels:
        raise invalid_field("level", "The ruleset has no such level.")
    if flow not in ruleset.flows:
        raise invalid_field("flow", "The ruleset has no such flow.")
    steps = ruleset.flow_steps(level, flow)
    if not steps:
        raise invalid_field("flow", "The ruleset has no steps for this flow.")
    unit_id = data.get("unit_id")
    unit = db.session.get(Unit, unit_id) if isinstance(unit_id, int) else None
    if unit is None:
        raise invalid_field("unit_id", "No such unit.")
    department = field_text(data, "department")
    if ruleset.levels[level]["scope"] == "department":
        if department not in unit.departments():
            raise invalid_field(
                "department",
                "Choose a division (phòng) of %(unit)s whose leadership is planned.",
                unit=unit.name,
            )
    else:
        department = ""
    rows = data.get("positions")
    if not isinstance(rows, list) or not rows or len(rows) > MAX_POSITIONS:
        raise invalid_field("positions", "List the positions planned, each with its quota.")
    positions = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise invalid_field(f"positions[{i}]", "Each position must be an object.")
        positions.append(
            ProcessPosition(
                seq=i + 1,
                name=field_text(row, "name", required=True),
                quota=_int(row.get("quota"), f"positions[{i}].quota", 1, ruleset.max_quota),
            )
        )
    names = [p.name for p in positions]
    if len(set(names)) != len(names):
        raise invalid_field("positions", "A position is listed twice.")
    secretary_id = None
    if data.get("secretary_username"):
        secretary = db.session.scalar(
            sa.select(User).where(User.username == str(data["secretary_username"]))
        )
        if secretary is None or secretary.role != "secretary":
            raise invalid_field("secretary_username", "No secretary account has that name.")
        secretary_id = secretary.id
    process = Process(
        public_id=secrets.token_urlsafe(12),
        owner_id=owner.id,
        secretary_user_id=secretary_id,
        unit_id=unit.id,
        level=level,
        flow=flow,
        department=department,
        period=field_text(data, "period", required=True, limit=32),
        title=field_text(data, "title", required=True, limit=300),
        ruleset_ref=f"{ruleset.id}@{ruleset.version}",
        status="active",
        positions=positions,
        steps=[
            ProcessStep(seq=i + 1, step=s.step, status="current" if i == 0 else "pending")
            for i, s in enumerate(steps)
        ],
    )
    db.session.add(process)
    db.session.flush()
    _audit(
        "process.created",
        process,
        {"flow": f"{level}/{flow}", "positions": len(positions), "steps": len(steps)},
    )
    return process


def previous_step(process: Process, row: ProcessStep) -> ProcessStep | None:
    return process.steps[row.seq - 2] if row.seq > 1 else None


def incoming(process: Process, row: ProcessStep) -> list[Nominee]:
    """The nominees this step starts from: the previous step's outgoing list."""
    before = previous_step(process, row)
    if before is None:
        return []
    return [e.nominee for e in before.entries if e.kind == "carried"]


def outgoing(row: ProcessStep, kind: str = "carried") -> list[Nominee]:
    return [e.nominee for e in row.entries if e.kind == kind]


def removal_proposals(process: Process) -> list[Nominee]:
    """Everyone a removal vote of this process proposed to take off the list."""
    return [e.nominee for s in process.steps for e in s.entries if e.kind == "removal"]


def member_nominee(process: Process, position_id: int, member: Member, origin: str) -> Nominee:
    """A register member considered for a position (from the source list or a write-in)."""
    return Nominee(
        process=process,
        position_id=position_id,
        member_id=member.id,
        origin=origin,
        name=member.name,
        birth_year=member.birth_year,
        post=member.post,
        agency=member.department or process.unit.name,
    )


def _require_current(row: ProcessStep, *kinds: str, definition: Step) -> None:
    if row.status == "done":
        raise DomainError("step_done", "This step is done; its record can no longer change.", 409)
    if row.status != "current":
        raise DomainError("step_not_current", "Finish the earlier steps first.", 409)
    if definition.kind not in kinds and not ("source-list" in kinds and definition.records_list):
        raise DomainError("wrong_step_kind", "This step does not record that.", 409)


def _finish(process: Process, row: ProcessStep) -> None:
    row.status = "done"
    row.done_dt = utcnow()
    following = process.steps[row.seq] if row.seq < len(process.steps) else None
    if following is not None and following.status == "pending":
        following.status = "current"
    db.session.flush()


def _set_outgoing(row: ProcessStep, nominees: list[Nominee], kind: str = "carried") -> None:
    row.entries = [e for e in row.entries if e.kind != kind]
    db.session.flush()
    for n in nominees:
        row.entries.append(StepEntry(nominee=n, kind=kind))
    db.session.flush()


def set_due_dates(process: Process, dates: dict[str, Any]) -> None:
    """The timeline: a due date per step (blank clears it)."""
    for row in process.steps:
        if row.step in dates:
            row.due_on = field_date(dates, row.step, required=False)
    db.session.flush()
    _audit("process.updated", process, {"due_dates": sorted(dates)})


# --- B1: the source list


def _position(process: Process, raw: Any, field: str) -> ProcessPosition:
    for p in process.positions:
        if raw in (p.id, str(p.id)):
            return p
    raise invalid_field(field, "No such position in this process.")


def record_source_list(
    process: Process, row: ProcessStep, data: dict[str, Any], ruleset: Ruleset
) -> None:
    """B1 (or annual B1): the plan and the proposed list, from the register or from outside.

    ``data``: ``plan`` (text), ``drafted_on`` (date), ``nominees``: a list of
    ``{"position": id, "member_id": id}`` for in-house people or ``{"position": id,
    "name", "birth_year", "post", "agency"}`` for someone from another agency.
    """
    definition = step_definition(process, row, ruleset)
    _require_current(row, "source-list", definition=definition)
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
    external = process.flow == "annual-external"
    members = {m.id: m for m in process.unit.members}
    seen: set[tuple[int, str]] = set()
    # The draft may be saved again before the step is done: replace the old draft.
    drafted = [n for n in outgoing(row) if n.origin in ("source", "external")]
    _set_outgoing(row, [])
    for n in drafted:
        db.session.delete(n)
    db.session.flush()
    chosen: list[Nominee] = []
    for i, item in enumerate(rows):
        where = f"nominees[{i}]"
        if not isinstance(item, dict):
            raise invalid_field(where, "Each person must be an object.")
        position = _position(process, item.get("position"), f"{where}.position")
        member_id = item.get("member_id")
        if member_id not in (None, ""):
            member = members.get(int(member_id)) if str(member_id).isdigit() else None
            if member is None:
                raise invalid_field(f"{where}.member_id", "No such person in the unit's register.")
            if not member.serving:
                raise invalid_field(f"{where}.member_id", "This person is no longer serving.")
            nominee = member_nominee(process, position.id, member, "source")
        else:
            if not external:
                raise invalid_field(
                    f"{where}.member_id", "In-house planning picks people from the register."
                )
            nominee = Nominee(
                process=process,
                position=position,
                origin="external",
                name=field_text(item, "name", required=True),
                post=field_text(item, "post"),
                agency=field_text(item, "agency", required=True),
                **outside_person(item, where),
            )
        key = (position.id, str(nominee.member_id or nominee.name.casefold()))
        if key in seen:
            raise invalid_field(where, "This person is listed twice for the same position.")
        seen.add(key)
        if process.flow != "term":  # a supplement adds people not yet planned
            refuse_if_planned(process, nominee, position, where)
        db.session.add(nominee)
        chosen.append(nominee)
    row.outcome_json = json.dumps(outcome, ensure_ascii=False)
    _set_outgoing(row, chosen)
    _audit(
        "step.recorded", process, {"step": row.step, "kind": "source-list", "people": len(chosen)}
    )
    if definition.kind == "source-list":
        _finish(process, row)


# --- B2: approval of the list


def approve_list(
    process: Process, row: ProcessStep, data: dict[str, Any], ruleset: Ruleset
) -> None:
    """The leadership's approval: meeting date, conclusion, the approved subset, quotas."""
    definition = step_definition(process, row, ruleset)
    _require_current(row, "approve-list", definition=definition)
    candidates = incoming(process, row)
    approved = _ids(data.get("approved", []), "approved")
    by_id = {n.id: n for n in candidates}
    if not approved <= by_id.keys():
        raise invalid_field("approved", "Only people on the proposed list can be approved.")
    quotas = data.get("quotas") or {}
    if not isinstance(quotas, dict):
        raise invalid_field("quotas", "The quotas must name a position each.")
    for raw, quota in quotas.items():
        position = _position(process, raw, "quotas")
        position.quota = _int(quota, f"quotas.{raw}", 1, ruleset.max_quota)
    row.outcome_json = json.dumps(
        {
            "meeting_on": field_date(data, "meeting_on").isoformat(),  # type: ignore[union-attr]
            "conclusion": field_text(data, "conclusion", limit=2000),
            "quotas": {p.name: p.quota for p in process.positions},
        },
        ensure_ascii=False,
    )
    _set_outgoing(row, [n for n in candidates if n.id in approved])
    _audit(
        "step.recorded",
        process,
        {
            "step": row.step,
            "kind": "approve-list",
            "proposed": len(candidates),
            "approved": len(approved),
        },
    )
    _finish(process, row)


# --- external B3: consultation


def record_consultation(
    process: Process,
    row: ProcessStep,
    nominee_id: Any,
    data: dict[str, Any],
    ruleset: Ruleset,
    upload: tuple[str, str, bytes] | None = None,
) -> Nominee:
    """One external candidate: the meeting, the home agency's opinion, the dossier."""
    definition = step_definition(process, row, ruleset)
    _require_current(row, "consult", definition=definition)
    nominee = next((n for n in incoming(process, row) if str(n.id) == str(nominee_id)), None)
    if nominee is None:
        raise invalid_field("nominee", "This person is not on the list of this step.")
    items = data.get("dossier", [])
    if not isinstance(items, list) or any(i not in ruleset.dossier_items_vi for i in items):
        raise invalid_field("dossier", "Tick items of the dossier checklist only.")
    record = {
        "met_on": field_date(data, "met_on").isoformat(),  # type: ignore[union-attr]
        "letter": field_text(data, "letter"),
        "opinion": field_text(data, "opinion", limit=2000),
        "dossier": [i for i in ruleset.dossier_items_vi if i in items],
        "attachments": nominee.consult.get("attachments", []),
    }
    if upload is not None:
        filename, content_type, payload = upload
        if content_type not in UPLOAD_TYPES:
            raise invalid_field("opinion_file", "Upload a PDF, DOCX, JPEG or PNG file.")
        if not payload or len(payload) > MAX_UPLOAD:
            raise invalid_field("opinion_file", "The file is empty or larger than 5 MB.")
        digest = hashlib.sha256(payload).hexdigest()
        safe = "".join(ch for ch in filename if ch.isalnum() or ch in "._- ")[:100] or "file"
        attachment = Attachment(
            process_id=process.id,
            nominee_id=nominee.id,
            step=row.step,
            filename=safe,
            content_type=content_type,
            sha256=digest,
            data=payload,
        )
        db.session.add(attachment)
        db.session.flush()
        record["attachments"] = [
            *record["attachments"],
            {"id": attachment.id, "name": safe, "sha256": digest},
        ]
    nominee.consult_json = json.dumps(record, ensure_ascii=False)
    db.session.flush()
    _audit(
        "step.recorded",
        process,
        {
            "step": row.step,
            "kind": "consult",
            "nominee": nominee.name,
            "files": len(record["attachments"]),
        },
    )
    return nominee


def finish_consultation(
    process: Process, row: ProcessStep, data: dict[str, Any], ruleset: Ruleset
) -> None:
    """Close the consultation: who goes on to the final vote (each must have been met)."""
    definition = step_definition(process, row, ruleset)
    _require_current(row, "consult", definition=definition)
    chosen = _ids(data.get("proceed", []), "proceed")
    candidates = {n.id: n for n in incoming(process, row)}
    if not chosen <= candidates.keys():
        raise invalid_field("proceed", "Only people on the list of this step can go on.")
    missing = [
        candidates[i].name for i in sorted(chosen) if not candidates[i].consult.get("met_on")
    ]
    if missing:
        raise DomainError(
            "consultation_missing",
            "Record the consultation of %(names)s first.",
            409,
            names=", ".join(missing),
        )
    row.outcome_json = json.dumps(
        {"summary": field_text(data, "summary", limit=2000)}, ensure_ascii=False
    )
    _set_outgoing(row, [n for n in candidates.values() if n.id in chosen])
    _audit("step.recorded", process, {"step": row.step, "kind": "consult", "proceed": len(chosen)})
    _finish(process, row)


# --- vote steps


def ballot_people(
    process: Process, row: ProcessStep, ruleset: Ruleset, *, persist: bool = True
) -> list[tuple[ProcessPosition, list[Any]]]:
    """Who stands on this step's ballot, per position (removal: the current list).

    With ``persist`` False (a preview) nothing is written: a removal vote's
    people are shown from the planning list as it stands.
    """
    definition = step_definition(process, row, ruleset)
    rule = ruleset.rule(definition.rule) if definition.rule else None
    people: list[Any]
    if rule is not None and rule.removal:
        people = [n for n in process.nominees if n.origin == "current"]
        if not people:
            entries = current_list(process)
            if not persist:
                return [
                    (p, [e for e in entries if e.position_name == p.name])
                    for p in process.positions
                ]
            for entry in entries:
                position = next(
                    (p for p in process.positions if p.name == entry.position_name), None
                )
                if position is None:
                    continue
                nominee = Nominee(
                    process=process,
                    position=position,
                    member_id=entry.member_id,
                    planning_entry_id=entry.id,
                    origin="current",
                    name=entry.name,
                    birth_year=entry.birth_year,
                    post=entry.post,
                    agency=entry.agency,
                )
                db.session.add(nominee)
                people.append(nominee)
            db.session.flush()
    else:
        people = incoming(process, row)
    return [(p, [n for n in people if n.position_id == p.id]) for p in process.positions]


def reference_date(process: Process) -> date:
    """The date service left is counted from: the unit's reference date, else today."""
    return process.unit.reference_on or date.today()


def flags_of(process: Process, ruleset: Ruleset) -> dict[int, list[Flag]]:
    """Eligibility flags of every register member of the process's unit, by member id."""
    on = reference_date(process)
    return {m.id: flags(m, ruleset, on) for m in process.unit.members}


def default_roster(process: Process, definition: Step, ruleset: Ruleset) -> list[Member]:
    level = ruleset.levels[process.level]
    return chain.roster(definition, process.unit.members, level["scope"], process.department)  # type: ignore[return-value]


Lines = list[tuple[ProcessPosition, list[Any]]]


def _review_flags(
    lines: Lines, flags_for: Callable[[Any], list[Flag]], decisions: Any
) -> tuple[Lines, list[dict[str, Any]]]:
    """Keep or drop each person whose flags bar planning, as the chair decided.

    Flagged people are never dropped silently: without a decision for each one,
    nothing happens (``flags_undecided``). Returns the kept lines and the review.
    """
    if not isinstance(decisions, dict):
        raise invalid_field("flag_decisions", "Decide keep or drop for each flagged person.")
    review: list[dict[str, Any]] = []
    undecided: list[str] = []
    kept_lines: Lines = []
    for position, nominees in lines:
        kept = []
        for n in nominees:
            found = [f for f in flags_for(n) if f.bars]
            choice = decisions.get(str(n.id)) if found else "keep"
            if choice not in ("keep", "drop"):
                undecided.append(n.name)
                continue
            if found:
                review.append(
                    {
                        "name": n.name,
                        "position": position.name,
                        "flags": [f.code for f in found],
                        "decision": choice,
                    }
                )
            if choice == "keep":
                kept.append(n)
        kept_lines.append((position, kept))
    if undecided:
        raise DomainError(
            "flags_undecided",
            "Decide for each flagged person whether they stay on the ballot: %(names)s.",
            409,
            names=", ".join(undecided),
        )
    return kept_lines, review


def _ballot(
    lines: Lines, pool_of: Callable[[ProcessPosition, list[Any]], list[Member]]
) -> tuple[list[dict[str, Any]], list[BallotLink]]:
    """The conference's positions (p1, p2 … c1, c2 …) and which nominee or member each names.

    ``pool_of(position, nominees)`` gives the people a voter may introduce for that position
    (none outside a discovery step).
    """
    positions: list[dict[str, Any]] = []
    links: list[BallotLink] = []
    for position, nominees in lines:
        if not nominees:
            continue
        pkey = f"p{len(positions) + 1}"
        # (ballot line, what it names): the listed nominees, then the write-in pool.
        entries: list[tuple[dict[str, Any], dict[str, int]]] = [
            (
                {"name": n.name, "birth_year": n.birth_year, "post": n.post, "unit": n.agency},
                {"nominee_id": n.id},
            )
            for n in nominees
        ]
        entries += [
            (
                {
                    "name": m.name,
                    "birth_year": m.birth_year,
                    "post": m.post,
                    "unit": m.department,
                    "write_in": True,
                },
                {"member_id": m.id},
            )
            for m in pool_of(position, nominees)
        ]
        links += [
            BallotLink(position_id=position.id, position_key=pkey, candidate_key=f"c{i}", **names)
            for i, (_line, names) in enumerate(entries, start=1)
        ]
        positions.append(
            {
                "name": position.name,
                "quota": position.quota,
                "candidates": [line for line, _names in entries],
            }
        )
    return positions, links


def create_step_conference(
    process: Process, row: ProcessStep, data: dict[str, Any], ruleset: Ruleset
) -> Conference:
    """The vote step's conference: the step fixes the rule, the process gives the ballot.

    ``data`` holds the conference details (title, date, place…) and optionally
    ``people`` (the roster as edited by the chair); without it the roster is the
    register's holders of the step's roles.
    """
    definition = step_definition(process, row, ruleset)
    _require_current(row, "vote", definition=definition)
    if row.conference_id is not None:
        raise DomainError("conference_exists", "This step already has its conference.", 409)
    level = ruleset.levels[process.level]
    approval.check_nothing_lost(process, row, ruleset)
    lines = only_repeated(row, ballot_people(process, row, ruleset))
    rule = ruleset.rule(definition.rule) if definition.rule else None
    flagged = flags_of(process, ruleset)
    review: list[dict[str, Any]] = []
    if rule is not None and not rule.removal:
        reference = reference_date(process)
        lines, review = _review_flags(
            lines,
            lambda n: nominee_flags(n, flagged, ruleset, reference),
            data.get("flag_decisions") or {},
        )
    if not any(nominees for _, nominees in lines):
        raise DomainError("nobody_to_vote_on", "No one is on the list this step votes on.", 409)
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

    positions, links = _ballot(lines, pool_of)
    people = data.get("people")
    if people is None:
        people = [
            {"name": m.name, "title": m.post, "group": m.department}
            for m in default_roster(process, definition, ruleset)
        ]
    details = {
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
        "positions": positions,
    }
    owner = db.session.get(User, process.owner_id)
    assert owner is not None
    conference = conference_ops.create_conference(owner, details, ruleset)
    conference.secretary_user_id = process.secretary_user_id
    row.conference_id = conference.id
    if review:
        row.outcome_json = json.dumps({**row.outcome, "flag_review": review}, ensure_ascii=False)
    for link in links:
        link.step_id = row.id
        db.session.add(link)
    db.session.flush()
    _audit(
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


def complete_vote_step(process: Process, row: ProcessStep, ruleset: Ruleset) -> None:
    """Carry the locked result on: who passes (or is selected) goes to the next step.

    A write-in who passes joins the process as a nominee; for a removal vote,
    those above the threshold are proposed for removal (the approval step decides).
    """
    definition = step_definition(process, row, ruleset)
    _require_current(row, "vote", definition=definition)
    conference = row.conference
    if conference is None or not conference.is_locked or not conference.result_json:
        raise DomainError("result_not_locked", "Lock the conference's result first.", 409)
    result = json.loads(conference.result_json)
    rule = ruleset.rule(definition.rule) if definition.rule else None
    ranked = bool(result["rule"]["ranked"])
    links = {
        (link.position_key, link.candidate_key): link
        for link in db.session.scalars(sa.select(BallotLink).where(BallotLink.step_id == row.id))
    }
    # A round held again for some positions keeps what the first round carried for the rest.
    moving: list[tuple[Nominee, int | None]] = kept_from_earlier(row)
    agree_of: dict[int, int | None] = {n.id: agree for n, agree in moving}
    for outcome in chain.outcomes(result["decision"], ranked):
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
    if rule is not None and rule.removal:
        if definition.records_list and row.outcome_json in ("", "{}"):
            raise DomainError(
                "source_list_missing", "Record the supplement list of this step first.", 409
            )
        _set_outgoing(row, [n for n, _ in moving], kind="removal")
    else:
        _set_outgoing(row, [n for n, _ in moving])
    for entry in row.entries:
        entry.agree = agree_of.get(entry.nominee_id, entry.agree)
    outcome_doc = row.outcome
    outcome_doc.pop("repeat", None)
    outcome_doc["result_sha256"] = conference.result_sha256
    row.outcome_json = json.dumps(outcome_doc, ensure_ascii=False)
    _audit(
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
    _finish(process, row)


# --- approval


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
    _require_current(row, "decision", definition=definition)
    outcome = data.get("outcome")
    if outcome not in ("approved", "submitted"):
        raise invalid_field("outcome", "Choose approved or submitted to the higher authority.")
    number = field_text(data, "number", required=True)
    signed_on = field_date(data, "signed_on")
    assert signed_on is not None
    approval.check_date(signed_on)
    signer = field_text(data, "signer", required=True)
    approval.check_nothing_lost(process, row, ruleset)
    record = row.outcome
    if outcome == "submitted":
        record["submission"] = {
            "number": number,
            "signed_on": signed_on.isoformat(),
            "signer": signer,
        }
        row.outcome_json = json.dumps(record, ensure_ascii=False)
        process.status = "submitted"
        db.session.flush()
        _audit("step.recorded", process, {"step": row.step, "kind": "submitted", "number": number})
        return
    candidates = {n.id: n for n in incoming(process, row)}
    approved = _ids(data.get("approved", []), "approved")
    if not approved <= candidates.keys():
        raise invalid_field("approved", "Only people proposed by the last vote can be approved.")
    proposals = {n.id: n for n in removal_proposals(process)}
    removed = _ids(data.get("removed", []), "removed")
    if not removed <= proposals.keys():
        raise invalid_field(
            "removed", "Only people proposed for removal by the vote can be removed."
        )
    approval.check_entries(
        process,
        [n for n in candidates.values() if n.id in approved],
        [
            n.planning_entry_id
            for n in proposals.values()
            if n.id in removed and n.planning_entry_id
        ],
    )
    decision_text = f"{number} ngày {signed_on.strftime('%d/%m/%Y')} ({signer})"
    record["decision"] = {"number": number, "signed_on": signed_on.isoformat(), "signer": signer}
    row.outcome_json = json.dumps(record, ensure_ascii=False)
    for nominee in candidates.values():
        if nominee.id not in approved:
            continue
        db.session.add(
            PlanningEntry(
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
                entered_decision=decision_text,
            )
        )
    for nominee in proposals.values():
        if nominee.id in removed and nominee.planning_entry_id:
            entry = db.session.get(PlanningEntry, nominee.planning_entry_id)
            if entry is not None and entry.active:
                entry.left_on = signed_on
                entry.left_reason = "removal-vote"
                entry.left_process_id = process.id
                entry.left_decision = decision_text
    _set_outgoing(row, [n for n in candidates.values() if n.id in approved])
    process.status = "approved"
    _audit(
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
    _finish(process, row)


def record_exit(entry: PlanningEntry, data: dict[str, Any]) -> None:
    """Someone leaves the approved list outside a removal vote, tied to its decision."""
    if not entry.active:
        raise DomainError("already_left", "This person has already left the planning list.", 409)
    reason = data.get("reason")
    if reason not in EXIT_REASONS or reason == "removal-vote":
        raise invalid_field("reason", "Choose why this person leaves the planning list.")
    entry.left_on = field_date(data, "left_on")
    entry.left_reason = reason
    entry.left_decision = field_text(data, "decision", required=True, limit=300)
    entry.left_note = field_text(data, "note", limit=500)
    db.session.flush()
    audit.record(
        "planning.exit_recorded",
        {"entry": entry.id, "name": entry.name, "reason": reason, "decision": entry.left_decision},
    )


# --- structure and automatic exit


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


def automatic_exits(
    ruleset: Ruleset, unit_id: int | None = None
) -> list[tuple[PlanningEntry, Member | None, list[Flag]]]:
    """People in a unit's approved list (every unit's by default) who now meet an
    automatic-exit condition; someone from another agency by what the list holds."""
    found: list[tuple[PlanningEntry, Member | None, list[Flag]]] = []
    query = (
        sa.select(PlanningEntry, Member, Unit)
        .outerjoin(Member, PlanningEntry.member_id == Member.id)
        .join(Unit, PlanningEntry.unit_id == Unit.id)
        .where(PlanningEntry.left_on.is_(None))
        .order_by(
            Unit.name, PlanningEntry.level, PlanningEntry.department, PlanningEntry.position_name
        )
    )
    if unit_id is not None:
        query = query.where(PlanningEntry.unit_id == unit_id)
    for entry, member, unit in db.session.execute(query):
        on = unit.reference_on or local_today()
        found_flags = flags(member, ruleset, on) if member else outside_flags(entry, ruleset, on)
        reasons = [f for f in found_flags if f.exit]
        if reasons:
            found.append((entry, member, reasons))
    return found
