"""The demo gives a new user a unit to plan with, and loads only once."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from voting.demo import APPROVED_2025, PROCESS_TITLE, load_demo
from voting.extensions import db
from voting.personnel.models import Unit
from voting.planning.models import PlanningEntry, Process


def test_demo_unit_list_and_process(app: Flask) -> None:
    with app.app_context():
        first = load_demo()
        again = load_demo()
        assert first.id == again.id
        unit = db.session.scalars(sa.select(Unit)).one()
        assert len(unit.members) == 14
        assert "Phòng Tổ chức cán bộ" in unit.departments()
        entries = db.session.scalars(sa.select(PlanningEntry)).all()
        assert sorted((e.position_name, e.name) for e in entries) == sorted(APPROVED_2025)
        process = db.session.scalars(sa.select(Process)).one()
        assert process.title == PROCESS_TITLE
        assert [s.status for s in process.steps] == ["current"] + ["pending"] * 5
