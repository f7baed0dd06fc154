"""A removal vote on a 320 px phone (issue 19): the longer question wraps in its button.

"Đồng ý đề xuất đưa ra khỏi quy hoạch" is far longer than "Đồng ý": on the narrowest
phone it must wrap between words inside its button, push nothing past the screen, and
ballot.js's review must name the question too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.browser.conftest import Server
from tests.browser.helpers import ConsoleWatch, label_fit, screenshot
from tests.browser.test_booth import Chair
from tests.browser.test_phone import phone
from tests.conftest import conference_payload

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails under CI) with the reason
    expect = None  # type: ignore[assignment]

QUESTION = "Đồng ý đề xuất đưa ra khỏi quy hoạch"


def removal_ballot(chair: Chair) -> str:
    """An annual-review B1 (removal) conference, opened: one ballot path."""
    conf = chair.api(
        "POST", "/api/v1/conferences", conference_payload(step=("cuc", "annual-local", "B1"))
    )
    marks = [{"person_id": p["id"], "present": True, "reason": ""} for p in conf["people"]]
    chair.api("PUT", f"/api/v1/conferences/{conf['id']}/attendance", {"attendance": marks})
    opened = chair.api("POST", f"/api/v1/conferences/{conf['id']}/open")
    return re.sub(r"^https?://[^/]+", "", opened["tokens"][0]["url"])


def test_the_removal_question_wraps_cleanly_at_320_px(
    browser: Any, server: Server, screenshots: Path
) -> None:
    expect.set_options(timeout=10_000)
    watch = ConsoleWatch()
    chair = Chair(browser, server, watch)
    path = removal_ballot(chair)

    ctx = phone(browser, server, 320, 568)
    page = watch.watch(ctx.new_page(), "removal phone 320")
    page.goto(path)
    expect(page.locator("label[for=p1-c1-agree]")).to_have_text(QUESTION)
    width, inner = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner, (width, inner)
    for side in ("agree", "disagree"):
        fit = label_fit(page, f"label[for=p1-c1-{side}]")
        assert fit["scroll"] <= fit["client"] and fit["right"] <= 320, (side, fit)
        assert fit["word"] <= fit["room"], (side, fit)  # wraps between words only
    page.click("label[for=p1-c1-agree]")
    screenshot(page, screenshots / "phone-removal-320.png")

    page.click("#review-button")
    expect(page.locator("#review")).to_be_visible()
    expect(page.locator("#review-list")).to_contain_text(f"{QUESTION}:")
    ctx.close()
    assert watch.problems == []
