"""The register as a spreadsheet: export to XLSX/CSV, import either back.

The columns carry Vietnamese headers (as the personnel division keeps them);
import maps them back to fields, so an exported file re-imports unchanged.
No Flask import.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook, load_workbook

from voting.errors import DomainError
from voting.personnel.models import Member

#: (field, header) in column order.
COLUMNS = [
    ("name", "Họ và tên"),
    ("birth", "Tháng/năm sinh"),
    ("sex", "Giới tính"),
    ("ethnicity", "Dân tộc"),
    ("post", "Chức vụ"),
    ("department", "Phòng, đơn vị"),
    ("qualification", "Trình độ chuyên môn"),
    ("political_theory", "Lý luận chính trị"),
    ("roles", "Vai trò"),
    ("status", "Trạng thái"),
    ("dossier_complete", "Hồ sơ đầy đủ"),
]
STATUS_VI = {
    "serving": "Đang công tác",
    "moved": "Đã chuyển công tác",
    "left": "Đã nghỉ việc",
    "deceased": "Đã từ trần",
}
SEX_VI = {"male": "Nam", "female": "Nữ"}
MAX_BYTES = 5 * 1024 * 1024


def member_row(m: Member) -> list[str]:
    birth = (
        f"{m.birth_month:02d}/{m.birth_year}"
        if m.birth_month and m.birth_year
        else str(m.birth_year or "")
    )
    dossier = {True: "Có", False: "Không"}.get(m.dossier_complete, "")  # type: ignore[arg-type]
    return [
        m.name,
        birth,
        SEX_VI.get(m.sex or "", ""),
        m.ethnicity,
        m.post,
        m.department,
        m.qualification,
        m.political_theory,
        m.roles,
        STATUS_VI[m.status],
        dossier,
    ]


def register_xlsx(members: list[Member]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách nhân sự"
    sheet.append([header for _field, header in COLUMNS])
    for m in members:
        sheet.append(member_row(m))
    for column, width in zip(
        "ABCDEFGHIJK", (26, 12, 9, 10, 30, 26, 22, 16, 28, 18, 12), strict=True
    ):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def register_csv(members: list[Member]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header for _field, header in COLUMNS])
    for m in members:
        writer.writerow(member_row(m))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _unreadable() -> DomainError:
    return DomainError(
        "invalid_file", "The file must be an XLSX or UTF-8 CSV register with its header row.", 422
    )


def read_register(filename: str, data: bytes) -> list[dict[str, Any]]:
    """Rows of an uploaded register as field dicts (validated later, all rows at once)."""
    if not data or len(data) > MAX_BYTES:
        raise _unreadable()
    if filename.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
            table = [
                ["" if cell is None else str(cell).strip() for cell in row]
                for row in sheet.iter_rows(values_only=True)
            ]
        except Exception:  # openpyxl raises many kinds on a file that is not XLSX
            raise _unreadable() from None
    else:
        try:
            text = data.decode("utf-8-sig")
            table = [
                [c.strip() for c in row]
                for row in csv.reader(
                    io.StringIO(text), delimiter=";" if text.count(";") > text.count(",") else ","
                )
            ]
        except (UnicodeDecodeError, csv.Error):
            raise _unreadable() from None
    if not table:
        raise _unreadable()
    by_header = {header.casefold(): field for field, header in COLUMNS}
    by_header.update({field: field for field, _header in COLUMNS})
    fields = [by_header.get(h.casefold()) for h in table[0]]
    if "name" not in fields:
        raise _unreadable()
    status_codes = {v.casefold(): k for k, v in STATUS_VI.items()}
    rows = []
    for cells in table[1:]:
        if not any(cells):
            continue
        row: dict[str, Any] = {}
        for field, value in zip(fields, cells, strict=False):
            if field == "birth":
                row["birth_year"] = value
            elif field == "status":
                row["status"] = status_codes.get(value.casefold(), value) if value else ""
            elif field is not None:
                row[field] = value
        rows.append(row)
    return rows
