"""The ballot's shapes: tokens and the kiosk, the live tally, what a phone sees and sends.

They match :mod:`voting.api.routes` (``open_ballot``, ``void``, ``ballot_definition``,
``cast``), :func:`voting.ballots.slips.kiosk_state` and
:mod:`voting.realtime.snapshots`.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from voting.api.schemas.base import (
    Absent,
    ApiModel,
    Base,
    Choices,
    Percent,
    Status,
    omitted,
)
from voting.api.schemas.conference import Conference, Position, Rule

_DOUBLE_SCANS = (
    "Kiosk slips a second phone tried to open after the first had it (someone still needs a slip)."
)

# -------------------------------------------------------------------- tokens


class Slip(ApiModel):
    """One ballot token as handed out."""

    url: str = Field(
        description="Ballot link (what the QR code carries).", json_schema_extra={"format": "uri"}
    )
    code: str = Field(description="Short code printed on the slip.")


class Tokens(ApiModel):
    """The tokens issued when the ballot opens; their secrets are never stored."""

    conference: Conference
    tokens: list[Slip] = Field(description="One per person present.")


class OpenBallotInput(ApiModel):
    paper: int | Absent = omitted("Tokens to pair with printed paper ballots.")


class VoidTokenInput(ApiModel):
    code: str = Field(description="The code printed on the slip.")


class Replacement(ApiModel):
    replacement: Slip


class Handout(ApiModel):
    """Kiosk hand-out: the one token currently shown (null when none)."""

    status: Status
    remaining: int = Field(
        description="Tokens held for hand-out: neither opened by a phone nor used."
    )
    double_scans: int = Field(description=_DOUBLE_SCANS)
    token_id: str | None
    qr: str | None = Field(description="SVG of the current QR code (it encodes `kiosk_url`).")
    code: str | None
    url: str | None = Field(description="The slip's ballot URL, as on the printed sheet.")
    kiosk_url: str | None = Field(
        description="The same URL with the kiosk's mark: the first phone to open it keeps it."
    )
    code_url: str = Field(description="Where a phone types the kiosk's code.")


class HandoutNextInput(ApiModel):
    token_id: str | Absent = omitted("The slip the kiosk shows now.")


# --------------------------------------------------------------------- tally


class PublicSnapshot(ApiModel):
    """Turnout only, as phones and the projector see it."""

    conference: str = Field(description="Public id.")
    status: Status
    present: int | None
    received: int = Field(description="Ballots received.")


class TallyCandidate(ApiModel):
    id: str
    name: str
    agree: int | None
    percent: Percent | None
    passes: bool | None


class TallyPosition(ApiModel):
    id: str
    name: str
    quota: int
    candidates: list[TallyCandidate]


class Tally(PublicSnapshot):
    """Live tally for the chair: per-candidate numbers over a set of ballots that grows by
    at least k (LIVE_MIN_BATCH) and leaves at least k out; none below 2k ballots; frozen
    after the close while paper ballots are outstanding; complete once every paper ballot
    is entered, or at the lock."""

    summoned: int | None
    visible: bool = Field(
        description="Whether per-candidate numbers are shown (else they are null)."
    )
    double_scans: int = Field(description=_DOUBLE_SCANS)
    published_received: int = Field(
        description="Ballots counted in the numbers shown (0 while none are shown)."
    )
    base: Base
    base_count: int
    votes_needed: int | None
    positions: list[TallyPosition]


# ------------------------------------------------------------------- phones


class BallotConference(ApiModel):
    id: str
    title: str
    step: str
    held_on: date
    place: str
    status: Status


class BallotDefinition(ApiModel):
    """What a phone shows before casting."""

    conference: BallotConference
    rule: Rule
    positions: list[Position]
    public: PublicSnapshot


class CastRequest(ApiModel):
    token: str = Field(
        max_length=512,
        description="The signed token from the ballot link, or the short code from the slip.",
    )
    choices: Choices


class CastResponse(ApiModel):
    status: Literal["recorded"]
    receipt: str = Field(description="Receipt code; it appears in the result's `receipts`.")
