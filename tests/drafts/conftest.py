"""The planning fixtures (a unit's register, processes run through the real code paths)
and helpers that read a draft back: DOCX with python-docx, PDF with pypdf."""

from __future__ import annotations

import io

from docx import Document
from pypdf import PdfReader

from tests.planning.conftest import second_unit, start_flow, unit  # noqa: F401


def docx_text(data: bytes) -> str:
    """Every paragraph of the document, the tables' cells included, one per line."""
    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines += [p.text for p in cell.paragraphs]
    return "\n".join(lines)


def docx_tables(data: bytes) -> list[list[list[str]]]:
    document = Document(io.BytesIO(data))
    return [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)
