"""From stored ballots to the decision, and the locked result document.

The decision input built here is exactly what ``voting decide`` reads, and it
is embedded in the locked result, so anyone can recompute the decision.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa

from voting.ballots.models import Ballot, Receipt
from voting.canonical import canonical_json as canonical_json
from voting.conferences.document import RESULT_FORMAT, ResultDocument
from voting.conferences.models import Conference
from voting.conferences.rules import conference_rule, current_ruleset
from voting.extensions import db
from voting.minutes.record import record_of
from voting.tally.decision import Decision, decide
from voting.tally.verifier import parse_vote

__all__ = ["RESULT_FORMAT", "ResultDocument", "canonical_json"]


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored_ballots(conference: Conference) -> list[dict[str, list[str]]]:
    """Every ballot's choices, in canonical (sorted) order — never arrival order."""
    rows = db.session.scalars(
        sa.select(Ballot.choices).where(Ballot.conference_id == conference.id)
    ).all()
    return [json.loads(text) for text in sorted(rows)]


def build_vote_document(conference: Conference) -> dict[str, Any]:
    """The ``voting decide`` input for this conference's stored ballots."""
    doc: dict[str, Any] = {
        "rule": conference.rule_id,
        "summoned": conference.summoned_count,
        "present": conference.present_count,
        "positions": [
            {"id": p.key, "quota": p.quota, "candidates": [c.key for c in p.candidates]}
            for p in conference.positions
        ],
        "ballots": stored_ballots(conference),
    }
    if conference.head_decision_json:
        doc["head_decision"] = json.loads(conference.head_decision_json)
    return doc


def run_decision(conference: Conference, doc: dict[str, Any] | None = None) -> Decision:
    vote = parse_vote(doc or build_vote_document(conference), current_ruleset())
    # The conference's own frozen rule decides, even if the ruleset file changed since.
    vote = type(vote)(
        conference_rule(conference),
        vote.summoned,
        vote.present,
        vote.positions,
        vote.ballots,
        vote.head_decision,
    )
    return decide(vote)


def ballots_digest(ballots: list[dict[str, list[str]]]) -> str:
    """SHA-256 of the canonical JSON of the sorted ballot list."""
    return sha256_hex(canonical_json(ballots))


def _iso(dt: Any) -> str | None:
    return dt.isoformat(timespec="seconds") + "Z" if dt else None


def result_document(conference: Conference) -> ResultDocument:
    """Everything the minutes record, with the decision input and output.

    Built as the dict lock has always hashed, then read as the typed document: every
    key given is kept, so ``to_json()`` is that dict, byte for byte once canonical.
    """
    doc = build_vote_document(conference)
    decision = run_decision(conference, doc)
    receipts = sorted(
        db.session.scalars(
            sa.select(Receipt.code).where(Receipt.conference_id == conference.id)
        ).all()
    )
    return ResultDocument.from_json(
        {
            "format": RESULT_FORMAT,
            "conference": {
                "id": conference.public_id,
                "title": conference.title,
                "parent_body": conference.parent_body,
                "unit": conference.unit_name,
                "level": conference.level,
                "flow": conference.flow,
                "step": conference.step,
                "ruleset": conference.ruleset_ref,
                "held_on": conference.held_on.isoformat(),
                "place": conference.place,
                "locality": conference.locality,
                "chair": conference.chair_name,
                "secretary": conference.secretary_name,
                "head_title": conference.head_title,
                "opened_at": _iso(conference.opened_dt),
                "closed_at": _iso(conference.closed_dt),
                "locked_at": _iso(conference.locked_dt),
                # The secretary's free fields: locked (and hashed) with the numbers.
                "record": record_of(conference),
            },
            "rule": json.loads(conference.rule_json),
            "attendance": {
                "summoned": conference.summoned_count,
                "present": conference.present_count,
                "people": [p.to_json() for p in conference.people],
            },
            "tokens": {
                "issued": conference.tokens_issued,
                "voided": conference.tokens_voided,
                # Of those issued, paired with printed paper ballots.
                "paper": conference.paper_issued,
            },
            # How the ballots came (counts only; no ballot says which way it came).
            "returned": {
                "paper": conference.paper_entered,
                "booth": conference.booth_cast,
                "phone": conference.ballots_received
                - conference.paper_entered
                - conference.booth_cast,
            },
            "positions": [p.to_json() for p in conference.positions],
            "head_decision": (
                {
                    "decided_by": conference.head_decided_by,
                    "decided_at": _iso(conference.head_decided_dt),
                    "choice": json.loads(conference.head_decision_json),
                }
                if conference.head_decision_json
                else None
            ),
            "receipts": receipts,
            "decide_input": doc,
            # Digest of the canonical sorted ballot list, checked again by verify_locked.
            "ballots_sha256": ballots_digest(doc["ballots"]),
            "decision": decision.to_json(),
        }
    )


def lock_document(conference: Conference) -> tuple[str, str]:
    text = canonical_json(result_document(conference).to_json())
    return text, sha256_hex(text)


def locked_result(conference: Conference) -> ResultDocument:
    """The conference's locked result document, typed (whatever format it was locked in)."""
    if not conference.result_json:
        raise ValueError(f"conference {conference.public_id} has no locked result")
    return ResultDocument.from_json(conference.result_json)


def current_result(conference: Conference) -> ResultDocument:
    """The locked document if locked, else a live preview of it."""
    if conference.is_locked and conference.result_json:
        return locked_result(conference)
    return result_document(conference)


def verify_locked(conference: Conference) -> list[str]:
    """Problems found re-checking a locked result (an empty list means intact)."""
    problems: list[str] = []
    if not conference.result_json or not conference.result_sha256:
        return ["no locked result"]
    if sha256_hex(conference.result_json) != conference.result_sha256:
        problems.append("result digest mismatch")
    stored = locked_result(conference)
    current = stored_ballots(conference)
    if canonical_json(stored.decide_input.ballots) != canonical_json(current):
        problems.append("ballots differ from the locked result")
    if stored.ballots_sha256 is not None and stored.ballots_sha256 != ballots_digest(current):
        problems.append("ballots digest mismatch")
    recomputed = run_decision(conference, stored.decide_input.to_json()).to_json()
    if canonical_json(recomputed) != canonical_json(stored.decision.to_json()):
        problems.append("decision differs from the locked result")
    return problems
