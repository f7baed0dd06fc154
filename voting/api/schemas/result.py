"""The result's shapes: the minutes' fields and notes, the head's decision, the lock.

``Result``, ``Decision`` and ``DecideInput`` (the locked result document) are still
written by hand here, in JSON Schema 2020-12, until the document has typed models
of its own; the models below point at them by name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from voting.api.schemas.base import (
    BASE_NOTE,
    CHOICES_NOTE,
    PERCENT_NOTE,
    THRESHOLD_NOTE,
    Absent,
    ApiModel,
    Schema,
    handwritten,
    omitted,
    ref,
)
from voting.api.schemas.conference import Conference

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
    decision: Annotated[dict[str, Any], handwritten("Decision")]


class LockedResult(ApiModel):
    sha256: str = Field(description="SHA-256 of the canonical result.")
    conference: Conference


class ResultView(ApiModel):
    locked: bool
    sha256: str | None
    result: Annotated[dict[str, Any], handwritten("Result")]


# --------------------------------------------- the result document, by hand


def _obj(properties: dict[str, Schema], *optional: str, description: str = "") -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    schema["required"] = [name for name in properties if name not in optional]
    if description:
        schema["description"] = description
    return schema


def _nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


_STRING: Schema = {"type": "string"}
_INTEGER: Schema = {"type": "integer"}
_BOOLEAN: Schema = {"type": "boolean"}
_STRINGS: Schema = {"type": "array", "items": _STRING}
_TIMESTAMP = _nullable({"type": "string", "format": "date-time"})
_CHOICES: Schema = {
    "type": "object",
    "additionalProperties": _STRINGS,
    "description": CHOICES_NOTE,
}
_BASE: Schema = {"type": "string", "enum": ["present", "summoned"], "description": BASE_NOTE}
_THRESHOLD: Schema = {
    "type": "string",
    "pattern": r"^\d+/\d+$",
    "examples": ["1/2"],
    "description": THRESHOLD_NOTE,
}
_COMPARISON: Schema = {"type": "string", "enum": [">=", ">"]}
_PERCENT: Schema = {"type": "string", "examples": ["66.67"], "description": PERCENT_NOTE}


def decision_schema() -> Schema:
    candidate = _obj(
        {
            "id": _STRING,
            "agree": _INTEGER,
            "disagree": _INTEGER,
            "percent": _PERCENT,
            "passes": _BOOLEAN,
            "selected": _BOOLEAN,
        }
    )
    candidates = {"type": "array", "items": candidate}
    position = _obj(
        {
            "id": _STRING,
            "quota": _nullable(_INTEGER),
            "candidates": {
                **candidates,
                "description": "By agree, descending; ties keep ballot order.",
            },
            "needs_head_decision": _BOOLEAN,
            "tied": {**_STRINGS, "description": "Passing candidates tied on the last seat."},
            "open_seats": {**_INTEGER, "description": "Seats the tied candidates compete for."},
            "head_decision": _nullable(_STRINGS),
        }
    )
    ballots = _obj({"received": _INTEGER, "valid": _INTEGER, "invalid": _INTEGER})
    return _obj(
        {
            "rule": {**_STRING, "description": "Rule id."},
            "base": _BASE,
            "base_count": _INTEGER,
            "threshold": _THRESHOLD,
            "comparison": _COMPARISON,
            "votes_needed": _INTEGER,
            "summoned": _INTEGER,
            "present": _INTEGER,
            "ballots": ballots,
            "needs_head_decision": _BOOLEAN,
            "positions": {"type": "array", "items": position},
        },
        description="Output of the decision engine (`voting decide`).",
    )


def decide_input_schema() -> Schema:
    position = _obj({"id": _STRING, "quota": _nullable(_INTEGER), "candidates": _STRINGS})
    return _obj(
        {
            "rule": _STRING,
            "summoned": _INTEGER,
            "present": _INTEGER,
            "positions": {"type": "array", "items": position},
            "ballots": {
                "type": "array",
                "items": _CHOICES,
                "description": "Every ballot's choices, in canonical order.",
            },
            "head_decision": _CHOICES,
        },
        "head_decision",
        description="Input of `voting decide`; anyone can recompute the decision from it.",
    )


def _result_conference() -> Schema:
    names = ["id", "title", "parent_body", "unit", "level", "flow", "step", "ruleset"]
    names += ["held_on", "place", "locality", "chair", "secretary", "head_title"]
    properties: dict[str, Schema] = {name: _STRING for name in names}
    properties["ruleset"] = {**_STRING, "description": "`id@version` of the ruleset."}
    properties["held_on"] = {**_STRING, "format": "date"}
    properties |= {
        "opened_at": _TIMESTAMP,
        "closed_at": _TIMESTAMP,
        "locked_at": _TIMESTAMP,
        "record": ref("MinutesRecord"),
    }
    # Results locked before the secretary's fields existed carry no "record".
    return _obj(properties, "record")


def _result_person() -> Schema:
    return _obj(
        {
            "name": _STRING,
            "title": _STRING,
            "group": _STRING,
            "present": _nullable(_BOOLEAN),
            "absence_reason": _STRING,
            "committee_role": _nullable({"type": "string", "enum": ["head", "member"]}),
            "entered_paper": _BOOLEAN,
            "committee_note": _STRING,
        },
        "entered_paper",
        "committee_note",
    )


def result_schema() -> Schema:
    counts = {"issued": _INTEGER, "voided": _INTEGER, "paper": _INTEGER}
    head_decision = _obj({"decided_by": _STRING, "decided_at": _TIMESTAMP, "choice": _CHOICES})
    attendance = {"summoned": _INTEGER, "present": _INTEGER}
    return _obj(
        {
            "format": {"type": "string", "enum": ["voting.result/1"]},
            "conference": _result_conference(),
            "rule": ref("Rule"),
            "attendance": _obj(
                {**attendance, "people": {"type": "array", "items": _result_person()}}
            ),
            "tokens": _obj(counts, "paper"),
            "returned": _obj(
                {"phone": _INTEGER, "booth": _INTEGER, "paper": _INTEGER},
                description="How the ballots came (absent from results locked before paper).",
            ),
            "positions": {"type": "array", "items": ref("Position")},
            "head_decision": _nullable(head_decision),
            "receipts": {**_STRINGS, "description": "Receipt codes of every ballot, sorted."},
            "decide_input": ref("DecideInput"),
            "ballots_sha256": {
                **_STRING,
                "description": (
                    "SHA-256 of the canonical JSON of `decide_input.ballots` (sorted ballots)."
                ),
            },
            "decision": ref("Decision"),
        },
        "returned",
        description=(
            "The result document the minutes record; once locked, its canonical JSON "
            "(sorted keys, no spaces, UTF-8) hashes to `sha256`."
        ),
    )


def hand_written() -> dict[str, Schema]:
    return {
        "Decision": decision_schema(),
        "DecideInput": decide_input_schema(),
        "Result": result_schema(),
    }
