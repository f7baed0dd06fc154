"""The phone's pages say what happened and what to do, also without JavaScript.

Without JavaScript "Review my ballot" asks the server for a review page (nothing is cast),
"Change" brings the form back as marked, and only "Cast my ballot" casts. The receipt
stays on the voter's phone (a cookie on the slip's own path) across reloads, and links
to the receipt list. A used slip is a red notice, never a green tick; a ballot the close
caught unsent says it was NOT recorded. A paper-entry mismatch shows only the mismatch.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.ballots.test_paper_and_booth import PINS, form, issue_pins, pin
from tests.conftest import Api, token_of
from voting.ballots.routes import RECEIPT_COOKIE


def received(app: Flask, chair_api: Api, conf_id: str) -> int:
    return int(chair_api.get(f"/api/v1/conferences/{conf_id}").get_json()["ballots_received"])


def test_without_javascript_the_review_comes_from_the_server_before_the_cast(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=3)
    cid = conf["id"]
    credential = token_of(conf["tokens"][0])
    phone = app.test_client()
    page = phone.get(f"/v/{credential}").get_data(as_text=True)
    # The form posts to the slip's page; its button asks for the review, not the cast.
    assert f'<form id="ballot-form" method="post" action="/v/{credential}"' in page
    assert re.search(r'id="review-button" name="action" value="review"', page)

    marks = {"p1.c1": "agree", "p1.c2": "disagree", "p1.c3": "agree"}
    r = phone.post(f"/v/{credential}", data={**marks, "action": "review"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="server-review"' in html
    assert 'id="ballot-form"' not in html
    review = html[
        html.index('id="server-review"') : html.index("</form>", html.index("server-review"))
    ]
    assert "Lê Thị Phương Tâm" in review and "Trương Ngọc Ánh" in review
    assert "Nguyễn Hoàng Phúc" not in review  # marked Disagree: not listed as agreed
    for field, value in marks.items():
        assert f'<input type="hidden" name="{field}" value="{value}">' in review
    assert 'name="action" value="cast"' in review and 'name="action" value="change"' in review
    assert received(app, chair_api, cid) == 0  # reviewing casts nothing

    # "Change": the form again, as it was marked.
    r = phone.post(f"/v/{credential}", data={**marks, "action": "change"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="ballot-form"' in html
    assert re.search(r'id="p1-c1-agree" name="p1.c1" value="agree" checked', html)
    assert re.search(r'id="p1-c2-disagree" name="p1.c2" value="disagree" checked', html)
    assert not re.search(r'id="p1-c2-agree"[^>]* checked', html)

    # Over the quota: the form again with the error and the marks; nothing cast.
    over = {"p1.c1": "agree", "p1.c2": "agree", "p1.c3": "agree", "action": "review"}
    r = phone.post(f"/v/{credential}", data=over)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'data-code="over_quota"' in html and 'id="ballot-form"' in html
    assert re.search(r'id="p1-c3-agree" name="p1.c3" value="agree" checked', html)
    assert received(app, chair_api, cid) == 0

    # "Cast my ballot": the receipt, kept on this phone for a reload, with the list's link.
    r = phone.post(f"/v/{credential}", data={**marks, "action": "cast"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and received(app, chair_api, cid) == 1
    receipt = re.search(r'<p class="receipt">([A-Z0-9]+)</p>', html)
    assert receipt
    link = re.search(r'<a class="digest" href="(http://[^"]+/r/' + cid + r')">\1</a>', html)
    assert link, html
    cookie = [h for h in r.headers.getlist("Set-Cookie") if h.startswith(f"{RECEIPT_COOKIE}=")]
    assert cookie and f"Path=/v/{credential}" in cookie[0]
    again = phone.get(f"/v/{credential}")
    assert again.status_code == 200
    assert f'<p class="receipt">{receipt.group(1)}</p>' in again.get_data(as_text=True)
    # Resubmitting the cast (a reload of the POST) shows the same receipt, casts nothing.
    r = phone.post(f"/v/{credential}", data={**marks, "action": "cast"})
    assert receipt.group(1) in r.get_data(as_text=True) and received(app, chair_api, cid) == 1


def test_a_used_slip_is_a_red_notice_saying_to_tell_the_chair(
    app: Flask, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=3)
    credential = token_of(conf["tokens"][0])
    voter = app.test_client()
    assert (
        voter.post("/api/v1/ballots", json={"token": credential, "choices": {}}).status_code == 201
    )
    # Another phone (no receipt of its own): not green, not a tick; it says what to do.
    r = app.test_client().get(f"/v/{credential}")
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and 'data-code="already_recorded"' in html
    assert "✓" not in html and 'class="sign" aria-hidden="true">!<' in html
    assert "Phiếu QR này đã được dùng để bỏ phiếu" in html
    assert "báo ngay cho chủ trì" in html
    # A forged receipt cookie shows nothing: it must be one of the conference's receipts.
    forged = app.test_client()
    forged.set_cookie(RECEIPT_COOKIE, "ACDEFGHJ", path=f"/v/{credential}")
    assert forged.get(f"/v/{credential}").status_code == 409


def test_a_ballot_the_close_caught_unsent_says_it_was_not_recorded(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=3)
    credential = token_of(conf["tokens"][0])
    phone = app.test_client()
    assert phone.get(f"/v/{credential}").status_code == 200
    assert chair_api.post(f"/api/v1/conferences/{conf['id']}/close").status_code == 200
    r = phone.post(f"/v/{credential}", data={"p1.c1": "agree", "action": "cast"})
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and 'data-code="ballot_closed"' in html
    assert "Phiếu của bạn KHÔNG được ghi nhận." in html
    # The script's messages, for a page loaded before the close: NOT recorded, in words.
    conf2 = create_conference(summoned=3)
    script = app.test_client().get(f"/v/{token_of(conf2['tokens'][0])}").get_data(as_text=True)
    found = re.search(r'id="ballot-i18n">(.*?)</script>', script, re.S)
    assert found
    texts = json.loads(found.group(1))
    for case in ("closed_live", "closed", "already", "taken", "void"):
        assert "KHÔNG được ghi nhận" in texts[case], case


def test_a_paper_entry_mismatch_shows_only_the_mismatch(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=4, open_it=False)
    cid = conf["id"]
    assert chair_api.post(f"/api/v1/conferences/{cid}/open", json={"paper": 2}).status_code == 200
    issue_pins(chair_api, cid)
    assert PINS[cid]
    assert chair_api.post(f"/api/v1/conferences/{cid}/close").status_code == 200
    form(chair_api, f"/c/{cid}/paper/entry", [pin(cid, "Người dự 1"), ("mark", "p1.c1")])
    chair_api.get(f"/c/{cid}/paper/entry")  # the first entry's own message is shown here
    r = form(chair_api, f"/c/{cid}/paper/entry", [pin(cid, "Người dự 2"), ("mark", "p1.c2")])
    assert r.status_code == 302
    page = chair_api.get(f"/c/{cid}/paper/entry").get_data(as_text=True)
    flashes = re.findall(r'<p class="flash flash-(\w+)">([^<]+)</p>', page)
    assert flashes == [
        ("error", "Hai lần nhập không khớp nhau; cả hai đã bị hủy. Hãy nhập lại phiếu này.")
    ], flashes
    assert "Đã lưu." not in page
