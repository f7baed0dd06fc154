"""The kiosk in Chromium: one QR at a time, with no hand-out state on the server.

The page tells the server which slip it shows. "Next slip" brings another unused
slip; a slip that is used gives way to another by itself; the count of slips
left follows the votes. The server is restarted (same address) under the open
page, which carries on without a reload: nothing was held in the old process.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests import servers
from tests.browser.helpers import ConsoleWatch
from tests.conftest import conference_payload
from tests.servers import Server, login, prepare_instance

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails under CI) with the reason
    expect = None  # type: ignore[assignment]

CHAIR = ("kiosk-chair", "kiosk-chair-password")


class OnePort:
    """``voting serve`` processes, one after another, on one port: a page outlives a restart."""

    def __init__(self, folder: Path, port: int) -> None:
        self.env = {
            "VOTING_INSTANCE": str(folder),
            "DATABASE_URL": f"sqlite:///{folder / 'voting.db'}",
            "PYTHONUNBUFFERED": "1",
        }
        prepare_instance(self.env, {CHAIR[0]: (CHAIR[1], "chair")})
        self.port = port
        self.log = (folder / "server.log").open("ab")
        self.started: list[Server] = []

    def start(self) -> Server:
        self.started.append(Server(self.env, self.log))
        assert self.started[-1].port == self.port
        return self.started[-1]

    def restart(self) -> Server:
        self.started[-1].stop()
        return self.start()

    @property
    def url(self) -> str:
        return self.started[-1].url


@pytest.fixture
def one_port(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OnePort]:
    port = servers.free_port()
    monkeypatch.setattr(servers, "free_port", lambda: port)  # Server takes its port from here
    room = OnePort(tmp_path, port)
    try:
        room.start()
        yield room
    finally:
        for server in room.started:
            server.stop()
        room.log.close()


def test_kiosk_next_used_and_restart(browser: Any, one_port: OnePort) -> None:
    expect.set_options(timeout=15_000)  # the page polls every 3 s
    base = one_port.url
    chair, headers = login(base, *CHAIR)
    conf = chair.post(
        base + "/api/v1/conferences", json=conference_payload(summoned=4), headers=headers
    ).json()
    cid = conf["id"]
    r = chair.put(
        f"{base}/api/v1/conferences/{cid}/attendance",
        json={"attendance": [{"person_id": p["id"], "present": True} for p in conf["people"]]},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    r = chair.post(f"{base}/api/v1/conferences/{cid}/open", headers=headers)
    assert r.status_code == 200, r.text
    codes = {t["code"] for t in r.json()["tokens"]}

    watch = ConsoleWatch()
    ctx = browser.new_context(base_url=base, locale="vi-VN")
    assert ctx.request.post("/api/v1/session", data={"username": CHAIR[0], "password": CHAIR[1]}).ok
    kiosk = watch.watch(ctx.new_page(), "kiosk")
    kiosk.goto(f"/c/{cid}/handout/kiosk")
    code = kiosk.locator("[data-code]")
    remaining = kiosk.locator("[data-remaining]")
    expect(kiosk.locator("[data-qr] svg")).to_be_visible()
    expect(remaining).to_have_text("4")
    first = code.text_content()
    assert first in codes

    def vote(shown: str) -> None:
        r = requests.post(
            one_port.url + "/api/v1/ballots",
            json={"token": shown, "choices": {"p1": ["c1"]}},
            timeout=30,
        )
        assert r.status_code == 201, r.text

    # "Next slip": another unused slip; a refresh then keeps it.
    kiosk.click("[data-next]")
    expect(code).not_to_have_text(first)
    second = code.text_content()
    assert second in codes
    kiosk.wait_for_timeout(3500)  # one polling tick
    expect(code).to_have_text(second)
    # The slip shown is used: the kiosk moves on by itself, and counts one fewer.
    vote(second)
    expect(remaining).to_have_text("3")
    expect(code).not_to_have_text(second)
    third = code.text_content()
    assert third in codes - {second}

    # The server restarts under the open page (same address, a new process).
    one_port.restart()
    vote(third)
    expect(remaining).to_have_text("2")
    expect(code).not_to_have_text(third)
    fourth = code.text_content()
    assert fourth in codes - {second, third}
    kiosk.click("[data-next]")  # the page's CSRF token still holds: the session is the key's
    expect(code).not_to_have_text(fourth)
    fifth = code.text_content()
    assert fifth in codes - {second, third, fourth}
    vote(fourth)
    vote(fifth)
    expect(remaining).to_have_text("0")
    expect(kiosk.locator("[data-empty]")).to_be_visible()
    expect(kiosk.locator("[data-next]")).to_be_hidden()
    assert len(one_port.started) == 2 and one_port.started[0].process.poll() is not None
    assert watch.problems == []
    ctx.close()


def test_a_second_phone_scanning_the_kiosk_qr_is_told_to_ask_the_chair(
    browser: Any, one_port: OnePort
) -> None:
    """Two phones (two browser contexts) scan one kiosk QR; the server restarts between.

    The first keeps the slip (a reload, also after the restart, still shows its ballot,
    and it votes); the kiosk moves on as soon as the first opens it and counts one slip
    fewer; the second gets the red page that says to ask the chair for the next slip, and
    the kiosk's state counts one double scan for the chair.
    """
    from tests.browser.helpers import SCREENSHOTS, axe_check, new_phone, screenshot

    expect.set_options(timeout=15_000)
    base = one_port.url
    chair, headers = login(base, *CHAIR)
    conf = chair.post(
        base + "/api/v1/conferences", json=conference_payload(summoned=4), headers=headers
    ).json()
    cid = conf["id"]
    r = chair.put(
        f"{base}/api/v1/conferences/{cid}/attendance",
        json={"attendance": [{"person_id": p["id"], "present": True} for p in conf["people"]]},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert chair.post(f"{base}/api/v1/conferences/{cid}/open", headers=headers).ok

    watch = ConsoleWatch()
    ctx = browser.new_context(base_url=base, locale="vi-VN")
    assert ctx.request.post("/api/v1/session", data={"username": CHAIR[0], "password": CHAIR[1]}).ok
    kiosk = watch.watch(ctx.new_page(), "kiosk")
    kiosk.goto(f"/c/{cid}/handout/kiosk")
    code = kiosk.locator("[data-code]")
    remaining = kiosk.locator("[data-remaining]")
    expect(remaining).to_have_text("4")
    expect(kiosk.locator(".kiosk-hint").first).to_contain_text(f"{base}/k")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screenshot(kiosk, SCREENSHOTS / "kiosk-one-phone-per-qr.png", full_page=False)
    shown = kiosk.locator("#kiosk").get_attribute("data-token-id")
    state = chair.get(f"{base}/api/v1/conferences/{cid}/handout?token_id={shown}").json()
    assert state["code"] == code.text_content()
    qr = state["kiosk_url"].removeprefix(base)  # what the kiosk's QR encodes
    assert qr.endswith("?kiosk=1")

    # The chair's page is open on the laptop: the double scan shows there, live.
    chair_page = watch.watch(ctx.new_page(), "chair")
    chair_page.goto(f"/c/{cid}")
    doubles = chair_page.locator("[data-double-scans]")
    expect(doubles).to_be_hidden()

    first_ctx, second_ctx = new_phone(browser, base, 0), new_phone(browser, base, 1)
    first = watch.watch(first_ctx.new_page(), "first phone")
    first.goto(qr)
    expect(first.locator("#ballot-form")).to_be_visible()
    # The kiosk moves on at once (not when the slip is used), and counts it.
    expect(code).not_to_have_text(state["code"])
    expect(remaining).to_have_text("3")

    second = watch.watch(second_ctx.new_page(), "second phone")
    second.goto(qr)
    refusal = second.locator(".refused[data-code=slip_taken]")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("chủ trì")
    assert second.locator("#ballot-form").count() == 0
    expect(doubles).to_be_visible()
    expect(doubles).to_contain_text(
        "Số mã QR trên màn hình phát phiếu bị điện thoại thứ hai quét: 1."
    )
    chair_page.close()
    colour = second.evaluate("() => getComputedStyle(document.querySelector('.sign')).color")
    assert colour == "rgb(138, 28, 28)", colour  # the fail red
    axe_check(second, "kiosk slip taken")
    screenshot(second, SCREENSHOTS / "phone-slip-taken.png", full_page=False)
    counted = chair.get(f"{base}/api/v1/conferences/{cid}/handout").json()
    assert counted["double_scans"] == 1 and counted["remaining"] == 3

    # A restart: the binding lives in the database and in the first phone's cookie only.
    one_port.restart()
    second.reload()
    expect(second.locator(".refused[data-code=slip_taken]")).to_be_visible()
    first.reload()
    expect(first.locator("#ballot-form")).to_be_visible()
    first.click("label[for=p1-c1-agree]")
    first.click("#review-button")
    first.click("#send-button")
    expect(first.locator("#receipt-code")).to_have_text(re.compile(r"^[A-Z0-9]{8}$"))
    after = chair.get(f"{base}/api/v1/conferences/{cid}/handout").json()
    assert (after["remaining"], after["double_scans"]) == (3, 1)
    assert chair.get(f"{base}/api/v1/conferences/{cid}").json()["ballots_received"] == 1
    expect(remaining).to_have_text("3")
    assert watch.problems == []
    for c in (first_ctx, second_ctx, ctx):
        c.close()
