"""A planning process, its steps, the people carried from step to step, and the list.

A process runs one flow of QT.NB.03 (level × flow) for one unit and period. Its
steps come from the ruleset; each step ends with an outgoing list of nominees
(``StepEntry``) that is the next step's input. Vote steps own a conference;
the others record their outcome here. The approved planning list
(``PlanningEntry``) keeps its history: entries are closed, never deleted.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal, get_args

import sqlalchemy as sa
import sqlalchemy.orm as so

from voting.auth.models import User, utcnow
from voting.columns import Particulars, owned, parent_id
from voting.conferences.models import Conference
from voting.extensions import Model
from voting.personnel.models import Member, Unit

PROCESS_STATUSES = ("active", "submitted", "approved")
STEP_STATUSES = ("pending", "current", "done")
#: Where a nominee came from: the drafted source list, a voter's introduction at
#: a discovery step, another agency, or the current planning list (removal vote).
ORIGINS = ("source", "write-in", "external", "current")
#: An entry of a step's outgoing list carries the nominee on, or proposes removal.
ENTRY_KINDS = ("carried", "removal")
#: Why someone left the approved planning list (QT.NB.03, "đưa ra khỏi quy hoạch").
ExitReason = Literal[
    "removal-vote",
    "automatic",
    "appointed",
    "standards",
    "left-service",
    "no-longer-wishes",
    "dossier",
]
EXIT_REASONS: tuple[str, ...] = get_args(ExitReason)


class Process(Model):
    """One run of one flow for one unit: e.g. phòng-level next-term planning 2026–2031."""

    __tablename__ = "processes"
    repr_columns = ("id", "public_id", "level", "flow", "status")
    __table_args__ = (
        sa.CheckConstraint(f"status IN {PROCESS_STATUSES!r}", name="ck_processes_status"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    public_id: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    owner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    secretary_user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("units.id"), index=True)
    level: so.Mapped[str] = so.mapped_column(sa.String(16))
    flow: so.Mapped[str] = so.mapped_column(sa.String(32))
    #: The phòng planned (phòng level); "" at Cục level.
    department: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: The term ("2026–2031") or the year ("2026") planned.
    period: so.Mapped[str] = so.mapped_column(sa.String(32))
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    ruleset_ref: so.Mapped[str] = so.mapped_column(sa.String(64))
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="active")
    created_dt: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    owner: so.Mapped[User] = so.relationship(foreign_keys=[owner_id])
    unit: so.Mapped[Unit] = so.relationship()
    positions: so.Mapped[list[ProcessPosition]] = owned("process", "ProcessPosition.seq")
    steps: so.Mapped[list[ProcessStep]] = owned("process", "ProcessStep.seq")
    nominees: so.Mapped[list[Nominee]] = owned("process", "Nominee.id")

    @property
    def step_key_prefix(self) -> str:
        return f"{self.level}/{self.flow}"


class ProcessPosition(Model):
    """A position planned by the process, with its quota (≤ the ruleset's cap)."""

    __tablename__ = "process_positions"
    repr_columns = ("id", "process_id", "name")
    __table_args__ = (sa.CheckConstraint("quota >= 1", name="ck_process_positions_quota"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    process_id: so.Mapped[int] = parent_id("processes")
    seq: so.Mapped[int] = so.mapped_column()
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    quota: so.Mapped[int] = so.mapped_column()
    #: When a vote carried nobody for the position and the chair ended it with
    #: nobody planned: the step at which it ended, when, and why.
    ended_step: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    ended_on: so.Mapped[date | None] = so.mapped_column()
    ended_reason: so.Mapped[str] = so.mapped_column(sa.String(500), default="")

    process: so.Mapped[Process] = so.relationship(back_populates="positions")

    @property
    def ended(self) -> bool:
        return self.ended_step is not None


class ProcessStep(Model):
    """One step of the process's flow, with its timeline and outcome."""

    __tablename__ = "process_steps"
    repr_columns = ("id", "process_id", "step", "status")
    __table_args__ = (
        sa.UniqueConstraint("process_id", "step", name="uq_process_steps_step"),
        sa.CheckConstraint(f"status IN {STEP_STATUSES!r}", name="ck_process_steps_status"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    process_id: so.Mapped[int] = parent_id("processes")
    seq: so.Mapped[int] = so.mapped_column()
    #: "B1" … "B6", as the ruleset names it.
    step: so.Mapped[str] = so.mapped_column(sa.String(8))
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="pending")
    due_on: so.Mapped[date | None] = so.mapped_column()
    #: The conference of a vote step, once created.
    conference_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("conferences.id"), unique=True
    )
    #: The recorded outcome of a step (JSON): plan, meeting, decision fields.
    outcome_json: so.Mapped[str] = so.mapped_column(sa.Text, default="{}")
    done_dt: so.Mapped[datetime | None] = so.mapped_column()

    process: so.Mapped[Process] = so.relationship(back_populates="steps")
    #: ``conference.process_step`` leads back here: defined on this side, so the
    #: conferences code never imports planning.
    conference: so.Mapped[Conference | None] = so.relationship(
        backref=so.backref("process_step", uselist=False, viewonly=True)
    )
    entries: so.Mapped[list[StepEntry]] = owned("step_row", "StepEntry.id")

    @property
    def outcome(self) -> dict[str, Any]:
        return json.loads(self.outcome_json or "{}")

    @property
    def is_done(self) -> bool:
        return self.status == "done"


class Nominee(Particulars, Model):
    """A person considered for one position in this process."""

    __tablename__ = "nominees"
    repr_columns = ("id", "process_id", "origin", "name")
    __table_args__ = (sa.CheckConstraint(f"origin IN {ORIGINS!r}", name="ck_nominees_origin"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    process_id: so.Mapped[int] = parent_id("processes")
    position_id: so.Mapped[int] = parent_id("process_positions")
    member_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("members.id"))
    #: For a removal vote: the planning-list entry the nominee holds.
    planning_entry_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("planning_entries.id")
    )
    origin: so.Mapped[str] = so.mapped_column(sa.String(16))
    #: Particulars (name, birth_year, birth_month, sex): a member's are copied from the
    #: register; someone from outside gives their own, which the structure figures and
    #: the retirement check need.
    post: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: Where the person works (for an external candidate, the home agency).
    agency: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: The consultation record of an external candidate (JSON).
    consult_json: so.Mapped[str] = so.mapped_column(sa.Text, default="{}")

    process: so.Mapped[Process] = so.relationship(back_populates="nominees")
    position: so.Mapped[ProcessPosition] = so.relationship()
    member: so.Mapped[Member | None] = so.relationship()

    @property
    def consult(self) -> dict[str, Any]:
        return json.loads(self.consult_json or "{}")


class StepEntry(Model):
    """A nominee on a step's outgoing list (or proposed there for removal)."""

    __tablename__ = "step_entries"
    repr_columns = ("id", "step_id", "nominee_id", "kind")
    __table_args__ = (
        sa.UniqueConstraint("step_id", "nominee_id", "kind", name="uq_step_entries"),
        sa.CheckConstraint(f"kind IN {ENTRY_KINDS!r}", name="ck_step_entries_kind"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    step_id: so.Mapped[int] = parent_id("process_steps")
    nominee_id: so.Mapped[int] = parent_id("nominees")
    kind: so.Mapped[str] = so.mapped_column(sa.String(16), default="carried")
    #: Agree votes at a vote step (None for steps without a ballot).
    agree: so.Mapped[int | None] = so.mapped_column()

    step_row: so.Mapped[ProcessStep] = so.relationship(back_populates="entries")
    nominee: so.Mapped[Nominee] = so.relationship()


class BallotLink(Model):
    """Which nominee (or, for a write-in, which register member) a ballot line names."""

    __tablename__ = "ballot_links"
    repr_columns = ("id", "step_id", "position_key", "candidate_key")
    __table_args__ = (
        sa.UniqueConstraint("step_id", "position_key", "candidate_key", name="uq_ballot_links"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    step_id: so.Mapped[int] = parent_id("process_steps")
    position_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("process_positions.id", ondelete="CASCADE")
    )
    position_key: so.Mapped[str] = so.mapped_column(sa.String(16))
    candidate_key: so.Mapped[str] = so.mapped_column(sa.String(16))
    nominee_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("nominees.id"))
    member_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("members.id"))


class Attachment(Model):
    """A file kept with the process: e.g. the home agency's written opinion."""

    __tablename__ = "attachments"
    repr_columns = ("id", "process_id", "filename")

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    process_id: so.Mapped[int] = parent_id("processes")
    nominee_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("nominees.id", ondelete="CASCADE")
    )
    step: so.Mapped[str] = so.mapped_column(sa.String(8))
    filename: so.Mapped[str] = so.mapped_column(sa.String(200))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(100))
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    data: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    uploaded_dt: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class PlanningEntry(Particulars, Model):
    """A person in the approved planning list for one position; closed when they leave."""

    __tablename__ = "planning_entries"
    repr_columns = ("id", "unit_id", "position_name", "name")
    __table_args__ = (
        sa.CheckConstraint(
            f"left_reason IS NULL OR left_reason IN {EXIT_REASONS!r}",
            name="ck_planning_entries_reason",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("units.id"), index=True)
    level: so.Mapped[str] = so.mapped_column(sa.String(16))
    department: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    position_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    member_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("members.id"))
    #: Particulars as on the nominee (someone from another agency has no register row).
    post: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    agency: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    period: so.Mapped[str] = so.mapped_column(sa.String(32), default="")
    entered_on: so.Mapped[date] = so.mapped_column()
    entered_process_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("processes.id"))
    #: "Quyết định số 12/QĐ-CTHADS ngày 20/12/2026 (Cục trưởng)".
    entered_decision: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    left_on: so.Mapped[date | None] = so.mapped_column()
    left_reason: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    left_process_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("processes.id"))
    left_decision: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    left_note: so.Mapped[str] = so.mapped_column(sa.String(500), default="")

    @property
    def active(self) -> bool:
        return self.left_on is None
