"""The result as a spreadsheet (XLSX, openpyxl) and as CSV, from the minutes' view.

Pure: both take ``minutes_view(conference_document(conference))`` and return bytes.
One table with a position column; the percentage both as Vietnamese text ("42,86")
and as a number. The CSV is UTF-8 with a BOM so Excel shows Vietnamese correctly.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from voting.minutes.layout import base_phrase, percent_text, verdict
from voting.validation import csv_cell, xlsx_text_cells

HEADINGS = [
    "Chức danh",
    "STT",
    "Họ và tên",
    "Năm sinh",
    "Chức vụ/đơn vị",
    "Số phiếu đồng ý",
    "Số phiếu không đồng ý",
    "Tỷ lệ %",
    "Tỷ lệ % (số)",
    "Đạt",
    "Được lựa chọn",
    "Kết quả",
]


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _yes(value: bool) -> str:
    return "Có" if value else "Không"


def result_rows(m: dict[str, Any]) -> list[list[Any]]:
    """One row per candidate, in rank order within each position."""
    rule = m["doc"]["rule"]
    rows: list[list[Any]] = []
    for p in m["positions"]:
        for row in p["rows"]:
            post = ", ".join(part for part in (row.get("post"), row.get("unit")) if part)
            rows.append(
                [
                    p["name"],
                    row["rank"],
                    row["name"],
                    row.get("birth_year") or "",
                    post,
                    row["agree"],
                    row["disagree"],
                    percent_text(row["percent"]),
                    float(Decimal(str(row["percent"]))),
                    _yes(row["passes"]),
                    _yes(row["selected"]),
                    verdict(rule, p, row),
                ]
            )
    return rows


def summary_rows(m: dict[str, Any], digest: str | None) -> list[tuple[str, Any]]:
    doc, conf, d = m["doc"], m["doc"]["conference"], m["decision"]
    tokens = doc["tokens"]
    return [
        ("Hội nghị", conf["title"]),
        ("Cơ quan cấp trên", conf.get("parent_body") or ""),
        ("Đơn vị", conf.get("unit") or ""),
        ("Ngày", conf["held_on"]),
        ("Địa điểm", conf.get("place") or ""),
        ("Bước", conf["step"]),
        ("Nguyên tắc", doc["rule"]["sentence"]["vi"]),
        ("Căn cứ", doc["rule"]["citation"]),
        ("Tỷ lệ tính trên", base_phrase(d["base"])),
        ("Số người làm căn cứ", d["base_count"]),
        ("Số phiếu đồng ý cần đạt", d["votes_needed"]),
        ("Số người được triệu tập", doc["attendance"]["summoned"]),
        ("Số người có mặt", doc["attendance"]["present"]),
        ("Số phiếu phát ra", tokens["issued"] - tokens["voided"]),
        ("Số phiếu hủy và cấp lại", tokens["voided"]),
        ("Số phiếu thu về", d["ballots"]["received"]),
        ("Số phiếu hợp lệ", d["ballots"]["valid"]),
        ("Số phiếu không hợp lệ", d["ballots"]["invalid"]),
        (
            "Mã kiểm tra (SHA-256) của kết quả đã khóa",
            digest or "Chưa khóa (bản xem trước)",
        ),
    ]


def results_xlsx(m: dict[str, Any], *, digest: str | None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Kết quả"
    sheet.append(HEADINGS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in result_rows(m):
        sheet.append(row)
    percent_col = HEADINGS.index("Tỷ lệ % (số)") + 1
    for (cell,) in sheet.iter_rows(min_row=2, min_col=percent_col, max_col=percent_col):
        cell.number_format = "0.00"
    widths = [22, 6, 28, 10, 30, 12, 12, 10, 12, 8, 12, 24]
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"

    summary = book.create_sheet("Tổng hợp")
    for key, value in summary_rows(m, digest):
        summary.append([key, value])
    for cell in summary["A"]:
        cell.font = Font(bold=True)
    summary.column_dimensions["A"].width = 42
    summary.column_dimensions["B"].width = 80
    # Names are typed by people: none may become a live formula (=HYPERLINK…).
    xlsx_text_cells(sheet)
    xlsx_text_cells(summary)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def results_csv(m: dict[str, Any]) -> bytes:
    """The result rows as CSV: comma-separated, quoted where needed, UTF-8 with BOM."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(HEADINGS)
    number = HEADINGS.index("Tỷ lệ % (số)")
    for row in result_rows(m):
        row[number] = f"{row[number]:.2f}"  # '42.86': a machine-readable number
        # A name such as '+1+2' or '@SUM(1,1)' would be evaluated when opened.
        writer.writerow([csv_cell(cell) for cell in row])
    return text.getvalue().encode("utf-8-sig")
