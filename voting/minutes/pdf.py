"""The two minutes as PDF (fpdf2), rendered from the same ``layout.minutes_blocks`` as DOCX.

Pure Python at run time: fpdf2 writes the file and embeds Tinos, a font metrically
compatible with Times New Roman that covers Vietnamese, vendored in
``static/vendor/@expo-google-fonts/tinos`` (no system font, no office suite). The page is
the DOCX's: A4, margins 20/20/30/15 mm, 13 pt, page numbers from page 2.

Pages break as an office's do: every table and figure inside the margins; a heading (or a
line announcing a list) never ends a page, it goes over with what it introduces; the
signatures never stand alone, the last lines before them go over with them
(``blocks.keeps_with_next``). A block's height is found by drawing it on a scratch page.

The file is deterministic: CreationDate and ModDate are the lock's moment (``stamp``),
the /ID a digest of the content, so every download of a locked result is byte for byte
the file in the dossier, whose MANIFEST.sha256 then checks a printed copy.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache

from fpdf import FPDF, FontFace
from fpdf.enums import Align, XPos, YPos
from fpdf.output import OutputProducer, PDFInfo

from voting.minutes import blocks as mb
from voting.minutes.blocks import keeps_with_next
from voting.minutes.chart import FONT_DIR, chart_png

FAMILY = "Tinos"
SIZE = 13
LINE = 6.2  # mm per line at 13 pt, ~1.35 line height: what Word shows for 1.1 spacing
LEFT, TOP, RIGHT, BOTTOM = 30.0, 20.0, 15.0, 20.0
TEXT_WIDTH = 210 - LEFT - RIGHT
ALIGN = {"left": Align.L, "center": Align.C, "right": Align.R}


#: Of a paragraph that follows a heading, the lines that must come onto its page.
LEAD_LINES = 2


@lru_cache(maxsize=64)
def _png(chart: mb.Chart) -> bytes:
    # Drawn once for the measuring and once for the page otherwise.
    return chart_png(chart)


class _StampedOutput(OutputProducer):
    """fpdf2 writes only /CreationDate: /ModDate too, the same fixed moment."""

    def _add_info(self) -> PDFInfo:
        info = super()._add_info()
        # Every attribute of a PDFObject is serialised, by name: this one as /ModDate.
        info.mod_date = info.creation_date  # type: ignore[attr-defined]
        return info


class MinutesPDF(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        for style, file in (
            ("", "Tinos_400Regular.ttf"),
            ("I", "Tinos_400Regular_Italic.ttf"),
            ("B", "Tinos_700Bold.ttf"),
            ("BI", "Tinos_700Bold_Italic.ttf"),
        ):
            self.add_font(FAMILY, style, str(FONT_DIR / file))
        self.set_margins(LEFT, TOP, RIGHT)
        self.set_auto_page_break(auto=True, margin=BOTTOM)
        self.set_title(title)
        self.set_lang("vi")
        self.set_creator("voting (QT.NB.03)")
        self.set_font(FAMILY, "", SIZE)

    def footer(self) -> None:
        # Nghị định 30: page numbers from page 2, centred.
        if self.page_no() < 2:
            return
        self.set_y(-12)
        self.set_font(FAMILY, "", 12)
        self.cell(0, 6, str(self.page_no()), align=Align.C)
        self.set_font(FAMILY, "", SIZE)


def _header(pdf: MinutesPDF, block: mb.Header) -> None:
    top = pdf.get_y()
    # 72 and 93 mm of the portrait page's 165; a landscape page spreads them out.
    scale = pdf.epw / TEXT_WIDTH if pdf.epw > TEXT_WIDTH else 1.0
    left_w, right_w = 72.0 * scale, 93.0 * scale
    right_x = LEFT + left_w
    pdf.set_font(FAMILY, "", 12)
    pdf.set_xy(LEFT, top)
    pdf.multi_cell(left_w, 5.5, block.parent_body, align=Align.C, new_x=XPos.LMARGIN)
    pdf.set_font(FAMILY, "B", 12)
    pdf.set_x(LEFT)
    pdf.multi_cell(left_w, 5.5, block.unit, align=Align.C, new_x=XPos.LMARGIN)
    left_bottom = pdf.get_y() + 1
    pdf.line(LEFT + left_w / 2 - 16, left_bottom, LEFT + left_w / 2 + 16, left_bottom)

    pdf.set_xy(right_x, top)
    pdf.multi_cell(right_w, 5.5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align=Align.C)
    pdf.set_font(FAMILY, "B", 13)
    pdf.set_x(right_x)
    pdf.multi_cell(right_w, 6, "Độc lập - Tự do - Hạnh phúc", align=Align.C)
    motto_width = pdf.get_string_width("Độc lập - Tự do - Hạnh phúc")
    right_bottom = pdf.get_y() + 0.5
    centre = right_x + right_w / 2
    pdf.line(centre - motto_width / 2, right_bottom, centre + motto_width / 2, right_bottom)
    pdf.set_font(FAMILY, "I", SIZE)
    below = max(left_bottom, right_bottom) + 3
    pdf.set_xy(right_x, below)
    pdf.multi_cell(right_w, LINE, block.dated, align=Align.C, new_x=XPos.LMARGIN)
    dated_bottom = pdf.get_y()
    pdf.set_font(FAMILY, "", SIZE)
    if block.number or block.subject:
        pdf.set_xy(LEFT, below)
        if block.number:
            pdf.multi_cell(left_w, LINE, block.number, align=Align.C, new_x=XPos.LMARGIN)
        if block.subject:
            pdf.set_font(FAMILY, "", 12)
            pdf.set_x(LEFT)
            pdf.multi_cell(left_w, 5.5, block.subject, align=Align.C, new_x=XPos.LMARGIN)
            pdf.set_font(FAMILY, "", SIZE)
        pdf.set_y(max(pdf.get_y(), dated_bottom))
    pdf.ln(4)


def _title(pdf: MinutesPDF, block: mb.Title) -> None:
    pdf.set_font(FAMILY, "B", 14)
    pdf.multi_cell(0, 7, block.text.upper(), align=Align.C, new_x=XPos.LMARGIN)
    pdf.set_font(FAMILY, "B", SIZE)
    for line in block.subtitle:
        pdf.multi_cell(0, LINE, line, align=Align.C, new_x=XPos.LMARGIN)
    pdf.set_font(FAMILY, "", SIZE)
    pdf.ln(4)


def _text(pdf: MinutesPDF, block: mb.Text) -> None:
    style = "B" if block.bold or block.kind in ("heading", "warning") else ""
    pdf.set_font(FAMILY, style, SIZE)
    if block.kind == "warning":
        pdf.set_text_color(176, 0, 0)
    if block.kind == "body":
        with (
            pdf.text_columns(text_align=Align.J, line_height=1.15) as columns,
            columns.paragraph(first_line_indent=10, bottom_margin=1) as paragraph,
        ):
            paragraph.write(block.text)
    else:
        indent = 10 if block.kind == "item" else 0
        align = Align.C if block.kind == "center" else Align.L
        pdf.set_x(LEFT + indent)
        # epw: the text width of this page (wider on a landscape one).
        pdf.multi_cell(pdf.epw - indent, LINE, block.text, align=align, new_x=XPos.LMARGIN)
        pdf.ln(0.8)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FAMILY, "", SIZE)


def _table(pdf: MinutesPDF, block: mb.ResultTable) -> None:
    pdf.set_font(FAMILY, "", block.size)
    pdf.set_x(LEFT)
    # Align.L from the left margin: fpdf2 centres Align.C on the *page*, which put the
    # 165 mm table 22.5 mm from the edge, inside the 30 mm binding margin.
    with pdf.table(
        col_widths=block.widths_mm,
        width=min(sum(block.widths_mm), pdf.epw),
        align=Align.L,
        line_height=5.6 * block.size / 12,
        headings_style=FontFace(emphasis="BOLD"),
        repeat_headings=1,
        padding=1,
        v_align="MIDDLE",
    ) as table:
        heading = table.row()
        for text in block.heads:
            heading.cell(text, align=Align.C)
        for values in block.rows:
            row = table.row()
            for text, align in zip(values, block.aligns, strict=True):
                row.cell(text, align=ALIGN[align])
    pdf.set_font(FAMILY, "", SIZE)
    pdf.ln(3)


def _chart(pdf: MinutesPDF, block: mb.Chart) -> None:
    png = _png(block)
    width = 150.0
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        height = width * image.height / image.width
    if pdf.get_y() + height > pdf.h - BOTTOM:
        pdf.add_page()
    pdf.image(io.BytesIO(png), x=LEFT + (TEXT_WIDTH - width) / 2, w=width, h=height)
    pdf.ln(3)


def _signatures(pdf: MinutesPDF, block: mb.Signatures) -> None:
    pdf.ln(4)
    top = pdf.get_y()
    bottoms = []
    for x, (title, names) in ((LEFT, block.left), (LEFT + 82.5, block.right)):
        pdf.set_xy(x, top)
        pdf.set_font(FAMILY, "B", SIZE)
        pdf.multi_cell(82.5, LINE, title.upper(), align=Align.C, new_x=XPos.LEFT)
        pdf.set_font(FAMILY, "I", SIZE)
        pdf.multi_cell(82.5, LINE, "(Ký, ghi rõ họ tên)", align=Align.C, new_x=XPos.LEFT)
        pdf.ln(LINE * 4)
        pdf.set_x(x)
        pdf.set_font(FAMILY, "B", SIZE)
        for name in names:
            pdf.multi_cell(82.5, LINE, name, align=Align.C, new_x=XPos.LEFT)
        bottoms.append(pdf.get_y())
    pdf.set_xy(LEFT, max(bottoms) + 2)
    pdf.set_font(FAMILY, "", SIZE)


def _digest(pdf: MinutesPDF, block: mb.Digest) -> None:
    pdf.ln(4)
    pdf.set_font(FAMILY, "", 11)
    pdf.multi_cell(
        0, 5, "Mã kiểm tra (SHA-256) của kết quả đã khóa:", align=Align.L, new_x=XPos.LMARGIN
    )
    pdf.set_font(FAMILY, "", 9)
    pdf.multi_cell(0, 5, block.digest, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if block.chain_head:
        pdf.set_font(FAMILY, "", 11)
        text = mb.CHAIN_HEAD_LABEL + block.chain_head
        pdf.multi_cell(0, 5, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", SIZE)


def _section(pdf: MinutesPDF, block: mb.Section) -> None:
    pdf.add_page(orientation="L" if block.landscape else "P")


def _signoff(pdf: MinutesPDF, block: mb.Signoff) -> None:
    pdf.ln(4)
    top = pdf.get_y()
    left_w, right_w = 75.0, 90.0
    pdf.set_xy(LEFT, top)
    if block.recipients:
        pdf.set_font(FAMILY, "BI", 12)
        pdf.multi_cell(left_w, 5.5, block.recipients_heading, align=Align.L, new_x=XPos.LEFT)
        pdf.set_font(FAMILY, "", 11)
        for line in block.recipients:
            pdf.multi_cell(left_w, 5, line, align=Align.L, new_x=XPos.LEFT)
    left_bottom = pdf.get_y()
    right_x = LEFT + pdf.epw - right_w
    pdf.set_xy(right_x, top)
    pdf.set_font(FAMILY, "B", SIZE)
    for line in block.authority:
        pdf.multi_cell(right_w, LINE, line.upper(), align=Align.C, new_x=XPos.LEFT)
    pdf.ln(LINE * 4)
    pdf.set_x(right_x)
    if block.signer:
        pdf.multi_cell(right_w, LINE, block.signer, align=Align.C, new_x=XPos.LEFT)
    pdf.set_xy(LEFT, max(left_bottom, pdf.get_y()) + 2)
    pdf.set_font(FAMILY, "", SIZE)


DRAWERS = mb.Drawers(
    _header, _title, _text, _table, _chart, _signatures, _digest, _section, _signoff
)


#: Blocks drawn whole on one page (moved to the next if they do not fit).
WHOLE = (mb.Chart, mb.Signatures, mb.Digest, mb.Signoff)


class _Ruler:
    """Heights of blocks, found by drawing them at the top of a scratch document's page."""

    def __init__(self) -> None:
        self.pdf = MinutesPDF("")
        #: The orientation of the pages measured for (a draft's Section turns it).
        self.landscape = False
        self.usable = self.pdf.page_break_trigger - TOP
        # Blocks are frozen: equal blocks (on equal pages), equal heights.
        self.known: dict[tuple[mb.Block, bool], float] = {}

    def turn(self, landscape: bool) -> None:
        self.landscape = landscape
        self.usable = (210.0 if landscape else 297.0) - BOTTOM - TOP

    def height(self, block: mb.Block) -> float:
        if isinstance(block, mb.Section):
            return 0.0
        key = (block, self.landscape)
        if key not in self.known:
            pdf = self.pdf
            pdf.add_page(orientation="L" if self.landscape else "P")
            start = pdf.page
            pdf.set_xy(LEFT, TOP)
            DRAWERS.draw(pdf, block)
            self.known[key] = (pdf.get_y() - TOP) + (pdf.page - start) * self.usable
        return self.known[key]

    def lead(self, block: mb.Block) -> float:
        """How much of ``block`` must share a page with what comes before it."""
        if isinstance(block, mb.ResultTable) and block.rows:
            # The heading row and the first row (fpdf2 repeats the heading row itself).
            return self.height(replace(block, rows=block.rows[:1]))
        if isinstance(block, mb.Text):
            return min(self.height(block), LEAD_LINES * LINE + 1)
        return self.height(block)


def _kept_height(ruler: _Ruler, blocks: list[mb.Block], keeps: list[bool], i: int) -> float:
    """Block ``i`` with what must go on its page: the start of the next block, or all of
    it and onwards while the next block keeps with its own next."""
    need = ruler.height(blocks[i])
    j = i + 1
    while j < len(blocks) and keeps[j - 1]:
        if not keeps[j]:
            need += ruler.lead(blocks[j])
            break
        need += ruler.height(blocks[j])
        j += 1
    return need


def _pdf_date(stamp: datetime | None) -> datetime:
    if stamp is None:
        return datetime.now(UTC).replace(microsecond=0)
    aware = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0)


def minutes_pdf(
    blocks: list[mb.Block], *, stamp: datetime | None = None, title: str | None = None
) -> bytes:
    """The minutes (``layout.minutes_blocks``) as a PDF file's bytes.

    ``stamp``: the lock's moment (naive means UTC), the file's CreationDate and ModDate:
    the same locked result always gives the same bytes. None (a preview): now.
    """
    pdf = MinutesPDF(title or mb.title_of(blocks))
    pdf.set_creation_date(_pdf_date(stamp))
    ruler = _Ruler()
    if blocks and isinstance(blocks[0], mb.Section):
        # A leading section is the first page's own orientation, not a page break.
        ruler.turn(blocks[0].landscape)
        blocks = blocks[1:]
    keeps = keeps_with_next(blocks)
    pdf.add_page(orientation="L" if ruler.landscape else "P")
    for i, block in enumerate(blocks):
        if isinstance(block, mb.Section):
            ruler.turn(block.landscape)
        need = (
            _kept_height(ruler, blocks, keeps, i)
            if keeps[i]
            else ruler.height(block)
            if isinstance(block, WHOLE)
            else 0.0
        )
        at_top = pdf.get_y() <= TOP + 0.5
        # What cannot fit on any page is left to break where it must.
        if need and not at_top and need <= ruler.usable and pdf.will_page_break(need):
            pdf.add_page(same=True)  # same: a landscape page's overflow stays landscape
        DRAWERS.draw(pdf, block)
    return bytes(pdf.output(output_producer_class=_StampedOutput))
