"""The two minutes as DOCX (python-docx), from the same view as the HTML minutes.

Pure: ``minutes_docx(kind, view, ...)`` takes ``minutes_view(conference_document(c))``
and returns the file's bytes. Layout per Nghị định 30/2020: A4; margins top/bottom
20 mm, left 30 mm, right 15 mm; Times New Roman 13 pt; the national-motto header;
the place and date in italics; page numbers in the footer from page 2. The Vietnamese
sentences are those of templates/minutes/{counting,conference,_results_vi}.html.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from voting.minutes.words import clock_time, count_in_words, dated_line

FONT = "Times New Roman"
SIZE = Pt(13)
TEXT_WIDTH = Mm(210 - 30 - 15)
KINDS = ("counting", "conference")


# --- Sentences shared with the spreadsheets ---------------------------------------------


def base_phrase(base: str) -> str:
    return "số người có mặt" if base == "present" else "tổng số người được triệu tập"


def percent_text(value: str) -> str:
    """'42.86' → '42,86' (the minutes are Vietnamese)."""
    return str(value).replace(".", ",")


def verdict(rule: dict[str, Any], position: dict[str, Any], row: dict[str, Any]) -> str:
    """The 'Kết quả' cell, worded as in _results_vi.html."""
    if rule.get("removal"):
        return "Đề xuất đưa ra khỏi quy hoạch" if row["passes"] else "Không"
    text = "Đạt" if row["passes"] else "Không đạt"
    if rule.get("ranked") and row["selected"]:
        text += "; được lựa chọn"
    if row["tied"] and position["needs_head_decision"]:
        text += "; bằng phiếu"
    return text


def tie_sentence(position: dict[str, Any], head: dict[str, Any]) -> str | None:
    if not position["tied_names"]:
        return None
    text = (
        f"Có {count_in_words(len(position['tied_names']))} người bằng phiếu ở vị trí cuối cùng "
        f"({', '.join(position['tied_names'])}) cho {count_in_words(position['open_seats'])} "
        "vị trí còn lại."
    )
    if position["head_choice_names"]:
        chosen = ", ".join(position["head_choice_names"])
        return f"{text} {head.get('decided_by', '')} đã xem xét, quyết định lựa chọn: {chosen}."
    return f"{text} Chờ Thủ trưởng đơn vị xem xét, quyết định."


# --- Low-level helpers --------------------------------------------------------------------


def _set_font(run_or_style: Any, size: Pt | None = None) -> None:
    font = run_or_style.font
    font.name = FONT
    if size is not None:
        font.size = size
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _para(
    container: Any,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    size: Pt | None = None,
    first_line: bool = False,
    space_after: int = 3,
) -> Paragraph:
    p = container.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold = bold
        run.italic = italic
        if size is not None:
            run.font.size = size
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(space_after)
    if align is not None:
        p.alignment = align
    elif first_line:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.first_line_indent = Mm(10)
    return p


def _cell_para(cell: Any, text: str = "", **kw: Any) -> Paragraph:
    """The cell's first (empty) paragraph, filled; later calls add paragraphs."""
    first = cell.paragraphs[0]
    if len(cell.paragraphs) == 1 and not first.runs:
        run = first.add_run(text)
        run.bold = kw.get("bold", False)
        run.italic = kw.get("italic", False)
        if kw.get("size") is not None:
            run.font.size = kw["size"]
        first.alignment = kw.get("align", WD_ALIGN_PARAGRAPH.CENTER)
        first.paragraph_format.space_after = Pt(kw.get("space_after", 0))
        return first
    return _para(
        cell,
        text,
        bold=kw.get("bold", False),
        italic=kw.get("italic", False),
        align=kw.get("align", WD_ALIGN_PARAGRAPH.CENTER),
        space_after=kw.get("space_after", 0),
        size=kw.get("size"),
    )


def _no_borders(table: Table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _rule(cell: Any, indent_mm: float) -> None:
    """A short horizontal line: an empty paragraph's bottom border, narrowed by indents."""
    p = _cell_para(cell)
    p.paragraph_format.left_indent = Mm(indent_mm)
    p.paragraph_format.right_indent = Mm(indent_mm)
    p_pr = p._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    p_pr.append(border)
    p.add_run("").font.size = Pt(2)


def _page_field(paragraph: Paragraph) -> None:
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "2"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for el in (begin, instr, separate, shown, end):
        run._r.append(el)


def _set_widths(table: Table, widths: list[Any]) -> None:
    table.autofit = False
    # LibreOffice lays tables out by the grid (w:gridCol), Word by the cells: set both.
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


# --- Document parts -----------------------------------------------------------------------


def _new_document() -> Any:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = Mm(20)
    section.bottom_margin = Mm(20)
    section.left_margin = Mm(30)
    section.right_margin = Mm(15)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    normal = document.styles["Normal"]
    _set_font(normal, SIZE)
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.line_spacing = 1.1
    # Page numbers from page 2: the first page has its own (empty) footer.
    section.different_first_page_header_footer = True
    footer_p = section.footer.paragraphs[0]
    footer_p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(footer_p)
    return document


def _header(document: Any, conf: dict[str, Any]) -> None:
    table = document.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    left, right = table.rows[0].cells
    # 12 pt: Nghị định 30 allows 12–13 for these lines, and 13 would wrap the motto's title.
    small = Pt(12)
    _cell_para(left, (conf.get("parent_body") or "").upper(), size=small)
    _cell_para(left, (conf.get("unit") or "").upper(), bold=True, size=small)
    _rule(left, 20)
    _cell_para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=small)
    _cell_para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=Pt(13))
    _rule(right, 24)
    _cell_para(
        table.rows[1].cells[1], dated_line(conf.get("locality", ""), conf["held_on"]), italic=True
    )
    _set_widths(table, [Mm(70), Mm(95)])


def _title(document: Any, title: str, subtitle: str) -> None:
    _para(document, "", space_after=6)
    _para(
        document,
        title.upper(),
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=Pt(14),
        space_after=0,
    )
    sub = document.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for i, line in enumerate(subtitle.split("\n")):
        if i:
            sub.add_run().add_break()
        sub.add_run(line).bold = True
    sub.paragraph_format.space_after = Pt(12)


def _results(document: Any, m: dict[str, Any]) -> None:
    doc = m["doc"]
    rule = doc["rule"]
    base = m["decision"]["base"]
    for index, p in enumerate(m["positions"], start=1):
        line = f"{index}. Chức danh {p['name']}"
        if p["quota"]:
            line += f" (số lượng quy hoạch: {count_in_words(p['quota'])} người)"
        _para(document, line, bold=True)
        table = document.add_table(rows=1, cols=6)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        heads = [
            "STT",
            "Họ và tên",
            "Chức vụ/đơn vị",
            "Số phiếu đồng ý",
            f"Tỷ lệ % so với {base_phrase(base)}",
            "Kết quả",
        ]
        for cell, text in zip(table.rows[0].cells, heads, strict=True):
            _cell_para(cell, text, bold=True)
        for row in p["rows"]:
            name = row["name"] + (f" ({row['birth_year']})" if row.get("birth_year") else "")
            post = ", ".join(part for part in (row.get("post"), row.get("unit")) if part)
            values = [
                (str(row["rank"]), WD_ALIGN_PARAGRAPH.CENTER),
                (name, WD_ALIGN_PARAGRAPH.LEFT),
                (post, WD_ALIGN_PARAGRAPH.LEFT),
                (str(row["agree"]), WD_ALIGN_PARAGRAPH.CENTER),
                (f"{percent_text(row['percent'])}%", WD_ALIGN_PARAGRAPH.CENTER),
                (verdict(rule, p, row), WD_ALIGN_PARAGRAPH.CENTER),
            ]
            cells = table.add_row().cells
            for cell, (text, align) in zip(cells, values, strict=True):
                _cell_para(cell, text, align=align)
        _set_widths(table, [Mm(14), Mm(44), Mm(38), Mm(19), Mm(26), Mm(24)])
        # Repeat the heading row on every page.
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
        tie = tie_sentence(p, m["head"])
        _para(document, "", space_after=0)
        if tie:
            _para(document, tie, first_line=True)


def _bullets(document: Any, lines: list[str]) -> None:
    for line in lines:
        p = _para(document, f"- {line}", space_after=2)
        p.paragraph_format.left_indent = Mm(10)


def _conclusion(document: Any, m: dict[str, Any], kind: str) -> None:
    rule = m["doc"]["rule"]
    for p in m["positions"]:
        names = ", ".join(p["selected_names"]) or "không có"
        if rule.get("removal"):
            tail = "đề xuất đưa ra khỏi quy hoạch"
        elif rule.get("ranked"):
            tail = (
                "được lựa chọn" if kind == "counting" else "danh sách đề nghị phê duyệt quy hoạch"
            )
        elif kind == "counting":
            tail = "đạt tỷ lệ, được giới thiệu ở bước sau"
        else:
            tail = "danh sách giới thiệu ở bước sau"
        _para(document, f"Chức danh {p['name']}: {tail}: {names}.", first_line=True)


def _signatures(document: Any, left: tuple[str, list[str]], right: tuple[str, list[str]]) -> None:
    _para(document, "", space_after=6)
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    for cell, (title, names) in zip(table.rows[0].cells, (left, right), strict=True):
        _cell_para(cell, title.upper(), bold=True)
        _cell_para(cell, "(Ký, ghi rõ họ tên)", italic=True)
        for _ in range(4):
            _cell_para(cell, "")
        for name in names:
            _cell_para(cell, name, bold=True)
    _set_widths(table, [Mm(82), Mm(83)])


def _person(p: dict[str, Any]) -> str:
    return p["name"] + (f", {p['title']}" if p.get("title") else "")


def _counting_body(document: Any, m: dict[str, Any], labels: dict[str, str], tz: str) -> None:
    doc, conf, d = m["doc"], m["doc"]["conference"], m["decision"]
    _title(
        document,
        "Biên bản kiểm phiếu",
        f"{conf['title']}\n(Bước {conf['step']}, {labels['flow']} — {labels['level']})",
    )
    _para(
        document,
        f"Hôm nay, {dated_line('', conf['held_on'])}, tại {conf.get('place') or '…'}, "
        "Ban kiểm phiếu gồm:",
        first_line=True,
    )
    members = [f"Ông/Bà {_person(p)} — Trưởng ban;" for p in m["committee_head"]]
    members += [f"Ông/Bà {_person(p)} — Thành viên;" for p in m["committee_members"]]
    for i, line in enumerate(members or ["…"], start=1):
        para = _para(document, f"{i}. {line}", space_after=2)
        para.paragraph_format.left_indent = Mm(10)
    _para(document, f"đã tiến hành kiểm phiếu {doc['rule']['label']['vi'].lower()}.")

    _para(document, "I. Nguyên tắc", bold=True)
    _para(
        document,
        f"{doc['rule']['sentence']['vi']} (tỷ lệ tính trên {base_phrase(d['base'])}: "
        f"{count_in_words(d['base_count'])} người; số phiếu đồng ý cần đạt: "
        f"{count_in_words(d['votes_needed'])} phiếu). Căn cứ: {doc['rule']['citation']}.",
        first_line=True,
    )

    _para(document, "II. Số phiếu", bold=True)
    tokens = doc["tokens"]
    handed = f"Số phiếu phát ra: {count_in_words(tokens['issued'] - tokens['voided'])} phiếu"
    if tokens["voided"]:
        handed += f" (đã hủy và cấp lại {count_in_words(tokens['voided'])} phiếu)"
    _bullets(
        document,
        [
            f"Tổng số người được triệu tập: {count_in_words(doc['attendance']['summoned'])} "
            f"người; có mặt: {count_in_words(doc['attendance']['present'])} người; vắng mặt: "
            f"{count_in_words(len(m['absent']))} người.",
            handed + ".",
            f"Số phiếu thu về: {count_in_words(d['ballots']['received'])} phiếu.",
            f"Số phiếu hợp lệ: {count_in_words(d['ballots']['valid'])} phiếu; số phiếu không "
            f"hợp lệ: {count_in_words(d['ballots']['invalid'])} phiếu.",
        ],
    )

    _para(document, "III. Kết quả", bold=True)
    _results(document, m)

    _para(document, "IV. Kết luận", bold=True)
    _conclusion(document, m, "counting")
    times = (
        f"Thời gian mở phiếu: {clock_time(conf.get('opened_at'), tz)}; kết thúc bỏ phiếu: "
        f"{clock_time(conf.get('closed_at'), tz)}"
    )
    if conf.get("locked_at"):
        times += f"; khóa kết quả: {clock_time(conf['locked_at'], tz)}"
    _para(document, times + ".", first_line=True)


def _conference_body(document: Any, m: dict[str, Any], labels: dict[str, str], tz: str) -> None:
    doc, conf, d = m["doc"], m["doc"]["conference"], m["decision"]
    _title(document, "Biên bản hội nghị", conf["title"])
    _para(
        document,
        f"Thời gian: bắt đầu bỏ phiếu lúc {clock_time(conf.get('opened_at'), tz)}, "
        f"{dated_line('', conf['held_on'])}.",
        first_line=True,
    )
    _para(document, f"Địa điểm: {conf.get('place') or '…'}.", first_line=True)
    _para(
        document,
        f"Chủ trì: {conf.get('chair') or '…'}. Thư ký: {conf.get('secretary') or '…'}.",
        first_line=True,
    )

    _para(document, "I. Thành phần", bold=True)
    _para(
        document,
        f"Tổng số người được triệu tập: {count_in_words(doc['attendance']['summoned'])} người; "
        f"có mặt: {count_in_words(doc['attendance']['present'])} người; vắng mặt: "
        f"{count_in_words(len(m['absent']))} người" + (":" if m["absent"] else "."),
        first_line=True,
    )
    if m["absent"]:
        _bullets(
            document,
            [
                _person(p)
                + (
                    f" — lý do: {p['absence_reason']};"
                    if p.get("absence_reason")
                    else " — không rõ lý do;"
                )
                for p in m["absent"]
            ],
        )

    _para(document, "II. Nội dung", bold=True)
    _para(
        document,
        f"Thực hiện Quy trình QT.NB.03, bước {conf['step']} ({labels['flow']}, "
        f"{labels['level']}), hội nghị tiến hành {doc['rule']['label']['vi'].lower()} "
        "bằng phiếu kín.",
        first_line=True,
    )
    _para(document, f"Nguyên tắc: {doc['rule']['sentence']['vi']}.", first_line=True)
    committee = [f"{p['name']} (Trưởng ban)" for p in m["committee_head"]]
    committee += [p["name"] for p in m["committee_members"]]
    _para(
        document,
        f"Hội nghị đã thống nhất Ban kiểm phiếu gồm: {', '.join(committee) or '…'}.",
        first_line=True,
    )

    _para(document, "III. Kết quả bỏ phiếu", bold=True)
    tokens = doc["tokens"]
    _para(
        document,
        f"Số phiếu phát ra: {count_in_words(tokens['issued'] - tokens['voided'])}; thu về: "
        f"{count_in_words(d['ballots']['received'])}; hợp lệ: "
        f"{count_in_words(d['ballots']['valid'])}; không hợp lệ: "
        f"{count_in_words(d['ballots']['invalid'])} (chi tiết tại Biên bản kiểm phiếu kèm theo).",
        first_line=True,
    )
    _results(document, m)

    _para(document, "IV. Kết luận", bold=True)
    _conclusion(document, m, "conference")
    ending = f"Hội nghị kết thúc bỏ phiếu lúc {clock_time(conf.get('closed_at'), tz)}"
    if conf.get("locked_at"):
        ending += f"; kết quả được khóa lúc {clock_time(conf['locked_at'], tz)}"
    _para(document, ending + ".", first_line=True)


def minutes_docx(
    kind: str,
    m: dict[str, Any],
    *,
    digest: str | None,
    flow_label: str,
    level_label: str,
    tz: str = "Asia/Ho_Chi_Minh",
    problems: list[str] | None = None,
) -> bytes:
    """Biên bản kiểm phiếu (``counting``) or biên bản hội nghị (``conference``) as DOCX.

    ``m`` is ``minutes_view(conference_document(conference))``; ``digest`` the locked
    result's SHA-256 (None before lock: the file then says it is a preview).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown minutes kind {kind!r}")
    document = _new_document()
    conf = m["doc"]["conference"]
    _header(document, conf)
    if not digest:
        warn = _para(document, "BẢN XEM TRƯỚC: kết quả chưa được khóa.", bold=True)
        warn.runs[0].font.color.rgb = RGBColor(0xB0, 0x00, 0x00)
    if problems:
        warn = _para(document, f"Kiểm tra toàn vẹn không đạt: {'; '.join(problems)}", bold=True)
        warn.runs[0].font.color.rgb = RGBColor(0xB0, 0x00, 0x00)
    labels = {"flow": flow_label, "level": level_label}
    if kind == "counting":
        _counting_body(document, m, labels, tz)
        _signatures(
            document,
            ("Thành viên Ban kiểm phiếu", [p["name"] for p in m["committee_members"]]),
            ("Trưởng Ban kiểm phiếu", [p["name"] for p in m["committee_head"]]),
        )
    else:
        _conference_body(document, m, labels, tz)
        _signatures(
            document,
            ("Thư ký", [conf.get("secretary") or ""]),
            ("Chủ trì", [conf.get("chair") or ""]),
        )
    if digest:
        p = _para(document, "Mã kiểm tra (SHA-256) của kết quả đã khóa: ", space_after=0)
        p.paragraph_format.space_before = Pt(12)
        run = p.add_run(digest)
        run.font.size = Pt(9)
        for r in p.runs:
            r.font.size = Pt(9) if r is run else Pt(11)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
