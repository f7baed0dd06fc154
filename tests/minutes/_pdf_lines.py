"""Where a PDF's text and drawings sit on the page, read back with pypdf (for the tests).

``lines(page)`` groups the text fragments (pypdf's ``visitor_text`` gives each one's text
matrix) into lines, each with its left and right edge in millimetres from the page's
left edge and its baseline from the top. The right edge is measured with the embedded
font's own metrics (Tinos, vendored), so "nothing beyond the right margin" is checked,
not assumed (a justified line's word spacing is not counted: such a line fills the width
by construction, and only its natural width could overrun). ``drawn_x(page)`` are the x
of every line, rectangle and image drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from PIL import ImageFont
from pypdf import PageObject
from pypdf.generic import ContentStream

from voting.minutes.chart import FONT_DIR

MM = 72 / 25.4
PAGE_H = 297.0

FILES = {
    (False, False): "Tinos_400Regular.ttf",
    (False, True): "Tinos_400Regular_Italic.ttf",
    (True, False): "Tinos_700Bold.ttf",
    (True, True): "Tinos_700Bold_Italic.ttf",
}


@cache
def _font(bold: bool, italic: bool, size: float) -> ImageFont.FreeTypeFont:
    # Drawn at 10x so the advance widths keep their precision, scaled back in _width.
    return ImageFont.truetype(str(FONT_DIR / FILES[(bold, italic)]), round(size * 10))


def _width(text: str, base_font: str, size: float) -> float:
    """The text's advance width in points."""
    font = _font("Bold" in base_font, "Italic" in base_font, size)
    return font.getlength(text) / 10


@dataclass
class Line:
    top: float  # the baseline, mm from the top of the page
    left: float  # mm from the left edge of the page
    right: float
    parts: list[tuple[float, str]] = field(default_factory=list)
    bold: bool = False

    @property
    def text(self) -> str:
        return " ".join(" ".join(t for _, t in sorted(self.parts)).split())


def fragments(page: PageObject) -> list[tuple[float, float, float, str, bool]]:
    """(x_left_mm, x_right_mm, baseline_mm_from_top, text, bold) of every text shown."""
    found: list[tuple[float, float, float, str, bool]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if not text.strip() or font is None:
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = tm[0] * cm[0]
        base = str(font.get("/BaseFont", ""))
        # pypdf writes a gap between words (a justified line's spacing) as extra spaces:
        # measured with one space each, a justified line is never over-long.
        width = _width(" ".join(text.split()), base, size * scale)
        found.append((x / MM, (x + width) / MM, PAGE_H - y / MM, text, "Bold" in base))

    page.extract_text(visitor_text=visit)
    return found


def lines(page: PageObject) -> list[Line]:
    """The page's text lines, top to bottom (fragments whose baselines are within 0.8 mm)."""
    result: list[Line] = []
    for left, right, top, text, bold in sorted(fragments(page), key=lambda f: (f[2], f[0])):
        line = next((ln for ln in result if abs(ln.top - top) < 0.8), None)
        if line is None:
            line = Line(top, left, right, bold=bold)
            result.append(line)
        line.left, line.right = min(line.left, left), max(line.right, right)
        line.bold = line.bold and bold
        line.parts.append((left, text))
    return sorted(result, key=lambda ln: ln.top)


def drawn_x(page: PageObject) -> list[float]:
    """The x (mm) of every point of the lines and rectangles drawn, and of every image's
    two vertical edges: what a table's borders and a chart occupy."""
    xs: list[float] = []
    content = ContentStream(page.get_contents(), page.pdf)
    for operands, operator in content.operations:
        if operator in (b"m", b"l"):
            xs.append(float(operands[0]) / MM)
        elif operator == b"re":
            x, width = float(operands[0]), float(operands[2])
            xs += [x / MM, (x + width) / MM]
        elif operator == b"cm" and float(operands[0]) > 1:  # an image's placement
            a, e = float(operands[0]), float(operands[4])
            xs += [e / MM, (e + a) / MM]
    return xs
