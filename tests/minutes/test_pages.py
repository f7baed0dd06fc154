"""The minutes paginate as an office's: inside the margins, no heading left at the foot of
a page, the signatures never alone; the DOCX and the page carry the same rules.

The PDF is read back with pypdf: every text fragment's position (its text matrix) and
every line, rectangle and image drawn. Minutes of many lengths (more candidates, more
opinions, more notes) make the page breaks fall at the risky places.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from itertools import product
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from flask import Flask
from pypdf import PdfReader

from tests.conftest import Api
from tests.minutes._export_scene import locked_b3
from tests.minutes._long_minutes import long_blocks
from tests.minutes._pdf_lines import Line, drawn_x, lines
from voting.minutes.docx import minutes_docx
from voting.minutes.layout import Block, Signatures, Text, keeps_with_next
from voting.minutes.pdf import minutes_pdf

# Nghị định 30/2020 (and the renderers): left 30 mm, right 15 mm, bottom 20 mm.
LEFT, RIGHT, WIDTH, BODY_BOTTOM = 30.0, 15.0, 210.0, 277.0
EPSILON = 0.2  # mm: rounding in the PDF's numbers and in the font's advance widths


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _margin_problems(reader: PdfReader) -> list[str]:
    problems = []
    for number, page in enumerate(reader.pages, start=1):
        for line in lines(page):
            if line.left < LEFT - EPSILON:
                problems.append(f"page {number}: {line.text!r} starts at {line.left:.1f} mm")
            if line.right > WIDTH - RIGHT + EPSILON:
                problems.append(f"page {number}: {line.text!r} ends at {line.right:.1f} mm")
        for x in drawn_x(page):
            if not LEFT - EPSILON <= x <= WIDTH - RIGHT + EPSILON:
                problems.append(f"page {number}: a line or image drawn at x = {x:.1f} mm")
    return problems


def _body(reader: PdfReader) -> list[list[Line]]:
    """Each page's lines above the footer (the page number)."""
    return [[ln for ln in lines(page) if ln.top < BODY_BOTTOM] for page in reader.pages]


def _announcers(blocks: list[Block]) -> list[str]:
    """The texts that must not end a page: headings and lines ending in ':'."""
    keeps = keeps_with_next(blocks)
    return [
        _one_line(b.text)
        for i, b in enumerate(blocks)
        if keeps[i] and isinstance(b, Text) and not isinstance(blocks[i + 1], Signatures)
    ]


def pagination(blocks: list[Block], data: bytes) -> tuple[list[str], dict[str, int]]:
    """(problems, how often a page began where a rule had to act)."""
    reader = PdfReader(io.BytesIO(data))
    pages = _body(reader)
    heads = _announcers(blocks)
    at = next(i for i, b in enumerate(blocks) if isinstance(b, Signatures))
    signatures, before = blocks[at], _one_line(blocks[at - 1].text)
    assert isinstance(signatures, Signatures)
    problems: list[str] = []
    seen = {"heading": 0, "signatures": 0}
    for number, body in enumerate(pages, start=1):
        if not body:
            continue
        last, first = body[-1].text, body[0].text
        if number < len(pages) and any(h.startswith(last) or h.endswith(last) for h in heads):
            problems.append(f"page {number} ends with the heading {last!r}")
        if number > 1 and any(h.startswith(first) for h in heads):
            seen["heading"] += 1
        title = signatures.right[0].upper()
        where = next((i for i, ln in enumerate(body) if title in ln.text), None)
        if where is None:
            continue
        if number > 1 and before.startswith(first):
            seen["signatures"] += 1
        # The line just above the signatures is the end of the text before them.
        if where == 0 or not before.endswith(body[where - 1].text):
            problems.append(f"page {number}: the signatures stand without the text before them")
        page_text = _one_line(" ".join(ln.text for ln in body))
        for name in (*signatures.left[1], *signatures.right[1]):
            if name and name not in page_text:
                problems.append(f"page {number}: {name!r} is not under the signature titles")
    return problems, seen


LENGTHS = {
    # (positions, candidates, opinions at the meeting): each pushes the breaks elsewhere.
    "counting": list(product([1, 2], [1, 2, 3, 4, 5, 6, 7])),
    "conference": [(2, c, r) for c, r in product([1, 2, 3, 4, 5, 6, 7], [0, 2])],
}


@pytest.mark.parametrize("kind", ["counting", "conference"])
def test_long_minutes_keep_margins_headings_and_signatures(kind: str) -> None:
    seen = {"heading": 0, "signatures": 0}
    for length in LENGTHS[kind]:
        positions, candidates, *rest = length
        blocks = long_blocks(
            kind,
            positions=positions,
            candidates=candidates,
            remarks=rest[0] if rest else 0,
            absent=3,
            notes=1,
        )
        data = minutes_pdf(blocks)
        reader = PdfReader(io.BytesIO(data))
        assert len(reader.pages) >= 2, length
        assert _margin_problems(reader) == [], length
        problems, found = pagination(blocks, data)
        assert problems == [], length
        for rule, n in found.items():
            seen[rule] += n
    # The lengths did make the breaks fall where a rule had to act (else they test nothing).
    assert seen["heading"] >= 3 and seen["signatures"] >= 2, seen


def test_the_old_layout_fails_these_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks catch what the issue saw: without the keeping rules, some length ends a
    page with a heading or leaves the signatures alone."""
    import voting.minutes.pdf as pdf

    monkeypatch.setattr(pdf, "keeps_with_next", lambda blocks: [False] * len(blocks))
    failures = 0
    for candidates in (1, 2, 4, 5, 6, 7):
        blocks = long_blocks("conference", positions=2, candidates=candidates, absent=3)
        failures += bool(pagination(blocks, pdf.minutes_pdf(blocks))[0])
    assert failures >= 2


@pytest.mark.parametrize("kind", ["counting", "conference"])
def test_the_served_pdf_sits_inside_the_margins(
    app: Flask,
    chair_api: Api,
    create_conference: Callable[..., dict[str, Any]],
    kind: str,
) -> None:
    conf = locked_b3(app, chair_api, create_conference)
    data = chair_api.get(f"/c/{conf['id']}/minutes/{kind}.pdf").get_data()
    reader = PdfReader(io.BytesIO(data))
    assert _margin_problems(reader) == []
    # The results table's left border is on the 30 mm margin (it was at 22.4 mm).
    table = [x for page in reader.pages for x in drawn_x(page)]
    assert min(table) == pytest.approx(LEFT, abs=EPSILON)
    assert max(table) == pytest.approx(WIDTH - RIGHT, abs=EPSILON)


def _keeps_next(paragraph: Any) -> bool:
    return (
        paragraph.find(qn("w:pPr")) is not None
        and paragraph.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None
    )


@pytest.mark.parametrize("kind", ["counting", "conference"])
def test_the_docx_keeps_headings_and_signatures_with_their_text(kind: str) -> None:
    blocks = long_blocks(kind, positions=2, candidates=3, remarks=2, absent=3, notes=1)
    document = Document(io.BytesIO(minutes_docx(blocks)))
    paragraphs = {_one_line(p.text): p._p for p in document.paragraphs if p.text.strip()}
    for block, keep in zip(blocks, keeps_with_next(blocks), strict=True):
        if isinstance(block, Text):
            assert _keeps_next(paragraphs[_one_line(block.text)]) == keep, block.text
    # The result tables: no row splits; the heading row goes with the first row.
    tables = [t for t in document.tables if t.rows[0].cells[0].text == "STT"]
    assert tables
    for table in tables:
        assert all(
            row._tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for row in table.rows
        )
        assert all(_keeps_next(p) for p in table.rows[0]._tr.iter(qn("w:p")))
    # The signatures: one unsplittable row, every line kept with the next down to the digest.
    signatures = document.tables[-1]
    assert signatures.rows[0]._tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None
    assert all(_keeps_next(p) for p in signatures._tbl.iter(qn("w:p")))
    before = signatures._tbl.getprevious()
    assert before.tag == qn("w:p") and _keeps_next(before)  # the space above them
    assert _keeps_next(before.getprevious())  # and the last text before that


def test_the_page_marks_the_same_blocks_to_keep(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = locked_b3(app, chair_api, create_conference)
    page = chair_api.get(f"/c/{conf['id']}/minutes/conference").get_data(as_text=True)
    assert "css/minutes" in page  # the print rules: keep-next, signatures whole
    assert '<p class="t-heading keep-next">I. Thành phần</p>' in page
    assert '<p class="t-heading keep-next">IV. Kết luận</p>' in page
    assert '<table class="signatures keep-next">' in page  # with the digest below them
    kept = page.split('<table class="signatures')[0].rsplit("<p ", 1)[1]
    assert "keep-next" in kept  # the last text goes over with the signatures
