"""The public receipt list /r/<id>: every code after the close, never a choice."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.conftest import Api, token_of
from voting.ballots.tokens import CODE_ALPHABET

PLAN = [["c1", "c2"], ["c1"], ["c3"], [], ["c2", "c3"]]


def cast_all(app: Flask, conf: dict[str, Any]) -> list[str]:
    phone = app.test_client()
    receipts = []
    for token, choice in zip(conf["tokens"], PLAN, strict=True):
        r = phone.post(
            "/api/v1/ballots", json={"token": token_of(token), "choices": {"p1": choice}}
        )
        assert r.status_code == 201, r.get_json()
        receipts.append(r.get_json()["receipt"])
    return receipts


def listed_codes(html: str) -> list[str]:
    return re.findall(r"<li><code>([A-Z0-9]+)</code></li>", html)


def test_unknown_conference_is_404(client: Any) -> None:
    assert client.get("/r/no-such-conference").status_code == 404


def test_before_the_close_the_page_says_the_list_comes_later(
    app: Flask, create_conference: Callable[..., dict[str, Any]]
) -> None:
    draft = create_conference(open_it=False)
    anyone = app.test_client()  # no login
    page = anyone.get(f"/r/{draft['id']}?lang=en").get_data(as_text=True)
    assert "The list of receipt codes appears here after the ballot closes." in page

    conf = create_conference(summoned=5)
    receipts = cast_all(app, conf)
    r = app.test_client().get(f"/r/{conf['id']}")  # no ?lang= cookie: Vietnamese
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Danh sách mã biên nhận sẽ hiện ở đây sau khi kết thúc bỏ phiếu." in page
    assert not [code for code in receipts if code in page]


def test_after_the_close_every_code_is_listed_sorted_without_choices(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=5)
    receipts = cast_all(app, conf)
    assert all(set(code) <= set(CODE_ALPHABET) for code in receipts)
    assert chair_api.post(f"/api/v1/conferences/{conf['id']}/close").status_code == 200

    anyone = app.test_client()
    page = anyone.get(f"/r/{conf['id']}?lang=en").get_data(as_text=True)
    assert listed_codes(page) == sorted(receipts)
    assert "Ballots counted: 5" in page
    # Names no candidate and no choice; no digest before the lock. (Addresses left out:
    # a static file's content hash may well contain "c2".)
    shown = re.sub(r'(href|src)="[^"]*"', "", page)
    for name in ("Lê Thị Phương Tâm", "Nguyễn Hoàng Phúc", "Trương Ngọc Ánh", "c1", "c2"):
        assert name not in shown
    assert 'id="result-digest"' not in page
    assert "its digest appears here once it is" in page

    r = chair_api.post(f"/api/v1/conferences/{conf['id']}/lock")
    digest = r.get_json()["sha256"]
    page = anyone.get(f"/r/{conf['id']}?lang=en").get_data(as_text=True)
    assert listed_codes(page) == sorted(receipts)
    assert f'<p class="digest" id="result-digest">{digest}</p>' in page


def test_the_phone_follows_its_language(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=5)
    cast_all(app, conf)
    chair_api.post(f"/api/v1/conferences/{conf['id']}/close")
    english = {"Accept-Language": "en-US,en;q=0.9"}
    page = app.test_client().get(f"/r/{conf['id']}", headers=english).get_data(as_text=True)
    assert '<html lang="en">' in page and "Receipt codes of the ballots counted" in page


def test_the_chair_and_the_phone_point_to_the_list(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=5)
    path = f"/r/{conf['id']}"
    phone = app.test_client()
    # The ballot page's receipt screen (#done) and the no-JavaScript receipt page.
    ballot = phone.get(f"/v/{token_of(conf['tokens'][0])}").get_data(as_text=True)
    done = ballot[ballot.index('id="done"') :]
    assert f"http://192.0.2.10:5000{path}" in done[: done.index("</section>")]
    received = phone.post(f"/v/{token_of(conf['tokens'][1])}", data={"p1.c1": "agree"}).get_data(
        as_text=True
    )
    assert 'class="receipt"' in received and f"http://192.0.2.10:5000{path}" in received

    chair_api.post(f"/api/v1/conferences/{conf['id']}/close")
    show = chair_api.get(f"/c/{conf['id']}").get_data(as_text=True)
    assert f'href="{path}"' in show
