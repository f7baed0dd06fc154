"""The two minutes as DOCX (python-docx), rendered from ``layout.minutes_blocks``.

Layout per Nghị định 30/2020: A4; margins top/bottom 20 mm, left 30 mm, right 15 mm;
Times New Roman 13 pt (a document font, not embedded); the national-motto header; the
place and date in italics; page numbers in the footer from page 2. The words are the
layout's, shared with the PDF.

Pages break as an office's do: what ``blocks.keeps_with_next`` keeps together is marked
"keep with next" (a heading with what it introduces, the last text with the
signatures), no table row splits, the heading row goes with the first row.

The file is deterministic: core properties (created, modified) are the lock's moment
and every ZIP entry is dated at it, so each download of a locked result is byte for
byte the dossier's file.
"""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from voting.minutes import blocks as mb
from voting.minutes.blocks import keeps_with_next
from voting.minutes.chart import chart_png
from voting.minutes.dossier import dated_zip
from voting.validation import printable

FONT = "Times New Roman"
SIZE = Pt(13)
TEXT_WIDTH = Mm(210 - 30 - 15)
RED = RGBColor(0xB0, 0x00, 0x00)
ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


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


def _keep_with_next(element: Any) -> None:
    """Every paragraph in ``element`` (a paragraph, a row, a table) keeps with the next."""
    paragraphs = [element] if element.tag == qn("w:p") else element.iter(qn("w:p"))
    for p in paragraphs:
        p.get_or_add_pPr().keepNext_val = True


def _cant_split(tr: Any) -> None:
    tr_pr = tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    cant.set(qn("w:val"), "true")
    tr_pr.insert(0, cant)


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
    normal.paragraph_format.widow_control = True  # no paragraph's lone line on a page
    # Page numbers from page 2: the first page has its own (empty) footer.
    section.different_first_page_header_footer = True
    footer_p = section.footer.paragraphs[0]
    footer_p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(footer_p)
    return document


def _header(document: Any, block: mb.Header) -> None:
    table = document.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    left, right = table.rows[0].cells
    # 12 pt: Nghị định 30 allows 12–13 for these lines, and 13 would wrap the motto's title.
    small = Pt(12)
    _cell_para(left, block.parent_body, size=small)
    _cell_para(left, block.unit, bold=True, size=small)
    _rule(left, 20)
    _cell_para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=small)
    _cell_para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=Pt(13))
    _rule(right, 24)
    _cell_para(table.rows[1].cells[1], block.dated, italic=True)
    if block.number:
        _cell_para(table.rows[1].cells[0], block.number)
    if block.subject:
        _cell_para(table.rows[1].cells[0], block.subject, size=small)
    # 72 and 93 mm of the portrait page's 165; a landscape page spreads them out.
    section = document.sections[-1]
    if section.orientation == WD_ORIENT.LANDSCAPE:
        scale = (section.page_width - section.left_margin - section.right_margin) / TEXT_WIDTH
        _set_widths(table, [Mm(72 * scale), Mm(93 * scale)])
    else:
        _set_widths(table, [Mm(72), Mm(93)])


def _title(document: Any, block: mb.Title) -> None:
    _para(document, "", space_after=6)
    _para(
        document,
        block.text.upper(),
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=Pt(14),
        space_after=0,
    )
    sub = document.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for i, line in enumerate(block.subtitle):
        if i:
            sub.add_run().add_break()
        sub.add_run(line).bold = True
    sub.paragraph_format.space_after = Pt(12)


def _text(document: Any, block: mb.Text) -> None:
    if block.kind == "heading":
        _para(document, block.text, bold=True)
    elif block.kind == "item":
        p = _para(document, block.text, bold=block.bold, space_after=2)
        p.paragraph_format.left_indent = Mm(10)
    elif block.kind == "warning":
        _para(document, block.text, bold=True).runs[0].font.color.rgb = RED
    elif block.kind == "plain":
        _para(document, block.text, bold=block.bold)
    elif block.kind == "center":
        _para(document, block.text, bold=block.bold, align=WD_ALIGN_PARAGRAPH.CENTER)
    else:
        _para(document, block.text, bold=block.bold, first_line=True)


def _table(document: Any, block: mb.ResultTable) -> None:
    table = document.add_table(rows=1, cols=len(block.heads))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    # The minutes' 12 pt is the run's default size: only another size is written.
    size = None if block.size == 12.0 else Pt(block.size)
    for cell, text in zip(table.rows[0].cells, block.heads, strict=True):
        _cell_para(cell, text, bold=True, size=size)
    for values in block.rows:
        cells = table.add_row().cells
        for cell, text, align in zip(cells, values, block.aligns, strict=True):
            _cell_para(cell, text, align=ALIGN[align], size=size)
    _set_widths(table, [Mm(w) for w in block.widths_mm])
    # Repeat the heading row on every page.
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for row in table.rows:
        _cant_split(row._tr)
    # The heading row never ends a page: it keeps with the first row.
    _keep_with_next(table.rows[0]._tr)
    _para(document, "", space_after=0)


def _chart(document: Any, block: mb.Chart) -> None:
    p = document.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run().add_picture(io.BytesIO(chart_png(block)), width=Mm(150))


def _signatures(document: Any, block: mb.Signatures) -> None:
    _para(document, "", space_after=6).paragraph_format.keep_with_next = True
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    for cell, (title, names) in zip(table.rows[0].cells, (block.left, block.right), strict=True):
        _cell_para(cell, title.upper(), bold=True)
        _cell_para(cell, "(Ký, ghi rõ họ tên)", italic=True)
        for _ in range(4):
            _cell_para(cell, "")
        for name in names:
            _cell_para(cell, name, bold=True)
    _set_widths(table, [Mm(82), Mm(83)])
    # One block: the titles, the space to sign and the names never part.
    _cant_split(table.rows[0]._tr)
    for p in list(table._tbl.iter(qn("w:p")))[:-1]:
        p.get_or_add_pPr().keepNext_val = True


def _digest(document: Any, block: mb.Digest) -> None:
    p = _para(document, "Mã kiểm tra (SHA-256) của kết quả đã khóa: ", space_after=0)
    p.paragraph_format.space_before = Pt(12)
    p.runs[0].font.size = Pt(11)
    p.add_run(block.digest).font.size = Pt(9)
    if block.chain_head:
        p = _para(document, mb.CHAIN_HEAD_LABEL, space_after=0)
        p.runs[0].font.size = Pt(11)
        p.add_run(block.chain_head).font.size = Pt(9)


def _orient(section: Any, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    long_side, short_side = Mm(297), Mm(210)
    section.page_width = long_side if landscape else short_side
    section.page_height = short_side if landscape else long_side


def _section(document: Any, block: mb.Section) -> None:
    section = document.add_section(WD_SECTION.NEW_PAGE)
    _orient(section, block.landscape)
    # Numbered on its first page too: only the document's first page goes without.
    section.different_first_page_header_footer = False


def _signoff(document: Any, block: mb.Signoff) -> None:
    _para(document, "", space_after=6).paragraph_format.keep_with_next = True
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.rows[0].cells
    left_align = WD_ALIGN_PARAGRAPH.LEFT
    if block.recipients:
        heading = _cell_para(
            left, block.recipients_heading, bold=True, italic=True, align=left_align
        )
        heading.runs[0].font.size = Pt(12)
        for line in block.recipients:
            _cell_para(left, line, size=Pt(11), align=left_align)
    for line in block.authority:
        _cell_para(right, line.upper(), bold=True)
    for _ in range(4):
        _cell_para(right, "")
    _cell_para(right, block.signer, bold=True)
    _set_widths(table, [Mm(75), Mm(90)])
    _cant_split(table.rows[0]._tr)
    for p in list(table._tbl.iter(qn("w:p")))[:-1]:
        p.get_or_add_pPr().keepNext_val = True


DRAWERS = mb.Drawers(
    _header, _title, _text, _table, _chart, _signatures, _digest, _section, _signoff
)


def _printable(value: Any) -> Any:
    """``value`` (a block, or anything inside one) with every text made printable.

    Input refuses control characters, but an older database may hold one and
    python-docx refuses it ("All strings must be XML compatible"): a 500 on the
    minutes of a locked result, which cannot be corrected any more.
    """
    if isinstance(value, str):
        return printable(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _printable(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init
        }
        return dataclasses.replace(value, **changes)
    if isinstance(value, list | tuple):
        return type(value)(_printable(v) for v in value)
    if isinstance(value, dict):
        return {k: _printable(v) for k, v in value.items()}
    return value


def _stamp(stamp: datetime | None) -> datetime:
    """The moment as an aware datetime (naive means UTC); None: now."""
    if stamp is None:
        return datetime.now(UTC).replace(microsecond=0)
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).replace(microsecond=0)


def minutes_docx(
    blocks: list[mb.Block], *, stamp: datetime | None = None, title: str | None = None
) -> bytes:
    """The minutes (``layout.minutes_blocks``) as a DOCX file's bytes.

    ``stamp``: the lock's moment, aware in the room's zone (naive means UTC): the core
    properties' created/modified (in UTC) and the ZIP entries' dates (its wall clock).
    The same locked result always gives the same bytes. None (a preview): now.
    """
    moment = _stamp(stamp)
    document = _new_document()
    props = document.core_properties
    props.title = title or mb.title_of(blocks)
    props.author = props.last_modified_by = "voting (QT.NB.03)"
    props.comments = ""
    props.language = "vi-VN"
    props.revision = 1
    props.created = props.modified = moment.astimezone(UTC).replace(tzinfo=None)
    body = document.element.body
    if blocks and isinstance(blocks[0], mb.Section):
        # A leading section is the first page's own orientation, not a page break.
        _orient(document.sections[0], blocks[0].landscape)
        blocks = blocks[1:]
    keeps = keeps_with_next(blocks)
    for block, keep in zip((_printable(b) for b in blocks), keeps, strict=True):
        before = len(body)
        DRAWERS.draw(document, block)
        if keep:
            # What this block added (the section properties stay last in the body).
            for element in list(body)[before - 1 : len(body) - 1]:
                _keep_with_next(element)
    out = io.BytesIO()
    document.save(out)
    return dated_zip(out.getvalue(), moment)
