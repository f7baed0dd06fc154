"""The locked result document, typed: what lock hashes, and what every reader reads.

A conference's result is locked as the canonical JSON of one document (see
``voting.conferences.results.result_document``) and its SHA-256. This module describes
that document field by field, so the minutes, the audit and the planning chain read
attributes instead of string keys, and it reads every shape ever locked.

Two promises, because a locked result is hashed:

* ``ResultDocument.from_json(text).to_json()`` gives back the very document that was
  locked (same keys, same values), whatever its age: a key a document never had is
  never written back. Readers still see every field: a key an older document lacks
  reads as what it meant then (no paper ballots, no secretary's record, …).
* The document carries its format (``voting.result/1``) and ``from_json`` dispatches on
  it; an unknown format is refused rather than guessed.

Shapes locked under ``voting.result/1`` (the only format written so far), oldest first:
before paper ballots and the booth, no ``tokens.paper`` and no ``returned`` (every
ballot came by phone); before the secretary's record, no ``conference.record``; before
the counting committee's PINs, people without ``entered_paper``/``committee_note``;
before write-ins, candidates without ``write_in``. Documents built by hand (tests, a
recomputation by ``voting decide``) may lack ``ballots_sha256``.

Plain pydantic, no Flask: the API's schemas are generated from these models.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

#: The format every result written today carries.
RESULT_FORMAT = "voting.result/1"

#: One ballot: position id -> candidate ids agreed with; a paper ballot the committee
#: found spoilt carries ``"spoilt": [reason, …]`` instead.
Ballot = dict[str, list[str]]
#: The head of unit's choice on a tie: position id -> candidate ids chosen.
HeadChoice = dict[str, list[str]]


class Part(BaseModel):
    """A part of the result document: immutable, exact (no key it does not know, no
    value coerced), and written back with only the keys it was read with."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", strict=True, use_attribute_docstrings=True
    )

    def to_json(self) -> dict[str, Any]:
        """The part as the document spells it (keys it never had are not invented)."""
        return self.model_dump(mode="json", exclude_unset=True)


class Record(Part):
    """The secretary's free fields of the minutes, locked (and hashed) with the numbers."""

    agenda: str = ""
    """The meeting's agenda, one item a line."""
    remarks: str = ""
    """Opinions voiced at the meeting, one a line."""
    ended_at: str = ""
    """When the meeting ended, 'HH:MM' on the room's clock."""
    copies: int | None = None
    """How many copies of the minutes are made."""


class ConferenceInfo(Part):
    """Who held the conference, where and when (times are UTC, ISO 8601 with 'Z')."""

    id: str
    """The conference's public id."""
    title: str
    parent_body: str
    """The body above the unit (header's first line)."""
    unit: str
    """The unit holding the conference."""
    level: str
    """The ruleset's level key (e.g. 'cuc')."""
    flow: str
    """The ruleset's flow key (e.g. 'term')."""
    step: str
    """The QT.NB.03 step (e.g. 'B5')."""
    ruleset: str
    """The ruleset the conference was held under."""
    held_on: str
    """The conference's day, ISO date."""
    place: str
    locality: str
    """The place name of the dated line."""
    chair: str
    secretary: str
    head_title: str
    """The title of the head of unit who decides ties."""
    opened_at: str | None
    closed_at: str | None
    locked_at: str | None
    """None in a preview before lock."""
    record: Record = Record()  # frozen: one shared default is safe


class Label(Part):
    """A text in both languages of the ruleset."""

    vi: str
    en: str


class RuleInfo(Part):
    """The conference's frozen rule (``voting.procedure.ruleset.Rule.to_json``)."""

    id: str
    label: Label
    sentence: Label
    """The rule as the minutes state it."""
    base: Literal["present", "summoned"]
    """Whom the percentage is of: the people present or those summoned."""
    threshold: str
    """The exact fraction to reach, e.g. '1/2'."""
    comparison: Literal[">", ">="]
    cap_at_quota: bool
    """A ballot agreeing with more than the quota is void."""
    blank_valid: bool
    """A ballot agreeing with nobody is valid."""
    ranked: bool
    """Only the best placed, down to the quota, are selected."""
    removal: bool
    """The vote proposes people for removal from planning."""
    citation: str


class PersonInfo(Part):
    """Someone summoned (``voting.conferences.models.SummonedPerson.to_json``)."""

    name: str
    title: str
    group: str
    present: bool | None
    """None: attendance not taken for this person."""
    absence_reason: str
    committee_role: Literal["head", "member"] | None
    """Place on the counting committee, if any."""
    entered_paper: bool = False
    """A committee member who entered paper ballots (members only)."""
    committee_note: str = ""
    """Why the chair kept a flagged committee member (members only)."""


class Attendance(Part):
    summoned: int
    present: int
    people: list[PersonInfo]


class Tokens(Part):
    """Ballot tokens handed out."""

    issued: int
    voided: int
    """Issued, then voided and replaced."""
    paper: int = 0
    """Of those issued, paired with printed paper ballots."""


class Returned(Part):
    """How the ballots came back (counts only; no ballot says which way it came)."""

    paper: int = 0
    booth: int = 0
    phone: int = 0


class CandidateInfo(Part):
    """A name on a position's ballot (``Candidate.to_json``)."""

    id: str
    name: str
    birth_year: int | None
    post: str
    unit: str
    write_in: bool = False
    """Introduced by a voter, not on the list."""


class PositionInfo(Part):
    """A position and its ballot (``Position.to_json``)."""

    id: str
    name: str
    quota: int
    candidates: list[CandidateInfo]


class HeadDecision(Part):
    """The head of unit's decision on a tie for the last seat."""

    decided_by: str | None
    decided_at: str | None
    choice: HeadChoice


class DecideInputPosition(Part):
    id: str
    quota: int | None
    candidates: list[str]
    """Candidate ids in ballot order."""


class DecideInput(Part):
    """Exactly what ``voting decide`` reads: anyone can recompute the decision from it."""

    rule: str
    summoned: int
    present: int
    positions: list[DecideInputPosition]
    ballots: list[Ballot]
    """Every ballot, in canonical (sorted) order."""
    head_decision: HeadChoice = {}  # pydantic copies a mutable default


class DecidedCandidate(Part):
    """One candidate as decided (``voting.tally.decision.CandidateResult.to_json``)."""

    id: str
    """The candidate's key on the ballot."""
    agree: int
    """Valid ballots agreeing with the candidate."""
    disagree: int
    """Valid ballots not agreeing with the candidate (valid ballots minus agree)."""
    percent: str
    """Agree votes per base, '42.86' (half-up, display only)."""
    passes: bool
    """Agree votes reach the threshold on the base (the exact integer comparison)."""
    selected: bool
    """Goes forward: passes, and for a ranked rule is placed within the quota (or was
    chosen by the head of unit on a tie for the last seat)."""


class DecidedPosition(Part):
    """One position as decided (``voting.tally.decision.PositionResult.to_json``)."""

    id: str
    quota: int | None
    candidates: list[DecidedCandidate]
    """By agree votes, best first."""
    needs_head_decision: bool
    tied: list[str]
    """Passing candidates tied on the last seat."""
    open_seats: int
    """Seats the tied candidates compete for."""
    head_decision: list[str] | None


class BallotCounts(Part):
    received: int
    valid: int
    invalid: int


class DecisionResult(Part):
    """``voting.tally.decision.Decision.to_json``: the decision engine's output."""

    rule: str
    base: Literal["present", "summoned"]
    base_count: int
    threshold: str
    comparison: Literal[">", ">="]
    votes_needed: int
    summoned: int
    present: int
    ballots: BallotCounts
    needs_head_decision: bool
    positions: list[DecidedPosition]


class ResultDocument(Part):
    """Everything the minutes record, with the decision's input and output."""

    format: Literal["voting.result/1"]
    conference: ConferenceInfo
    rule: RuleInfo
    attendance: Attendance
    tokens: Tokens
    returned: Returned = Returned()
    positions: list[PositionInfo]
    head_decision: HeadDecision | None
    receipts: list[str]
    """The receipt codes handed to voters, sorted."""
    decide_input: DecideInput
    ballots_sha256: str | None = None
    """SHA-256 of the canonical sorted ballot list; None: not recorded."""
    decision: DecisionResult

    @model_validator(mode="after")
    def _phone_before_paper(self) -> ResultDocument:
        # Before paper ballots and the booth every ballot came by phone. Read so, but
        # not written back: the field stays unset, so to_json gives the locked text.
        if "returned" not in self.model_fields_set:
            object.__setattr__(self, "returned", Returned(phone=self.decision.ballots.received))
        return self

    @classmethod
    def from_json(cls, source: str | bytes | Mapping[str, Any]) -> ResultDocument:
        """Read a result document of any format ever locked (JSON text or parsed)."""
        data = json.loads(source) if isinstance(source, str | bytes) else dict(source)
        if not isinstance(data, dict):
            raise ValueError("a result document is a JSON object")
        reader = READERS.get(data.get("format"))  # type: ignore[arg-type]
        if reader is None:
            raise ValueError(f"unknown result format {data.get('format')!r}")
        return cls.model_validate(reader(data))

    def position(self, position_id: str) -> PositionInfo:
        return next(p for p in self.positions if p.id == position_id)


def _read_v1(data: dict[str, Any]) -> dict[str, Any]:
    # Every shape locked as voting.result/1 is the current model with some keys
    # missing, and each missing key has its default: nothing to rewrite.
    return data


#: Per format, how to turn a document of that format into the current model's input.
READERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {RESULT_FORMAT: _read_v1}
