"""The result as XLSX and CSV: the same rows as the minutes, Vietnamese intact; what the
minutes state besides the rows (the tie, the head's decision, the empty seats, the
absentees) and real dates."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask
from openpyxl import load_workbook

from tests.conftest import Api
from tests.minutes._export_scene import locked_b3, locked_b5_tie
from voting.conferences.models import Conference
from voting.extensions import db
from voting.minutes.report import conference_document, minutes_view
from voting.minutes.sheets import results_csv

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
    assert book.sheetnames == ["Kết quả", "Tổng hợp", "Vắng mặt"]
    rows = list(book["Kết quả"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Chức danh", "STT", "Họ và tên")
    assert rows[0][-2:] == ("Bằng phiếu ở vị trí cuối", "Quyết định của Thủ trưởng đơn vị")
    # The new columns come last (the issue adds the tie and the head's decision): no tie here.
    assert list(rows[1]) == [*TAM, 42.86, "Có", "Có", "Đạt", "Không", None]
    assert list(rows[2]) == [*PHUC, 28.57, "Không", "Không", "Không đạt", "Không", None]
    assert len(rows) == 3

    summary = dict(book["Tổng hợp"].iter_rows(values_only=True))
    # A real date cell, shown as a Vietnamese form writes it; not the text "2026-11-23".
    cells = {row[0].value: row[1] for row in book["Tổng hợp"].iter_rows()}
    assert cells["Ngày"].is_date and cells["Ngày"].number_format == "dd/mm/yyyy"
    assert summary["Ngày"] == datetime(2026, 11, 23)
    for moment in ("Bắt đầu bỏ phiếu", "Kết thúc bỏ phiếu", "Khóa kết quả"):
        assert cells[moment].is_date and cells[moment].number_format == "dd/mm/yyyy hh:mm"
    # Quota 2, one passes: the empty seat is stated.
    assert summary["Số lượng quy hoạch — Phó Cục trưởng"] == 2
    assert summary["Số chỗ chưa có người — Phó Cục trưởng"] == 1
    assert summary["Ghi chú — Phó Cục trưởng"] == (
        "Số lượng quy hoạch 02 (hai) người, có 01 (một) người đạt; còn 01 (một) chỗ chưa có người."
    )
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
    # Exactly once: it was served as "text/csv; charset=utf-8; charset=utf-8".
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"] == (f'attachment; filename="ket-qua-{conf["id"]}.csv"')
    data = r.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Chức danh", "STT", "Họ và tên"]
    assert rows[1] == [*map(str, TAM), "42.86", "Có", "Có", "Đạt", "Không", ""]
    assert rows[2] == [*map(str, PHUC), "28.57", "Không", "Không", "Không đạt", "Không", ""]
    # Then the summary and the absentees, each after an empty line and its title.
    assert rows[3] == [] and rows[4] == ["Tổng hợp"]
    summary = {row[0]: row[1] for row in rows[5:] if len(row) == 2}
    assert summary["Ngày"] == "23/11/2026"
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", summary["Khóa kết quả"])
    assert summary["Số chỗ chưa có người — Phó Cục trưởng"] == "1"
    assert ["Người vắng mặt"] in rows


def test_the_tie_and_the_head_decision_in_xlsx_and_csv(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = locked_b5_tie(app, chair_api, create_conference)
    book = load_workbook(io.BytesIO(chair_api.get(f"/c/{conf['id']}/results.xlsx").get_data()))
    rows = [row[2:3] + row[-2:] for row in book["Kết quả"].iter_rows(values_only=True)]
    assert rows[1:] == [
        ("Lê Thị Phương Tâm", "Không", None),
        ("Nguyễn Hoàng Phúc", "Có", "Được lựa chọn"),
        ("Trương Ngọc Ánh", "Có", "Không lựa chọn"),
    ]
    summary = dict(book["Tổng hợp"].iter_rows(values_only=True))
    assert summary["Thủ trưởng đơn vị quyết định"] == "Cục trưởng"
    assert isinstance(summary["Thời điểm quyết định"], datetime)
    assert summary["Thủ trưởng lựa chọn — Phó Cục trưởng"] == "Nguyễn Hoàng Phúc"
    tie = summary["Bằng phiếu — Phó Cục trưởng"]
    assert "(Nguyễn Hoàng Phúc, Trương Ngọc Ánh)" in tie
    assert tie.endswith("Cục trưởng đã xem xét, quyết định lựa chọn: Nguyễn Hoàng Phúc.")

    data = chair_api.get(f"/c/{conf['id']}/results.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    assert [row[2:3] + row[-2:] for row in rows[1:4]] == [
        ["Lê Thị Phương Tâm", "Không", ""],
        ["Nguyễn Hoàng Phúc", "Có", "Được lựa chọn"],
        ["Trương Ngọc Ánh", "Có", "Không lựa chọn"],
    ]
    summary = {row[0]: row[1] for row in rows if len(row) == 2}
    assert summary["Thủ trưởng đơn vị quyết định"] == "Cục trưởng"
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", summary["Thời điểm quyết định"])
    assert summary["Thủ trưởng lựa chọn — Phó Cục trưởng"] == "Nguyễn Hoàng Phúc"
    assert summary["Bằng phiếu — Phó Cục trưởng"] == tie


def test_the_absentees_and_their_reasons_in_xlsx_and_csv(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = locked_b3(app, chair_api, create_conference, absent=2)
    book = load_workbook(io.BytesIO(chair_api.get(f"/c/{conf['id']}/results.xlsx").get_data()))
    assert dict(book["Tổng hợp"].iter_rows(values_only=True))["Số người vắng mặt"] == 2
    assert list(book["Vắng mặt"].iter_rows(values_only=True)) == [
        ("STT", "Họ và tên", "Chức vụ", "Lý do vắng mặt"),
        (1, "Người dự 8", "Trưởng phòng", "Đi công tác"),
        (2, "Người dự 9", "Trưởng phòng", "Đi công tác"),
    ]
    data = chair_api.get(f"/c/{conf['id']}/results.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    heading = rows.index(["STT", "Họ và tên", "Chức vụ", "Lý do vắng mặt"])
    assert rows[heading - 1] == ["Người vắng mặt"]
    assert rows[heading + 1 :] == [
        ["1", "Người dự 8", "Trưởng phòng", "Đi công tác"],
        ["2", "Người dự 9", "Trưởng phòng", "Đi công tác"],
    ]

    # A blank reason (a row from before reasons were asked for, or the chair's "none
    # given") is said to be unrecorded, as the minutes say it.
    with app.app_context():
        conference = db.session.scalar(
            sa.select(Conference).where(Conference.public_id == conf["id"])
        )
        view = minutes_view(conference_document(conference))
    view["absent"][0]["absence_reason"] = ""
    rows = list(csv.reader(io.StringIO(results_csv(view).decode("utf-8-sig"))))
    assert rows[-2] == ["1", "Người dự 8", "Trưởng phòng", "(chưa ghi lý do)"]


def test_sheets_need_a_closed_ballot(
    chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=3)
    assert chair_api.get(f"/c/{conf['id']}/results.xlsx").status_code == 409
    assert chair_api.get(f"/c/{conf['id']}/results.csv").status_code == 409
