"""Paper ballots in the same count: issued against tokens, entered twice by the committee.

A paper ballot is paired with one token (state ``paper``), so tokens issued
stay exactly the people present, phone and paper together. After the close the
counting committee enters each returned paper ballot twice — two different
members, each proving who they are with their own one-time PIN (the chair's
session alone does not suffice) — and only matching entries become a ballot,
claiming one paper token (``paper`` → ``used``). The ballot row is the same as a
phone's: no column says it came on paper, only the conference's counters do.

A ballot marked beyond a position's quota is stored as marked (the rule makes
it invalid, as on paper); one with names written in or defaced is stored as
``{"spoilt": [reason]}`` — not a position, so invalid as a whole by the same rule,
with its reason kept for the minutes. Like the other operations these flush and
the caller commits (:func:`voting.effects.transaction`) — except an entry, which
like every ballot is recorded and committed by :mod:`voting.ballots.recording`.
Each that changes what the live screens show queues their update (``changed``).
"""

from __future__ import annotations

import hmac
import json
from typing import Any

import sqlalchemy as sa

from voting import audit
from voting.auth.models import utcnow
from voting.ballots import recording
from voting.ballots.models import PaperEntry, Token
from voting.ballots.operations import (
    add_tokens,
    ballot_definition,
    normalize_choices,
    slip_token,
)
from voting.ballots.tokens import format_code, normalize_code, random_code
from voting.conferences.models import Conference, SummonedPerson
from voting.errors import DomainError
from voting.extensions import db
from voting.realtime.publisher import changed

#: The key a spoilt paper ballot is stored under (never a position key, which are p1, p2, …).
SPOILT = "spoilt"
#: Why the committee declares a paper ballot invalid, beyond marks over the quota.
SPOILT_REASONS = ("written-in", "defaced")


def issue_paper_tokens(conference: Conference, count: int, key: str) -> None:
    """``count`` tokens paired with printed paper ballots (no slip, no code is shown).

    Made like phone slips (derived secrets), but state ``paper`` is never listed
    for hand-out and cannot be cast from a phone: only an entered paper ballot
    claims it.
    """
    add_tokens(conference, count, key, "paper")
    conference.paper_issued += count


def convert_slip(conference: Conference, code: str, key: str) -> None:
    """The holder of an unused phone slip votes on paper: the slip's token becomes paper."""
    token = slip_token(conference, code, key)
    if token.state != "issued":
        raise DomainError(
            "token_not_convertible", "Only an unused phone slip can become a paper ballot.", 409
        )
    claimed = db.session.execute(  # type: ignore[attr-defined]  # an UPDATE's CursorResult
        sa.update(Token)
        .where(Token.id == token.id, Token.state == "issued")
        .values(state="paper")
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:  # cast a moment ago
        raise DomainError(
            "token_not_convertible", "Only an unused phone slip can become a paper ballot.", 409
        )
    conference.paper_issued += 1
    db.session.flush()
    audit.record(
        "paper.issued",
        {"paper_issued": conference.paper_issued, "tokens_issued": conference.tokens_issued},
        conference=conference,
    )
    changed(conference)


#: Letters of a committee member's PIN (the slips' alphabet: no 0/O, 1/I look-alikes).
PIN_LENGTH = 8


def pin_hash(key: str, conference: Conference, pin: str) -> str:
    """HMAC of a member's PIN, bound to the conference (as token codes, never the PIN)."""
    message = f"committee-pin:{conference.public_id}:{normalize_code(pin)}"
    return hmac.new(key.encode(), message.encode(), "sha256").hexdigest()


def committee_present(conference: Conference) -> list[SummonedPerson]:
    """The counting committee as it sits: members present, who alone get a PIN and may
    enter paper ballots (QT.NB.03: the committee is chosen among those present)."""
    return [p for p in conference.people if p.committee_role and p.is_present]


def issue_pins(
    conference: Conference, key: str, person_id: int | None = None
) -> list[tuple[str, str]]:
    """One-time PINs for the committee members present: [(name, PIN)], shown once.

    Without ``person_id`` every member gets one, once per conference; with it that
    member alone gets a new one (a lost slip), which voids their old PIN. The chair
    hands each PIN over on paper, in front of the room; only its HMAC is stored.
    """
    if conference.is_locked:
        raise DomainError("conference_locked", "The result is locked; nothing can change.", 409)
    if conference.is_draft:
        raise DomainError("ballot_not_open", "The ballot is not open.", 409)
    members = committee_present(conference)
    if person_id is None:
        if any(p.committee_pin_hash for p in members):
            raise DomainError(
                "pins_issued",
                "The committee's PINs were already issued; issue a new one per member.",
                409,
            )
    else:
        members = [p for p in members if p.id == person_id]
    if not members:
        raise DomainError(
            "not_committee_member", "Nobody present sits on the counting committee.", 409
        )
    issued = []
    for person in members:
        pin = random_code(PIN_LENGTH)
        person.committee_pin_hash = pin_hash(key, conference, pin)
        issued.append((person.name, format_code(pin)))
    db.session.flush()
    return issued


def committee_member(conference: Conference, key: str, pin: Any) -> SummonedPerson:
    """The committee member present whose PIN this is; refused for any other text."""
    if isinstance(pin, str) and normalize_code(pin):
        digest = pin_hash(key, conference, pin)
        for person in committee_present(conference):
            stored = person.committee_pin_hash
            if stored and hmac.compare_digest(stored, digest):
                return person
    raise DomainError(
        "invalid_pin", "This PIN is not that of a counting-committee member.", 403, field="pin"
    )


def paper_choices(conference: Conference, marks: Any, spoilt: Any) -> dict[str, list[str]]:
    """The entered marks, checked as a phone's are, except that the quota is not enforced."""
    if spoilt not in (None, ""):
        if spoilt not in SPOILT_REASONS:
            raise DomainError("invalid_field", "Unknown reason.", 422, field="spoilt")
        return {SPOILT: [str(spoilt)]}
    return normalize_choices(ballot_definition(conference), marks, enforce_quota=False)


def enter_paper(conference: Conference, marks: Any, spoilt: Any, pin: Any, key: str) -> str:
    """One entry of a returned paper ballot, committed: "waiting", "recorded" or "mismatch".

    ``pin`` proves which committee member enters. The first entry waits; the
    second, by another member, must match it exactly, else both are discarded
    ("mismatch", committed too) and the ballot is entered again. A refusal
    changes nothing.
    """
    with recording.cast_transaction():
        return _enter(conference, marks, spoilt, pin, key)


def _enter(conference: Conference, marks: Any, spoilt: Any, pin: Any, key: str) -> str:
    if conference.is_locked:
        raise DomainError("conference_locked", "The result is locked; nothing can change.", 409)
    if not conference.is_closed:
        raise DomainError("ballot_not_closed", "Close the ballot first.", 409)
    if conference.paper_finished_dt is not None:
        raise DomainError(
            "paper_entry_finished",
            "Paper entry was declared finished; no more paper ballots can be entered.",
            409,
        )
    member = committee_member(conference, key, pin)
    entered_by = str(member.id)
    text = recording.choices_json(paper_choices(conference, marks, spoilt))
    waiting = db.session.get(PaperEntry, conference.id)
    if waiting is None:
        if conference.paper_entered >= conference.paper_issued:
            raise DomainError(
                "no_paper_left", "Every paper ballot issued has already been entered.", 409
            )
        _mark_entered(member)
        db.session.add(PaperEntry(conference_id=conference.id, choices=text, entered_by=entered_by))
        db.session.flush()
        return "waiting"
    if waiting.entered_by == entered_by:
        raise DomainError(
            "same_member", "The second entry must be made by another committee member.", 409
        )
    _mark_entered(member)
    first = waiting.choices
    db.session.delete(waiting)
    db.session.flush()
    if first != text:
        audit.record(
            "paper.mismatch", {"paper_entered": conference.paper_entered}, conference=conference
        )
        return "mismatch"
    entered = recording.record_paper_ballot(conference, json.loads(text))
    # Totals only: the audit trail never holds a ballot's content.
    audit.record(
        "paper.entered",
        {"paper_entered": entered, "paper_issued": conference.paper_issued},
        conference=conference,
    )
    return "recorded"


def finish_paper_entry(conference: Conference) -> None:
    """The committee declares that the paper ballots still out will not come back.

    They count as not returned (the minutes say how many), the result is shown, and a
    tie on the last seat can be decided. Nothing can be entered afterwards.
    """
    if conference.is_locked:
        raise DomainError("conference_locked", "The result is locked; nothing can change.", 409)
    if not conference.is_closed:
        raise DomainError("ballot_not_closed", "Close the ballot first.", 409)
    finished = conference.paper_finished_dt is not None
    if finished or conference.paper_entered >= conference.paper_issued:
        raise DomainError(
            "no_paper_left", "Every paper ballot issued has already been entered.", 409
        )
    if db.session.get(PaperEntry, conference.id) is not None:
        raise DomainError(
            "paper_entry_waiting",
            "A paper ballot has been entered once and awaits its second entry.",
            409,
        )
    conference.paper_finished_dt = utcnow()
    db.session.flush()
    audit.record(
        "paper.finished",
        {
            "paper_issued": conference.paper_issued,
            "paper_entered": conference.paper_entered,
        },
        conference=conference,
    )
    changed(conference)


def _mark_entered(member: SummonedPerson) -> None:
    # A flag, written once: the minutes name who entered, not which ballot or how many.
    if not member.entered_paper:
        member.entered_paper = True


def waiting_member(conference: Conference, waiting: PaperEntry | None) -> str:
    """The name of the member whose first entry waits (the entry page says who)."""
    if waiting is None:
        return ""
    for person in conference.people:
        if str(person.id) == waiting.entered_by:
            return person.name
    return waiting.entered_by


def discard_waiting(conference: Conference) -> None:
    """Drop a first entry that will not be confirmed (e.g. entered by mistake)."""
    waiting = db.session.get(PaperEntry, conference.id)
    if waiting is not None:
        db.session.delete(waiting)
        db.session.flush()
