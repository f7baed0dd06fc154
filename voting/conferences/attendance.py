"""Before the ballot opens: who is present, and whether the counting committee can sit.

The chair ticks each summoned person present or absent (an absentee with the reason
the minutes print, or the chair's "no reason given"); the ballot then opens only with
a counting committee fit to count (QT.NB.03). These change the session and flush; the
caller commits (voting.effects.transaction).
"""

from __future__ import annotations

from typing import Any

from voting import audit
from voting.conferences.models import Conference, SummonedPerson
from voting.errors import DomainError
from voting.extensions import db
from voting.realtime.publisher import changed
from voting.validation import field_text, invalid_field


def require_draft(conference: Conference) -> None:
    """The set-up (and the attendance) change only before the ballot opens."""
    if conference.is_locked:
        raise DomainError("conference_locked", "The result is locked; nothing can change.", 409)
    if not conference.is_draft:
        raise DomainError(
            "conference_not_draft", "The ballot has opened; the set-up can no longer change.", 409
        )


def same_name(name: str) -> str:
    """A name as compared: spacing and case aside (a roster typed twice, a committee
    member also on the ballot)."""
    return " ".join(name.split()).casefold()


def set_attendance(conference: Conference, rows: Any) -> None:
    """Tick people present or absent (with a reason) before the ballot opens."""
    require_draft(conference)
    if not isinstance(rows, list):
        raise invalid_field("attendance", "Attendance must be a list.")
    people = {p.id: p for p in conference.people}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise invalid_field(f"attendance[{i}]", "Each entry must be an object.")
        person_id = row.get("person_id")
        # Only a whole number can name a person (a list would not even be hashable).
        is_id = isinstance(person_id, int) and not isinstance(person_id, bool)
        person = people.get(person_id) if is_id else None  # type: ignore[arg-type]
        if person is None:
            raise invalid_field(f"attendance[{i}].person_id", "No such person in this conference.")
        present = row.get("present")
        if present is not None and not isinstance(present, bool):
            raise invalid_field(f"attendance[{i}].present", "Present must be true, false or null.")
        no_reason = row.get("no_reason", False)
        if not isinstance(no_reason, bool):
            raise invalid_field(f"attendance[{i}].no_reason", "No reason must be true or false.")
        reason = "" if present else field_text(row, "reason", limit=300)
        if present is False and not reason and not no_reason:
            # The minutes list every absentee with the reason; a blank there must be the
            # chair's stated "no reason given", never a reason forgotten in passing.
            raise DomainError(
                "absence_reason_missing",
                "%(name)s is marked absent without a reason. Write the reason, or confirm "
                "that none was given.",
                422,
                field=f"attendance[{i}].reason",
                name=person.name,
            )
        person.is_present = present
        person.absence_reason = reason
    db.session.flush()
    marks = [p.is_present for p in conference.people]
    details = {
        "present": marks.count(True),
        "absent": marks.count(False),
        "unmarked": marks.count(None),
    }
    unexplained = sum(
        1 for p in conference.people if p.is_present is False and not p.absence_reason
    )
    if unexplained:
        details["absent_no_reason"] = unexplained  # confirmed by the chair, row by row
    audit.record("attendance.set", details, conference=conference)
    changed(conference)


def unexplained_absences(
    conference: Conference, rows: list[dict[str, Any]]
) -> list[SummonedPerson]:
    """The people these attendance rows mark absent with neither a reason nor the chair's
    "no reason given" (what :func:`set_attendance` refuses), all at once for the form."""
    people = {p.id: p for p in conference.people}
    return [
        people[row["person_id"]]
        for row in rows
        if row.get("person_id") in people
        and row.get("present") is False
        and not str(row.get("reason") or "").strip()
        and not row.get("no_reason")
    ]


def committee_problems(conference: Conference) -> list[tuple[SummonedPerson, str]]:
    """Committee members the procedure would not seat: absent, or on the ballot.

    QT.NB.03: the counting committee is chosen among those present, and people on
    the ballot should not sit on it (they would count their own votes). Each
    problem is (person, "absent" | "candidate"); the chair may keep the person with
    a recorded reason (``committee_note``), which the minutes print.
    """
    on_ballot = {same_name(c.name) for p in conference.positions for c in p.candidates}
    problems: list[tuple[SummonedPerson, str]] = []
    for person in conference.people:
        if not person.committee_role:
            continue
        if person.is_present is False:
            problems.append((person, "absent"))
        if same_name(person.name) in on_ballot:
            problems.append((person, "candidate"))
    return problems


def check_committee(conference: Conference, paper: int) -> None:
    """Refuse to open without a counting committee fit to count, naming the person.

    Without a head and a member present nobody can sign the counting minutes, nor
    enter paper ballots (two different members each). A conference that names no
    committee at all and issues no paper ballot still opens (its minutes then say
    no committee was named): many planning votes are counted by the chair's
    projector alone.
    """
    committee = [p for p in conference.people if p.committee_role]
    if not committee and not paper:
        return
    for person, problem in committee_problems(conference):
        if person.committee_note:
            continue  # kept by the chair, with the reason the minutes print
        if problem == "absent":
            raise DomainError(
                "committee_member_absent",
                "%(name)s sits on the counting committee but is marked absent. Choose "
                "another member, or give the reason to keep them.",
                409,
                name=person.name,
            )
        raise DomainError(
            "committee_member_candidate",
            "%(name)s sits on the counting committee and is on the ballot. Choose "
            "another member, or give the reason to keep them.",
            409,
            name=person.name,
        )
    seated = [p for p in committee if p.is_present]
    if not any(p.committee_role == "head" for p in seated) or not any(
        p.committee_role == "member" for p in seated
    ):
        raise DomainError(
            "committee_incomplete",
            "The counting committee needs a head and at least one member, present.",
            409,
        )
