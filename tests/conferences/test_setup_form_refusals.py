"""The set-up form refuses a pasted list on its field and keeps what was typed (issue 19)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.conftest import Api
from voting.conferences.models import find_conference


def test_a_committee_name_off_the_roster_keeps_the_edit_form(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(open_it=False)
    data = {
        "step": "cuc/term/B3",
        "title": "Tên hội nghị vừa gõ",
        "held_on": "2026-11-24",
        "place": "Phòng họp số 2",
        "roster": "Người dự 1; Trưởng phòng\nNgười dự 2; Trưởng phòng",
        "committee_head": "Người dự 1",
        "committee_members": "Người không có tên",
        "positions": "## Phó Cục trưởng | 1\nLê Thị Phương Tâm; 1982",
    }
    r = chair_api.client.post(
        f"/c/{conf['id']}/edit?lang=vi", data=data, headers={"X-CSRFToken": chair_api.csrf}
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Người không có tên không có tên trong danh sách triệu tập." in page
    assert 'id="committee_members-error"' in page
    assert "Tên hội nghị vừa gõ" in page and "Phòng họp số 2" in page
    assert "Người không có tên</textarea>" in page
    with app.app_context():
        stored = find_conference(conf["id"])
        assert stored is not None
        assert stored.title == conf["title"] and len(stored.people) == len(conf["people"])


def test_a_wrong_head_is_shown_on_the_head_field_of_a_new_conference(chair_api: Api) -> None:
    data = {
        "step": "cuc/term/B3",
        "title": "Hội nghị mới",
        "held_on": "2026-11-24",
        "roster": "Người dự 1\nNgười dự 2",
        "committee_head": "Ai đó",
        "positions": "## Phó Cục trưởng | 1\nLê Thị Phương Tâm",
    }
    r = chair_api.client.post(
        "/conferences/new?lang=vi", data=data, headers={"X-CSRFToken": chair_api.csrf}
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert 'id="committee_head-error"' in page and "Hội nghị mới" in page
