"""The result's shapes: the minutes' fields and notes, the head's decision, the lock.

The result document itself (``Result``, its ``Decision`` and ``DecideInput``) is
:class:`voting.conferences.document.ResultDocument`, the very model lock hashes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from voting.api.schemas.base import Absent, ApiModel, omitted
from voting.api.schemas.conference import Conference
from voting.conferences.document import DecisionResult, ResultDocument

# ------------------------------------------------------------------ minutes


class MinutesRecord(ApiModel):
    """The secretary's free fields of the minutes. Editable until lock, then locked with
    the result."""

    agenda: Annotated[str, Field(max_length=4000)] | Absent = omitted(
        "The meeting's agenda, one item per line."
    )
    remarks: Annotated[str, Field(max_length=4000)] | Absent = omitted(
        "Opinions raised at the meeting, one per line."
    )
    ended_at: Annotated[str, Field(max_length=5)] | Absent = omitted(
        "When the meeting ended, `HH:MM`, or empty."
    )
    copies: Annotated[int, Field(ge=1, le=20)] | None = omitted("Copies of the minutes made.")


class MinutesNote(ApiModel):
    """A dated note appended to the minutes after lock."""

    written_at: datetime
    author: str
    text: str = Field(max_length=2000)


class MinutesNotes(ApiModel):
    notes: list[MinutesNote]


class MinutesNoteInput(ApiModel):
    text: str = Field(max_length=2000)


# ----------------------------------------------------------------- decision


class HeadDecisionInput(ApiModel):
    """The head of unit's choice for a tie straddling the last seat."""

    decided_by: str = Field(max_length=300, description="Name of the head of unit.")
    choice: dict[str, list[str]] = Field(
        description="Position id → exactly the open seats' worth of the tied candidates."
    )


class RecordedDecision(ApiModel):
    decision: DecisionResult


class LockedResult(ApiModel):
    sha256: str = Field(description="SHA-256 of the canonical result.")
    conference: Conference


class ResultView(ApiModel):
    locked: bool
    sha256: str | None
    result: ResultDocument
