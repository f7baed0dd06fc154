"""The register as a spreadsheet: export to XLSX/CSV, import either back.

The columns carry Vietnamese headers (as the personnel division keeps them);
import maps them back to fields, so an exported file re-imports unchanged.
No Flask import.
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from voting.errors import DomainError
from voting.personnel.models import Member
from voting.validation import csv_cell, xlsx_text_cells

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
#: An XLSX is a zip: 1 MB of it can hold 10 million cells, which openpyxl took
#: 142 s to read (casts slowed meanwhile). Both caps are read from the zip's
#: directory and the sheet's <dimension> before a cell is parsed; the biggest
#: register (5000 people, a dozen columns) is far below them.
MAX_UNPACKED = 40 * 1024 * 1024
MAX_CELLS = 200_000
MAX_COLUMNS = 40


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
    from openpyxl import Workbook  # on first use, as in voting.minutes.sheets

    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách nhân sự"
    sheet.append([header for _field, header in COLUMNS])
    for m in members:
        sheet.append(member_row(m))
    # Names are typed by people: none may become a live formula (=HYPERLINK…).
    xlsx_text_cells(sheet)
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
        writer.writerow([csv_cell(cell) for cell in member_row(m)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _unreadable() -> DomainError:
    return DomainError(
        "invalid_file", "The file must be an XLSX or UTF-8 CSV register with its header row.", 422
    )


def _too_big() -> DomainError:
    return DomainError(
        "file_too_large",
        "The file is too large: a register holds at most %(cells)s cells.",
        413,
        cells=MAX_CELLS,
    )


def _check_xlsx_size(data: bytes) -> None:
    """Refuse a zip bomb by what the zip's directory declares (zipfile then holds
    each member to its declared size, so the declaration cannot lie)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise _unreadable() from None
    if len(infos) > 1000 or sum(i.file_size for i in infos) > MAX_UNPACKED:
        raise _too_big()


def _xlsx_table(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # on first use, as in voting.minutes.sheets

    _check_xlsx_size(data)
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        # The sheet's declared size first (read_only reads only <dimension>)...
        rows, columns = sheet.max_row or 0, sheet.max_column or 0
    except Exception:  # openpyxl raises many kinds on a file that is not XLSX
        raise _unreadable() from None
    if rows * columns > MAX_CELLS or columns > 16384:
        raise _too_big()
    table: list[list[str]] = []
    cells = 0
    try:
        # ...then the cells themselves, as a <dimension> may be absent or lie.
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            cells += max(len(row), 1)
            if cells > MAX_CELLS:
                raise _too_big()
            table.append(["" if cell is None else str(cell).strip() for cell in row])
    except DomainError:
        raise
    except Exception:
        raise _unreadable() from None
    return table


def read_register(filename: str, data: bytes) -> list[dict[str, Any]]:
    """Rows of an uploaded register as field dicts (validated later, all rows at once)."""
    if not data:
        raise _unreadable()
    if len(data) > MAX_BYTES:
        raise _too_big()
    table = _xlsx_table(data) if filename.lower().endswith(".xlsx") else _csv_table(data)
    if not table:
        raise _unreadable()
    by_header = {header.casefold(): field for field, header in COLUMNS}
    by_header.update({field: field for field, _header in COLUMNS})
    fields = [by_header.get(h.casefold()) for h in table[0]]
    if "name" not in fields:
        raise _unreadable()
    status_codes = {v.casefold(): k for k, v in STATUS_VI.items()}
    return [_row(fields, cells, status_codes) for cells in table[1:] if any(cells)]


def _csv_table(data: bytes) -> list[list[str]]:
    """UTF-8 CSV (a BOM allowed), comma- or semicolon-separated, whichever the text uses more."""
    try:
        text = data.decode("utf-8-sig")
        return [
            [c.strip() for c in row]
            for row in csv.reader(
                io.StringIO(text), delimiter=";" if text.count(";") > text.count(",") else ","
            )
        ]
    except (UnicodeDecodeError, csv.Error):
        raise _unreadable() from None


def _row(
    fields: list[str | None], cells: list[str], status_codes: dict[str, str]
) -> dict[str, Any]:
    """One row's cells under their fields; an unknown column is dropped."""
    row: dict[str, Any] = {}
    for field, value in zip(fields, cells, strict=False):
        if field == "birth":
            row["birth_year"] = value
        elif field == "status":
            row["status"] = status_codes.get(value.casefold(), value) if value else ""
        elif field is not None:
            row[field] = value
    return row
