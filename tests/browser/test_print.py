"""The room's paper as Chromium prints it on A4: the QR slip sheet and the paper ballot.

Each page is served by the real ``voting serve`` process, then printed by Debian's
Chromium with ``page.pdf()`` under print media, and checked twice:

- in the print-emulated page (A4's printable width): every piece of a slip's text and
  its QR lie inside the slip's dashed border, no two slips overlap; nothing of the paper
  ballot sticks out of its cell or of the page;
- in the PDF itself, read back with pypdf: the cut lines (the dashed borders, drawn by
  Chromium as rows of small filled dashes) are recovered page by page, and every line of
  text must lie inside one slip's cut lines, no cut line through it, each slip whole on
  one page with its full title and its code; for the paper ballot, each candidate's row
  whole on one page, the column heads on every page of a list, each position's heading
  on the page of its first row, the quota rule stated for every position.

The slips are made with titles of one line and of ~260 and 300 characters (the longest
the set-up accepts); the ballots with one and with 32 candidates, quotas 1 to 3, several
positions and people who may be introduced. Page 1 of every PDF is rendered to PNG in
``test-output/print/`` (with ``pdftoppm`` where installed) to be looked at.

The slips must also keep the secret: apart from the QR and the code, every slip reads
exactly alike (no number, no order).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Server
from tests.browser.helpers import ROOT, ChairBrowser
from tests.conftest import conference_payload

PRINTS = ROOT / "test-output" / "print"
PT_PER_MM = 72 / 25.4
PX_PER_MM = 96 / 25.4
A4_W, A4_H = 210 * PT_PER_MM, 297 * PT_PER_MM
#: The slip sheet's @page margin (print.css, ``@page slips``) and the ballot's (Nghị định 30).
SHEET_MARGIN_MM = (10, 10, 10, 10)  # top, right, bottom, left
BALLOT_MARGIN_MM = (20, 20, 20, 30)
CODE = re.compile(r"\b[A-Z0-9]{5}-[A-Z0-9]{5}\b")

SHORT_TITLE = "Hội nghị bước B3"
LONG_TITLE = (
    "Hội nghị cán bộ chủ chốt Cục Thi hành án dân sự tỉnh Kiên Giang lấy phiếu giới thiệu "
    "nguồn quy hoạch các chức danh Cục trưởng, Phó Cục trưởng, Chi cục trưởng, Phó Chi cục "
    "trưởng và Trưởng phòng chuyên môn nhiệm kỳ 2026–2031, bước 3 (lần thứ nhất, có phiếu giấy)"
)
LONGEST_TITLE = (LONG_TITLE + " — " + "Văn phòng Cục và các Chi cục khu vực " * 3)[:300]

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ"]
MIDDLE = ["Văn", "Thị", "Hoàng", "Ngọc"]
GIVEN = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hạnh",
    "Khoa",
    "Linh",
    "Minh",
    "Nhung",
    "Phúc",
    "Quang",
    "Sơn",
    "Tâm",
    "Uyên",
    "Vinh",
    "Xuân",
    "Yến",
]


def candidates(n: int, position: int, *, write_in: bool = False) -> list[dict[str, Any]]:
    """``n`` distinct people with realistic names and posts long enough to wrap in a cell."""
    people = []
    for i in range(n):
        k = position * 37 + i
        people.append(
            {
                "name": " ".join(
                    (SURNAMES[k % 8], MIDDLE[k // 8 % 4], GIVEN[k % 18], GIVEN[k // 3 % 18])
                ),
                "birth_year": 1965 + (k % 33),
                "post": f"Phó Trưởng phòng Nghiệp vụ và Tổ chức thi hành án khu vực {i + 1}",
                "unit": f"Chi cục Thi hành án dân sự số {position}",
                **({"write_in": True} if write_in else {}),
            }
        )
    return people


# ---------------------------------------------------------------- reading the PDF back


@dataclass(frozen=True)
class Run:
    """One line of text as printed: page, baseline origin and size, in PDF points."""

    page: int
    x: float
    y: float
    size: float
    text: str

    @property
    def top(self) -> float:  # with Vietnamese stacked diacritics
        return self.y + 0.9 * self.size

    @property
    def bottom(self) -> float:
        return self.y - 0.25 * self.size


@dataclass(frozen=True)
class Segment:
    """A cut line: dashes in a row (``horizontal``) or a column at ``at``, from ``lo`` to ``hi``."""

    horizontal: bool
    at: float
    lo: float
    hi: float


def _apply(m: list[float], x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def read_page(page: Any, number: int) -> tuple[list[Run], list[tuple[float, float, float, float]]]:
    """The page's text runs and the boxes of its filled sub-paths (x0, y0, x1, y1)."""
    runs: list[Run] = []
    boxes: list[tuple[float, float, float, float]] = []
    subpaths: list[list[tuple[float, float]]] = []

    def on_text(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text.strip():
            return
        x, y = _apply(cm, tm[4], tm[5])
        scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0])
        runs.append(Run(number, x, y, size * scale, " ".join(text.split())))

    def on_op(op: bytes, args: list[Any], cm: list[float], tm: list[float]) -> None:
        if op == b"m":
            subpaths.append([_apply(cm, float(args[0]), float(args[1]))])
        elif op == b"l" and subpaths:
            subpaths[-1].append(_apply(cm, float(args[0]), float(args[1])))
        elif op == b"re":
            x, y, w, h = (float(a) for a in args)
            subpaths.append([_apply(cm, x, y), _apply(cm, x + w, y + h)])
        elif op in (b"f", b"f*", b"F"):
            for points in subpaths:
                xs, ys = [p[0] for p in points], [p[1] for p in points]
                boxes.append((min(xs), min(ys), max(xs), max(ys)))
            subpaths.clear()
        elif op in (b"n", b"S", b"s", b"B", b"B*", b"b", b"b*"):
            subpaths.clear()

    page.extract_text(visitor_text=on_text, visitor_operand_before=on_op)
    return runs, boxes


def read_pdf(pdf: bytes) -> list[tuple[list[Run], list[tuple[float, float, float, float]]]]:
    from pypdf import PdfReader

    reader = PdfReader(BytesIO(pdf))
    for page in reader.pages:
        box = page.mediabox
        assert abs(float(box.width) - A4_W) < 2 and abs(float(box.height) - A4_H) < 2, box
    return [read_page(page, i + 1) for i, page in enumerate(reader.pages)]


def cut_lines(boxes: list[tuple[float, float, float, float]]) -> list[Segment]:
    """The dashed lines among the filled boxes: dashes are thin (≤ 1.2 pt) and short.

    QR modules are filled too, but they are squares a millimetre wide; table borders are
    long. Dashes in one row (or column) with gaps under 6 pt make one segment.
    """
    rows: dict[tuple[bool, float], list[tuple[float, float]]] = {}
    for x0, y0, x1, y1 in boxes:
        w, h = x1 - x0, y1 - y0
        if h <= 1.2 and 1.0 <= w <= 8:
            rows.setdefault((True, round((y0 + y1) / 2, 1)), []).append((x0, x1))
        elif w <= 1.2 and 1.0 <= h <= 8:
            rows.setdefault((False, round((x0 + x1) / 2, 1)), []).append((y0, y1))
    segments = []
    for (horizontal, at), spans in rows.items():
        spans.sort()
        lo, hi = spans[0]
        for a, b in spans[1:]:
            if a - hi > 6:
                segments.append(Segment(horizontal, at, lo, hi))
                lo = a
            hi = max(hi, b)
        segments.append(Segment(horizontal, at, lo, hi))
    # A lone dash or two is not a cut line (a border is tens of dashes long).
    return [s for s in segments if s.hi - s.lo > 20]


def enclosing_cell(run: Run, segments: list[Segment]) -> tuple[float, float, float, float] | None:
    """The cut lines nearest the run's start on each side: (left, bottom, right, top)."""
    x = run.x + 0.5
    y = (run.y + run.top) / 2
    above = [s.at for s in segments if s.horizontal and s.lo <= x <= s.hi and s.at >= run.top]
    below = [s.at for s in segments if s.horizontal and s.lo <= x <= s.hi and s.at <= run.bottom]
    left = [s.at for s in segments if not s.horizontal and s.lo <= y <= s.hi and s.at <= run.x]
    right = [s.at for s in segments if not s.horizontal and s.lo <= y <= s.hi and s.at > run.x]
    if not (above and below and left and right):
        return None
    return max(left), max(below), min(right), min(above)


def crossing(run: Run, segments: list[Segment]) -> list[Segment]:
    """Horizontal cut lines that pass through the run's line of text."""
    x = run.x + 0.5
    return [
        s for s in segments if s.horizontal and s.lo <= x <= s.hi and run.bottom < s.at < run.top
    ]


def inside_margins(run: Run, margins_mm: tuple[int, int, int, int]) -> bool:
    top, right, bottom, left = (m * PT_PER_MM for m in margins_mm)
    tolerance = 1.5
    return (
        run.x >= left - tolerance
        and run.x <= A4_W - right
        and run.bottom >= bottom - tolerance
        and run.top <= A4_H - top + tolerance
    )


def save_page_one(pdf: bytes, name: str) -> Path:
    """The PDF, and its first page as PNG when pdftoppm is there (to be looked at)."""
    PRINTS.mkdir(parents=True, exist_ok=True)
    path = PRINTS / f"{name}.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "80",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(path),
                str(PRINTS / f"{name}-1"),
            ],
            check=True,
            timeout=60,
        )
    return path


# ---------------------------------------------------------------- the chair and the pages


class Chair(ChairBrowser):
    """A logged-in browser context that sets conferences up through the JSON API."""

    def __init__(self, browser: Any, server: Server) -> None:
        self.ctx = browser.new_context(base_url=server.base, locale="vi-VN")
        super().__init__(self.ctx)

    def opened(
        self,
        title: str,
        *,
        summoned: int,
        paper: int = 0,
        positions: list[dict[str, Any]] | None = None,
    ) -> str:
        """A B3 conference with everyone present, its ballot open; its public id."""
        payload = {**conference_payload(summoned=summoned, positions=positions), "title": title}
        conf = self.api("POST", "/api/v1/conferences", payload)
        marks = [{"person_id": p["id"], "present": True, "reason": ""} for p in conf["people"]]
        self.api("PUT", f"/api/v1/conferences/{conf['id']}/attendance", {"attendance": marks})
        self.api("POST", f"/api/v1/conferences/{conf['id']}/open", {"paper": paper})
        return str(conf["id"])

    def printed(self, url: str, width_mm: float) -> tuple[Any, bytes]:
        """The page under print media at the printable width, and Chromium's A4 PDF of it."""
        page = self.ctx.new_page()
        page.set_viewport_size({"width": round(width_mm * PX_PER_MM), "height": 1100})
        response = page.goto(url)
        assert response is not None and response.ok, url
        page.emulate_media(media="print")
        # Measured and printed in the ballot's own font (Tinos, served by the app).
        page.evaluate("() => document.fonts.ready.then(() => true)")
        # The PDF's size and margins are the stylesheet's own (@page), as the chair's print.
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        return page, pdf


@pytest.fixture(scope="module")
def chair(browser: Any, server: Server) -> Iterator[Chair]:
    c = Chair(browser, server)
    yield c
    c.ctx.close()


# ---------------------------------------------------------------- the QR slips

_SLIP_BOXES = """() => Array.from(document.querySelectorAll(".slip")).map((slip) => {
  const r = slip.getBoundingClientRect();
  const cs = getComputedStyle(slip);
  const inner = {
    left: r.left + parseFloat(cs.borderLeftWidth), right: r.right - parseFloat(cs.borderRightWidth),
    top: r.top + parseFloat(cs.borderTopWidth), bottom: r.bottom - parseFloat(cs.borderBottomWidth),
  };
  const parts = [];
  const walk = document.createTreeWalker(slip, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const node = walk.currentNode;
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const b of range.getClientRects()) {
      parts.push({what: node.textContent.trim().slice(0, 40),
                  left: b.left, right: b.right, top: b.top, bottom: b.bottom});
    }
  }
  for (const svg of slip.querySelectorAll("svg")) {
    const b = svg.getBoundingClientRect();
    parts.push({what: "QR", left: b.left, right: b.right, top: b.top, bottom: b.bottom});
  }
  return {
    box: {left: r.left, right: r.right, top: r.top, bottom: r.bottom}, inner, parts,
    breakInside: cs.breakInside, text: slip.innerText,
    overflow: slip.scrollHeight - slip.clientHeight,
  };
})"""


def check_slips_in_page(page: Any, title: str) -> list[str]:
    """Print-emulated layout: each slip's content inside its border; slips apart. Codes."""
    slips = page.evaluate(_SLIP_BOXES)
    assert slips, "no slip on the sheet"
    page_width = page.evaluate("() => document.documentElement.clientWidth")
    codes = []
    for i, s in enumerate(slips):
        assert s["breakInside"] == "avoid", s["breakInside"]
        assert s["overflow"] <= 0, f"slip {i}: its text overflows it by {s['overflow']} px"
        inner = s["inner"]
        for p in s["parts"]:
            assert (
                p["left"] >= inner["left"] - 0.5
                and p["right"] <= inner["right"] + 0.5
                and p["top"] >= inner["top"] - 0.5
                and p["bottom"] <= inner["bottom"] + 0.5
            ), f"slip {i}: {p['what']!r} lies outside its cut lines: {p} not in {inner}"
        assert s["box"]["right"] <= page_width + 0.5, f"slip {i} is wider than the page"
        for j, t in enumerate(slips[:i]):
            a, b = s["box"], t["box"]
            apart = (
                a["left"] >= b["right"] - 0.5
                or b["left"] >= a["right"] - 0.5
                or a["top"] >= b["bottom"] - 0.5
                or b["top"] >= a["bottom"] - 0.5
            )
            assert apart, f"slips {j} and {i} overlap: {b} / {a}"
        found = CODE.findall(s["text"])
        assert len(found) == 1, s["text"]
        codes.append(found[0])
        assert " ".join(title.split()) in " ".join(s["text"].split()), s["text"]
    # Secrecy: the slips differ by their code (and QR) only: no number, no order.
    texts = {" ".join(CODE.sub("CODE", s["text"]).split()) for s in slips}
    assert len(texts) == 1, texts
    return codes


def check_slips_in_pdf(pdf: bytes, title: str, codes: list[str]) -> list[int]:
    """The PDF: every line of text inside one slip's cut lines; each slip whole. Per page."""
    pages = read_pdf(pdf)
    seen: dict[str, int] = {}
    per_page: list[int] = []
    flat_title = " ".join(title.split())
    for runs, boxes in pages:
        segments = cut_lines(boxes)
        assert segments, f"no dashed cut line found on page {len(per_page) + 1} of the PDF"
        cells: dict[tuple[float, float, float, float], list[Run]] = {}
        for run in runs:
            assert inside_margins(run, SHEET_MARGIN_MM), f"outside the page margins: {run}"
            through = crossing(run, segments)
            assert not through, f"a cut line runs through {run}: {through}"
            cell = enclosing_cell(run, segments)
            assert cell is not None, f"not inside any slip's cut lines: {run}"
            cells.setdefault(cell, []).append(run)
        for cell, texts in cells.items():
            text = " ".join(r.text for r in texts)
            found = CODE.findall(text)
            assert len(found) == 1, f"page {texts[0].page}, cell {cell}: {text}"
            assert found[0] not in seen, f"{found[0]} printed twice"
            seen[found[0]] = texts[0].page
            # The whole title in one slip: not cut off, not spilled into the next slip.
            assert flat_title in text, f"the title is not whole in the slip: {text}"
            code_run = next(r for r in texts if found[0] in r.text)
            # Printed at its size: Chromium did not shrink the sheet to fit the page.
            assert abs(code_run.size - 15) < 0.3, code_run
            left, bottom, right, top = cell
            assert (right - left) > 80 * PT_PER_MM and (top - bottom) > 55 * PT_PER_MM, cell
        per_page.append(len(cells))
    assert sorted(seen) == sorted(codes), (sorted(seen), sorted(codes))
    return per_page


@pytest.mark.parametrize(
    ("name", "title", "summoned"),
    [("short", SHORT_TITLE, 9), ("long", LONG_TITLE, 11), ("longest", LONGEST_TITLE, 5)],
    ids=["short-title", "long-title", "longest-title"],
)
def test_slips_print_inside_their_cut_lines(
    chair: Chair, name: str, title: str, summoned: int
) -> None:
    cid = chair.opened(title, summoned=summoned)
    page, pdf = chair.printed(f"/c/{cid}/handout/sheet", 210 - 20)
    codes = check_slips_in_page(page, title)
    assert len(codes) == summoned
    save_page_one(pdf, f"slips-{name}")
    per_page = check_slips_in_pdf(pdf, title, codes)
    if title == SHORT_TITLE:
        # A title of a line: 2 × 4 slips a page, as the sheet promises.
        assert per_page == [8, 1], per_page
    assert all(n % 2 == 0 for n in per_page[:-1]), per_page  # rows are full but the last
    page.close()


# ---------------------------------------------------------------- the paper ballot

_BALLOT_BOXES = """() => {
  const out = [];
  const page = document.documentElement.clientWidth;
  const boxes = ".paper-ballot :is(td, th, p, h1, h2)";
  const near = (b, c) => b.left >= c.left - 0.5 && b.right <= c.right + 0.5
    && b.top >= c.top - 0.5 && b.bottom <= c.bottom + 0.5;
  for (const cell of document.querySelectorAll(boxes)) {
    const what = cell.textContent.trim().slice(0, 40);
    const c = cell.getBoundingClientRect();
    if (c.right > page + 0.5 || c.left < -0.5) out.push(["off the page", what, c.left, c.right]);
    const range = document.createRange();
    range.selectNodeContents(cell);
    for (const b of range.getClientRects()) {
      if (b.width > 0 && !near(b, c)) out.push(["outside its box", what, b.left, b.right]);
    }
    if (cell.scrollWidth > cell.clientWidth + 1) out.push(["clipped", what]);
  }
  return out;
}"""


COLUMN_HEADS = {"TT", "Họ và tên", "Năm", "sinh", "Chức vụ, đơn vị", "Đồng ý", "Không", "đồng ý"}


def ballot_positions() -> list[dict[str, Any]]:
    return [
        {"name": "Cục trưởng", "quota": 1, "candidates": candidates(1, 1)},
        {
            "name": "Phó Cục trưởng",
            "quota": 3,
            "candidates": candidates(32, 2) + candidates(3, 4, write_in=True),
        },
        {"name": "Chánh Văn phòng Cục", "quota": 2, "candidates": candidates(4, 3)},
    ]


def runs_of(pdf: bytes) -> list[Run]:
    return [run for runs, _boxes in read_pdf(pdf) for run in runs]


def pages_of_text(runs: list[Run], text: str) -> list[int]:
    """The page of each printing of ``text``, which may not be split across pages.

    The text's lines are runs starting at one x (a cell's left edge). Runs elsewhere
    (other cells) and the column heads repeated atop a new page are passed over, so a
    text broken across two pages is found and reported; any other run in the same
    column ends the text.
    """
    flat = " ".join(text.split())
    found = []
    for i, run in enumerate(runs):
        if not flat.startswith(run.text):
            continue
        joined, lines = run.text, [run]
        for later in runs[i + 1 :]:
            if joined == flat or later.page > run.page + 1:
                break
            if abs(later.x - run.x) >= 1 or later.text in COLUMN_HEADS:
                continue
            if not flat.startswith(f"{joined} {later.text}"):
                break
            joined, lines = f"{joined} {later.text}", [*lines, later]
        if joined == flat:
            pages = sorted({r.page for r in lines})
            assert len(pages) == 1, f"{flat!r} is split across pages {pages}"
            found.append(run.page)
    assert found, f"{flat!r} is not printed whole"
    return found


def check_ballot_pdf(pdf: bytes, positions: list[dict[str, Any]], copies: int) -> int:
    runs = runs_of(pdf)
    for run in runs:
        assert inside_margins(run, BALLOT_MARGIN_MM), f"outside the page margins: {run}"
    starts = [r.page for r in runs if r.text == "PHIẾU BẦU"]
    assert len(starts) == copies and len(set(starts)) == copies, starts
    pages = max(r.page for r in runs)
    # Every page that lists people carries the column heads.
    heads = {r.page for r in runs if r.text == "Họ và tên"}
    for position in positions:
        first: list[int] = []
        for c in position["candidates"]:
            # The row's cells on one page: the name, and the post and unit (wrapped lines).
            name_pages = pages_of_text(runs, c["name"])
            assert len(name_pages) == copies, (c["name"], name_pages)
            post_pages = pages_of_text(runs, f"{c['post']}, {c['unit']}")
            assert name_pages == post_pages, f"{c['name']}'s row is split across pages"
            for p in name_pages:
                assert p in heads, f"page {p} lists people without the column heads"
            first = first or name_pages
        quota = position["quota"]
        heading = f"{position['name']} — đồng ý tối đa {quota} người"
        assert pages_of_text(runs, heading) == first, (
            f"{heading!r} is left on a page without its first row"
        )
        rule = f"Đồng ý quá {quota} người ở chức danh này thì phiếu không hợp lệ."
        assert pages_of_text(runs, rule) == first, f"{rule!r} is not with the first row"
    return pages


@pytest.mark.parametrize("name", ["one-candidate", "many"])
def test_paper_ballot_prints_whole_rows_and_states_the_quota_rule(chair: Chair, name: str) -> None:
    if name == "many":
        positions, copies, title = ballot_positions(), 2, LONG_TITLE
    else:
        positions = [{"name": "Phó Cục trưởng", "quota": 1, "candidates": candidates(1, 5)}]
        copies, title = 1, SHORT_TITLE
    cid = chair.opened(title, summoned=3, paper=copies, positions=positions)
    page, pdf = chair.printed(f"/c/{cid}/paper", 210 - 50)
    problems = page.evaluate(_BALLOT_BOXES)
    assert not problems, problems
    assert page.locator("article.paper-ballot").count() == copies
    save_page_one(pdf, f"paper-{name}")
    pages = check_ballot_pdf(pdf, positions, copies)
    runs = runs_of(pdf)
    text = " ".join(r.text for r in runs if r.page == 1)
    # The rule of the ballot, in the procedure's words, on the first page of each copy.
    assert "phiếu không hợp lệ" in text
    assert "Phiếu đồng ý nhiều hơn số lượng ở bất kỳ chức danh nào là phiếu không hợp lệ." in text
    if name == "many":
        assert pages >= 2 * copies, pages  # 40 people: each copy runs on to a second page
    page.close()


def test_position_heading_stays_with_its_first_rows(chair: Chair) -> None:
    """A list that ends low on the page: the next heading moves on with its first rows.

    The first position grows a row at a time, so its end (and the second position's
    heading) passes through the bottom of page 1 in one of the ballots.
    """
    moved = 0
    for n in range(1, 7):
        positions: list[dict[str, Any]] = [
            {"name": "Cục trưởng", "quota": 1, "candidates": candidates(n, 6)},
            {"name": "Phó Cục trưởng", "quota": 2, "candidates": candidates(2, 7)},
        ]
        cid = chair.opened(SHORT_TITLE, summoned=2, paper=1, positions=positions)
        page, pdf = chair.printed(f"/c/{cid}/paper", 210 - 50)
        page.close()
        check_ballot_pdf(pdf, positions, 1)
        runs = runs_of(pdf)
        last_row = pages_of_text(runs, positions[0]["candidates"][-1]["name"])[0]
        heading = pages_of_text(runs, "Phó Cục trưởng — đồng ý tối đa 2 người")[0]
        moved += heading > last_row
        if heading > last_row:
            save_page_one(pdf, "paper-heading-moved")
    assert moved, "no ballot put the second heading at a page's end: the test saw no break"
