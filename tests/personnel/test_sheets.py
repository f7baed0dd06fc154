"""The register as XLSX and CSV: export, re-import unchanged, bad files refused whole."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from flask import Flask
from openpyxl import load_workbook

from tests.conftest import Api
from voting.extensions import db
from voting.personnel.models import Member

REGISTER = (
    "Phạm Thị Yến; 04/1978; Nữ; Trưởng phòng; Phòng Tổ chức cán bộ; phong-head party-committee\n"
    "Đặng Văn Khoa; 1988; Nam; Chuyên viên; Phòng Tổ chức cán bộ\n"
)


def make_unit(api: Api, name: str) -> str:
    r = api.client.post("/register", data={"name": name, "csrf_token": api.csrf})
    assert r.status_code == 302
    return r.headers["Location"]


def upload(api: Api, url: str, filename: str, data: bytes, query: str = "") -> str:
    r = api.client.post(
        f"{url}/import{query}",
        data={"file": (io.BytesIO(data), filename), "csrf_token": api.csrf},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_export_and_reimport_round_trip(app: Flask, chair_api: Api) -> None:
    first = make_unit(chair_api, "Cục A")
    chair_api.client.post(first, data={"register": REGISTER, "csrf_token": chair_api.csrf})
    xlsx = chair_api.get(f"{first}/register.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["Họ và tên", "Tháng/năm sinh", "Giới tính"]
    assert rows[1][:3] == ["Phạm Thị Yến", "04/1978", "Nữ"]
    csv_bytes = chair_api.get(f"{first}/register.csv").data
    assert csv_bytes.startswith("\ufeff".encode())

    for fmt, data in (("xlsx", xlsx.data), ("csv", csv_bytes)):
        url = make_unit(chair_api, f"Cục {fmt}")
        page = upload(chair_api, url, f"nhan-su.{fmt}", data)
        assert "2" in page and "Đặng Văn Khoa" in page
    with app.app_context():
        people = db.session.scalars(sa.select(Member).order_by(Member.id)).all()
        fields = [
            (m.name, m.birth_year, m.birth_month, m.sex, m.department, m.roles, m.status)
            for m in people
        ]
    assert fields[0:2] == fields[2:4] == fields[4:6]


def test_a_file_with_bad_rows_imports_nobody_and_names_each_row(app: Flask, chair_api: Api) -> None:
    url = make_unit(chair_api, "Cục B")
    data = (
        "Họ và tên,Tháng/năm sinh,Giới tính,Vai trò\n"
        "Lê Văn A,1980,Nam,\n"
        "Trần Thị B,13/1985,Nữ,\n"
        "Đỗ Văn C,1990,X,\n"
        "Ngô D,1991,Nam,vua\n"
    ).encode()
    page = upload(chair_api, url, "nhan-su.csv", data, "?lang=vi")
    errors = re.findall(r'class="flash flash-error">([^<]*)<', page)
    assert len(errors) == 4  # the summary and one line per bad row
    assert any("Dòng 3" in e for e in errors) and any("Dòng 4" in e for e in errors)
    assert any("Dòng 5" in e for e in errors)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0
    page = upload(chair_api, url, "nhan-su.xlsx", b"not a workbook")
    assert "XLSX" in page
