"""A unit (the Cục) and the people of its register.

A planning process takes its rosters from here (by role, per the ruleset's
``sitters``) and its write-in pool (people a voter may introduce). Issue 9's
eligibility data (full date of birth, discipline, dossier) extends ``Member``.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from voting.auth.models import utcnow
from voting.columns import Particulars, owned, parent_id
from voting.extensions import Model

MEMBER_STATUSES = ("serving", "moved", "left", "deceased")
SEXES = ("male", "female")


class Unit(Model):
    """An agency whose leadership is planned: the Cục and its phòng and chi cục."""

    __tablename__ = "units"
    repr_columns = ("id", "name")

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    #: Parent body in the minutes' header (Tổng cục Thi hành án dân sự).
    parent_body: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: Locality in dated lines ("Kiên Giang, ngày …").
    locality: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    #: The date service left is counted from (planning age); today when unset.
    reference_on: so.Mapped[date | None] = so.mapped_column()
    created_dt: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    members: so.Mapped[list[Member]] = owned("unit", "Member.seq")

    def departments(self) -> list[str]:
        """The phòng and chi cục named in the register, in register order."""
        seen: dict[str, None] = {}
        for m in self.members:
            if m.department:
                seen.setdefault(m.department, None)
        return list(seen)


class Member(Particulars, Model):
    """One person of the unit's register."""

    __tablename__ = "members"
    repr_columns = ("id", "unit_id", "name")
    __table_args__ = (
        sa.CheckConstraint(f"status IN {MEMBER_STATUSES!r}", name="ck_members_status"),
        sa.CheckConstraint("sex IS NULL OR sex IN ('male', 'female')", name="ck_members_sex"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    unit_id: so.Mapped[int] = parent_id("units")
    #: Register order, as imported or typed.
    seq: so.Mapped[int] = so.mapped_column()
    # name, birth_year, birth_month, sex: Particulars.
    ethnicity: so.Mapped[str] = so.mapped_column(sa.String(50), default="")
    #: Professional qualification (trình độ chuyên môn), e.g. "Cử nhân Luật".
    qualification: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: Political theory level (lý luận chính trị): sơ cấp, trung cấp, cao cấp, cử nhân.
    political_theory: so.Mapped[str] = so.mapped_column(sa.String(50), default="")
    #: The planning dossier is complete (None: not checked yet).
    dossier_complete: so.Mapped[bool | None] = so.mapped_column()
    #: Current post (chức vụ), e.g. "Phó Trưởng phòng Tổ chức cán bộ".
    post: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: The phòng or chi cục the person works in ("" for the Cục's leadership).
    department: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: Role tags of the ruleset, space-separated ("phong-head party-committee").
    roles: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="serving")

    unit: so.Mapped[Unit] = so.relationship(back_populates="members")
    disciplines: so.Mapped[list[Discipline]] = owned("member", "Discipline.decided_on")

    @property
    def role_tags(self) -> set[str]:
        return set(self.roles.split())

    @property
    def serving(self) -> bool:
        return self.status == "serving"


class Discipline(Model):
    """A disciplinary measure: its form, when it was decided and until when it has effect."""

    __tablename__ = "disciplines"
    repr_columns = ("id", "member_id", "form")

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    member_id: so.Mapped[int] = parent_id("members")
    #: The form as the ruleset names it ("khiển trách", "cảnh cáo", …).
    form: so.Mapped[str] = so.mapped_column(sa.String(50))
    decided_on: so.Mapped[date] = so.mapped_column()
    #: Last day of effect; None while the effect has no set end.
    effect_until: so.Mapped[date | None] = so.mapped_column()
    decision: so.Mapped[str] = so.mapped_column(sa.String(200), default="")

    member: so.Mapped[Member] = so.relationship(back_populates="disciplines")

    def in_effect(self, on: date) -> bool:
        return self.decided_on <= on and (self.effect_until is None or on <= self.effect_until)
