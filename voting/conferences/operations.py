"""State changes of a conference: set-up, open, close, tie, lock (the attendance and
the committee's checks are voting.conferences.attendance).

Each function validates, changes the session and flushes; the caller commits once,
through :func:`voting.effects.transaction`, which rolls back on any
:class:`DomainError`. A change the live screens show queues their update (``changed``).
"""

from __future__ import annotations

import json
import secrets
from datetime import date
from typing import Any

import sqlalchemy as sa

from voting import audit
from voting.auth.models import User, utcnow
from voting.ballots.models import PaperEntry
from voting.ballots.operations import issue_tokens, voidable_token
from voting.ballots.paper import issue_paper_tokens
from voting.ballots.scrub import forget_arrival_order
from voting.ballots.tokens import IssuedToken
from voting.conferences.attendance import (
    check_committee,
    committee_problems,
    require_draft,
    same_name,
)
from voting.conferences.models import Candidate, Conference, Position, SummonedPerson
from voting.conferences.results import build_vote_document, lock_document, run_decision
from voting.conferences.rules import current_ruleset
from voting.effects import after_commit
from voting.errors import DomainError
from voting.extensions import db
from voting.minutes.record import record_of
from voting.procedure.ruleset import Ruleset
from voting.realtime.published import forget_published_set
from voting.realtime.publisher import changed
from voting.tally.verifier import InputError, parse_vote
from voting.validation import TEXT_LIMIT, field_int, field_text, invalid_field, whole_number

#: A congress-sized session (QĐ 377 planning at ministry level) stays well below this.
MAX_PEOPLE = 20_000
MAX_CANDIDATES = 200


def _people(rows: Any) -> list[SummonedPerson]:
    if not isinstance(rows, list):
        raise invalid_field("people", "The roster must be a list.")
    if len(rows) > MAX_PEOPLE:
        raise invalid_field("people", "The roster is too long.")
    people: list[SummonedPerson] = []
    seen: set[tuple[str, ...]] = set()
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise invalid_field(f"people[{i}]", "Each person must be an object.")
        role = row.get("committee_role") or None
        if role not in (None, "head", "member"):
            raise invalid_field(f"people[{i}].committee_role", "Unknown counting-committee role.")
        people.append(
            SummonedPerson(
                seq=i + 1,
                name=field_text(row, "name", required=True),
                title=field_text(row, "title"),
                group_name=field_text(row, "group"),
                committee_role=role,
                # Only a committee seat can carry the chair's reason for keeping it.
                committee_note=field_text(row, "committee_note", limit=300) if role else "",
            )
        )
        # Text is NFC by now, so two spellings of one name compare equal: two rows alike
        # in everything the attendance list shows could not be told apart there.
        last = people[-1]
        same = (same_name(last.name), same_name(last.title), same_name(last.group_name))
        if same in seen:
            raise invalid_field(
                f"people[{i}].name",
                "This person is listed twice on the roster (same name, title and group).",
            )
        seen.add(same)
    return people


def _roster_key(person: SummonedPerson) -> tuple[str, ...]:
    return (same_name(person.name), same_name(person.title), same_name(person.group_name))


def _keep_attendance(old: list[SummonedPerson], new: list[SummonedPerson]) -> list[SummonedPerson]:
    """The new roster, with the attendance already ticked for whoever stays on it.

    Saving the set-up again after attendance (a typo in a title, one more person) must
    not silently clear who was marked present or absent; a member's PIN stays with them
    only while they keep the same seat on the committee.
    """
    before = {_roster_key(p): p for p in old}
    for person in new:
        was = before.get(_roster_key(person))
        if was is None:
            continue
        person.is_present, person.absence_reason = was.is_present, was.absence_reason
        if was.committee_role == person.committee_role:
            person.committee_pin_hash = was.committee_pin_hash
    return new


def _positions(rows: Any, ruleset: Ruleset) -> list[Position]:
    if not isinstance(rows, list):
        raise invalid_field("positions", "The positions must be a list.")
    positions: list[Position] = []
    for i, row in enumerate(rows):
        where = f"positions[{i}]"
        if not isinstance(row, dict):
            raise invalid_field(where, "Each position must be an object.")
        quota = row.get("quota")
        if isinstance(quota, bool) or not isinstance(quota, int) or quota < 1:
            raise invalid_field(f"{where}.quota", "The quota must be a whole number of at least 1.")
        if quota > ruleset.max_quota:
            raise invalid_field(
                f"{where}.quota",
                "The quota exceeds the ruleset's cap of %(cap)s.",
                cap=ruleset.max_quota,
            )
        cands = row.get("candidates") or []
        if not isinstance(cands, list) or len(cands) > MAX_CANDIDATES:
            raise invalid_field(f"{where}.candidates", "The candidates must be a list.")
        candidates: list[Candidate] = []
        listed: set[tuple[Any, ...]] = set()
        for j, c in enumerate(cands):
            cwhere = f"{where}.candidates[{j}]"
            if not isinstance(c, dict):
                raise invalid_field(cwhere, "Each candidate must be an object.")
            birth_year = field_int(
                c,
                "birth_year",
                "The year of birth is not a valid year.",
                low=1900,
                high=date.today().year,
                required=False,
                where=cwhere,
            )
            candidates.append(
                Candidate(
                    **_numbered("c", j),
                    name=field_text(c, "name", required=True),
                    birth_year=birth_year,
                    post=field_text(c, "post"),
                    unit=field_text(c, "unit"),
                    write_in=c.get("write_in") is True,
                )
            )
            last = candidates[-1]
            alike = (
                same_name(last.name),
                last.birth_year,
                same_name(last.post or ""),
                same_name(last.unit or ""),
            )
            if alike in listed:
                # Two look-alike rows on one ballot split the agree votes of one person.
                raise invalid_field(
                    f"{cwhere}.name",
                    "This candidate is listed twice on the position"
                    " (same name, year of birth, post and unit).",
                )
            listed.add(alike)
        positions.append(
            Position(
                **_numbered("p", i),
                name=field_text(row, "name", required=True),
                quota=quota,
                candidates=candidates,
            )
        )
    return positions


def _numbered(prefix: str, index: int) -> dict[str, Any]:
    """A row's place on the ballot: its order, and its key in a ballot's choices (p1, c2)."""
    return {"seq": index + 1, "key": f"{prefix}{index + 1}"}


def _held_on(data: dict[str, Any]) -> date:
    raw = data.get("held_on")
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise invalid_field("held_on", "The date must be written YYYY-MM-DD.") from None


def _secretary(data: dict[str, Any]) -> int | None:
    username = data.get("secretary_username")
    if not username:
        return None
    user = db.session.scalar(sa.select(User).where(User.username == str(username)))
    if user is None or user.role != "secretary":
        raise invalid_field("secretary_username", "No secretary account has that name.")
    return user.id


def _setup_counts(conference: Conference) -> dict[str, int]:
    return {
        "people": len(conference.people),
        "positions": len(conference.positions),
        "candidates": sum(len(p.candidates) for p in conference.positions),
    }


def create_conference(
    owner: User, data: dict[str, Any], ruleset: Ruleset, *, ballot_owner: str = "chair"
) -> Conference:
    """Set up a conference for one vote step of the ruleset.

    ``ballot_owner`` "process": a planning process creates it and gives its ballot.
    """
    level, flow, step_name = (field_text(data, f, required=True) for f in ("level", "flow", "step"))
    step = ruleset.step(level, flow, step_name)
    if step is None:
        raise invalid_field("step", "The ruleset has no such step.")
    if step.rule is None:
        raise invalid_field("step", "This step of the procedure has no secret ballot.")
    rule = ruleset.rule(step.rule)
    conference = Conference(
        public_id=secrets.token_urlsafe(12),
        owner_id=owner.id,
        level=level,
        flow=flow,
        step=step_name,
        ruleset_ref=f"{ruleset.id}@{ruleset.version}",
        rule_id=rule.id,
        rule_json=json.dumps(rule.to_json(), ensure_ascii=False, sort_keys=True),
        status="draft",
    )
    db.session.add(conference)
    update_conference(conference, data, ruleset, creating=True)
    # Only once its ballot is in: from then on the set-up refuses a new one.
    conference.ballot_owner = ballot_owner
    audit.record(
        "conference.created",
        {
            "step": f"{level}/{flow}/{step_name}",
            "rule": rule.id,
            "ruleset": conference.ruleset_ref,
            **_setup_counts(conference),
        },
        conference=conference,
    )
    return conference


def update_conference(
    conference: Conference, data: dict[str, Any], ruleset: Ruleset, *, creating: bool = False
) -> Conference:
    """Replace the set-up of a draft conference (details, roster, positions)."""
    require_draft(conference)
    if not isinstance(data, dict):
        raise invalid_field("$", "The request must be a JSON object.")
    if creating or "title" in data:
        conference.title = field_text(data, "title", required=True, limit=300)
    if creating or "held_on" in data:
        conference.held_on = _held_on(data)
    for field in ("place", "locality", "unit_name", "parent_body", "chair_name", "secretary_name"):
        if creating or field in data:
            limit = 100 if field == "locality" else TEXT_LIMIT
            setattr(conference, field, field_text(data, field, limit=limit))
    if creating or "head_title" in data:
        conference.head_title = field_text(data, "head_title", limit=100) or str(
            ruleset.levels[conference.level]["head_vi"]
        )
    if creating or "secretary_username" in data:
        conference.secretary_user_id = _secretary(data)
    if "people" in data:
        conference.people = _keep_attendance(conference.people, _people(data["people"]))
    if "positions" in data:
        if from_process(conference):
            raise DomainError(
                "ballot_from_process",
                "This ballot comes from its planning process; change the list there.",
                409,
            )
        positions = _positions(data["positions"], ruleset)
        # The old rows go first: the unit of work would insert the new "p1"
        # before deleting the old one and trip the (conference, key) constraint.
        conference.positions = []
        db.session.flush()
        conference.positions = positions
    db.session.flush()
    if not creating:
        audit.record(
            "conference.updated",
            {"fields": sorted(str(k) for k in data), **_setup_counts(conference)},
            conference=conference,
        )
    return conference


def from_process(conference: Conference) -> bool:
    """Whether a planning process created this conference (and so owns its ballot)."""
    return conference.ballot_owner == "process"


def open_ballot(conference: Conference, key: str, paper: Any = 0) -> list[IssuedToken]:
    """Freeze the counts and issue exactly one token per person present.

    ``paper`` of them are paired with printed paper ballots (people without a
    phone, or who prefer paper); the rest are phone slips, returned here.
    """
    require_draft(conference)
    if not conference.positions:
        raise DomainError("no_positions", "Add at least one position before opening.", 409)
    for position in conference.positions:
        if not position.candidates:
            raise DomainError(
                "no_candidates",
                "Every position needs at least one candidate.",
                409,
                position=position.name,
            )
    if not conference.people:
        raise DomainError("no_people", "Add the summoned people before opening.", 409)
    if any(p.is_present is None for p in conference.people):
        raise DomainError(
            "attendance_incomplete", "Mark every summoned person present or absent first.", 409
        )
    present = sum(1 for p in conference.people if p.is_present)
    if present < 1:
        raise DomainError("nobody_present", "Nobody is marked present.", 409)
    if paper in (None, ""):
        paper = 0
    paper = whole_number(
        paper,
        "paper",
        0,
        present,
        "The paper ballots must number from 0 to the people present.",
    )
    check_committee(conference, paper)
    conference.summoned_count = len(conference.people)
    conference.present_count = present
    conference.status = "open"
    conference.opened_dt = utcnow()
    db.session.flush()
    issued = issue_tokens(conference, present - paper, key)
    issue_paper_tokens(conference, paper, key)
    audit.record(
        "ballot.opened",
        {
            "summoned": conference.summoned_count,
            "present": present,
            "tokens_issued": conference.tokens_issued,
            "paper_issued": conference.paper_issued,
            # Who counts, and whom the chair kept despite the checks (names are public:
            # the minutes print them).
            "committee": [p.name for p in conference.people if p.committee_role],
            "committee_kept": [
                {"name": p.name, "problem": problem, "reason": p.committee_note}
                for p, problem in committee_problems(conference)
            ],
        },
        conference=conference,
    )
    changed(conference)
    return issued


def check_voidable(conference: Conference, code: str, key: str) -> None:
    """Refuse, before the chair is asked to confirm, a slip that cannot be voided.

    Read-only: the same refusals as voiding itself (unknown code, already cast,
    already void), so the confirmation step never offers what would then fail.
    """
    voidable_token(conference, code, key)


def _scrub_after_commit(conference_id: int) -> None:
    """Nothing more can be cast: once that is committed, no trace of arrival order may stay.

    Queued here, in the operation, so that every way of closing or locking scrubs — the
    chair's page, the API, a command — and never before the change is durable.
    """
    after_commit(("scrub", conference_id), lambda: forget_arrival_order(conference_id))


def close_ballot(conference: Conference) -> None:
    """Stop accepting ballots; the conditional UPDATE races safely with casts."""
    if not conference.is_open:
        raise DomainError("ballot_not_open", "The ballot is not open.", 409)
    closed = db.session.execute(  # type: ignore[attr-defined]  # an UPDATE's CursorResult
        sa.update(Conference)
        .where(Conference.id == conference.id, Conference.status == "open")
        # The scrub's marker commits with the close: a kill before the scrub keeps it.
        .values(status="closed", closed_dt=utcnow(), scrub_pending=True)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not closed:
        raise DomainError("ballot_not_open", "The ballot is not open.", 409)
    # In this transaction, before the scrub: the live tally's batch flags go.
    forget_published_set(conference.id)
    _scrub_after_commit(conference.id)
    changed(conference)
    db.session.refresh(conference)
    audit.record(
        "ballot.closed",
        {
            "ballots_received": conference.ballots_received,
            "tokens_issued": conference.tokens_issued,
            "tokens_voided": conference.tokens_voided,
        },
        conference=conference,
    )


def record_head_decision(conference: Conference, decided_by: Any, choice: Any) -> None:
    """Record the head of unit's choice for a tie straddling the last seat.

    Until lock the choice can be corrected (a slip of the hand, or the head's second
    thought before signing): the new choice replaces the old one, and the audit entry
    keeps both, with who decided and who entered it. Lock freezes it with the result.
    """
    if conference.is_locked:
        raise DomainError(
            "conference_locked",
            "The result is locked; the head of unit's decision can no longer be corrected.",
            409,
        )
    if not conference.is_closed:
        raise DomainError("ballot_not_closed", "Close the ballot first.", 409)
    who = field_text({"decided_by": decided_by}, "decided_by", required=True)
    if not isinstance(choice, dict):
        raise invalid_field("choice", "The decision must name the chosen candidates per position.")
    doc = build_vote_document(conference)
    doc["head_decision"] = choice
    try:
        parse_vote(doc, current_ruleset())
    except InputError as exc:
        raise DomainError(
            "invalid_head_decision",
            "The decision must pick exactly the open seats from the tied candidates.",
            422,
            field=exc.field,
            detail=exc.message,
        ) from None
    previous = json.loads(conference.head_decision_json) if conference.head_decision_json else None
    new_json = json.dumps(choice, sort_keys=True, ensure_ascii=False)
    if (
        previous is not None
        and new_json == conference.head_decision_json
        and (who == conference.head_decided_by)
    ):
        return  # the same decision sent again: nothing changes, nothing to audit
    details: dict[str, Any] = {"decided_by": who, "head_decision": choice}
    if previous is not None:
        details["corrects"] = {
            "decided_by": conference.head_decided_by or "",
            "head_decision": previous,
        }
    conference.head_decision_json = new_json
    conference.head_decided_by = who
    conference.head_decided_dt = utcnow()
    db.session.flush()
    audit.record("head.decided", details, conference=conference)
    changed(conference)


#: The set-up fields the minutes print in their header (frozen since the ballot opened).
MINUTES_SETUP_FIELDS = (
    "parent_body",
    "unit_name",
    "place",
    "locality",
    "chair_name",
    "secretary_name",
)


def empty_minutes_fields(conference: Conference) -> list[tuple[str, str]]:
    """Every field of the minutes lock would freeze empty, as (where, field).

    ``where`` is "record" for the secretary's part (still editable before lock) or
    "setup" for the header fields fixed since the ballot opened; the minutes print an
    empty one as "…" or "—" for good.
    """
    empty = [("setup", f) for f in MINUTES_SETUP_FIELDS if not getattr(conference, f)]
    empty += [("record", f) for f, value in record_of(conference).items() if value in ("", None)]
    return empty


def lock_result(conference: Conference) -> str:
    """Freeze the result for ever; returns the SHA-256 of the canonical result."""
    if conference.is_locked:
        raise DomainError("conference_locked", "The result is already locked.", 409)
    if not conference.is_closed:
        raise DomainError("ballot_not_closed", "Close the ballot first.", 409)
    if db.session.get(PaperEntry, conference.id) is not None:
        raise DomainError(
            "paper_entry_waiting",
            "A paper ballot has been entered once and awaits its second entry.",
            409,
        )
    if run_decision(conference).needs_head_decision:
        raise DomainError(
            "head_decision_needed",
            "A tie on the last seat must be decided by the head of unit before locking.",
            409,
        )
    conference.locked_dt = utcnow()
    text, digest = lock_document(conference)
    conference.result_json = text
    conference.result_sha256 = digest
    conference.status = "locked"
    conference.scrub_pending = True  # cleared by voting.ballots.scrub once it has run
    _scrub_after_commit(conference.id)
    changed(conference)
    db.session.flush()
    audit.record(
        "result.locked",
        {
            "result_sha256": digest,
            "ballots_sha256": json.loads(text)["ballots_sha256"],
            "ballots_received": conference.ballots_received,
        },
        conference=conference,
    )
    return digest
