"""Hostile text through every input path: refused naming the field, or stored in NFC
and exported so that no spreadsheet evaluates it and no writer fails (issue 15, item 5).

The run prints how many inputs were tried and how many answers were 5xx (must be 0).
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
import zipfile
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask
from openpyxl import load_workbook

from tests.conftest import Api, conference_payload
from tests.minutes._export_scene import locked_b3
from tests.personnel.test_sheets import make_unit, upload
from voting.conferences.models import Candidate
from voting.extensions import db
from voting.minutes.docx import minutes_docx
from voting.minutes.layout import Text
from voting.personnel.models import Member
from voting.personnel.sheets import MAX_CELLS, read_register
from voting.validation import bad_character, csv_cell

NFD = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
#: (text, refused?) — refused ones must come back 422 naming the field.
HOSTILE = [
    ("Lê\x00Văn", True),
    ("Lê\x01Văn", True),
    ("Lê\x0bVăn", True),  # Word's soft line break
    ("Lê\x1b[31mVăn", True),
    ("Lê\ufffeVăn", True),
    ("Lê\uffffVăn", True),
    ("Lê\ufdd0Văn", True),
    ("Lê\ud800Văn", True),  # a lone surrogate, sent by JSON as "\ud800"
    ("Lê\u202eVăn", True),  # a bidi override: the name reads backwards
    ("Lê\u200bVăn", True),  # a zero-width space: a look-alike name
    ("Lê\u2066Văn\u2069", True),
    ("Lê\nVăn", True),  # a line break in a one-line field
    (NFD, False),
    ('=HYPERLINK("http://evil.example","Bấm")', False),
    ("+1+2", False),
    ("@SUM(1,1)", False),
    ("-2+3", False),
    ("<script>alert(1)</script>", False),
    ("Ñ" * 5000, True),  # too long
]
FIVE_XX: list[str] = []
TRIED: list[str] = []


def _count(path: str, status: int) -> None:
    TRIED.append(path)
    if status >= 500:
        FIVE_XX.append(path)


def test_every_input_path_refuses_or_stores_nfc(app: Flask, chair_api: Api, capsys: Any) -> None:
    unit = make_unit(chair_api, "Cục thử")
    for text, refused in HOSTILE:
        # 1. The JSON API: a conference's title, a person's and a candidate's name.
        for where in ("title", "person", "candidate", "position"):
            payload = conference_payload()
            if where == "title":
                payload["title"] = text
            elif where == "person":
                payload["people"][2]["name"] = text
            elif where == "candidate":
                payload["positions"][0]["candidates"][0]["name"] = text
            else:
                payload["positions"][0]["name"] = text
            # json.dumps escapes a lone surrogate as the text "\ud800", as a client would.
            r = chair_api.client.post(
                "/api/v1/conferences",
                data=json.dumps(payload),
                content_type="application/json",
                headers={"X-CSRFToken": chair_api.csrf},
            )
            _count(f"api {where}", r.status_code)
            if "\ud800" in text:
                # The API refuses a body no database can store as a whole, first.
                assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_json"
            elif refused:
                assert r.status_code == 422, (where, repr(text), r.get_json())
                error = r.get_json()["error"]
                assert error["code"] == "invalid_field"
                assert error["details"]["field"] in ("title", "name"), error
            else:
                assert r.status_code == 201, (where, r.get_json())
                body = r.get_json()
                stored = {
                    "title": body["title"],
                    "person": body["people"][2]["name"],
                    "candidate": body["positions"][0]["candidates"][0]["name"],
                    "position": body["positions"][0]["name"],
                }[where]
                assert stored == unicodedata.normalize("NFC", text.strip())
        # 2. The set-up form (pasted roster). A form cannot carry a lone surrogate
        # (the browser encodes UTF-8); the CSV below sends its bytes undecodable.
        form_text = text.replace("\ud800", "\x00")
        form = chair_api.client.post(
            "/conferences/new",
            data={
                "csrf_token": chair_api.csrf,
                "step": "cuc/term/B3",
                "title": "Hội nghị",
                "held_on": "2026-11-23",
                "roster": f"{form_text}; Trưởng phòng\nTrần Văn B",
                "positions": "## Phó Cục trưởng | 1\nLê Thị Tâm",
            },
        )
        _count("form", form.status_code)
        # 3. The register: a pasted line, a CSV and an XLSX file.
        r = chair_api.client.post(
            unit, data={"register": f"{form_text}; 1980; Nam", "csrf_token": chair_api.csrf}
        )
        _count("register paste", r.status_code)
        data = f"Họ và tên,Tháng/năm sinh\n{text},1980\n".encode("utf-8", "surrogatepass")
        page = upload(chair_api, unit, "nhan-su.csv", data, "?lang=vi")
        _count("register csv", 200)
        if refused and "\ud800" not in text and "\n" not in text:  # a CSV line break is a row
            assert "Dòng 2" in page and "name" in page, repr(text)
        # 4. The JSON API's login with a hostile user name is a wrong guess, not a 500.
        r = chair_api.client.post(
            "/api/v1/session",
            data=json.dumps({"username": text, "password": text}),
            content_type="application/json",
        )
        _count("login", r.status_code)
        assert r.status_code in (400, 401, 429)
    with app.app_context():
        names = db.session.scalars(sa.select(Member.name)).all()
        names += db.session.scalars(sa.select(Candidate.name)).all()
    for name in names:
        assert bad_character(name) is None and unicodedata.is_normalized("NFC", name), repr(name)
    assert NFD not in names and unicodedata.normalize("NFC", NFD) in names
    with capsys.disabled():
        print(f"\nhostile text: {len(TRIED)} inputs tried, {len(FIVE_XX)} answers 5xx")
    assert FIVE_XX == []


def test_two_spellings_are_one_name_for_the_committee(chair_api: Api) -> None:
    nfc = "Nguyễn Thị Ánh"
    r = chair_api.client.post(
        "/conferences/new",
        data={
            "csrf_token": chair_api.csrf,
            "step": "cuc/term/B3",
            "title": "Hội nghị",
            "held_on": "2026-11-23",
            "roster": f"{unicodedata.normalize('NFD', nfc)}\nTrần Văn B\nLê C",
            "committee_head": nfc,
            "positions": "## Phó Cục trưởng | 1\nLê Thị Tâm",
        },
    )
    # Before NFC, the committee head (typed precomposed) was "not on the roster".
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]


def test_exports_hold_no_formula(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    import tests.minutes._export_scene as scene

    formula = '=HYPERLINK("http://evil.example","Bấm")'
    positions = [
        {
            **scene.POSITIONS[0],
            "candidates": [
                {**scene.POSITIONS[0]["candidates"][0], "name": formula},
                {**scene.POSITIONS[0]["candidates"][1], "name": "+1+2", "post": "@SUM(1,1)"},
            ],
        }
    ]
    old, scene.POSITIONS = scene.POSITIONS, positions
    try:
        conf = locked_b3(app, chair_api, create_conference)
    finally:
        scene.POSITIONS = old
    xlsx = chair_api.get(f"/c/{conf['id']}/results.xlsx")
    assert xlsx.status_code == 200
    sheet_xml = zipfile.ZipFile(io.BytesIO(xlsx.data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml  # no formula cell at all
    values = [
        c.value for row in load_workbook(io.BytesIO(xlsx.data)).active.iter_rows() for c in row
    ]
    assert formula in values
    rows = list(csv.reader(io.StringIO(chair_api.get(f"/c/{conf['id']}/results.csv").text)))
    cells = [c for row in rows for c in row]
    assert "'" + formula in cells and "'+1+2" in cells and "'@SUM(1,1)" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)


def test_a_stored_bad_character_does_not_break_the_documents(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = locked_b3(app, chair_api, create_conference)
    with app.app_context():
        # An older database, from before input refused it.
        db.session.execute(sa.update(Candidate).values(name="Lê\x0bThị\x00Tâm\ufffe"))
        db.session.commit()
    for path in ("minutes/bien-ban.docx", "results.xlsx", "results.csv", "dossier.zip"):
        r = chair_api.get(f"/c/{conf['id']}/{path}")
        assert r.status_code in (200, 404), (path, r.status_code)
    assert chair_api.get(f"/c/{conf['id']}/results.xlsx").status_code == 200
    assert minutes_docx([Text("Lê\x0bThị\x00Tâm\ud800")]).startswith(b"PK")


def test_csv_cell_escapes_every_formula_lead() -> None:
    for lead in ("=", "+", "-", "@", "\t"):
        assert csv_cell(f"{lead}1") == f"'{lead}1"
    assert csv_cell("\r=1") == "'=1"  # a stored CR is dropped, the formula still escaped
    assert csv_cell("Lê Văn") == "Lê Văn" and csv_cell(3) == 3


def test_a_zip_bomb_register_is_refused_before_parsing() -> None:
    import time

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", "<c/>" * 12_000_000)  # 48 MB unpacked
    start = time.monotonic()
    try:
        read_register("nhan-su.xlsx", out.getvalue())
    except Exception as exc:
        assert getattr(exc, "code", None) == "file_too_large", exc
    else:
        raise AssertionError("a zip bomb was read")
    assert time.monotonic() - start < 1


def test_a_register_declaring_too_many_cells_is_refused_fast() -> None:
    import time

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Họ và tên"])
    sheet.cell(row=MAX_CELLS, column=30, value="x")  # the dimension says A1:AD200000
    out = io.BytesIO()
    book.save(out)
    start = time.monotonic()
    try:
        read_register("nhan-su.xlsx", out.getvalue())
    except Exception as exc:
        assert getattr(exc, "code", None) == "file_too_large", exc
    else:
        raise AssertionError("an oversized sheet was read")
    assert time.monotonic() - start < 1
