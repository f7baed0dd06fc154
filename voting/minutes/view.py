"""The minutes' view of a result document: the decision's lines joined to the names.

Built from the result document alone (the locked one, or a preview of it before lock),
so the minutes, the spreadsheets and the result pages always show what was locked. The
view is plain dicts (typed), as the pages' templates read them; the document itself is
the typed ``ResultDocument``. No Flask import.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypedDict, cast

from voting.conferences.document import (
    CandidateInfo,
    DecidedPosition,
    DecisionResult,
    HeadDecision,
    ResultDocument,
)


class Row(TypedDict):
    """One candidate's line of a results table, best placed first."""

    rank: int
    id: str
    name: str
    #: Added by a voter, not on the printed list.
    write_in: bool
    birth_year: int | None
    post: str
    unit: str
    agree: int
    disagree: int
    #: Of the rule's base, as the minutes print it ("42.86").
    percent: str
    passes: bool
    selected: bool
    #: Tied on the last seat.
    tied: bool


class PositionView(TypedDict):
    id: str
    name: str
    quota: int | None
    rows: list[Row]
    #: Write-ins nobody voted for: counted, not listed.
    unvoted_write_ins: int
    needs_head_decision: bool
    tied_names: list[str]
    tied_ids: list[str]
    open_seats: int
    head_choice_names: list[str]
    selected_names: list[str]


class PersonView(TypedDict):
    """Someone summoned, every field given (``PersonInfo`` with its defaults)."""

    name: str
    #: Post and group as the roster gives them ("Phó Cục trưởng", "Ban Thường vụ").
    title: str
    group: str
    #: The minutes list the absent with their reason, and count the unmarked apart.
    present: bool | None
    absence_reason: str
    #: The counting committee's minutes name its head and members, and who entered paper.
    committee_role: Literal["head", "member"] | None
    entered_paper: bool
    committee_note: str


class MinutesView(TypedDict):
    doc: ResultDocument
    decision: DecisionResult
    positions: list[PositionView]
    needs_head_decision: bool
    head: HeadDecision | None
    absent: list[PersonView]
    present_people: list[PersonView]
    committee_head: list[PersonView]
    committee_members: list[PersonView]


def _rows(result: DecidedPosition, names: Mapping[str, CandidateInfo]) -> tuple[list[Row], int]:
    """The table's rows and how many write-ins nobody voted for were left out."""
    rows: list[Row] = []
    unvoted_write_ins = 0
    for c in result.candidates:
        person = names[c.id]
        # People a voter could have introduced but nobody did: counted, not listed
        # (no rule passes anyone with 0 votes, so no one who passes is ever hidden).
        if person.write_in and c.agree == 0:
            unvoted_write_ins += 1
            continue
        rows.append(
            Row(
                id=c.id,
                agree=c.agree,
                disagree=c.disagree,
                percent=c.percent,
                passes=c.passes,
                selected=c.selected,
                rank=len(rows) + 1,
                write_in=person.write_in,
                name=person.name,
                birth_year=person.birth_year,
                post=person.post,
                unit=person.unit,
                tied=c.id in result.tied,
            )
        )
    return rows, unvoted_write_ins


def _position(doc: ResultDocument, result: DecidedPosition) -> PositionView:
    position = doc.position(result.id)
    names = {c.id: c for c in position.candidates}
    rows, unvoted_write_ins = _rows(result, names)
    return PositionView(
        id=result.id,
        name=position.name,
        quota=result.quota,
        rows=rows,
        unvoted_write_ins=unvoted_write_ins,
        needs_head_decision=result.needs_head_decision,
        tied_names=[names[cid].name for cid in result.tied],
        tied_ids=list(result.tied),
        open_seats=result.open_seats,
        head_choice_names=[names[cid].name for cid in (result.head_decision or [])],
        selected_names=[r["name"] for r in rows if r["selected"]],
    )


def minutes_view(doc: ResultDocument | Mapping[str, Any]) -> MinutesView:
    """The view of a result document (typed, or as JSON: any format ever locked)."""
    if not isinstance(doc, ResultDocument):
        doc = ResultDocument.from_json(doc)
    # Fresh dicts: a view may be adjusted by its reader without touching the document.
    people = [cast(PersonView, p.model_dump()) for p in doc.attendance.people]
    return MinutesView(
        doc=doc,
        decision=doc.decision,
        positions=[_position(doc, p) for p in doc.decision.positions],
        needs_head_decision=doc.decision.needs_head_decision,
        head=doc.head_decision,
        absent=[p for p in people if p["present"] is False],
        present_people=[p for p in people if p["present"]],
        committee_head=[p for p in people if p["committee_role"] == "head"],
        committee_members=[p for p in people if p["committee_role"] == "member"],
    )
