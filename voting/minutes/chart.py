"""The results chart: agree percentage per candidate against the threshold line.

One geometry, two renderings: SVG for the pages (crisp on screen and in print) and PNG
for the DOCX and PDF minutes (python-docx takes raster images only). Both draw the same
bars from the decision's own percentages; nothing here decides anything. No Flask import.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from voting.minutes.layout import Chart, percent_text, threshold_phrase

FONT_DIR = (
    Path(__file__).resolve().parents[2] / "static" / "vendor" / "@expo-google-fonts" / "tinos"
)
FONT_REGULAR = FONT_DIR / "Tinos_400Regular.ttf"
FONT_BOLD = FONT_DIR / "Tinos_700Bold.ttf"

# Geometry in CSS pixels (the PNG is drawn at SCALE times this).
WIDTH = 640
LABEL_WIDTH = 210
VALUE_WIDTH = 64
ROW = 30
BAR = 18
TOP = 34
BOTTOM = 30
PASS_COLOUR = "#1d6b3a"
FAIL_COLOUR = "#9aa3ad"
LINE_COLOUR = "#b00020"
INK = "#1a1a1a"
SCALE = 3
MAX_LABEL_CHARS = 30


@dataclass(frozen=True)
class Geometry:
    height: int
    plot_left: int
    plot_width: int
    threshold_x: float
    rows: tuple[tuple[str, str, float, bool, int], ...]  # label, value text, bar width, passes, y


def geometry(chart: Chart) -> Geometry:
    plot_left = LABEL_WIDTH + 8
    plot_width = WIDTH - plot_left - VALUE_WIDTH
    threshold = Fraction(chart.threshold)
    rows = []
    for i, bar in enumerate(chart.bars):
        share = min(max(float(bar.percent) / 100, 0.0), 1.0)
        label = (
            bar.label
            if len(bar.label) <= MAX_LABEL_CHARS
            else bar.label[: MAX_LABEL_CHARS - 1] + "…"
        )
        rows.append(
            (label, f"{percent_text(bar.percent)}%", share * plot_width, bar.passes, TOP + i * ROW)
        )
    return Geometry(
        height=TOP + len(rows) * ROW + BOTTOM,
        plot_left=plot_left,
        plot_width=plot_width,
        threshold_x=plot_left + float(threshold) * plot_width,
        rows=tuple(rows),
    )


def threshold_label(chart: Chart) -> str:
    if chart.threshold_text:
        return chart.threshold_text
    return f"Ngưỡng: {threshold_phrase(chart.threshold, chart.comparison)} {chart.base_label}"


def chart_svg(chart: Chart, *, title_id: str = "chart") -> str:
    """An accessible inline SVG (role=img with a title naming every value)."""
    g = geometry(chart)
    summary = "; ".join(f"{b.label}: {percent_text(b.percent)}%" for b in chart.bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {g.height}" '
        f'role="img" aria-labelledby="{title_id}">',
        f'<title id="{title_id}">{escape(chart.title)}. {escape(summary)}. '
        f"{escape(threshold_label(chart))}</title>",
        f'<text x="0" y="16" font-size="14" font-weight="bold" fill="{INK}">'
        f"{escape(chart.title)}</text>",
    ]
    for label, value, width, passes, y in g.rows:
        colour = PASS_COLOUR if passes else FAIL_COLOUR
        mid = y + BAR / 2 + 5
        parts.append(
            f'<text x="{LABEL_WIDTH}" y="{mid}" font-size="13" text-anchor="end" '
            f'fill="{INK}">{escape(label)}</text>'
            f'<rect x="{g.plot_left}" y="{y}" width="{g.plot_width}" height="{BAR}" '
            f'fill="#eef0f2"/>'
            f'<rect x="{g.plot_left}" y="{y}" width="{width:.1f}" height="{BAR}" fill="{colour}"/>'
            f'<text x="{g.plot_left + g.plot_width + 6}" y="{mid}" font-size="13" '
            f'fill="{INK}">{escape(value)}</text>'
        )
    bottom = g.height - BOTTOM
    parts.append(
        f'<line x1="{g.threshold_x:.1f}" y1="{TOP - 6}" x2="{g.threshold_x:.1f}" '
        f'y2="{bottom + 2}" stroke="{LINE_COLOUR}" stroke-width="2" stroke-dasharray="5 3"/>'
        f'<text x="{g.threshold_x:.1f}" y="{bottom + 20}" font-size="12" text-anchor="middle" '
        f'fill="{LINE_COLOUR}">{escape(threshold_label(chart))}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


@cache
def _font(bold: bool, size: int) -> Any:  # a PIL font: truetype or the bitmap default
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT_BOLD if bold else FONT_REGULAR), size * SCALE)


def chart_png(chart: Chart) -> bytes:
    """The same chart as a PNG at SCALE× (about 200 dpi at 165 mm wide)."""
    from PIL import Image, ImageDraw

    g = geometry(chart)
    image = Image.new("RGB", (WIDTH * SCALE, g.height * SCALE), "white")
    draw = ImageDraw.Draw(image)

    def s(value: float) -> int:
        return round(value * SCALE)

    draw.text((0, s(2)), chart.title, font=_font(True, 14), fill=INK)
    for label, value, width, passes, y in g.rows:
        mid = s(y + BAR / 2)
        draw.text((s(LABEL_WIDTH), mid), label, font=_font(False, 13), fill=INK, anchor="rm")
        draw.rectangle(
            (s(g.plot_left), s(y), s(g.plot_left + g.plot_width), s(y + BAR)), fill="#eef0f2"
        )
        if width > 0:
            draw.rectangle(
                (s(g.plot_left), s(y), s(g.plot_left + width), s(y + BAR)),
                fill=PASS_COLOUR if passes else FAIL_COLOUR,
            )
        draw.text(
            (s(g.plot_left + g.plot_width + 6), mid),
            value,
            font=_font(False, 13),
            fill=INK,
            anchor="lm",
        )
    bottom = g.height - BOTTOM
    x = s(g.threshold_x)
    dash, gap = s(5), s(3)
    top = s(TOP - 6)
    while top < s(bottom + 2):
        draw.line((x, top, x, min(top + dash, s(bottom + 2))), fill=LINE_COLOUR, width=s(2))
        top += dash + gap
    label = threshold_label(chart)
    text_width = draw.textlength(label, font=_font(False, 12))
    # Keep the label inside the picture when the line is near an edge.
    left = min(max(x - text_width / 2, 0), WIDTH * SCALE - text_width)
    draw.text((left, s(bottom + 10)), label, font=_font(False, 12), fill=LINE_COLOUR)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(200, 200))
    return out.getvalue()
