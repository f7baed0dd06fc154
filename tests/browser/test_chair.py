"""The chair's screens in Chromium, where layout and the page's own behaviour matter.

- The projector's result fits a 1920×1080 screen without scrolling, with a realistic
  ballot (3 positions × 5 candidates, 30 present, every receipt code) and with a bigger
  one (it scales down instead of overflowing).
- The set-up form: no step's name is cut off in the list, and the rule line under it
  follows the step chosen, before anything is saved; in English no Vietnamese is left on
  the rule lines.
- Lock goes through the server's summary page, which warns for every empty field of the
  minutes and wants an explicit tick; it works with JavaScript switched off, and so does
  voiding a slip.

Selectors use ids, names and data attributes, never translated labels.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Server
from tests.browser.helpers import SCREENSHOTS, ChairBrowser, ConsoleWatch, axe_check, screenshot
from tests.conftest import conference_payload, token_of

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails under CI) with the reason
    expect = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parents[2]
# Screens worth showing in docs/screenshots/ are written here and copied there by hand
# once looked at: a test run must not rewrite tracked files.
DOCS = SCREENSHOTS

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Hoàng", "Ngọc", "Minh", "Thanh", "Quốc", "Thu"]
GIVEN = ["Tâm", "Phúc", "Ánh", "Hải", "Lan", "Tùng", "Hà", "Khoa", "Yến", "Dũng"]
POSTS = ["Trưởng phòng Tổ chức cán bộ", "Phó Chánh Văn phòng", "Chi cục trưởng Chi cục THADS"]


def positions(n_positions: int, n_candidates: int) -> list[dict[str, Any]]:
    names = ["Phó Cục trưởng", "Trưởng phòng Nghiệp vụ", "Chánh Văn phòng", "Trưởng phòng Kiểm tra"]
    return [
        {
            "name": names[i % len(names)],
            "quota": 2,
            "candidates": [
                {
                    "name": f"{SURNAMES[(i + j) % 8]} {MIDDLE[(2 * i + j) % 8]} {GIVEN[j % 10]}",
                    "birth_year": 1975 + j,
                    "post": POSTS[j % 3],
                }
                for j in range(n_candidates)
            ],
        }
        for i in range(n_positions)
    ]


class Chair(ChairBrowser):
    """The chair's laptop: a logged-in context, the JSON API with its CSRF token, a page."""

    def __init__(self, browser: Any, server: Server, watch: ConsoleWatch, **context: Any) -> None:
        self.browser, self.server = browser, server
        self.ctx = browser.new_context(
            base_url=server.base,
            locale="vi-VN",
            viewport=context.pop("viewport", {"width": 1280, "height": 900}),
            **context,
        )
        self.page = watch.watch(self.ctx.new_page(), "chair")
        super().__init__(self.ctx)

    def closed_conference(
        self, title: str, n_positions: int, n_candidates: int, present: int, **kw: Any
    ) -> str:
        """A B3 conference voted by everyone present (each agreeing with two), closed."""
        payload = {
            **conference_payload(summoned=present, positions=positions(n_positions, n_candidates)),
            "title": title,
            **kw,
        }
        conf = self.api("POST", "/api/v1/conferences", payload)
        cid = str(conf["id"])
        marks = [{"person_id": p["id"], "present": True} for p in conf["people"]]
        self.api("PUT", f"/api/v1/conferences/{cid}/attendance", {"attendance": marks})
        tokens = self.api("POST", f"/api/v1/conferences/{cid}/open")["tokens"]
        phone = self.browser.new_context(base_url=self.server.base)
        for i, token in enumerate(tokens):
            choices = {
                f"p{k + 1}": sorted({f"c{(i + k) % n_candidates + 1}", f"c{i % 2 + 1}"})
                for k in range(n_positions)
            }
            r = phone.request.post(
                "/api/v1/ballots", data={"token": token_of(token), "choices": choices}
            )
            assert r.status == 201, r.text()
        phone.close()
        self.api("POST", f"/api/v1/conferences/{cid}/close")
        return cid


@pytest.fixture
def watch() -> Any:
    w = ConsoleWatch()
    yield w
    assert not w.problems, "\n".join(w.problems)


@pytest.mark.parametrize(
    ("n_positions", "n_candidates", "present"),
    [(3, 5, 30), (4, 8, 60)],
    ids=["3x5-30-present", "4x8-60-present"],
)
def test_projector_result_fits_a_1080p_screen(
    browser: Any,
    server: Server,
    screenshots: Path,
    watch: ConsoleWatch,
    n_positions: int,
    n_candidates: int,
    present: int,
) -> None:
    chair = Chair(browser, server, watch, viewport={"width": 1920, "height": 1080})
    cid = chair.closed_conference(
        "Hội nghị cán bộ chủ chốt giới thiệu nguồn quy hoạch nhiệm kỳ 2026-2031"
        + ("" if n_candidates <= 5 else f" ({n_positions}×{n_candidates})"),
        n_positions,
        n_candidates,
        present,
    )
    page = chair.page
    page.goto(f"/c/{cid}/projector")
    expect(page.locator(".projector-result")).to_be_visible()
    expect(page.locator(".chart-row")).to_have_count(n_positions * n_candidates)
    expect(page.locator(".receipts code")).to_have_count(present)
    # Wait for the fit (projector.js) to settle: the scale stops changing.
    page.wait_for_function("() => document.documentElement.dataset.fitted === '1'")
    height = page.evaluate("() => document.documentElement.scrollHeight")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    name = f"projector-result-{n_positions}x{n_candidates}.png"
    screenshot(page, screenshots / name, full_page=False)
    assert height <= 1080, f"the projector's result is {height} px tall on a 1080 px screen"
    assert width <= 1920, f"the projector's result is {width} px wide"
    # Readable from the back of the room: the realistic ballot gets at least the base
    # size (20 px), a crowded one shrinks, but not below 16 px.
    smallest = page.evaluate(
        """() => Math.min(...Array.from(document.querySelectorAll('.chart-name'))
             .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
    )
    assert smallest >= (20 if n_candidates <= 5 else 16), smallest
    if (n_positions, n_candidates) == (3, 5):
        screenshot(page, DOCS / "projector.png", full_page=False)
        axe_check(page, "projector (result, 1080p)")


def test_projector_fits_without_javascript(
    browser: Any, server: Server, watch: ConsoleWatch
) -> None:
    """The server's own scale already fits 3 × 5 on 1080p; the script only fine-tunes."""
    helper = Chair(browser, server, watch)
    cid = helper.closed_conference("Hội nghị không JavaScript (chiếu)", 3, 5, 30)
    chair = Chair(
        browser, server, watch, viewport={"width": 1920, "height": 1080}, java_script_enabled=False
    )
    chair.page.goto(f"/c/{cid}/projector")
    expect(chair.page.locator(".chart-row")).to_have_count(15)
    height = chair.page.evaluate("() => document.documentElement.scrollHeight")
    assert height <= 1080, height


def option_overflow(page: Any) -> list[str]:
    """Options of the step list whose text is wider than the list shows (cut off)."""
    return page.evaluate(
        """() => {
          const select = document.querySelector('select[name=step]');
          const style = getComputedStyle(select);
          const ctx = document.createElement('canvas').getContext('2d');
          ctx.font = style.font;
          // The text box: the select's width less its padding and the arrow (about 2em).
          const room = select.clientWidth - parseFloat(style.paddingLeft)
            - parseFloat(style.paddingRight) - 2 * parseFloat(style.fontSize);
          return Array.from(select.options)
            .filter(o => ctx.measureText(o.text).width > room)
            .map(o => o.text + ' (' + Math.round(ctx.measureText(o.text).width) + ' > '
                      + Math.round(room) + ')');
        }"""
    )


def test_setup_form_shows_the_rule_of_the_step_chosen(
    browser: Any, server: Server, screenshots: Path, watch: ConsoleWatch
) -> None:
    chair = Chair(browser, server, watch)
    page = chair.page
    page.goto("/conferences/new")
    assert option_overflow(page) == []
    # The full name of the step, grouped: level and flow are the group's label.
    assert page.locator("select[name=step] optgroup").count() >= 4
    shown = page.locator("[data-step-rule]:visible")
    expect(shown).to_have_count(1)
    expect(shown).to_have_attribute("data-step-rule", "cuc/term/B3")
    expect(shown.locator(".rule-sentence")).to_have_text(
        "Đạt khi số phiếu đồng ý từ 30% trở lên so với tổng số người có mặt"
    )
    page.select_option("select[name=step]", "cuc/term/B5")
    expect(shown).to_have_count(1)
    expect(shown).to_have_attribute("data-step-rule", "cuc/term/B5")
    expect(shown.locator(".rule-sentence")).to_contain_text("trên 50% tổng số người được triệu tập")
    expect(shown.locator(".step-full")).to_contain_text(
        "Hội nghị tập thể Lãnh đạo Cục (lần 2): biểu quyết đề nghị phê duyệt quy hoạch"
    )
    screenshot(page, screenshots / "setup-step-rule.png", full_page=False)
    axe_check(page, "set-up form (step and rule)")

    # A phone-sized window: the list may shorten, but the full name wraps underneath.
    page.set_viewport_size({"width": 390, "height": 844})
    full = shown.locator(".step-full")
    assert full.evaluate("e => e.scrollWidth <= e.clientWidth"), "the step's full name is cut"

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/conferences/new?lang=en")
    assert option_overflow(page) == []
    page.select_option("select[name=step]", "phong/annual-local/B1")
    shown = page.locator("[data-step-rule]:visible")
    expect(shown).to_have_attribute("data-step-rule", "phong/annual-local/B1")
    # The rule lines (the level's own English label keeps the word "phòng" on purpose).
    text = " ".join(shown.locator(".rule-sentence, .rule-detail").all_text_contents())
    assert "step B1" in text, text
    vietnamese = re.findall(r"[^\x00-\x7f—·–…]", text)
    assert not vietnamese, f"Vietnamese left on the English rule line: {text!r}"


def test_lock_goes_through_the_summary_and_its_warnings(
    browser: Any, server: Server, screenshots: Path, watch: ConsoleWatch
) -> None:
    chair = Chair(browser, server, watch)
    cid = chair.closed_conference("Hội nghị khóa kết quả (cảnh báo)", 2, 3, 8)
    page = chair.page
    page.goto(f"/c/{cid}")
    with page.expect_navigation():
        page.click("form#lock-start button")
    expect(page.locator("#lock-summary")).to_be_visible()
    warned = page.locator("#lock-warnings [data-empty-field]")
    fields = sorted(warned.evaluate_all("els => els.map(e => e.dataset.emptyField)"))
    assert fields == ["agenda", "copies", "ended_at", "remarks"], fields
    expect(page.locator("#lock-summary table[data-position=p1] tbody tr")).to_have_count(3)
    screenshot(page, screenshots / "chair-lock-summary.png")
    DOCS.mkdir(parents=True, exist_ok=True)
    screenshot(page, DOCS / "chair-lock-summary.png")
    axe_check(page, "lock summary")
    # Without the tick the browser does not even send the form; nothing is locked.
    page.click("#lock-confirm button.danger")
    expect(page.locator("#lock-confirm input[name=accept_empty]")).to_be_visible()
    assert chair.api("GET", f"/api/v1/conferences/{cid}")["status"] == "closed"
    page.check("#lock-confirm input[name=accept_empty]")
    with page.expect_navigation():
        page.click("#lock-confirm button.danger")
    expect(page.locator(".status")).to_have_class(re.compile(r"status-locked"))
    assert chair.api("GET", f"/api/v1/conferences/{cid}")["status"] == "locked"


def test_lock_and_void_confirm_without_javascript(
    browser: Any, server: Server, watch: ConsoleWatch
) -> None:
    chair = Chair(browser, server, watch, java_script_enabled=False)
    page = chair.page
    # Void: the server asks first; only the confirmed form voids.
    conf = chair.api(
        "POST", "/api/v1/conferences", {**conference_payload(summoned=3), "title": "Hủy phiếu"}
    )
    cid = str(conf["id"])
    marks = [{"person_id": p["id"], "present": True} for p in conf["people"]]
    chair.api("PUT", f"/api/v1/conferences/{cid}/attendance", {"attendance": marks})
    code = chair.api("POST", f"/api/v1/conferences/{cid}/open")["tokens"][0]["code"]
    page.goto(f"/c/{cid}")
    page.fill("#void-form input[name=code]", code)
    with page.expect_navigation():
        page.click("#void-form button")
    expect(page.locator("#void-confirm .slip-code")).to_have_text(code)
    assert chair.api("GET", f"/api/v1/conferences/{cid}")["tokens"]["voided"] == 0
    with page.expect_navigation():
        page.click("#void-confirm button.danger")
    expect(page.locator(".slip-code")).not_to_have_text(code)
    assert chair.api("GET", f"/api/v1/conferences/{cid}")["tokens"]["voided"] == 1

    # Lock: the summary page, the tick, the lock, all without a script.
    cid = chair.closed_conference("Hội nghị khóa không JavaScript", 1, 3, 5)
    chair.api(
        "PUT",
        f"/api/v1/conferences/{cid}/minutes/record",
        {"agenda": "Giới thiệu nguồn", "remarks": "Không", "ended_at": "16:30", "copies": 2},
    )
    page.goto(f"/c/{cid}")
    with page.expect_navigation():
        page.click("form#lock-start button")
    expect(page.locator("#lock-summary")).to_be_visible()
    expect(page.locator("#lock-warnings")).to_have_count(0)  # every field filled
    with page.expect_navigation():
        page.click("#lock-confirm button.danger")
    expect(page.locator(".status")).to_have_class(re.compile(r"status-locked"))


def test_absence_warning_and_head_decision_correction_screens(
    browser: Any, server: Server, screenshots: Path, watch: ConsoleWatch
) -> None:
    chair = Chair(browser, server, watch)
    page = chair.page
    # An absence without a reason comes back flagged, the marks kept; "no reason" saves it.
    conf = chair.api(
        "POST", "/api/v1/conferences", {**conference_payload(summoned=4), "title": "Điểm danh"}
    )
    cid = str(conf["id"])
    page.goto(f"/c/{cid}")
    page.click("button[data-all-present]")
    absent = page.locator("table.attendance tbody tr").nth(3)
    absent.locator("input[value=no]").check()
    with page.expect_navigation():
        page.click("#attendance form > button.primary")
    flagged = page.locator("tr.needs-reason")
    expect(flagged).to_have_count(1)
    expect(flagged.locator("input[value=no]")).to_be_checked()
    expect(page.locator("table.attendance input[value=yes]:checked")).to_have_count(3)
    screenshot(page, screenshots / "chair-absence-reason.png")
    axe_check(page, "attendance (absence without a reason)")
    flagged.locator("input[name^=no-reason-]").check()
    with page.expect_navigation():
        page.click("#attendance form > button.primary")
    expect(page.locator(".flash-ok")).to_be_visible()
    expect(page.locator("tr.needs-reason")).to_have_count(0)

    # A tie decided by the head, then corrected on the page before lock.
    conf = chair.api(
        "POST",
        "/api/v1/conferences",
        {**conference_payload(step=("cuc", "term", "B5"), summoned=7), "title": "Biểu quyết B5"},
    )
    cid = str(conf["id"])
    marks = [{"person_id": p["id"], "present": True} for p in conf["people"]]
    chair.api("PUT", f"/api/v1/conferences/{cid}/attendance", {"attendance": marks})
    tokens = chair.api("POST", f"/api/v1/conferences/{cid}/open")["tokens"]
    phone = browser.new_context(base_url=server.base)
    plan = [["c1", "c2"]] * 3 + [["c1", "c3"]] * 3 + [["c2", "c3"]]
    for token, choice in zip(tokens, plan, strict=True):
        body = {"token": token_of(token), "choices": {"p1": choice}}
        assert phone.request.post("/api/v1/ballots", data=body).status == 201
    phone.close()
    chair.api("POST", f"/api/v1/conferences/{cid}/close")
    page.goto(f"/c/{cid}")
    expect(page.locator("form#lock-start button")).to_be_disabled()
    page.check("#tie input[name='p1.c2']")
    with page.expect_navigation():
        page.click("#tie button.primary")
    expect(page.locator("#head-decided")).to_contain_text("Nguyễn Hoàng Phúc")
    expect(page.locator("#tie input[name='p1.c2']")).to_be_checked()
    page.uncheck("#tie input[name='p1.c2']")
    page.check("#tie input[name='p1.c3']")
    with page.expect_navigation():
        page.click("#tie button.primary")
    expect(page.locator("#head-decided")).to_contain_text("Trương Ngọc Ánh")
    expect(page.locator("form#lock-start button")).to_be_enabled()
    page.locator("#tie").scroll_into_view_if_needed()
    screenshot(page, screenshots / "chair-head-decision.png")
    axe_check(page, "head decision (recorded, correctable)")


def test_live_tally_names_the_base_of_its_percent(
    browser: Any, server: Server, screenshots: Path, watch: ConsoleWatch
) -> None:
    chair = Chair(browser, server, watch)
    page = chair.page
    payload = {
        **conference_payload(summoned=12, positions=positions(2, 4)),
        "title": "Hội nghị cán bộ chủ chốt giới thiệu nguồn quy hoạch nhiệm kỳ 2026-2031",
    }
    conf = chair.api("POST", "/api/v1/conferences", payload)
    cid = str(conf["id"])
    marks = [{"person_id": p["id"], "present": True} for p in conf["people"]]
    chair.api("PUT", f"/api/v1/conferences/{cid}/attendance", {"attendance": marks})
    tokens = chair.api("POST", f"/api/v1/conferences/{cid}/open")["tokens"]
    page.goto(f"/c/{cid}")
    expect(page.locator("table.tally[data-position=p1] thead th.num").nth(1)).to_have_text(
        "% trên số có mặt"
    )
    phone = browser.new_context(base_url=server.base)
    for i, token in enumerate(tokens[:9]):
        choices = {"p1": [f"c{i % 3 + 1}"], "p2": ["c1", f"c{i % 2 + 2}"]}
        body = {"token": token_of(token), "choices": choices}
        assert phone.request.post("/api/v1/ballots", data=body).status == 201
    phone.close()
    expect(page.locator("#live [data-received]")).to_have_text("9")
    expect(page.locator("tr[data-candidate=c1] [data-percent]").first).not_to_have_text("–")
    screenshot(page, screenshots / "chair-live-tally-base.png")
    screenshot(page, DOCS / "chair-live-tally.png")


def test_the_list_tells_conferences_of_one_day_apart(
    browser: Any, server: Server, screenshots: Path, watch: ConsoleWatch
) -> None:
    chair = Chair(browser, server, watch)
    for step, place in ((("cuc", "term", "B4"), "Phòng họp số 2"), (("cuc", "term", "B5"), "")):
        payload = {**conference_payload(step=step), "title": "Hội nghị quy hoạch", "place": place}
        chair.api("POST", "/api/v1/conferences", payload)
    page = chair.page
    page.goto("/")
    rows = page.locator("table.conference-list tbody tr")
    texts = rows.all_text_contents()
    same_title = [t for t in texts if "Hội nghị quy hoạch" in t]
    assert len(same_title) == 2 and len(set(same_title)) == 2, same_title
    screenshot(page, screenshots / "conference-list.png")
    axe_check(page, "conference list")
