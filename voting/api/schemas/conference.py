"""The session, the ruleset and the conference as /api/v1 shows and takes them.

Each answer model matches what :mod:`voting.api.routes` builds (``conference_json``,
``ruleset``, ``session_info``, ``list_conferences``); each ``…Input`` what the
operations accept.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import Field

from voting.api.schemas.base import (
    Absent,
    ApiModel,
    Base,
    CommitteeRole,
    Comparison,
    Localized,
    Role,
    Status,
    Text,
    Threshold,
    localized,
    omitted,
)

# ------------------------------------------------------------------- session


class ErrorBody(ApiModel):
    code: str = Field(description="Stable machine-readable code, e.g. `invalid_field`.")
    message: str = Field(description="Human-readable message, translated (Vietnamese default).")
    details: dict[str, Any] | Absent = omitted(
        "Parameters of the error, e.g. `field` for `invalid_field`, "
        "`position`/`quota` for `over_quota`."
    )


class Error(ApiModel):
    """Every 4xx answer of /api/v1."""

    error: ErrorBody


class SessionUser(ApiModel):
    username: str
    role: Role


class Session(ApiModel):
    """Who is logged in (null if nobody) and the session's CSRF token."""

    user: SessionUser | None
    csrf_token: str = Field(
        description="Send it back in the `X-CSRFToken` header on state changes."
    )


class Login(ApiModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256, json_schema_extra={"format": "password"})


# ------------------------------------------------------------------- ruleset


class Rule(ApiModel):
    """A vote rule of the ruleset, frozen into each conference."""

    id: str
    label: Localized = localized("Short name of the rule.")
    sentence: Localized = localized("The rule as one sentence.")
    base: Base
    threshold: Threshold
    comparison: Comparison
    cap_at_quota: bool = Field(
        description="Agreeing with more people than the quota spoils the ballot."
    )
    blank_valid: bool = Field(description="A ballot agreeing with nobody is valid.")
    ranked: bool = Field(description="Rank by agree and select down to the quota.")
    removal: bool = Field(description="Passing means proposed for removal from the planning list.")
    citation: str


class RulesetStep(ApiModel):
    level: str
    flow: str
    step: str
    rule: str | None = Field(description="Rule id; null when nobody votes at this step.")
    title: Localized = localized("Title of the step.")
    sitters_vi: str = Field(description="Who sits the conference (Vietnamese).")


class Ruleset(ApiModel):
    """The active ruleset: vote rules and the procedure's steps."""

    id: str
    version: str
    name: Localized = localized("Name of the ruleset.")
    max_quota: int = Field(ge=1, description="Largest quota a position may have.")
    rules: dict[str, Rule] = Field(description="Rule id → rule.")
    steps: list[RulesetStep]


# ---------------------------------------------------------------- conference


class Person(ApiModel):
    id: int
    name: str
    title: str
    group: str
    present: bool | None = Field(description="Null until attendance is taken.")
    absence_reason: str
    committee_role: CommitteeRole | None = Field(description="Counting-committee role.")
    entered_paper: bool | Absent = omitted("Committee members only: has entered paper ballots.")
    committee_note: str | Absent = omitted(
        "Committee members only: the chair's reason to keep a member the open "
        "checks flag (absent, or on the ballot)."
    )


class Candidate(ApiModel):
    id: str = Field(description="Candidate key within its position, e.g. `c1`.")
    name: str
    birth_year: int | None
    post: str
    unit: str
    write_in: bool | Absent = omitted("Present (true) only for someone a voter may introduce.")


class Position(ApiModel):
    id: str = Field(description="Position key, e.g. `p1`.")
    name: str
    quota: int = Field(ge=1)
    candidates: list[Candidate]


class TokenCounts(ApiModel):
    issued: int
    voided: int
    paper: int = Field(description="Of them, paper.")


class Conference(ApiModel):
    """A conference as its chair (or secretary) sees it."""

    id: str = Field(description="Public id used in URLs.")
    status: Status
    level: str
    flow: str
    step: str
    rule: Rule
    title: str
    held_on: date
    place: str
    locality: str
    parent_body: str
    unit_name: str
    chair_name: str
    secretary_name: str
    head_title: str
    summoned: int
    present: int
    tokens: TokenCounts
    ballots_received: int
    paper_entered: int = Field(description="Paper ballots entered by the counting committee.")
    booth_cast: int = Field(description="Ballots cast at the room's booth.")
    result_sha256: str | None = Field(description="SHA-256 of the locked result.")
    people: list[Person]
    positions: list[Position]


class ConferenceSummary(ApiModel):
    id: str
    title: str
    status: Status
    step: str
    level: str
    flow: str
    held_on: date


class ConferenceList(ApiModel):
    conferences: list[ConferenceSummary]


# ------------------------------------------------------------------ set-up


class PersonInput(ApiModel):
    name: Text
    title: Text | Absent = omitted()
    group: Text | Absent = omitted()
    committee_role: CommitteeRole | None = omitted()
    committee_note: Text | Absent = omitted()


class CandidateInput(ApiModel):
    name: Text
    birth_year: Annotated[int, Field(ge=1900)] | None = omitted()
    post: Text | Absent = omitted()
    unit: Text | Absent = omitted()


class PositionInput(ApiModel):
    name: Text
    quota: int = Field(ge=1, description="At most the ruleset's `max_quota`.")
    candidates: Annotated[list[CandidateInput], Field(max_length=200)] | Absent = omitted()


class ConferenceInput(ApiModel):
    """Set-up of a draft conference. Creating needs `level`, `flow`, `step`, `title` and
    `held_on`; an update replaces only the fields given (`people`/`positions` are replaced
    whole) and cannot change `level`, `flow` or `step`."""

    level: str | Absent = omitted("Step of the ruleset; fixed once created.")
    flow: str | Absent = omitted()
    step: str | Absent = omitted()
    title: Text | Absent = omitted()
    held_on: date | Absent = omitted()
    place: Text | Absent = omitted()
    locality: Text | Absent = omitted()
    parent_body: Text | Absent = omitted()
    unit_name: Text | Absent = omitted()
    chair_name: Text | Absent = omitted()
    secretary_name: Text | Absent = omitted()
    head_title: Text | Absent = omitted("Default: the level's head title.")
    secretary_username: str | None = omitted("A user with the secretary role.")
    people: Annotated[list[PersonInput], Field(max_length=5000)] | Absent = omitted(
        "The summoned people, in order."
    )
    positions: list[PositionInput] | Absent = omitted()


#: What creating a conference needs of :class:`ConferenceInput`.
CREATE_NEEDS = ("level", "flow", "step", "title", "held_on")


class AttendanceRow(ApiModel):
    person_id: int
    present: bool | None = omitted()
    reason: Annotated[str, Field(max_length=300)] | Absent = omitted("Reason for absence.")
    no_reason: bool | Absent = omitted(
        "The chair confirms that the absent person gave no reason. An absence "
        "needs a reason or this, else `absence_reason_missing`."
    )


class Attendance(ApiModel):
    """Attendance, taken before opening."""

    attendance: list[AttendanceRow]
