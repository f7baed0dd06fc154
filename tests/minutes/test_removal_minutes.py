"""A removal vote's minutes word the result as the screen does (issue 19).

The result cell of someone not proposed for removal read a bare "Không" in the DOCX and
PDF while the screen said "Không đề xuất"; both now come from voting/minutes/tables.py's
``verdict`` and say "Đề xuất đưa ra khỏi quy hoạch" / "Không đề xuất".
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from docx import Document
from flask import Flask
from pypdf import PdfReader

from tests.conftest import Api, token_of
from tests.minutes._export_scene import locked_b3

PROPOSED = "Đề xuất đưa ra khỏi quy hoạch"
NOT_PROPOSED = "Không đề xuất"


def locked_removal(
    app: Flask, chair_api: Api, make: Callable[..., dict[str, Any]]
) -> dict[str, Any]:
    """A locked annual-review B1 of 7 present: Tâm proposed for removal by all, the others
    by nobody."""
    conf = make(step=("cuc", "annual-local", "B1"), summoned=7)
    phone = app.test_client()
    for url in conf["tokens"]:
        r = phone.post("/api/v1/ballots", json={"token": token_of(url), "choices": {"p1": ["c1"]}})
        assert r.status_code in (200, 201), r.get_json()
    base = f"/api/v1/conferences/{conf['id']}"
    assert chair_api.post(f"{base}/close").status_code == 200
    assert chair_api.post(f"{base}/lock").status_code == 200
    return conf


def _docx_result_cells(chair_api: Api, conf_id: str, kind: str) -> list[str]:
    """The 'Kết quả' column of every table that has one."""
    r = chair_api.get(f"/c/{conf_id}/minutes/{kind}.docx")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    cells: list[str] = []
    for table in Document(io.BytesIO(r.get_data())).tables:
        head = [c.text.strip() for c in table.rows[0].cells]
        if "Kết quả" in head:
            column = head.index("Kết quả")
            cells.extend(row.cells[column].text.strip() for row in table.rows[1:])
    return cells


def _pdf_text(chair_api: Api, conf_id: str, kind: str) -> str:
    r = chair_api.get(f"/c/{conf_id}/minutes/{kind}.pdf")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    reader = PdfReader(io.BytesIO(r.get_data()))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.mark.parametrize("kind", ["counting", "conference"])
def test_removal_minutes_say_not_proposed_never_a_bare_no(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]], kind: str
) -> None:
    conf = locked_removal(app, chair_api, create_conference)
    cells = _docx_result_cells(chair_api, conf["id"], kind)
    assert cells == [PROPOSED, NOT_PROPOSED, NOT_PROPOSED]

    text = _pdf_text(chair_api, conf["id"], kind)
    assert PROPOSED in text and "đề xuất đưa ra khỏi quy hoạch: Lê Thị Phương Tâm" in text
    assert text.count(NOT_PROPOSED) >= 2
    # A result cell is followed by the next row's number or the table's end; a bare
    # "Không" there is the old wording.
    assert not re.search(r"\bKhông (?=\d|Chức danh|IV\.)", text), text

    # The screen's result table says the same words.
    page = chair_api.get(f"/c/{conf['id']}").get_data(as_text=True)
    assert PROPOSED in page and NOT_PROPOSED in page


def test_nomination_minutes_keep_pass_and_fail(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = locked_b3(app, chair_api, create_conference)
    cells = _docx_result_cells(chair_api, conf["id"], "counting")
    assert cells[:2] == ["Đạt", "Không đạt"]
    assert "quy hoạch" not in " ".join(cells)
