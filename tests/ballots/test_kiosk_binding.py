"""A kiosk QR belongs to the first phone that opens it.

The kiosk shows one slip; the first phone to open it (its QR, or its code typed at /k)
gets a random secret in a cookie scoped to that slip's ballot path, and the token row
keeps only an HMAC of it. The kiosk then moves on to an unopened slip, and its count of
slips left is true. A reload on the first phone works; any other phone — by the QR, the
printed code, the JSON API or the booth — is refused in red and told to ask the chair
for the next slip, and the chair's count of double scans goes up once per slip. The
binding goes with the slip's use: nothing of it is left to link anything to a ballot.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.ballots.test_handout import kiosk, kiosk_next
from tests.ballots.test_paper_and_booth import booth_link
from tests.conftest import Api, token_of
from voting.ballots.models import Ballot, Receipt, Token
from voting.ballots.routes import HOLDER_COOKIE, RECEIPT_COOKIE
from voting.ballots.tokens import holder_hash
from voting.extensions import db

KEY = "test-secret-key"  # the app fixture's SECRET_KEY


def path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def page_code(response: Any) -> str | None:
    found = re.search(r'class="refused" data-code="([a-z_]+)"', response.get_data(as_text=True))
    return found.group(1) if found else None


def holder_cookie(response: Any) -> str | None:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{HOLDER_COOKIE}="):
            return header
    return None


def tokens(app: Flask) -> list[dict[str, Any]]:
    with app.app_context():
        rows = db.session.execute(sa.select(Token)).scalars().all()
        return [{c.name: getattr(t, c.name) for c in Token.__table__.columns} for t in rows]


def cast_json(phone: FlaskClient, credential: str, choices: list[str]) -> Any:
    """As ballot.js casts: JSON to the slip's own path, so its cookies come along."""
    return phone.post(f"/v/{credential}", json={"token": credential, "choices": {"p1": choices}})


def test_the_first_phone_keeps_the_kiosk_slip_and_a_second_is_told_to_ask_the_chair(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=4)
    cid = conf["id"]
    shown = kiosk(chair_api, cid)
    assert shown["remaining"] == 4 and shown["double_scans"] == 0
    # The kiosk's QR is the slip's URL with the kiosk's mark; its code form is /k.
    assert shown["kiosk_url"] == shown["url"] + "?kiosk=1"
    assert shown["code_url"].endswith("/k")
    credential = token_of(shown["url"])

    first, second = app.test_client(), app.test_client()
    r = first.get(path(shown["kiosk_url"]))
    assert r.status_code == 200 and 'id="ballot-form"' in r.get_data(as_text=True)
    cookie = holder_cookie(r)
    assert cookie is not None
    # Scoped to this slip's path only, unreadable by scripts, not sent cross-site.
    assert f"Path=/v/{credential}" in cookie and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie

    # The kiosk moves on at once: the opened slip is no longer to hand out.
    after = kiosk(chair_api, cid, shown["token_id"])
    assert after["token_id"] != shown["token_id"] and after["remaining"] == 3
    # A reload on the first phone (and its language switch) still shows the ballot.
    assert first.get(path(shown["kiosk_url"])).status_code == 200
    assert first.get(f"/v/{credential}?lang=en").status_code == 200

    # A second phone scanning the same QR gets the red refusal, whatever way it tries.
    for attempt in (
        lambda: second.get(path(shown["kiosk_url"])),
        lambda: second.get(f"/v/{credential}"),
        lambda: second.get(f"/v/{shown['code'].replace('-', '')}"),
        lambda: second.post(f"/v/{credential}", data={"p1.c1": "agree", "action": "cast"}),
    ):
        r = attempt()
        assert r.status_code == 409 and page_code(r) == "slip_taken", r.get_data(as_text=True)
        html = r.get_data(as_text=True)
        assert "chủ trì" in html  # ask the chair (in Vietnamese)
        assert "✓" not in html
        assert holder_cookie(r) is None
    r = cast_json(second, credential, ["c1"])
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "slip_taken"
    r = second.post("/api/v1/ballots", json={"token": credential, "choices": {"p1": ["c1"]}})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "slip_taken"
    # Counted once for the chair however often the second phone tried; nothing was cast.
    state = kiosk(chair_api, cid, after["token_id"])
    assert state["double_scans"] == 1 and state["remaining"] == 3
    assert chair_api.get(f"/api/v1/conferences/{cid}").get_json()["ballots_received"] == 0

    # The first phone votes; its receipt stays on it (a cookie on the slip's path).
    r = cast_json(first, credential, ["c2"])
    assert r.status_code == 201, r.get_json()
    receipt = r.get_json()["receipt"]
    kept = [h for h in r.headers.getlist("Set-Cookie") if h.startswith(f"{RECEIPT_COOKIE}=")]
    assert kept and f"Path=/v/{credential}" in kept[0] and "HttpOnly" in kept[0]
    reload = first.get(f"/v/{credential}")
    assert reload.status_code == 200
    assert f'<p class="receipt">{receipt}</p>' in reload.get_data(as_text=True)
    # The second phone now learns the slip was used: a red notice, never a green tick.
    r = second.get(f"/v/{credential}")
    assert r.status_code == 409 and page_code(r) == "already_recorded"
    assert "✓" not in r.get_data(as_text=True) and receipt not in r.get_data(as_text=True)


def test_remaining_counts_slips_neither_opened_nor_used(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=8)
    cid = conf["id"]
    state = kiosk(chair_api, cid)
    # "Next" alone hands nothing out: 8 presses leave 8 slips, all of them shown.
    seen = {state["token_id"]}
    for _ in range(8):
        state = kiosk_next(chair_api, cid, state["token_id"])
        assert state["remaining"] == 8
        seen.add(state["token_id"])
    # Each phone that opens the kiosk's slip takes one; the kiosk never shows it again.
    opened: set[str] = set()
    for n in range(5):
        state = kiosk(chair_api, cid, state["token_id"])
        assert state["remaining"] == 8 - n and state["token_id"] not in opened
        assert app.test_client().get(path(state["kiosk_url"])).status_code == 200
        opened.add(state["token_id"])
    state = kiosk(chair_api, cid, state["token_id"])
    assert state["remaining"] == 3 and state["token_id"] not in opened
    for _ in range(30):
        state = kiosk_next(chair_api, cid, state["token_id"])
        assert state["token_id"] not in opened and state["remaining"] == 3
    # A printed slip (its plain URL, no kiosk mark) is not bound: nothing changes.
    plain = app.test_client().get(path(state["url"]))
    assert plain.status_code == 200 and holder_cookie(plain) is None
    assert kiosk(chair_api, cid, state["token_id"])["remaining"] == 3


def test_the_kiosk_code_typed_at_k_binds_as_the_qr_does(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=3)
    cid = conf["id"]
    state = kiosk(chair_api, cid)
    phone = app.test_client()
    page = phone.get("/k").get_data(as_text=True)
    assert 'name="kiosk" value="1"' in page and 'action="/v"' in page
    typed = state["code"].lower().replace("-", " ")
    r = phone.post("/v", data={"code": typed, "kiosk": "1"})
    # The canonical code (the cookie's path), with the kiosk's mark.
    canonical = state["code"].replace("-", "")
    assert r.status_code == 302 and r.headers["Location"] == f"/v/{canonical}?kiosk=1"
    r = phone.get(r.headers["Location"])
    assert r.status_code == 200 and f"Path=/v/{canonical}" in (holder_cookie(r) or "")
    assert kiosk(chair_api, cid, state["token_id"])["remaining"] == 2
    # The QR of that slip is now another phone's to refuse.
    assert page_code(app.test_client().get(path(state["kiosk_url"]))) == "slip_taken"
    # The phone that typed it votes by the form, without JavaScript.
    r = phone.post(f"/v/{canonical}", data={"p1.c1": "agree", "action": "cast"})
    assert r.status_code == 200 and 'class="receipt"' in r.get_data(as_text=True)


def test_the_booth_refuses_a_slip_a_phone_opened(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=3)
    cid = conf["id"]
    state = kiosk(chair_api, cid)
    assert app.test_client().get(path(state["kiosk_url"])).status_code == 200
    booth = booth_link(chair_api, cid)
    voter = app.test_client()
    r = voter.post(booth, data={"code": state["code"]})
    assert r.status_code == 409 and page_code(r) == "slip_taken"
    r = voter.post(f"{booth}/cast", json={"token": state["code"], "choices": {"p1": ["c1"]}})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "slip_taken"
    # The booth sets no cookie for the next voter, and an unopened slip still votes there.
    other = kiosk_next(chair_api, cid, state["token_id"])
    r = voter.post(f"{booth}/cast", json={"token": other["code"], "choices": {"p1": ["c1"]}})
    assert r.status_code == 201 and "Set-Cookie" not in r.headers


def test_two_phones_opening_at_once_one_wins(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=3)
    state = kiosk(chair_api, conf["id"])
    barrier = threading.Barrier(6)
    outcomes: list[int] = []

    def scan() -> None:
        phone = app.test_client()
        barrier.wait()
        outcomes.append(phone.get(path(state["kiosk_url"])).status_code)

    threads = [threading.Thread(target=scan) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [200] + [409] * 5
    assert kiosk(chair_api, conf["id"])["double_scans"] == 1


def test_the_binding_keeps_nothing_that_links_to_the_ballot(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=3)
    state = kiosk(chair_api, conf["id"])
    credential = token_of(state["url"])
    phone = app.test_client()
    before = {t["id"]: t for t in tokens(app)}
    r = phone.get(path(state["kiosk_url"]))
    secret = phone.get_cookie(HOLDER_COOKIE, path=f"/v/{credential}")
    assert secret is not None
    # While open: only an HMAC of the phone's secret, on the token row — no time, no order.
    opened = {t["id"]: t for t in tokens(app)}
    changed = [i for i in opened if opened[i] != before[i]]
    assert len(changed) == 1
    row = opened[changed[0]]
    assert row["holder_hash"] == holder_hash(KEY, secret.value) != secret.value
    assert {k for k in row if row[k] != before[changed[0]][k]} == {"holder_hash"}
    r = cast_json(phone, credential, ["c1"])
    assert r.status_code == 201
    receipt = r.get_json()["receipt"]
    # Once used, the row is exactly as any used slip's: the binding went with the use.
    used = {t["id"]: t for t in tokens(app)}[changed[0]]
    assert used["state"] == "used" and used["holder_hash"] is None and not used["contested"]
    other = app.test_client()
    other_credential = token_of(
        conf["tokens"][1] if conf["tokens"][1]["url"] != state["url"] else conf["tokens"][2]
    )
    assert cast_json(other, other_credential, ["c2"]).status_code == 201
    rows = [t for t in tokens(app) if t["state"] == "used"]
    assert len(rows) == 2
    assert {(t["holder_hash"], t["contested"]) for t in rows} == {(None, False)}
    # The ballots and receipts tables hold nothing of the phone, the token or the cookie.
    with app.app_context():
        assert set(Ballot.__table__.columns.keys()) == {
            "id",
            "conference_id",
            "choices",
            "is_valid",
            "published",
        }
        assert set(Receipt.__table__.columns.keys()) == {"conference_id", "code"}
        assert db.session.get(Receipt, (used["conference_id"], receipt)) is not None
        dump = "\n".join(
            repr(tuple(r))
            for table in sa.inspect(db.engine).get_table_names()
            for r in db.session.execute(sa.text(f'SELECT * FROM "{table}"'))
        )
    assert secret.value not in dump and holder_hash(KEY, secret.value) not in dump


# ------------------------------------------------------------------ a restarted server


def test_binding_and_remaining_survive_a_restart(
    app: Flask,
    second_app: Flask,
    chair_api: Api,
    create_conference: Callable[..., dict[str, Any]],
) -> None:
    conf = create_conference(summoned=4)
    cid = conf["id"]
    state = kiosk(chair_api, cid)
    credential = token_of(state["url"])
    phone = app.test_client()
    assert phone.get(path(state["kiosk_url"])).status_code == 200
    secret = phone.get_cookie(HOLDER_COOKIE, path=f"/v/{credential}")
    assert secret is not None

    # The other process never saw the slip opened: it still knows it from the database.
    chair_b = Api(second_app.test_client()).login("chair", "chair-password")
    b = kiosk(chair_b, cid, state["token_id"])
    assert b["remaining"] == 3 and b["token_id"] != state["token_id"]
    stranger = second_app.test_client()
    r = stranger.get(path(state["kiosk_url"]))
    assert r.status_code == 409 and page_code(r) == "slip_taken"
    assert kiosk(chair_b, cid)["double_scans"] == 1
    # The same phone, after the restart (its cookie kept), reloads and votes.
    restarted = second_app.test_client()
    restarted.set_cookie(HOLDER_COOKIE, secret.value, path=f"/v/{credential}")
    assert restarted.get(f"/v/{credential}").status_code == 200
    r = cast_json(restarted, credential, ["c1"])
    assert r.status_code == 201, r.get_json()
    assert kiosk(chair_api, cid)["remaining"] == 3


def test_the_chair_sees_a_double_scan_on_the_turnout(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    from voting.conferences.models import Conference
    from voting.realtime.snapshots import chair_snapshot

    conf = create_conference(summoned=3)
    cid = conf["id"]
    page = chair_api.get(f"/c/{cid}").get_data(as_text=True)
    assert re.search(r"data-double-scans[^>]*hidden", page)
    shown = kiosk(chair_api, cid)
    first, second = app.test_client(), app.test_client()
    assert first.get(path(shown["kiosk_url"])).status_code == 200
    assert second.get(path(shown["kiosk_url"])).status_code == 409
    page = chair_api.get(f"/c/{cid}").get_data(as_text=True)
    banner = re.search(r"<p[^>]*data-double-scans[^>]*>(.*?)</p>", page, re.S)
    assert banner and "hidden" not in banner.group(0).split(">")[0]
    assert "Số mã QR trên màn hình phát phiếu bị điện thoại thứ hai quét: 1." in banner.group(1)
    with app.app_context():
        conference = db.session.scalar(sa.select(Conference).where(Conference.public_id == cid))
        assert conference is not None
        assert chair_snapshot(conference)["double_scans"] == 1
