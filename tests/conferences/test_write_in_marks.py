"""The chair's page tells a write-in from a listed candidate (issue 19)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.conftest import Api, token_of

MARK = "được giới thiệu thêm tại hội nghị"
POSITIONS = [
    {
        "name": "Phó Cục trưởng",
        "quota": 1,
        "candidates": [
            {"name": "Lê Thị Phương Tâm", "birth_year": 1982},
            {"name": "Trần Văn Thêm", "birth_year": 1984, "write_in": True},
        ],
    }
]


def _row(page: str, name: str) -> str:
    found = re.search(rf"<tr(?:(?!</tr>).)*?{name}.*?</tr>", page, re.S)
    assert found, name
    return found.group(0)


def test_write_ins_are_marked_on_the_live_tally_and_the_result(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(positions=POSITIONS, summoned=5)
    page = chair_api.get(f"/c/{conf['id']}?lang=vi").get_data(as_text=True)
    assert MARK in _row(page, "Trần Văn Thêm") and MARK not in _row(page, "Lê Thị Phương Tâm")
    assert "data-write-in-note" in page

    phone = app.test_client()
    for token in conf["tokens"]:
        r = phone.post(
            "/api/v1/ballots", json={"token": token_of(token), "choices": {"p1": ["c2"]}}
        )
        assert r.status_code == 201, r.get_json()
    assert chair_api.post(f"/api/v1/conferences/{conf['id']}/close").status_code == 200
    page = chair_api.get(f"/c/{conf['id']}?lang=vi").get_data(as_text=True)
    assert MARK in _row(page, "Trần Văn Thêm") and "data-write-in-note" in page


def test_no_note_without_write_ins(
    chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference()
    page = chair_api.get(f"/c/{conf['id']}?lang=vi").get_data(as_text=True)
    assert MARK not in page and "data-write-in-note" not in page


def test_the_projector_marks_write_ins(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """The room sees the same mark as the chair once the result is shown."""
    conf = create_conference(positions=POSITIONS, summoned=5)
    phone = app.test_client()
    for i, token in enumerate(conf["tokens"]):
        choices = {"p1": ["c1" if i % 2 else "c2"]}
        r = phone.post("/api/v1/ballots", json={"token": token_of(token), "choices": choices})
        assert r.status_code == 201, r.get_json()
    assert chair_api.post(f"/api/v1/conferences/{conf['id']}/close").status_code == 200
    page = chair_api.get(f"/c/{conf['id']}/projector?lang=vi").get_data(as_text=True)
    rows = re.findall(r'<li class="chart-row.*?</li>', page, re.S)
    assert len(rows) == 2
    marked = [row for row in rows if "data-write-in" in row]
    assert len(marked) == 1 and "Trần Văn Thêm" in marked[0] and MARK in marked[0]
