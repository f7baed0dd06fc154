"""The demo gives a new user a unit to plan with, and loads only once.

It also shows issue 9's checks on real pages: the B3 candidate list flags the
over-age and the disciplined person with their reasons, the automatic-exit page
lists them, and the approved list shows its structure with percentages.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask

from tests.conftest import Api
from voting.demo import (
    APPROVED_2025,
    CUC_PROCESS_TITLE,
    DISCIPLINED,
    OVER_AGE,
    PROCESS_TITLE,
    load_demo,
)
from voting.extensions import db
from voting.personnel.models import Unit
from voting.planning.models import PlanningEntry, Process


def test_demo_unit_list_and_processes(app: Flask) -> None:
    with app.app_context():
        first = load_demo()
        again = load_demo()
        assert first.id == again.id
        unit = db.session.scalars(sa.select(Unit)).one()
        assert len(unit.members) == 17
        assert "Phòng Tổ chức cán bộ" in unit.departments()
        entries = db.session.scalars(sa.select(PlanningEntry)).all()
        assert sorted((e.position_name, e.name) for e in entries) == sorted(APPROVED_2025)
        processes = {p.title: p for p in db.session.scalars(sa.select(Process))}
        assert set(processes) == {PROCESS_TITLE, CUC_PROCESS_TITLE}
        phong = processes[PROCESS_TITLE]
        assert [s.status for s in phong.steps] == ["current"] + ["pending"] * 5
        cuc = processes[CUC_PROCESS_TITLE]
        assert [s.status for s in cuc.steps][:3] == ["done", "done", "current"]


def test_demo_shows_flags_exits_and_structure(app: Flask) -> None:
    with app.app_context():
        load_demo()
        cuc = db.session.scalar(sa.select(Process).where(Process.title == CUC_PROCESS_TITLE))
        url = f"/p/{cuc.public_id}"
    chutri = Api(app.test_client()).login("chutri", "chutri123")
    page = chutri.get(url + "?lang=vi").get_data(as_text=True)
    b3 = page[page.index('id="form-B3-conference"') :]
    over = b3[b3.index(f'data-person="{OVER_AGE}"') :][:1500]
    assert 'data-flag="over-age"' in over and "Quá tuổi quy hoạch" in over
    assert re.search(r"còn -?\d+ tháng công tác", over)
    disciplined = b3[b3.index(f'data-person="{DISCIPLINED}"') :][:1500]
    assert 'data-flag="discipline"' in disciplined and "khiển trách" in disciplined
    # Both need the chair's decision: keep or leave off the ballot.
    assert b3.count('value="keep" required') == 2

    exits = chutri.get("/planning/exits?lang=vi").get_data(as_text=True)
    assert f'data-person="{OVER_AGE}"' in exits and f'data-person="{DISCIPLINED}"' in exits
    assert 'data-person="Phạm Thị Yến"' not in exits

    listing = chutri.get("/planning?lang=vi").get_data(as_text=True)
    assert "data-exits>2<" in listing
    women = re.search(r'data-share="women">(\d+) · ([\d,]+)%', listing)
    assert women and (women.group(1), women.group(2)) == ("2", "50,00")  # Yến and Hoa of 4
    young = re.search(r'data-share="young">(\d+) · ([\d,]+)%', listing)
    assert young and young.group(1) == "0"
    assert 'data-warning="young-below-target"' in listing
