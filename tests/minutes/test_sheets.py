"""The result as XLSX and CSV: the same rows as the minutes, Vietnamese intact."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from flask import Flask
from openpyxl import load_workbook

from tests.conftest import Api
from tests.minutes._export_scene import locked_b3

TAM = ["Phó Cục trưởng", 1, "Lê Thị Phương Tâm", 1982, "Phó Trưởng phòng", 3, 4, "42,86"]
PHUC = ["Phó Cục trưởng", 2, "Nguyễn Hoàng Phúc", 1979, "Trưởng phòng", 2, 5, "28,57"]


def test_results_xlsx(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = locked_b3(app, chair_api, create_conference)
    r = chair_api.get(f"/c/{conf['id']}/results.xlsx")
    assert r.status_code == 200
    assert r.mimetype.endswith("spreadsheetml.sheet")
    assert r.headers["Content-Disposition"] == (f'attachment; filename="ket-qua-{conf["id"]}.xlsx"')
    book = load_workbook(io.BytesIO(r.get_data()))
    assert book.sheetnames == ["Kết quả", "Tổng hợp"]
    rows = list(book["Kết quả"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Chức danh", "STT", "Họ và tên")
    assert list(rows[1]) == [*TAM, 42.86, "Có", "Có", "Đạt"]
    assert list(rows[2]) == [*PHUC, 28.57, "Không", "Không", "Không đạt"]
    assert len(rows) == 3

    summary = dict(book["Tổng hợp"].iter_rows(values_only=True))
    assert summary["Hội nghị"] == "Hội nghị bước B3"
    assert summary["Bước"] == "B3"
    assert summary["Nguyên tắc"] == (
        "Đạt khi số phiếu đồng ý từ 30% trở lên so với tổng số người có mặt"
    )
    assert summary["Tỷ lệ tính trên"] == "số người có mặt"
    assert summary["Số người có mặt"] == 7
    assert summary["Số phiếu đồng ý cần đạt"] == 3
    assert summary["Số phiếu hợp lệ"] == 7
    digest = chair_api.get(f"/api/v1/conferences/{conf['id']}").get_json()["result_sha256"]
    assert summary["Mã kiểm tra (SHA-256) của kết quả đã khóa"] == digest


def test_results_csv(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = locked_b3(app, chair_api, create_conference)
    r = chair_api.get(f"/c/{conf['id']}/results.csv")
    assert r.status_code == 200
    assert r.mimetype == "text/csv"
    assert r.headers["Content-Disposition"] == (f'attachment; filename="ket-qua-{conf["id"]}.csv"')
    data = r.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Chức danh", "STT", "Họ và tên"]
    assert rows[1] == [*map(str, TAM), "42.86", "Có", "Có", "Đạt"]
    assert rows[2] == [*map(str, PHUC), "28.57", "Không", "Không", "Không đạt"]
    assert len(rows) == 3


def test_sheets_need_a_closed_ballot(
    chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=3)
    assert chair_api.get(f"/c/{conf['id']}/results.xlsx").status_code == 409
    assert chair_api.get(f"/c/{conf['id']}/results.csv").status_code == 409
