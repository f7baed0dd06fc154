"""QR codes as inline SVG (no image files, no external service)."""

from __future__ import annotations

import re

import qrcode
import qrcode.image.svg
from markupsafe import Markup


def qr_svg(data: str) -> Markup:
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    svg = image.to_string(encoding="unicode")
    # qrcode emits an XML declaration; inline SVG inside HTML must not have one.
    if svg.startswith("<?xml"):
        svg = svg[svg.index("?>") + 2 :]
    # Size comes from CSS (a slip, the kiosk, the projector), not from the SVG.
    svg = re.sub(r'\s(width|height)="[^"]*"', "", svg, count=2)
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR" ', 1))
