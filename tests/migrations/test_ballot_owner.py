"""Revision 0014: a conference a planning step already links to is the process's."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from voting.auth.models import User
from voting.conferences.models import Conference
from voting.extensions import db
from voting.personnel.models import Unit
from voting.planning.models import Process, ProcessStep
from voting.schema import downgrade, upgrade


def _conference(owner: User, key: str) -> Conference:
    return Conference(
        public_id=key,
        owner_id=owner.id,
        level="cuc",
        flow="term",
        step="B3",
        ruleset_ref="test@1",
        rule_id="test",
        rule_json="{}",
        title=key,
        held_on=date(2026, 11, 5),
        status="draft",
    )


def test_upgrade_marks_the_conferences_of_process_steps(app: Flask) -> None:
    with app.app_context():
        owner = db.session.scalar(sa.select(User).where(User.username == "chair"))
        assert owner is not None
        unit = Unit(name="Cục THADS tỉnh Kiên Giang")
        from_step, own = _conference(owner, "from-step"), _conference(owner, "own")
        db.session.add_all([unit, from_step, own])
        db.session.flush()
        steps = [
            ProcessStep(seq=1, step="B3", status="current", conference_id=from_step.id),
            ProcessStep(seq=2, step="B4", status="pending"),
        ]
        db.session.add(
            Process(
                public_id="p-0014",
                owner_id=owner.id,
                unit_id=unit.id,
                level="cuc",
                flow="term",
                department="",
                period="2026-2031",
                title="Quy hoạch",
                ruleset_ref="test@1",
                status="active",
                steps=steps,
            )
        )
        db.session.commit()
        ids = {"from-step": from_step.id, "own": own.id}
        db.session.remove()

        downgrade(revision="0013")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("conferences")}
        assert "ballot_owner" not in columns
        upgrade()

        owners = dict(db.session.execute(sa.select(Conference.id, Conference.ballot_owner)).all())
        assert owners == {ids["from-step"]: "process", ids["own"]: "chair"}
        # Nothing that hangs on a conference went with the column (no table rebuilt).
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProcessStep)) == 2
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(
                sa.update(Conference).where(Conference.id == ids["own"]).values(ballot_owner="x")
            )
            db.session.flush()
        db.session.rollback()
