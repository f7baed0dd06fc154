"""A whole conference in a real room: the chair's laptop, the projector and eight phones.

One real ``voting serve`` process, Debian's Chromium, no test doubles on the server side.
The chair logs in and sets up a B4 conference through the forms, takes attendance and
opens the ballot; phones open their slips (one by the QR's URL, the others by the code
printed on the sheet), vote, review, send and get receipts while the chair's tally and the
projector move by themselves over Socket.IO. Along the way: a phone that is offline when it
sends, a phone whose answer is lost after the server recorded its ballot, a used slip, a
forged slip, a phone switching to English, and a phone left on the ballot when voting
closes. Then close, the projector's result chart, lock and the minutes. axe-core checks
every screen; every page is watched for CSP violations and script errors.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Server, in_ci, unavailable
from tests.browser.helpers import (
    CHAIR,
    RECEIPT,
    ConsoleWatch,
    axe_check,
    mark,
    new_phone,
    screenshot,
)

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails under CI) with the reason
    expect = None  # type: ignore[assignment]

ROSTER = """\
Trần Văn Hải; Cục trưởng; Lãnh đạo Cục
Lê Thị Phương Tâm; Phó Trưởng phòng Tổ chức cán bộ; Phòng TCCB
Nguyễn Hoàng Phúc; Trưởng phòng Kiểm tra; Phòng Kiểm tra
Trương Ngọc Ánh; Phó Chánh Văn phòng; Văn phòng
Huỳnh Thị Lan; Chánh Văn phòng; Văn phòng
Phạm Minh Khoa; Phó Trưởng phòng Kiểm tra; Phòng Kiểm tra
Võ Văn Tùng; Chi cục trưởng Chi cục THADS TP Rạch Giá; Chi cục
Đặng Thị Thu Hà; Chi cục trưởng Chi cục THADS huyện Châu Thành; Chi cục
Ngô Quốc Bảo; Chi cục trưởng Chi cục THADS huyện Kiên Lương; Chi cục
"""
POSITIONS = """\
## Phó Cục trưởng | 2
Lê Thị Phương Tâm; 1982; Phó Trưởng phòng Tổ chức cán bộ; Cục THADS
Nguyễn Hoàng Phúc; 1979; Trưởng phòng Kiểm tra; Cục THADS
Trương Ngọc Ánh; 1985; Phó Chánh Văn phòng; Cục THADS
## Trưởng phòng Kiểm tra | 1
Phạm Minh Khoa; 1984; Phó Trưởng phòng Kiểm tra; Cục THADS
Đỗ Thị Hồng Nhung; 1986; Chấp hành viên; Chi cục THADS TP Rạch Giá
"""
CANDIDATES = {"p1": ["c1", "c2", "c3"], "p2": ["c1", "c2"]}
ABSENT = "Ngô Quốc Bảo"  # 9 summoned, 8 present: B4's base is the people present

# What each phone marks Agree. 8 present, B4 passes when 2·agree > 8, i.e. 5 votes.
NORMAL = [  # phones 1-5
    {"p1": ["c1", "c3"], "p2": ["c1"]},
    {"p1": ["c1", "c3"], "p2": ["c1"]},
    {"p1": ["c1", "c3"], "p2": ["c1"]},
    {"p1": ["c1", "c3"], "p2": ["c1"]},
    {"p1": ["c1", "c3"], "p2": ["c2"]},
]
OFFLINE = {"p1": ["c1", "c2"], "p2": ["c2"]}  # phone 6, offline when it sends
LOST = {"p1": ["c1"]}  # phone 8, whose answer is lost after the server recorded it
# Totals over the 7 ballots: p1 c1 7 (87.5%) pass, c3 5 (62.5%) pass, c2 1 fail;
# p2 c1 4 (exactly 50%: "more than 50%" fails), c2 2 fail.


def present(page: Any, selector: str) -> None:
    expect(page.locator(selector)).to_be_visible()


def test_skip_policy_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Chromium the browser tests skip locally but fail when CI is set."""
    monkeypatch.setenv("CI", "true")
    assert in_ci()
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        unavailable("no browser")
    monkeypatch.delenv("CI")
    assert not in_ci()
    with pytest.raises(pytest.skip.Exception):
        unavailable("no browser")


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_conference_in_a_room(
    browser: Any, scheme: str, request: pytest.FixtureRequest, screenshots: Path
) -> None:
    """The whole room, over plain HTTP and over `voting serve --https` (login, forms, API)."""
    server: Server = request.getfixturevalue("server" if scheme == "http" else "https_server")
    base = server.base
    expect.set_options(timeout=10_000)  # room for a slow CI machine; the run takes ~35 s
    watch = ConsoleWatch()
    dialogs: list[str] = []

    # ---------------------------------------------------------------- the chair logs in
    chair_ctx = browser.new_context(
        base_url=base,
        locale="vi-VN",
        viewport={"width": 1280, "height": 900},
        ignore_https_errors=server.https,
    )
    chair = watch.watch(chair_ctx.new_page(), "chair")

    def accept(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    chair.on("dialog", accept)
    chair.goto("/login")
    expect(chair.locator("h1")).to_have_text("Đăng nhập")
    axe_check(chair, "login")
    username, password, display_name = CHAIR
    chair.fill("input[name=username]", username)
    chair.fill("input[name=password]", password)
    chair.click("main form button.primary")
    expect(chair.locator(".topbar .who")).to_have_text(display_name)

    # ---------------------------------------------------------------- set up a B4 conference
    chair.goto("/conferences/new")
    chair.select_option("select[name=step]", "cuc/term/B4")
    chair.fill("input[name=title]", "Hội nghị giới thiệu nhân sự quy hoạch nhiệm kỳ 2026-2031")
    chair.fill("input[name=held_on]", "2026-11-23")
    chair.fill("input[name=place]", "Hội trường Cục THADS tỉnh Kiên Giang")
    chair.fill("input[name=locality]", "Kiên Giang")
    chair.fill("input[name=parent_body]", "Tổng cục Thi hành án dân sự")
    chair.fill("input[name=unit_name]", "Cục Thi hành án dân sự tỉnh Kiên Giang")
    chair.fill("input[name=chair_name]", "Trần Văn Hải")
    chair.fill("input[name=secretary_name]", "Huỳnh Thị Lan")
    chair.fill("input[name=head_title]", "Cục trưởng")
    chair.fill("textarea[name=roster]", ROSTER)
    chair.fill("input[name=committee_head]", "Võ Văn Tùng")
    chair.fill("textarea[name=committee_members]", "Đặng Thị Thu Hà")
    chair.fill("textarea[name=positions]", POSITIONS)
    with chair.expect_navigation():
        chair.click("form.setup .actions button.primary")
    assert not chair.locator(".flash-error").all_text_contents(), "the set-up was refused"
    expect(chair).to_have_url(re.compile(r"/c/[^/?#]+$"))
    cid = chair.url.rsplit("/c/", 1)[1]
    expect(chair.locator(".flash-ok")).to_contain_text("Đã tạo hội nghị")
    expect(chair.locator(".rule-sentence")).to_have_text(
        "Đạt khi số phiếu đồng ý trên 50% so với tổng số người có mặt"
    )
    expect(chair.locator(".status")).to_have_text("Đang chuẩn bị")
    axe_check(chair, "chair conference (draft)")

    # ---------------------------------------------------------------- attendance
    chair.click("button[data-all-present]")
    rows = chair.locator("table.attendance tbody tr")
    expect(rows).to_have_count(9)
    absent_row = rows.filter(has_text=ABSENT)
    absent_row.locator("input[value=no]").check()
    absent_row.locator("input[name^=reason-]").fill("Đi công tác")
    chair.click("#attendance form > button.primary")
    expect(chair.locator(".flash-ok")).to_contain_text("điểm danh")
    expect(chair.locator("table.attendance input[value=yes]:checked")).to_have_count(8)
    expect(chair.locator(".facts").first).to_contain_text("8")

    # ---------------------------------------------------------------- open the ballot
    chair.click("form[action$='/open'] button")
    expect(chair.locator(".status")).to_have_text("Đang bỏ phiếu")
    assert any("Mở bỏ phiếu" in m for m in dialogs), dialogs
    expect(chair.locator("#live [data-received]")).to_have_text("0")
    axe_check(chair, "chair conference (open)")
    # Everything below must arrive over Socket.IO: this marker dies with a reload.
    chair.evaluate("() => { window.__noReload = true; }")

    def ballots_received() -> int:
        r = chair_ctx.request.get(f"/api/v1/conferences/{cid}")
        assert r.ok, r.text()
        return int(r.json()["ballots_received"])

    projector = watch.watch(chair_ctx.new_page(), "projector")
    projector.set_viewport_size({"width": 1280, "height": 720})
    projector.goto(f"/c/{cid}/projector")
    expect(projector.locator("[data-received]")).to_have_text("0")

    # ---------------------------------------------------------------- the slips
    sheet = watch.watch(chair_ctx.new_page(), "sheet")
    sheet.goto(f"/c/{cid}/handout/sheet")
    codes = [c.strip() for c in sheet.locator(".slip .slip-code").all_text_contents()]
    assert len(codes) == 8 and all(re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", c) for c in codes)

    kiosk = watch.watch(chair_ctx.new_page(), "kiosk")
    kiosk.set_viewport_size({"width": 1280, "height": 800})
    kiosk.goto(f"/c/{cid}/handout/kiosk")
    expect(kiosk.locator("[data-qr] svg")).to_be_visible()
    kiosk_code = kiosk.locator("[data-code]").text_content()
    expect(kiosk.locator("[data-remaining]")).to_have_text("8")
    screenshot(kiosk, screenshots / "kiosk.png", full_page=False)
    axe_check(kiosk, "kiosk")

    # The kiosk's QR carries the slip's URL: the same one the sheet's QR encodes.
    shown = kiosk.locator("#kiosk").get_attribute("data-token-id")
    state = chair_ctx.request.get(f"/api/v1/conferences/{cid}/handout?token_id={shown}").json()
    assert state["code"] == kiosk_code
    qr_url = state["url"]
    assert re.fullmatch(re.escape(base) + r"/v/[A-Za-z0-9_.-]+", qr_url), qr_url
    from voting.ballots.qr import qr_svg

    def qr_path(svg: str) -> str:
        found = re.search(r'<path[^>]* d="([^"]+)"', svg)
        assert found, svg[:200]
        return found.group(1)

    slip = sheet.locator(".slip").filter(has_text=kiosk_code)
    assert qr_path(slip.locator(".slip-qr").inner_html()) == qr_path(str(qr_svg(qr_url)))
    codes.remove(kiosk_code)
    # Phone 1 "scans" the QR; the others type the code printed on their slip.
    urls = [qr_url.removeprefix(base)] + [f"/v/{code}" for code in codes]

    # ---------------------------------------------------------------- phone 7 waits, in English
    sitter_ctx = new_phone(browser, base, 7)
    sitter = watch.watch(sitter_ctx.new_page(), "phone 7")
    sitter.goto(urls[6])
    expect(sitter.locator("html")).to_have_attribute("lang", "vi")
    switch = sitter.locator(".phone-bar .lang a")
    expect(switch).to_have_attribute("href", "?lang=en")
    with sitter.expect_navigation():
        switch.click()
    assert sitter.url == f"{base}{urls[6]}?lang=en", "the switch must keep the slip's token"
    expect(sitter.locator("html")).to_have_attribute("lang", "en")
    expect(sitter.locator("#review-button")).to_have_text("Review my ballot")
    expect(sitter.locator(".phone-bar .lang a")).to_have_attribute("href", "?lang=vi")
    sitter.click("label[for=p1-c2-agree]")

    # ---------------------------------------------------------------- phones 1-5 vote
    receipts: list[str] = []
    phones = []
    for n, choices in enumerate(NORMAL):
        ctx = new_phone(browser, base, n)
        phones.append(ctx)
        page = watch.watch(ctx.new_page(), f"phone {n + 1}")
        page.goto(urls[n])
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        expect(page.locator("#review-button")).to_have_text("Xem lại phiếu")
        if n == 0:
            screenshot(page, screenshots / "phone-ballot.png")
            axe_check(page, "phone ballot")
            # Keyboard: Tab reaches the first choice, its label shows the focus ring,
            # and Space chooses it.
            page.keyboard.press("Tab")
            page.keyboard.press("Tab")
            expect(page.locator("#p1-c1-agree")).to_be_focused()
            ring = page.evaluate(
                """() => { const s = getComputedStyle(document.querySelector(
                       "label[for=p1-c1-agree]")); return [s.outlineStyle, s.outlineWidth]; }"""
            )
            assert ring == ["solid", "3px"], ring
            page.keyboard.press("Space")
            expect(page.locator("#p1-c1-agree")).to_be_checked()
        mark(page, choices, CANDIDATES)
        counter = page.locator("fieldset[data-key=p1] [data-count]")
        expect(counter).to_have_text(str(len(choices["p1"])))
        if len(choices["p1"]) == 2:
            # The quota is reached: agreeing with a third candidate is impossible.
            others = [c for c in CANDIDATES["p1"] if c not in choices["p1"]]
            expect(page.locator(f"#p1-{others[0]}-agree")).to_be_disabled()
            present(page, "fieldset[data-key=p1] [data-quota-note]")
        page.click("#review-button")
        present(page, "#review")
        expect(page.locator("#ballot-form")).to_be_hidden()
        expect(page.locator("#review-list")).to_contain_text("Lê Thị Phương Tâm")
        if n == 0:
            screenshot(page, screenshots / "phone-review.png")
        page.click("#send-button")
        receipt = page.locator("#receipt-code")
        expect(receipt).to_have_text(RECEIPT)
        receipts.append(receipt.text_content() or "")
        if n == 0:
            screenshot(page, screenshots / "phone-receipt.png")
            axe_check(page, "phone receipt")
            # The kiosk moves on by itself once its slip has been used.
            expect(kiosk.locator("[data-code]")).not_to_have_text(kiosk_code or "")
            expect(kiosk.locator("[data-remaining]")).to_have_text("7")
        # The chair's turnout moves with every ballot, without a reload.
        expect(chair.locator("#live [data-received]")).to_have_text(str(n + 1))
        expect(projector.locator("[data-received]")).to_have_text(str(n + 1))
        if n == 2:
            # Below 2k ballots (k = 3) no candidate's number is shown, only turnout.
            row = chair.locator("table[data-position=p1] tr[data-candidate=c1]")
            expect(row.locator("[data-agree]")).to_have_text("–")
    assert len(set(receipts)) == 5
    assert ballots_received() == 5

    # ---------------------------------------------------------------- (b) a used slip
    again_ctx = new_phone(browser, base, 1)
    again = watch.watch(again_ctx.new_page(), "used slip")
    again.goto(urls[0])
    expect(again.locator("section.refused")).to_have_attribute("data-code", "already_recorded")
    expect(again.locator("h1")).to_have_text("Phiếu QR này đã được dùng để bỏ phiếu.")
    expect(again.locator("#ballot-form")).to_have_count(0)
    again.goto(f"/v/{urls[1].rsplit('/', 1)[1]}")  # the typed code of a used slip, too
    expect(again.locator("section.refused")).to_have_attribute("data-code", "already_recorded")
    again.goto("/v/not-a-real-slip")
    expect(again.locator("section.refused")).not_to_have_attribute("data-code", "already_recorded")
    again_ctx.close()

    # ---------------------------------------------------------------- (a) offline while sending
    offline_ctx = new_phone(browser, base, 5)
    offline = watch.watch(offline_ctx.new_page(), "phone 6 (offline)")
    offline.goto(urls[5])
    mark(offline, OFFLINE, CANDIDATES)
    offline.click("#review-button")
    offline_ctx.set_offline(True)
    offline.click("#send-button")
    status = offline.locator("#live-status")
    expect(status).to_contain_text("Mất kết nối. Phiếu chưa được gửi")
    expect(offline.locator("#send-button")).to_be_disabled()
    assert ballots_received() == 5
    offline.wait_for_timeout(1500)  # at least one more failed attempt while offline
    expect(status).to_contain_text("Mất kết nối")
    offline_ctx.set_offline(False)
    expect(offline.locator("#receipt-code")).to_have_text(RECEIPT, timeout=15_000)
    receipts.append(offline.locator("#receipt-code").text_content() or "")
    expect(status).to_be_hidden()
    assert ballots_received() == 6
    expect(chair.locator("#live [data-received]")).to_have_text("6")
    # Six ballots: 2k, so k of them (a random three, all agreeing with c1) are shown,
    # and three stay out until the close.
    c1 = chair.locator("table[data-position=p1] tr[data-candidate=c1]")
    expect(c1.locator("[data-agree]")).to_have_text("3")
    expect(c1.locator("[data-percent]")).to_have_text("37,50%")
    expect(c1.locator(".verdict")).to_have_text("không đạt")
    screenshot(chair, screenshots / "chair-live-tally.png")
    axe_check(chair, "chair conference (open, live tally)")
    screenshot(projector, screenshots / "projector-voting.png", full_page=False)
    axe_check(projector, "projector (voting)")

    # ------------------------------------------- (a') the answer is lost after the server saved it
    lost_ctx = new_phone(browser, base, 8)
    lost = watch.watch(lost_ctx.new_page(), "phone 8 (lost answer)")
    lost.goto(urls[7])
    mark(lost, LOST, CANDIDATES)
    lost.click("#review-button")
    attempts: list[int] = []

    def lose_first_answer(route: Any) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            route.fetch()  # the server records the ballot ...
            route.abort("connectionreset")  # ... and the phone never hears back
        else:
            route.continue_()

    # The phone casts to its slip's own path (where a kiosk slip's cookie is scoped).
    lost.route(re.compile(re.escape(urls[7]) + "$"), lose_first_answer)
    lost.click("#send-button")
    expect(lost.locator("#live-status")).to_contain_text(
        "Phiếu của bạn đã được ghi nhận", timeout=15_000
    )
    assert len(attempts) == 2
    assert ballots_received() == 7, "a retried ballot is counted exactly once"
    expect(lost.locator("#ballot-form")).to_be_hidden()
    expect(chair.locator("#live [data-received]")).to_have_text("7")

    # ---------------------------------------------------------------- close
    assert chair.evaluate("() => window.__noReload === true"), "the chair's page reloaded"
    chair.click("form[action$='/close'] button")
    expect(chair.locator(".status")).to_have_text("Đã kết thúc")
    assert any("Kết thúc bỏ phiếu" in m or "kết thúc" in m for m in dialogs), dialogs
    axe_check(chair, "chair conference (closed)")

    # (c) the phone left on its ballot learns it by itself.
    expect(sitter.locator("#live-status")).to_have_text(
        "The ballot has closed. Your ballot was NOT sent and was NOT recorded. Tell the chair now."
    )
    expect(sitter.locator("#ballot-form")).to_be_hidden()
    expect(sitter.locator("#live-status")).to_have_class(re.compile("banner-error"))

    # The projector reloads itself into the result chart, leaving the chair's
    # "closed" message to the chair's own page.
    present(projector, ".projector-result")
    expect(projector.locator(".flashes")).to_have_count(0)
    expect(chair.locator(".flash-ok")).to_have_text("Đã kết thúc bỏ phiếu.")
    chart = projector.locator(".chart[data-position=p1]")
    expect(chart.locator(".chart-row")).to_have_count(3)
    expect(chart.locator(".chart-row").first).to_contain_text("Lê Thị Phương Tâm")
    expect(chart.locator(".chart-row").first).to_contain_text("Đạt")
    expect(chart.locator(".chart-bar").first).to_be_visible()
    # 0-1000 scale of the 8 present: the pass mark at 50 %, c1's bar at 7/8.
    expect(chart.locator(".chart-bar .threshold")).to_have_count(3)
    expect(chart.locator(".threshold").first).to_have_attribute("x1", "500.0")
    expect(chart.locator(".chart-fill").first).to_have_attribute("width", "875.0")
    boundary = projector.locator(".chart[data-position=p2] .chart-row").first
    expect(boundary).to_contain_text("50,00%")
    expect(boundary).to_contain_text("Không đạt")
    for code in receipts:
        expect(projector.locator(".receipts")).to_contain_text(code)
    screenshot(projector, screenshots / "projector-result.png")
    axe_check(projector, "projector (result)")

    # ---------------------------------------------------------------- lock
    chair.click("form[action$='/lock'] button")
    # The lock's summary page: what will be frozen, a warning per empty field of the
    # minutes (the secretary filled none here), and the explicit tick to lock anyway.
    expect(chair.locator("#lock-summary")).to_be_visible()
    expect(chair.locator("#lock-warnings [data-empty-field]")).to_have_count(4)
    screenshot(chair, screenshots / "chair-lock-summary.png")
    axe_check(chair, "chair lock summary")
    chair.check("#lock-confirm input[name=accept_empty]")
    chair.click("#lock-confirm button.danger")
    expect(chair.locator(".status")).to_have_text("Đã khóa")
    digest = chair.locator("p.digest").text_content() or ""
    assert re.fullmatch(r"[0-9a-f]{64}", digest.strip()), digest
    screenshot(chair, screenshots / "chair-locked.png")
    axe_check(chair, "chair conference (locked)")

    # ---------------------------------------------------------------- the minutes
    minutes = watch.watch(chair_ctx.new_page(), "minutes")
    minutes.goto(f"/c/{cid}/minutes/counting")
    text = minutes.locator("body").text_content() or ""
    for expected in (
        "Cộng hòa xã hội chủ nghĩa Việt Nam",
        "Độc lập - Tự do - Hạnh phúc",
        "Kiên Giang, ngày 23 tháng 11 năm 2026",
        "Biên bản kiểm phiếu",
        "Đồng chí Võ Văn Tùng, Chi cục trưởng Chi cục THADS TP Rạch Giá — Trưởng ban",
        "Đạt khi số phiếu đồng ý trên 50% so với tổng số người có mặt",
        "số phiếu đồng ý cần đạt: 05 (năm) phiếu",
        "Tổng số người được triệu tập: 09 (chín) người; có mặt: 08 (tám) người",
        "Số phiếu thu về: 07 (bảy) phiếu.",
        "Chức danh Phó Cục trưởng",
        "Không đạt",
        "87,50%",
        "50,00%",
        "đạt tỷ lệ, được giới thiệu ở bước sau: Lê Thị Phương Tâm, Trương Ngọc Ánh.",
        digest.strip(),
    ):
        assert expected in text, f"minutes lack {expected!r}"
    expect(minutes.locator(".draft-mark")).to_have_count(0)
    screenshot(minutes, screenshots / "minutes-counting.png")
    axe_check(minutes, "minutes (counting)")

    assert not watch.problems, "\n".join(watch.problems)
    for ctx in (*phones, offline_ctx, lost_ctx, sitter_ctx, chair_ctx):
        ctx.close()
