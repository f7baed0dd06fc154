"""No one left out, in the browser: the voting booth and a short paper-ballot path.

One real ``voting serve`` process and Debian's Chromium, as in ``test_room``.

The booth is one shared browser, not logged in, that many voters use in turn. The slip's
code never enters an address: it is POSTed and the ballot is that POST's answer, swapped
into the start page, so no request URL, redirect, history entry or reload holds it. After
each vote the booth must show nothing of it: the start screen comes back (by the "done" link, by
itself after ``BOOTH_DONE_SECONDS``, or after ``BOOTH_IDLE_SECONDS`` idle) with the same
``history.length``, no receipt code in the page, nothing in storage, no session cookie,
an empty code field, and Back leads to no earlier ballot. The next voter's ballot has no
choice pre-selected, and the chair's count says how many ballots came from the booth.

The server's timings stay as configured (the session's shared server cannot take other
environment variables): the test reads the rendered ``data-booth-done`` / ``data-booth-idle``
values, then shortens them in the booth ballot's HTML (the answer to the slip's POST) on
its way to the browser, so the
automatic returns are exercised by ``booth.js`` in seconds rather than 12 s and 90 s.

Paper: a conference opened with one paper ballot prints exactly one ballot (candidates,
no code, no QR); while it is open the chair issues the committee's one-time PINs on their
page; after the close two different members enter the ballot, each typing their own PIN
(the same PIN twice is refused), and the result counts it.

Two more tests pin gaps found while writing this, now fixed: the booth ballot offers no
language link (it pushed a history entry and left a cookie on the shared booth), and the
booth's ballot and receipt carry ``Cache-Control: no-store`` like a phone's.

Selectors use ids, names and data attributes, never translated labels.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.browser.conftest import Server
from tests.browser.helpers import RECEIPT, ChairBrowser, ConsoleWatch, axe_check, screenshot
from tests.conftest import conference_payload
from voting.config import Config

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails under CI) with the reason
    expect = None  # type: ignore[assignment]

CANDIDATES = ["Lê Thị Phương Tâm", "Nguyễn Hoàng Phúc", "Trương Ngọc Ánh"]  # p1: c1, c2, c3
COMMITTEE = ["Người dự 1", "Người dự 2"]  # head and member in ``conference_payload``
# Seconds the booth ballot waits in this test, instead of the configured ones.
SHORT_DONE, SHORT_IDLE = 2, 2

# Everything the booth's browser keeps of a page, as one object.
_TRACES = """() => ({
  history: history.length,
  local: localStorage.length,
  session: sessionStorage.length,
  cookie: document.cookie,
  checked: document.querySelectorAll("input:checked").length,
  html: document.documentElement.outerHTML,
})"""


class BoothWire:
    """Every request and redirect of the booth's browser, to prove no slip code rides in one."""

    def __init__(self, ctx: Any) -> None:
        self.urls: list[str] = []
        ctx.on("request", lambda request: self.urls.append(request.url))
        ctx.on(
            "response",
            lambda response: self.urls.append(response.headers.get("location") or ""),
        )

    def assert_no_code(self, codes: list[str]) -> None:
        assert self.urls, "no request seen: the detector is blind"
        for code in codes:
            leaked = [u for u in self.urls if code.replace("-", "") in u.replace("-", "").upper()]
            assert not leaked, f"the slip code {code} is in a booth address: {leaked}"


def booth_links(page: Any) -> list[str]:
    """Every address in the booth's current page: links, form actions, sources."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("[href], [action], [src]")).map(
             (e) => e.getAttribute("href") || e.getAttribute("action") || e.getAttribute("src"))"""
    )


def route_booth_ballots(page: Any, link: str, seen: dict[str, int]) -> None:
    """Shorten the timers of every booth answer to a POSTed slip (the ballot, a refusal)."""

    def handle(route: Any) -> None:
        if route.request.method == "POST":
            shorten_booth_timers(route, seen)
        else:
            route.continue_()

    page.route(lambda url: url == link, handle)


class Chair(ChairBrowser):
    """The chair's laptop: a logged-in context, the JSON API with its CSRF token, a page."""

    def __init__(self, browser: Any, server: Server, watch: ConsoleWatch) -> None:
        self.ctx = browser.new_context(
            base_url=server.base, locale="vi-VN", viewport={"width": 1280, "height": 900}
        )
        self.page = watch.watch(self.ctx.new_page(), "chair")
        self.page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm prompts
        self.watch = watch
        super().__init__(self.ctx)

    def conference(self, title: str, summoned: int) -> str:
        """A cuc/term/B3 conference, everyone present; still a draft."""
        payload = {**conference_payload(summoned=summoned), "title": title}
        conf = self.api("POST", "/api/v1/conferences", payload)
        marks = [{"person_id": p["id"], "present": True, "reason": ""} for p in conf["people"]]
        self.api("PUT", f"/api/v1/conferences/{conf['id']}/attendance", {"attendance": marks})
        return str(conf["id"])

    def booth(self, cid: str) -> str:
        """The booth link the chair's booth page shows (absolute, to open elsewhere)."""
        self.page.goto(f"/c/{cid}/booth")
        link = self.page.locator("a#booth-link").get_attribute("href") or ""
        assert re.fullmatch(r"https?://[^/]+/b/[A-Za-z0-9_.-]+", link), link
        return link

    def submit(self, button: str) -> None:
        """Click a form's button, wait for the page it leads to, fail on an error flash."""
        with self.page.expect_navigation():
            self.page.click(button)
        errors = self.page.locator(".flash-error").all_text_contents()
        assert not errors, f"{button} was refused on {self.page.url}: {errors}"


def shorten_booth_timers(route: Any, seen: dict[str, int]) -> None:
    """Serve the booth ballot with short done/idle delays; remember the configured ones."""
    response = route.fetch()
    html = response.text()
    for name, short in (("done", SHORT_DONE), ("idle", SHORT_IDLE)):
        found = re.search(rf'data-booth-{name}="(\d+)"', html)
        assert found, html[:500]
        seen[name] = int(found.group(1))
        html = html.replace(found.group(0), f'data-booth-{name}="{short}"')
    route.fulfill(response=response, body=html)


def test_booth_keeps_nothing_and_paper_is_counted(
    browser: Any, server: Server, screenshots: Path
) -> None:
    expect.set_options(timeout=10_000)
    watch = ConsoleWatch()
    chair = Chair(browser, server, watch)
    page = chair.page

    # ------------------------------------------------ the chair opens a ballot and a booth
    cid = chair.conference("Hội nghị có buồng bỏ phiếu", summoned=4)
    codes = [t["code"] for t in chair.api("POST", f"/api/v1/conferences/{cid}/open")["tokens"]]
    assert len(codes) == 4
    page.goto(f"/c/{cid}")
    card = page.locator("#no-one-left-out")
    expect(card).to_be_visible()
    with page.expect_popup() as popup:
        card.locator(f"a[href='/c/{cid}/booth']").click()
    setup = watch.watch(popup.value, "booth set-up")
    link = setup.locator("a#booth-link").get_attribute("href") or ""
    assert re.fullmatch(re.escape(server.base) + r"/b/[A-Za-z0-9_.-]+", link), link
    expect(setup.locator("a#booth-link")).to_have_text(link)
    axe_check(setup, "booth set-up")
    setup.close()

    # ------------------------------------------------ the booth: another device, no login
    booth_ctx = browser.new_context(
        locale="vi-VN", viewport={"width": 1024, "height": 768}, has_touch=True
    )
    wire = BoothWire(booth_ctx)
    booth = watch.watch(booth_ctx.new_page(), "booth")
    configured: dict[str, int] = {}
    booth.goto(link)
    expect(booth.locator("form#booth-form")).to_be_visible()
    h0 = booth.evaluate("() => history.length")
    screenshot(booth, screenshots / "booth-start.png", full_page=False)
    axe_check(booth, "booth start")

    def open_ballot(code: str) -> None:
        booth.fill("input#booth-code", code)
        booth.press("input#booth-code", "Enter")
        expect(booth.locator("#ballot-form")).to_be_visible()
        # The ballot is the POST's answer: the address is still the start's, no code in it.
        assert booth.url == link, booth.url
        assert not [u for u in booth_links(booth) if code in u], booth_links(booth)
        assert booth.evaluate("() => history.length") == h0, "the booth's history grew"

    def vote(agree: str) -> str:
        booth.click(f"label[for=p1-{agree}-agree]")
        expect(booth.locator(f"#p1-{agree}-agree")).to_be_checked()
        booth.click("#review-button")
        expect(booth.locator("#review")).to_be_visible()
        booth.click("#send-button")
        receipt = booth.locator("#receipt-code")
        expect(receipt).to_have_text(RECEIPT)
        expect(booth.locator("a#booth-reset")).to_be_visible()
        return (receipt.text_content() or "").strip()

    def expect_clean_start(*receipts: str) -> None:
        """The neutral start screen, with nothing left of any earlier voter."""
        expect(booth).to_have_url(link)
        expect(booth.locator("form#booth-form")).to_be_visible()
        expect(booth.locator("input#booth-code")).to_have_value("")
        expect(booth.locator("#ballot")).to_have_count(0)
        traces = booth.evaluate(_TRACES)
        assert traces["history"] == h0, f"history.length {traces['history']} != {h0}"
        assert traces["checked"] == 0
        assert traces["local"] == 0 and traces["session"] == 0, traces
        assert "session" not in traces["cookie"], traces["cookie"]
        for receipt in receipts:
            assert receipt not in traces["html"], "a receipt code is still in the page"
        for code in codes:
            assert code not in traces["html"], "a slip's code is still in the page"
        assert booth_ctx.cookies() == [], "the booth keeps a cookie"

    # Voter A: types the slip's code, agrees with c1, gets a receipt, clears the booth.
    open_ballot(codes[0])
    screenshot(booth, screenshots / "booth-ballot.png")
    axe_check(booth, "booth ballot")
    receipt_a = vote("c1")
    screenshot(booth, screenshots / "booth-receipt.png", full_page=False)
    axe_check(booth, "booth receipt")
    booth.click("a#booth-reset")
    expect_clean_start(receipt_a)

    # Back shows no ballot and no receipt: it stays, or leaves the site.
    booth.go_back()
    booth.wait_for_load_state()
    html = booth.content()
    assert receipt_a not in html and codes[0] not in html
    expect(booth.locator("#ballot")).to_have_count(0)
    expect(booth.locator("#done")).to_have_count(0)
    if booth.url != link:
        booth.go_forward()
    expect_clean_start(receipt_a)

    # Voter B, right after: nothing pre-selected; the booth returns to its start by itself.
    route_booth_ballots(booth, link, configured)
    open_ballot(codes[1])
    assert configured == {
        "done": Config.BOOTH_DONE_SECONDS,
        "idle": Config.BOOTH_IDLE_SECONDS,
    }, configured
    expect(booth.locator("#ballot-form input[type=radio]")).to_have_count(6)
    expect(booth.locator("#ballot-form input:checked")).to_have_count(0)
    receipt_b = vote("c2")
    assert receipt_b != receipt_a
    expect_clean_start(receipt_a, receipt_b)  # after SHORT_DONE seconds, no click

    # Voter C opens the ballot and walks away: the booth goes back after SHORT_IDLE.
    open_ballot(codes[2])
    booth.click("label[for=p1-c3-agree]")
    expect_clean_start(receipt_a, receipt_b)
    booth.unroute(lambda url: url == link)

    # Voter D opens the ballot; a reload (or the next person's) brings the start, not the
    # ballot, and offers no form to resubmit: no history entry holds the code.
    open_ballot(codes[3])
    booth.reload()
    expect_clean_start(receipt_a, receipt_b)
    wire.assert_no_code(codes)

    # The chair counts two ballots, both cast at the booth; C's slip is still unused.
    conf = chair.api("GET", f"/api/v1/conferences/{cid}")
    assert conf["booth_cast"] == 2 and conf["ballots_received"] == 2, conf
    page.reload()
    expect(page.locator("#live [data-received]")).to_have_text("2")
    booth_ctx.close()

    # ------------------------------------------------ paper: one ballot, entered twice
    pid = chair.conference("Hội nghị có phiếu giấy", summoned=3)
    page.goto(f"/c/{pid}")
    page.fill("form[action$='/open'] input[name=paper]", "1")
    chair.submit("form[action$='/open'] button")
    expect(page.locator("form[action$='/close'] button")).to_be_visible()
    slips = chair.api("GET", f"/api/v1/conferences/{pid}")["tokens"]
    assert slips == {"issued": 3, "voided": 0, "paper": 1}, slips
    expect(page.locator(f"#no-one-left-out a[href='/c/{pid}/paper']")).to_be_visible()

    # While the ballot is open the chair issues the committee's PINs, shown once.
    page.locator(f"a[href='/c/{pid}/paper/pins']").first.click()
    expect(page).to_have_url(re.compile(rf"/c/{pid}/paper/pins$"))
    chair.submit("form#issue-pins button")
    rows = page.locator("#pins tr[data-member]")
    expect(rows).to_have_count(len(COMMITTEE))
    pins = {
        row.get_attribute("data-member"): (
            row.locator("code[data-pin]").text_content() or ""
        ).strip()
        for row in rows.all()
    }
    assert set(pins) == set(COMMITTEE) and all(pins.values()), pins
    assert len(set(pins.values())) == len(COMMITTEE), "two members share a PIN"
    page.reload()  # shown once: a reload shows no PIN again
    for value in pins.values():
        assert value not in page.content(), "a PIN is shown again"
    page.goto(f"/c/{pid}")

    sheet = watch.watch(chair.ctx.new_page(), "QR sheet")
    sheet.goto(f"/c/{pid}/handout/sheet")
    phone_codes = [c.strip() for c in sheet.locator(".slip .slip-code").all_text_contents()]
    assert len(phone_codes) == 2, phone_codes  # the third person votes on paper
    sheet.goto(f"/c/{pid}/paper")
    ballots = sheet.locator("article.paper-ballot")
    expect(ballots).to_have_count(1)
    for name in CANDIDATES:
        expect(ballots.first).to_contain_text(name)
    expect(sheet.locator("svg, img, .slip-code, [data-code], [data-qr]")).to_have_count(0)
    html = sheet.content()
    for code in phone_codes:
        assert code not in html, "a slip's code is printed on the paper ballot"
    assert "/v/" not in html and "/b/" not in html, "a ballot link is printed on paper"
    screenshot(sheet, screenshots / "paper-ballot.png")
    sheet.close()

    chair.submit("form[action$='/close'] button")
    expect(page.locator("#paper-pending")).to_be_visible()
    expect(page.locator("dd[data-paper]")).to_have_text("0 / 1")

    page.goto(f"/c/{pid}/paper/entry")
    axe_check(page, "paper entry")

    def enter(member: str) -> None:
        """The member types their own PIN and the ballot's marks, then saves."""
        form = page.locator("form#paper-entry")
        expect(form.locator("input[name=pin]")).to_have_value("")
        form.locator("input[name=pin]").fill(pins[member])
        form.locator("input[name=mark][value='p1.c1']").check()
        expect(form.locator("input[name=spoilt][value='']")).to_be_checked()
        with page.expect_navigation():
            page.click("form#paper-entry button")

    enter(COMMITTEE[0])
    assert not page.locator(".flash-error").count(), page.locator(
        ".flash-error"
    ).all_text_contents()
    expect(page.locator("#waiting")).to_have_attribute("data-waiting-by", COMMITTEE[0])
    # The same member cannot give the second reading: refused, the first still waits.
    enter(COMMITTEE[0])
    expect(page.locator(".flash-error")).to_have_count(1)
    expect(page.locator("#waiting")).to_have_attribute("data-waiting-by", COMMITTEE[0])
    assert chair.api("GET", f"/api/v1/conferences/{pid}")["paper_entered"] == 0
    # A second, different member confirms it with their own PIN.
    enter(COMMITTEE[1])
    assert not page.locator(".flash-error").count(), page.locator(
        ".flash-error"
    ).all_text_contents()
    expect(page.locator("form#paper-entry")).to_have_count(0)  # every paper ballot entered

    page.goto(f"/c/{pid}")
    expect(page.locator("dd[data-paper]")).to_have_text("1 / 1")
    expect(page.locator("#paper-pending")).to_have_count(0)
    conf = chair.api("GET", f"/api/v1/conferences/{pid}")
    assert conf["paper_entered"] == 1 and conf["ballots_received"] == 1, conf
    screenshot(page, screenshots / "paper-result.png")

    assert not watch.problems, "\n".join(watch.problems)
    chair.ctx.close()


# --------------------------------------------------------------------------- gaps found, fixed


def test_booth_language_switch_leaves_nothing(browser: Any, server: Server) -> None:
    """The booth ballot has no language link; ``?lang=`` there leaves no cookie; idle resets."""
    expect.set_options(timeout=10_000)
    watch = ConsoleWatch()
    chair = Chair(browser, server, watch)
    cid = chair.conference("Hội nghị: buồng bỏ phiếu và ngôn ngữ", summoned=2)
    code = chair.api("POST", f"/api/v1/conferences/{cid}/open")["tokens"][0]["code"]
    link = chair.booth(cid)
    chair.ctx.close()
    booth_ctx = browser.new_context(locale="vi-VN")
    booth = watch.watch(booth_ctx.new_page(), "booth")
    try:
        route_booth_ballots(booth, link, {})
        booth.goto(link)
        h0 = booth.evaluate("() => history.length")
        booth.fill("input#booth-code", code)
        booth.press("input#booth-code", "Enter")
        expect(booth.locator("#ballot-form")).to_be_visible()
        expect(booth.locator(".phone-bar .lang a")).to_have_count(0)
        booth_ctx.request.get(f"{link}?lang=en")  # a crafted switch: no cookie may stick
        expect(booth).to_have_url(link, timeout=SHORT_IDLE * 1000 + 10_000)  # idle reset
        problems = []
        if booth.evaluate("() => history.length") != h0:
            problems.append("history.length grew")
        if booth_ctx.cookies():
            problems.append(f"cookies left: {booth_ctx.cookies()}")
        booth.go_back()
        booth.wait_for_load_state()
        if booth.locator("#ballot-form").count() and booth.locator("#ballot-form").is_visible():
            problems.append(f"Back opens the walked-away voter's unused ballot: {booth.url}")
        assert not problems, "; ".join(problems)
    finally:
        booth_ctx.close()


def test_booth_ballot_and_receipt_are_not_stored(browser: Any, server: Server) -> None:
    """The booth's ballot page and its cast answer carry Cache-Control: no-store, as a phone's."""
    chair = Chair(browser, server, ConsoleWatch())
    cid = chair.conference("Hội nghị: buồng bỏ phiếu và bộ nhớ đệm", summoned=2)
    code = chair.api("POST", f"/api/v1/conferences/{cid}/open")["tokens"][0]["code"]
    link = chair.booth(cid)
    chair.ctx.close()
    booth = browser.new_context()
    try:
        ballot = booth.request.post(link, form={"code": code})
        assert ballot.ok and 'id="ballot-form"' in ballot.text(), ballot.status
        cast = booth.request.post(f"{link}/cast", data={"token": code, "choices": {"p1": ["c1"]}})
        assert cast.status == 201, cast.text()
        stored = {
            url: r.headers.get("cache-control")
            for url, r in (("ballot", ballot), ("cast", cast))
            if "no-store" not in (r.headers.get("cache-control") or "")
        }
        assert not stored, f"cacheable booth responses: {stored}"
    finally:
        booth.close()
