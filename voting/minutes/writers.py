"""The DOCX and PDF writers, loaded on a file's first download.

python-docx and fpdf2 (with fontTools and Pillow) are about 60 MB in a process. Every
server process would carry them from start-up, the ones holding the phones' sockets
included, though only the secretary's downloads use them (docs/performance.md: the
RSS with 2,000 idle sockets). So the pages and the dossier call them through here.
"""

from __future__ import annotations

from datetime import datetime

from voting.minutes.blocks import Block


def minutes_docx(
    blocks: list[Block], *, stamp: datetime | None = None, title: str | None = None
) -> bytes:
    """``voting.minutes.docx.minutes_docx``, imported on first use."""
    from voting.minutes import docx

    return docx.minutes_docx(blocks, stamp=stamp, title=title)


def minutes_pdf(
    blocks: list[Block], *, stamp: datetime | None = None, title: str | None = None
) -> bytes:
    """``voting.minutes.pdf.minutes_pdf``, imported on first use."""
    from voting.minutes import pdf

    return pdf.minutes_pdf(blocks, stamp=stamp, title=title)
