"""A conference: one secret ballot for one step of QT.NB.03.

Its roster (who is summoned, who came), the positions being planned with their
candidates, and the frozen result. Ballots and tokens live in
:mod:`voting.ballots.models`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from voting.auth.models import User, utcnow
from voting.columns import owned, parent_id
from voting.extensions import Model, db

STATUSES = ("draft", "open", "closed", "locked")
#: Who sets a conference's ballot: its chair, or the planning process that created it.
BALLOT_OWNERS = ("chair", "process")
#: The shape of a public id (secrets.token_urlsafe); anything else names nothing.
PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


def ballot_positions(conference_id: int) -> list[Position]:
    """A conference's positions in ballot order, candidates loaded in one more query."""
    return list(
        db.session.scalars(
            sa.select(Position)
            .where(Position.conference_id == conference_id)
            .options(so.selectinload(Position.candidates))
            .order_by(Position.seq)
        )
    )


def find_conference(public_id: object) -> Conference | None:
    """The conference with this public id; malformed ids never reach the database."""
    if not isinstance(public_id, str) or not PUBLIC_ID.fullmatch(public_id):
        return None
    return db.session.scalar(sa.select(Conference).where(Conference.public_id == public_id))


class Conference(Model):
    __tablename__ = "conferences"
    repr_columns = ("id", "public_id", "status")
    __table_args__ = (
        sa.CheckConstraint(f"status IN {STATUSES!r}", name="ck_conferences_status"),
        sa.CheckConstraint(
            f"ballot_owner IN {BALLOT_OWNERS!r}", name="ck_conferences_ballot_owner"
        ),
        sa.CheckConstraint(
            "present_count IS NULL OR present_count <= summoned_count",
            name="ck_conferences_present_le_summoned",
        ),
        sa.CheckConstraint("ballots_received >= 0", name="ck_conferences_received_nonneg"),
        sa.CheckConstraint(
            "published_received <= ballots_received", name="ck_conferences_published_le_received"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: Random id used in URLs and token signatures (not guessable, not ordered).
    public_id: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    #: The chair who set it up and runs it.
    owner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    #: Secretary account allowed to read and export it (optional).
    secretary_user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))

    #: QT.NB.03 coordinates: level (cuc/phong), flow and step (B1…B6).
    level: so.Mapped[str] = so.mapped_column(sa.String(16))
    flow: so.Mapped[str] = so.mapped_column(sa.String(32))
    step: so.Mapped[str] = so.mapped_column(sa.String(8))
    #: Ruleset id and version the rule was taken from.
    ruleset_ref: so.Mapped[str] = so.mapped_column(sa.String(64))
    #: The rule id, and the rule itself frozen as JSON when the conference was
    #: created, so editing the ruleset file later never changes this vote.
    rule_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    rule_json: so.Mapped[str] = so.mapped_column(sa.Text)

    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    #: Parent body and unit, in the minutes' header.
    parent_body: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    unit_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    place: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: Locality in the dated line of the minutes ("Kiên Giang, ngày …").
    locality: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    held_on: so.Mapped[date] = so.mapped_column(sa.Date)
    chair_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    secretary_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: Title of the head of unit who breaks ties (Cục trưởng / Trưởng phòng).
    head_title: so.Mapped[str] = so.mapped_column(sa.String(100), default="")

    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="draft")
    #: Frozen when the ballot opens; the bases of the rules.
    summoned_count: so.Mapped[int | None] = so.mapped_column()
    present_count: so.Mapped[int | None] = so.mapped_column()
    #: Tokens issued (one per person present, plus replacements) and voided.
    tokens_issued: so.Mapped[int] = so.mapped_column(default=0)
    tokens_voided: so.Mapped[int] = so.mapped_column(default=0)
    #: Live counter, incremented atomically by each accepted ballot.
    ballots_received: so.Mapped[int] = so.mapped_column(default=0)
    #: Of the tokens issued, those paired with a printed paper ballot; of the
    #: ballots received, the paper ones the committee entered and the ones cast at
    #: the booth. Counts only: no ballot row says how it came.
    paper_issued: so.Mapped[int] = so.mapped_column(default=0)
    paper_entered: so.Mapped[int] = so.mapped_column(default=0)
    #: When the committee declared paper entry finished: the paper ballots still out were
    #: not returned (a person left with theirs). Until then, or until every paper ballot
    #: is entered, the result stays withheld (one paper ballot at a time would show).
    paper_finished_dt: so.Mapped[datetime | None] = so.mapped_column()
    booth_cast: so.Mapped[int] = so.mapped_column(default=0)
    #: Ballot count at the last live publication of per-candidate numbers.
    published_received: so.Mapped[int] = so.mapped_column(default=0)

    opened_dt: so.Mapped[datetime | None] = so.mapped_column()
    closed_dt: so.Mapped[datetime | None] = so.mapped_column()
    locked_dt: so.Mapped[datetime | None] = so.mapped_column()
    created_dt: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    #: The head of unit's tie decision: {position key: [candidate keys]}.
    head_decision_json: so.Mapped[str | None] = so.mapped_column(sa.Text)
    #: Who decided (name and title), as the minutes record it.
    head_decided_by: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    head_decided_dt: so.Mapped[datetime | None] = so.mapped_column()

    #: The secretary's free fields of the minutes, editable until lock, then locked with
    #: the result: agenda and remarks (multi-line), the meeting's end ("16:30"), copies.
    agenda: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    remarks: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    ended_at: so.Mapped[str] = so.mapped_column(sa.String(5), default="")
    copies: so.Mapped[int | None] = so.mapped_column()

    #: Canonical result document (UTF-8 JSON) and its SHA-256, set at lock.
    result_json: so.Mapped[str | None] = so.mapped_column(sa.Text)
    result_sha256: so.Mapped[str | None] = so.mapped_column(sa.String(64))

    #: The secrecy clean-up below SQL (voting.ballots.scrub) is still owed: set by the
    #: same statement or flush that closes the ballot and that locks it, cleared only
    #: once the storage has been scrubbed. A kill right after the commit, or a reader
    #: that outlasts the scrub's short wait, leaves it set for the background retry,
    #: the start-up of ``voting serve`` and ``voting audit verify``. A column, not a
    #: table: it is part of the status change itself (no extra row to insert, none to
    #: forget), and a flag says nothing about any ballot, token or time.
    scrub_pending: so.Mapped[bool] = so.mapped_column(default=False)
    #: "process": a planning process set the positions and candidates, and only it
    #: changes them (the chair edits the rest of the set-up as usual).
    ballot_owner: so.Mapped[str] = so.mapped_column(
        sa.String(16), default="chair", server_default="chair"
    )

    owner: so.Mapped[User] = so.relationship(foreign_keys=[owner_id])
    secretary_user: so.Mapped[User | None] = so.relationship(foreign_keys=[secretary_user_id])
    people: so.Mapped[list[SummonedPerson]] = owned("conference", "SummonedPerson.seq")
    positions: so.Mapped[list[Position]] = owned("conference", "Position.seq")

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"

    @property
    def is_locked(self) -> bool:
        return self.status == "locked"


class SummonedPerson(Model):
    """Someone summoned to the conference; attendance is ticked by the chair."""

    __tablename__ = "people"
    repr_columns = ("id", "conference_id", "name")
    __table_args__ = (
        sa.CheckConstraint(
            "committee_role IS NULL OR committee_role IN ('head', 'member')",
            name="ck_people_committee_role",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    conference_id: so.Mapped[int] = parent_id("conferences")
    #: Position in the summoned roster as typed or imported.
    seq: so.Mapped[int] = so.mapped_column()
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: Post (chức vụ), e.g. "Phó Cục trưởng".
    title: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: Group or unit within the roster, e.g. "Ban Thường vụ Đảng ủy".
    group_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: None until attendance is taken; True present, False absent.
    is_present: so.Mapped[bool | None] = so.mapped_column()
    absence_reason: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    #: Seat on the counting committee (ban kiểm phiếu): head, member or none.
    committee_role: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    #: HMAC of the member's one-time PIN for entering paper ballots (the PIN itself is
    #: shown once to the chair to hand over, never stored): the chair's session alone
    #: cannot enter a paper ballot.
    committee_pin_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    #: Set once the member has entered a paper ballot: the counting minutes name who
    #: entered (the members, never which ballot or in what order).
    entered_paper: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    #: The chair's recorded reason for keeping this member although the open-time
    #: checks flagged them (absent, or on the ballot); the minutes print it.
    committee_note: so.Mapped[str] = so.mapped_column(sa.String(300), default="", server_default="")

    conference: so.Mapped[Conference] = so.relationship(back_populates="people")

    def to_json(self) -> dict[str, Any]:
        """As the API and the result document show a person (no database id)."""
        doc: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "group": self.group_name,
            "present": self.is_present,
            "absence_reason": self.absence_reason,
            "committee_role": self.committee_role,
        }
        # Committee members only, so rosters and results locked before 0009 read the same.
        if self.committee_role:
            doc["entered_paper"] = self.entered_paper
            if self.committee_note:
                doc["committee_note"] = self.committee_note
        return doc


class BallotLine:
    """What a position and a candidate share: a place on the ballot and a stable key."""

    #: Ballot order; ranking ties keep this order.
    seq: so.Mapped[int] = so.mapped_column()
    #: Stable id in ballots and the decision input ("p1", "c1", …), unique under its parent.
    key: so.Mapped[str] = so.mapped_column(sa.String(16))
    name: so.Mapped[str] = so.mapped_column(sa.String(200))

    def line_json(self, **more: Any) -> dict[str, Any]:
        """As the API and the result document show the line: its key as "id", then ``more``."""
        return {"id": self.key, "name": self.name, **more}


class Position(BallotLine, Model):
    """A position being planned (e.g. Phó Cục trưởng) with its quota."""

    __tablename__ = "positions"
    repr_columns = ("id", "conference_id", "key", "name")
    __table_args__ = (
        sa.UniqueConstraint("conference_id", "key", name="uq_positions_conference_key"),
        sa.CheckConstraint("quota >= 1", name="ck_positions_quota_positive"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    conference_id: so.Mapped[int] = parent_id("conferences")
    #: Most people one ballot may agree with; seats for ranked rules.
    quota: so.Mapped[int] = so.mapped_column()

    conference: so.Mapped[Conference] = so.relationship(back_populates="positions")
    candidates: so.Mapped[list[Candidate]] = owned("position", "Candidate.seq")

    def to_json(self) -> dict[str, Any]:
        """The position and its ballot, as the API and the result document show it."""
        return self.line_json(quota=self.quota, candidates=[c.to_json() for c in self.candidates])


class Candidate(BallotLine, Model):
    """A person on the ballot for one position."""

    __tablename__ = "candidates"
    repr_columns = ("id", "position_id", "key", "name")
    __table_args__ = (
        sa.CheckConstraint("live_agree >= 0", name="ck_candidates_live_agree_nonneg"),
        sa.UniqueConstraint("position_id", "key", name="uq_candidates_position_key"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    position_id: so.Mapped[int] = parent_id("positions")
    birth_year: so.Mapped[int | None] = so.mapped_column()
    #: Current post and unit, shown on the ballot.
    post: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    unit: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: Not on the list: someone a voter may introduce at a discovery step,
    #: picked from the unit's register on the phone and tallied like the others.
    write_in: so.Mapped[bool] = so.mapped_column(default=False)
    #: Live agree counter from valid ballots, incremented in the casting
    #: transaction (the authoritative count is recomputed from ballots at close).
    live_agree: so.Mapped[int] = so.mapped_column(default=0)
    #: The value last shown on the chair's live tally (batched, never one ballot).
    published_agree: so.Mapped[int] = so.mapped_column(default=0)

    position: so.Mapped[Position] = so.relationship(back_populates="candidates")

    def to_json(self) -> dict[str, Any]:
        doc = self.line_json(birth_year=self.birth_year, post=self.post, unit=self.unit)
        # Only written when true, so results locked before write-ins existed read the same.
        if self.write_in:
            doc["write_in"] = True
        return doc
