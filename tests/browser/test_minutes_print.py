"""The minutes page as Chromium prints it on A4: inside the margins, no heading at the foot
of a page, the signatures with the lines before them (the page's own print rules, the
same as the PDF's and the DOCX's: voting/minutes/layout.py keeps_with_next).

A locked conference with several positions, long posts and opinions at the meeting is
printed by Debian's Chromium (``page.pdf()`` under print media, the stylesheet's @page),
read back with pypdf. Page 1 and the last page are rendered to PNG in
``test-output/print/`` (pdftoppm) to be looked at; the page itself is screenshot.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from pypdf import PdfReader

from tests.browser.conftest import Server
from tests.browser.helpers import ROOT, SCREENSHOTS, ChairBrowser, screenshot
from tests.conftest import conference_payload, token_of
from tests.minutes._pdf_lines import lines

PRINTS = ROOT / "test-output" / "print"
PX_PER_MM = 96 / 25.4
# print.css: @page { margin: 20mm 20mm 20mm 30mm } (Nghị định 30: left 30–35, right 15–20).
LEFT, RIGHT, BOTTOM = 30.0, 20.0, 20.0
TOLERANCE = 0.6  # mm: Chromium's positions are in device pixels


def _bare(text: str) -> str:
    """Without any space: Chromium writes a line in glyph clusters, pypdf spaces them."""
    return "".join(text.split())


def _positions(n: int, candidates: int) -> list[dict[str, Any]]:
    return [
        {
            "name": f"Phó Trưởng phòng Nghiệp vụ {k + 1}",
            "quota": 2,
            "candidates": [
                {
                    "name": f"Nguyễn Văn Ứng Viên {k * 10 + i + 1}",
                    "birth_year": 1975 + i,
                    "post": "Phó Trưởng phòng Nghiệp vụ và Tổ chức thi hành án khu vực",
                    "unit": f"Chi cục Thi hành án dân sự số {k + 1}",
                }
                for i in range(candidates)
            ],
        }
        for k in range(n)
    ]


class Chair(ChairBrowser):
    def __init__(self, browser: Any, server: Server) -> None:
        self.browser, self.server = browser, server
        self.ctx = browser.new_context(base_url=server.base, locale="vi-VN")
        super().__init__(self.ctx)

    def locked(self, positions: int, candidates: int, remarks: int) -> str:
        payload = conference_payload(summoned=9, positions=_positions(positions, candidates))
        conf = self.api("POST", "/api/v1/conferences", payload)
        cid = str(conf["id"])
        marks = [
            {"person_id": p["id"], "present": i < 8, "reason": "" if i < 8 else "Đi công tác"}
            for i, p in enumerate(conf["people"])
        ]
        self.api("PUT", f"/api/v1/conferences/{cid}/attendance", {"attendance": marks})
        tokens = self.api("POST", f"/api/v1/conferences/{cid}/open")["tokens"]
        phone = self.browser.new_context(base_url=self.server.base)
        for i, token in enumerate(tokens):
            # The first candidate passes (6 of 8), the others do not: a seat stays empty.
            chosen = "c1" if i < 6 else f"c{i % candidates + 1}"
            choices = {f"p{k + 1}": [chosen] for k in range(positions)}
            r = phone.request.post(
                "/api/v1/ballots", data={"token": token_of(token), "choices": choices}
            )
            assert r.status == 201, r.text()
        phone.close()
        self.api("POST", f"/api/v1/conferences/{cid}/close")
        opinion = (
            "Đồng chí Trưởng phòng Tổ chức cán bộ phát biểu: thống nhất với danh sách, đề nghị "
            "quan tâm bồi dưỡng cán bộ trẻ, cán bộ nữ trong diện quy hoạch."
        )
        self.api(
            "PUT",
            f"/api/v1/conferences/{cid}/minutes/record",
            {
                "agenda": "Thông qua quy trình\nBỏ phiếu giới thiệu nguồn",
                "remarks": "\n".join([opinion] * remarks),
                "ended_at": "16:30",
                "copies": 3,
            },
        )
        self.api("POST", f"/api/v1/conferences/{cid}/lock")
        return cid


@pytest.fixture(scope="module")
def chair(browser: Any, server: Server) -> Iterator[Chair]:
    c = Chair(browser, server)
    yield c
    c.ctx.close()


def _look(pdf: bytes, name: str, pages: int) -> None:
    PRINTS.mkdir(parents=True, exist_ok=True)
    path = PRINTS / f"{name}.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftoppm"):
        for number in sorted({1, pages}):
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    "70",
                    "-png",
                    "-f",
                    str(number),
                    "-l",
                    str(number),
                    "-singlefile",
                    str(path),
                    str(PRINTS / f"{name}-{number}"),
                ],
                check=True,
                timeout=60,
            )


@pytest.mark.parametrize(("positions", "candidates", "remarks"), [(2, 4, 0), (3, 5, 3)])
def test_printed_minutes_page_keeps_margins_headings_and_signatures(
    chair: Chair, positions: int, candidates: int, remarks: int
) -> None:
    cid = chair.locked(positions, candidates, remarks)
    page = chair.ctx.new_page()
    page.set_viewport_size({"width": round(160 * PX_PER_MM), "height": 1100})
    assert page.goto(f"/c/{cid}/minutes/conference").ok
    page.evaluate("() => document.fonts.ready.then(() => true)")
    if (positions, candidates) == (2, 4):  # for docs/screenshots/counting-minutes.png
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = chair.ctx.new_page()
        shot.set_viewport_size({"width": 1280, "height": 900})
        assert shot.goto(f"/c/{cid}/minutes/counting").ok
        shot.evaluate("() => document.fonts.ready.then(() => true)")
        screenshot(shot, SCREENSHOTS / "counting-minutes.png")
        shot.close()
    heads = [_bare(t) for t in page.locator("p.keep-next").all_inner_texts()]
    before = heads.pop()  # the last: the text the signatures keep with
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    reader = PdfReader(io.BytesIO(pdf))
    _look(pdf, f"minutes-{positions}x{candidates}-{remarks}", len(reader.pages))
    assert len(reader.pages) >= 2

    signed = 0
    for number, pdf_page in enumerate(reader.pages, start=1):
        body = lines(pdf_page)
        assert body, number
        for line in body:
            assert line.left >= LEFT - TOLERANCE, (number, line.text, line.left)
            assert line.right <= 210 - RIGHT + TOLERANCE, (number, line.text, line.right)
            assert line.top <= 297 - BOTTOM + TOLERANCE, (number, line.text, line.top)
        if number < len(reader.pages):
            last = _bare(body[-1].text)
            assert not any(h.startswith(last) or h.endswith(last) for h in heads), (number, last)
        titles = [i for i, ln in enumerate(body) if "THƯKÝ" in _bare(ln.text)]
        if titles:
            signed += 1
            above = body[: titles[0]]
            assert above and before.endswith(_bare(above[-1].text)), (number, above[-1:])
    assert signed == 1
