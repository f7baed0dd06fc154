"""The phone ballot in Chromium: small screens, large text, dark mode, no JavaScript.

One real ``voting serve`` process (the session's) and the demo's conference (its long
title, its rule, its three candidates with their posts), voted on phones of 320 and
360 px. What is pinned, each from the issue:

- at 360×640 the first candidate's Agree shows without scrolling, above the sticky
  "Review my ballot" bar; at 320 px and at 200 % text nothing is wider than the screen
  and "Disagree" wraps inside its button;
- in dark mode the page is dark and axe finds no contrast failure;
- the language link is a 44×44 px tap target;
- the review keeps "Cast my ballot" on screen; the receipt survives a reload (the phone
  keeps it, in a cookie on the slip's own path) and links to the receipt list;
- without JavaScript "Review my ballot" shows the server's review, then casts;
- a ballot the close catches unsent says it was NOT recorded.

Screenshots go to ``test-output/screenshots/``; the phone-ballot ones are the README's.
Selectors use ids, names and data attributes, never translated labels.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.browser.conftest import Server
from tests.browser.helpers import ConsoleWatch, axe_check, label_fit, screenshot
from tests.browser.test_booth import Chair
from tests.conftest import conference_payload
from voting.demo import CANDIDATES, DEMO_TITLE

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails under CI) with the reason
    expect = None  # type: ignore[assignment]

#: How far right the page reaches, against the screen's width.
_OVERFLOW = "() => [document.documentElement.scrollWidth, window.innerWidth]"
_BOX = """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                     return {top: r.top, bottom: r.bottom, width: r.width, height: r.height}; }"""


def demo_conference(chair: Chair, summoned: int = 6) -> tuple[str, list[str]]:
    """The demo's conference (title, rule, candidates), opened: (id, ballot paths)."""
    payload = {
        **conference_payload(summoned=summoned),
        "title": DEMO_TITLE,
        "positions": [
            {
                "name": "Phó Cục trưởng",
                "quota": 2,
                "candidates": [{"name": n, "birth_year": y, "post": p} for n, y, p in CANDIDATES],
            }
        ],
    }
    conf = chair.api("POST", "/api/v1/conferences", payload)
    marks = [{"person_id": p["id"], "present": True, "reason": ""} for p in conf["people"]]
    chair.api("PUT", f"/api/v1/conferences/{conf['id']}/attendance", {"attendance": marks})
    opened = chair.api("POST", f"/api/v1/conferences/{conf['id']}/open")
    return str(conf["id"]), [re.sub(r"^https?://[^/]+", "", t["url"]) for t in opened["tokens"]]


def phone(browser: Any, server: Server, width: int, height: int, **kw: Any) -> Any:
    return browser.new_context(
        base_url=server.base,
        viewport={"width": width, "height": height},
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        **kw,
    )


def test_phone_fits_small_screens_large_text_and_dark_mode(
    browser: Any, server: Server, screenshots: Path
) -> None:
    expect.set_options(timeout=10_000)
    watch = ConsoleWatch()
    chair = Chair(browser, server, watch)
    _cid, paths = demo_conference(chair)

    # 360×640: the first Agree is on screen, and not under the sticky review bar.
    ctx = phone(browser, server, 360, 640, device_scale_factor=1)
    page = watch.watch(ctx.new_page(), "phone 360x640")
    page.goto(paths[0])
    first = page.evaluate(_BOX, "label[for=p1-c1-agree]")
    bar = page.evaluate(_BOX, ".sticky-actions")
    assert first["bottom"] <= bar["top"] and first["bottom"] <= 640, (first, bar)
    screenshot(page, screenshots / "phone-360x640.png", full_page=False)
    # The language link: a 44×44 px tap target, not a line of text.
    lang = page.evaluate(_BOX, ".phone-bar .lang a")
    assert lang["width"] >= 44 and lang["height"] >= 44, lang
    # The README's screenshot: the ballot filled in as the demo shows it.
    page.click("label[for=p1-c1-agree]")
    page.click("label[for=p1-c2-agree]")
    page.click("label[for=p1-c3-disagree]")
    screenshot(page, screenshots / "phone-demo-ballot.png")  # docs/screenshots/phone-ballot.png
    ctx.close()

    # 320 px: nothing wider than the screen.
    ctx = phone(browser, server, 320, 568)
    page = watch.watch(ctx.new_page(), "phone 320")
    page.goto(paths[0])
    width, inner = page.evaluate(_OVERFLOW)
    assert width <= inner, (width, inner)
    screenshot(page, screenshots / "phone-320.png")
    ctx.close()

    # 200 % text on a 360 px phone: no horizontal scroll; "Disagree" wraps in its button.
    ctx = phone(browser, server, 360, 640)
    page = watch.watch(ctx.new_page(), "phone 200% text")
    page.goto(paths[0])
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    width, inner = page.evaluate(_OVERFLOW)
    assert width <= inner, (width, inner)
    fit = label_fit(page, "label[for=p1-c1-disagree]")
    assert fit["scroll"] <= fit["client"] and fit["right"] <= 360, fit
    # ...between words, never inside one: the longest word fits the button's inside.
    assert fit["word"] <= fit["room"], fit
    screenshot(page, screenshots / "phone-200-percent.png")
    ctx.close()

    # Dark mode: a dark page, readable (axe's contrast rules included).
    ctx = phone(browser, server, 360, 740, color_scheme="dark")
    page = watch.watch(ctx.new_page(), "phone dark")
    page.goto(paths[1])
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    channels = [int(c) for c in re.findall(r"\d+", background)[:3]]
    assert max(channels) < 60, background
    page.click("label[for=p1-c1-agree]")
    page.click("label[for=p1-c2-disagree]")
    axe_check(page, "phone ballot, dark")
    screenshot(page, screenshots / "phone-dark.png")
    page.click("#review-button")
    expect(page.locator("#review")).to_be_visible()
    axe_check(page, "phone review, dark")
    ctx.close()
    assert watch.problems == []


def test_review_keeps_cast_in_view_and_the_receipt_survives_a_reload(
    browser: Any, server: Server, screenshots: Path
) -> None:
    expect.set_options(timeout=10_000)
    watch = ConsoleWatch()
    chair = Chair(browser, server, watch)
    cid, paths = demo_conference(chair)
    ctx = phone(browser, server, 360, 640, device_scale_factor=1)
    page = watch.watch(ctx.new_page(), "phone")
    page.goto(paths[0])
    page.click("label[for=p1-c1-agree]")
    page.click("label[for=p1-c3-agree]")
    page.click("label[for=p1-c2-disagree]")
    page.locator("#review-button").click()
    expect(page.locator("#review")).to_be_visible()
    send = page.evaluate(_BOX, "#send-button")
    assert send["top"] >= 0 and send["bottom"] <= 640, send
    axe_check(page, "phone review")
    screenshot(page, screenshots / "phone-review.png", full_page=False)
    page.locator("#send-button").click()
    receipt = page.locator("#receipt-code")
    expect(receipt).to_have_text(re.compile(r"^[A-Z0-9]{8}$"))
    code = receipt.text_content()
    link = page.locator("#done a.digest")
    assert (link.get_attribute("href") or "").endswith(f"/r/{cid}")
    # Nothing in the page's storage: the receipt is kept by the cast's cookie.
    assert page.evaluate("() => [localStorage.length, sessionStorage.length]") == [0, 0]

    page.reload()
    expect(page.locator(".done .receipt")).to_have_text(code or "")
    again = page.locator(".done a.digest")
    assert (again.get_attribute("href") or "").endswith(f"/r/{cid}")
    screenshot(page, screenshots / "phone-demo-receipt.png")  # docs/screenshots/phone-receipt.png
    axe_check(page, "phone receipt after reload")
    # Another phone opening the same (used) slip: a red notice, no tick, no receipt.
    other = phone(browser, server, 360, 640)
    used = watch.watch(other.new_page(), "other phone")
    used.goto(paths[0])
    expect(used.locator(".refused[data-code=already_recorded]")).to_be_visible()
    html = used.content()
    assert "✓" not in html and (code or "-") not in html
    colour = used.evaluate("() => getComputedStyle(document.querySelector('.sign')).color")
    assert colour != "rgb(23, 107, 44)", colour  # not the pass green
    screenshot(used, screenshots / "phone-used-slip.png", full_page=False)
    other.close()
    ctx.close()
    assert watch.problems == []


def test_without_javascript_the_server_reviews_before_casting(
    browser: Any, server: Server, screenshots: Path
) -> None:
    expect.set_options(timeout=10_000)
    watch = ConsoleWatch()
    chair = Chair(browser, server, watch)
    cid, paths = demo_conference(chair)
    ctx = browser.new_context(
        base_url=server.base,
        viewport={"width": 360, "height": 640},
        locale="vi-VN",
        java_script_enabled=False,
    )
    page = watch.watch(ctx.new_page(), "phone without JS")
    page.goto(paths[0])
    page.click("label[for=p1-c1-agree]")
    page.click("label[for=p1-c2-disagree]")
    page.click("label[for=p1-c3-agree]")
    with page.expect_navigation():
        page.locator("#review-button").click()
    review = page.locator("#server-review")
    expect(review).to_be_visible()
    expect(review).to_contain_text(CANDIDATES[0][0])
    expect(review).not_to_contain_text(CANDIDATES[1][0])
    assert chair.api("GET", f"/api/v1/conferences/{cid}")["ballots_received"] == 0
    screenshot(page, screenshots / "phone-review-no-js.png")

    # "Change" brings the form back as marked; review again, then cast.
    with page.expect_navigation():
        page.locator("#server-review button[value=change]").click()
    expect(page.locator("#p1-c3-agree")).to_be_checked()
    expect(page.locator("#p1-c2-disagree")).to_be_checked()
    with page.expect_navigation():
        page.locator("#review-button").click()
    with page.expect_navigation():
        page.locator("#cast-button").click()
    receipt = page.locator(".done .receipt")
    expect(receipt).to_have_text(re.compile(r"^[A-Z0-9]{8}$"))
    code = receipt.text_content()
    assert chair.api("GET", f"/api/v1/conferences/{cid}")["ballots_received"] == 1
    # A reload (a GET of the slip's page) brings the same receipt back.
    page.goto(paths[0])
    expect(page.locator(".done .receipt")).to_have_text(code or "")
    ctx.close()


def test_a_ballot_the_close_catches_unsent_says_it_was_not_recorded(
    browser: Any, server: Server, screenshots: Path
) -> None:
    expect.set_options(timeout=15_000)
    watch = ConsoleWatch()
    chair = Chair(browser, server, watch)
    cid, paths = demo_conference(chair, summoned=3)
    ctx = phone(browser, server, 360, 640)
    page = watch.watch(ctx.new_page(), "phone at the close")
    page.goto(paths[0])
    page.click("label[for=p1-c1-agree]")
    page.wait_for_timeout(1000)  # the socket connects
    chair.api("POST", f"/api/v1/conferences/{cid}/close")
    banner = page.locator("#live-status")
    expect(banner).to_be_visible()
    expect(banner).to_have_class(re.compile(r"\bbanner-error\b"))
    expect(banner).to_contain_text("KHÔNG được ghi nhận")
    expect(page.locator("#ballot-form")).to_be_hidden()
    screenshot(page, screenshots / "phone-closed-unsent.png", full_page=False)
    ctx.close()
    assert watch.problems == []
