"""The result as a spreadsheet (XLSX, openpyxl) and as CSV, from the minutes' view.

Pure: both take ``minutes_view(current_result(conference))`` and return bytes.
What the minutes state, the files state too: per candidate the tie on the last seat and
the head's decision; per position the seats left empty; who decided and when; the
absentees with their reasons. Dates and times are on the room's clock.

XLSX: sheet "Kết quả" (one row per candidate, with a position column; the percentage
both as Vietnamese text "42,86" and as a number), "Tổng hợp" (the figures; the date a
real date cell shown dd/mm/yyyy, times dd/mm/yyyy hh:mm) and "Vắng mặt".
CSV (UTF-8 with a BOM so Excel shows Vietnamese): the same three tables one after the
other, each after an empty line and its title; the first is the result table as before.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from voting.clock import DEFAULT_ZONE
from voting.minutes.dossier import dated_zip
from voting.minutes.tables import (
    NO_REASON,
    base_phrase,
    percent_text,
    seats_sentence,
    tie_sentence,
    unfilled_seats,
    verdict,
)
from voting.minutes.view import MinutesView, PositionView, Row
from voting.minutes.words import local_moment
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
    "Bằng phiếu ở vị trí cuối",
    "Quyết định của Thủ trưởng đơn vị",
]
ABSENT_HEADINGS = ["STT", "Họ và tên", "Chức vụ", "Lý do vắng mặt"]

DATE_FORMAT = "dd/mm/yyyy"
TIME_FORMAT = "dd/mm/yyyy hh:mm"


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _yes(value: bool) -> str:
    return "Có" if value else "Không"


def head_verdict(position: PositionView, row: Row) -> str:
    """For a candidate tied on the last seat: what the head decided (or that it waits)."""
    if not row["tied"]:
        return ""
    if position["needs_head_decision"]:
        return "Chờ Thủ trưởng đơn vị quyết định"
    return "Được lựa chọn" if row["name"] in position["head_choice_names"] else "Không lựa chọn"


def result_rows(m: MinutesView) -> list[list[Any]]:
    """One row per candidate, in rank order within each position."""
    rule = m["doc"].rule
    rows: list[list[Any]] = []
    for p in m["positions"]:
        for row in p["rows"]:
            post = ", ".join(part for part in (row["post"], row["unit"]) if part)
            rows.append(
                [
                    p["name"],
                    row["rank"],
                    row["name"],
                    row["birth_year"] or "",
                    post,
                    row["agree"],
                    row["disagree"],
                    percent_text(row["percent"]),
                    float(Decimal(str(row["percent"]))),
                    _yes(row["passes"]),
                    _yes(row["selected"]),
                    verdict(rule, p, row),
                    _yes(row["tied"]),
                    head_verdict(p, row),
                ]
            )
    return rows


def absent_rows(m: MinutesView) -> list[list[Any]]:
    """Who was absent and why; a blank reason is said to be unrecorded, as the minutes say."""
    return [
        [
            i,
            p["name"],
            p["title"] or "",
            (p["absence_reason"] or "").strip() or f"({NO_REASON})",
        ]
        for i, p in enumerate(m["absent"], start=1)
    ]


def summary_rows(
    m: MinutesView, digest: str | None, tz: str = DEFAULT_ZONE
) -> list[tuple[str, Any]]:
    """(label, value): values typed — a date, a wall-clock datetime, a count, or text."""
    doc, d = m["doc"], m["decision"]
    conf, tokens = doc.conference, doc.tokens
    moments = [
        ("Bắt đầu bỏ phiếu", local_moment(conf.opened_at, tz)),
        ("Kết thúc bỏ phiếu", local_moment(conf.closed_at, tz)),
        ("Khóa kết quả", local_moment(conf.locked_at, tz)),
    ]
    return [
        ("Hội nghị", conf.title),
        ("Cơ quan cấp trên", conf.parent_body or ""),
        ("Đơn vị", conf.unit or ""),
        ("Ngày", date.fromisoformat(conf.held_on[:10])),
        *((label, value) for label, value in moments if value),
        ("Địa điểm", conf.place or ""),
        ("Bước", conf.step),
        ("Nguyên tắc", doc.rule.sentence.vi),
        ("Căn cứ", doc.rule.citation),
        ("Tỷ lệ tính trên", base_phrase(d.base)),
        ("Số người làm căn cứ", d.base_count),
        ("Số phiếu đồng ý cần đạt", d.votes_needed),
        ("Số người được triệu tập", doc.attendance.summoned),
        ("Số người có mặt", doc.attendance.present),
        ("Số người vắng mặt", len(m["absent"])),
        ("Số phiếu phát ra", tokens.issued - tokens.voided),
        ("Số phiếu hủy và cấp lại", tokens.voided),
        ("Số phiếu thu về", d.ballots.received),
        ("Số phiếu hợp lệ", d.ballots.valid),
        ("Số phiếu không hợp lệ", d.ballots.invalid),
        *_position_rows(m),
        *_head_rows(m, tz),
        (
            "Mã kiểm tra (SHA-256) của kết quả đã khóa",
            digest or "Chưa khóa (bản xem trước)",
        ),
    ]


def _position_rows(m: MinutesView) -> list[tuple[str, Any]]:
    """Per position: the quota and the empty seats, the seats' note and the tie."""
    rule = m["doc"].rule
    positions: list[tuple[str, Any]] = []
    for p in m["positions"]:
        if p["quota"] and not rule.removal:
            positions += [
                (f"Số lượng quy hoạch — {p['name']}", p["quota"]),
                (f"Số chỗ chưa có người — {p['name']}", unfilled_seats(rule, p)),
            ]
        for label, sentence in (
            (f"Ghi chú — {p['name']}", seats_sentence(rule, p)),
            (f"Bằng phiếu — {p['name']}", tie_sentence(p, m["head"])),
        ):
            if sentence:
                positions.append((label, sentence))
    return positions


def _head_rows(m: MinutesView, tz: str) -> list[tuple[str, Any]]:
    """Who decided a tie, when, and whom they chose per position."""
    head = m["head"]
    decided: list[tuple[str, Any]] = []
    if head:
        decided = [
            ("Thủ trưởng đơn vị quyết định", head.decided_by or ""),
            ("Thời điểm quyết định", local_moment(head.decided_at, tz) or ""),
        ]
        decided += [
            (f"Thủ trưởng lựa chọn — {p['name']}", ", ".join(p["head_choice_names"]))
            for p in m["positions"]
            if p["head_choice_names"]
        ]
    return decided


def results_xlsx(
    m: MinutesView,
    *,
    digest: str | None,
    tz: str = DEFAULT_ZONE,
    stamp: datetime | None = None,
) -> bytes:
    """The workbook's bytes. ``stamp`` (the lock, aware): the file's created/modified and
    its entries' dates, so a locked result always gives the same bytes."""
    # Imported here: openpyxl is ~20 MB in every server process, the phones' included
    # (docs/performance.md); only a download needs it.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

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
    widths = [22, 6, 28, 10, 30, 12, 12, 10, 12, 8, 12, 24, 12, 24]
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"

    summary = book.create_sheet("Tổng hợp")
    for key, value in summary_rows(m, digest, tz):
        summary.append([key, value])
        cell = summary.cell(summary.max_row, 2)
        # A real date, not the text "2026-11-23": Excel sorts, filters and shows it so.
        if isinstance(value, datetime):
            cell.number_format = TIME_FORMAT
        elif isinstance(value, date):
            cell.number_format = DATE_FORMAT
        cell.alignment = Alignment(horizontal="left", wrap_text=isinstance(value, str))
    for cell in summary["A"]:
        cell.font = Font(bold=True)
    summary.column_dimensions["A"].width = 42
    summary.column_dimensions["B"].width = 80

    absent = book.create_sheet("Vắng mặt")
    absent.append(ABSENT_HEADINGS)
    for cell in absent[1]:
        cell.font = Font(bold=True)
    for row in absent_rows(m):
        absent.append(row)
    for letter, width in zip("ABCD", (6, 30, 30, 40), strict=True):
        absent.column_dimensions[letter].width = width
    # Names are typed by people: none may become a live formula (=HYPERLINK…).
    for each in (sheet, summary, absent):
        xlsx_text_cells(each)
    if stamp is not None:
        book.properties.creator = "voting (QT.NB.03)"
        book.properties.created = stamp.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    out = io.BytesIO()
    book.save(out)
    if stamp is None:
        return out.getvalue()
    moment = stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def fixed_modified(name: str, data: bytes) -> bytes:
        # openpyxl writes "modified" as the moment of saving, whatever was set.
        if name != "docProps/core.xml":
            return data
        return re.sub(
            rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
            rb"\g<1>" + moment.encode() + rb"\g<2>",
            data,
        )

    return dated_zip(out.getvalue(), stamp, fixed_modified)


def _csv_value(value: Any) -> Any:
    """Dates as the minutes write them: '23/11/2026', '23/11/2026 09:30'."""
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return value


def results_csv(m: MinutesView, *, digest: str | None = None, tz: str = DEFAULT_ZONE) -> bytes:
    """The result, the summary and the absentees as CSV: comma-separated, quoted where
    needed, UTF-8 with BOM; the tables one after another (see the module's docstring)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")

    def write(row: list[Any]) -> None:
        # A name such as '+1+2' or '@SUM(1,1)' would be evaluated when opened.
        writer.writerow([csv_cell(_csv_value(cell)) for cell in row])

    write(HEADINGS)
    number = HEADINGS.index("Tỷ lệ % (số)")
    for row in result_rows(m):
        row[number] = f"{row[number]:.2f}"  # '42.86': a machine-readable number
        write(row)
    write([])
    write(["Tổng hợp"])
    for key, value in summary_rows(m, digest, tz):
        write([key, value])
    write([])
    write(["Người vắng mặt"])
    write(ABSENT_HEADINGS)
    for row in absent_rows(m):
        write(row)
    return text.getvalue().encode("utf-8-sig")
