"""Hand-out without process memory: derived secrets, slips redrawn from the database.

The secret and code of a token are derived from SECRET_KEY and its random id,
so any app holding the key and the database — a second app instance here,
standing in for a restarted server or another worker — draws the same QR sheet
and kiosk as the one that opened the ballot, and every slip still votes.
"""

from __future__ import annotations

import base64
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask

from tests.conftest import Api, token_of
from voting.ballots import handout
from voting.ballots.models import Token
from voting.ballots.tokens import (
    CODE_ALPHABET,
    CODE_LENGTH,
    code_hash,
    derive,
    derive_code,
    derive_secret,
    format_code,
    is_derived,
    new_id,
    secret_hash,
    sign,
)
from voting.conferences.models import Conference
from voting.extensions import db

KEY = "test-secret-key"  # the app fixture's SECRET_KEY

# ------------------------------------------------------------------ derivation


def test_derived_secret_and_code_are_deterministic_per_key_and_id() -> None:
    ids = [new_id() for _ in range(300)]
    slips = [derive(KEY, i) for i in ids]
    # The same (key, id) always gives the same secret and code.
    assert [derive(KEY, i) for i in ids] == slips
    assert derive_secret(KEY, ids[0]) == slips[0].secret
    assert derive_code(KEY, ids[0]) == slips[0].code
    # Different ids give different secrets and codes.
    assert len({s.secret for s in slips}) == len(ids)
    assert len({s.code for s in slips}) == len(ids)
    # Another key gives other secrets and codes for the same ids.
    other = [derive("another-key", i) for i in ids]
    assert not {s.secret for s in slips} & {s.secret for s in other}
    assert not {s.code for s in slips} & {s.code for s in other}
    # Secret and code are separate derivations (distinct purposes), not one value twice.
    assert all(s.code not in s.secret for s in slips)
    # The secret carries 128 bits, URL-safe, as the random secrets did.
    raw = base64.urlsafe_b64decode(slips[0].secret + "==")
    assert len(raw) == 16
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", s.secret) for s in slips)


def test_codes_use_only_the_alphabet_at_full_length_and_every_letter() -> None:
    codes = [derive_code(KEY, new_id()) for _ in range(2000)]
    assert all(len(c) == CODE_LENGTH for c in codes)
    assert set("".join(codes)) <= set(CODE_ALPHABET)
    # Rejection sampling: every letter appears, none far from 1/25 of 20,000 letters.
    counts = Counter("".join(codes))
    assert set(counts) == set(CODE_ALPHABET)
    expected = 2000 * CODE_LENGTH / len(CODE_ALPHABET)
    assert all(0.8 * expected < n < 1.2 * expected for n in counts.values()), counts
    # A derived code survives the slip's printed form and what a person types.
    code = codes[0]
    assert code_hash(KEY, format_code(code).lower()) == code_hash(KEY, code)


def test_is_derived_tells_derived_secrets_from_random_ones() -> None:
    token_id = new_id()
    derived = secret_hash(KEY, derive_secret(KEY, token_id))
    assert is_derived(KEY, token_id, derived)
    # The database alone (without the key) cannot redraw a slip: another key does not match.
    assert not is_derived("another-key", token_id, derived)
    # A token issued before derivation (random secret) does not match its id.
    assert not is_derived(KEY, token_id, secret_hash(KEY, "an-old-random-secret-xyz"))
    assert not is_derived(KEY, new_id(), derived)


def test_pending_skips_old_random_secret_tokens_which_still_vote(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=3)
    old_secret = "old-random-secret-from-before"
    old_code = "ACDEFGHJKM"
    with app.app_context():
        conference = db.session.scalar(
            sa.select(Conference).where(Conference.public_id == conf["id"])
        )
        old = Token(
            id=new_id(),
            conference_id=conference.id,
            secret_hash=secret_hash(KEY, old_secret),
            code_hash=code_hash(KEY, old_code),
            state="issued",
        )
        db.session.add(old)
        conference.tokens_issued += 1
        db.session.commit()
        listed = handout.pending(conference, KEY)
        assert len(listed) == 3
        assert old.id not in {t.token_id for t in listed}
        assert {format_code(t.code) for t in listed} == {t["code"] for t in conf["tokens"]}
        # In the order of the random ids, which carries nothing.
        assert [t.token_id for t in listed] == sorted(t.token_id for t in listed)
    state = chair_api.get(f"/api/v1/conferences/{conf['id']}/handout").get_json()
    assert state["remaining"] == 3
    # The old slip, printed before, still votes with its secret, and by its code.
    r = chair_api.client.post(
        "/api/v1/ballots",
        json={"token": sign(KEY, conf["id"], old_secret), "choices": {"p1": ["c1"]}},
    )
    assert r.status_code == 201, r.get_json()
    assert chair_api.get(f"/api/v1/conferences/{conf['id']}").get_json()["ballots_received"] == 1
    assert chair_api.get(f"/api/v1/conferences/{conf['id']}/handout").get_json()["remaining"] == 3


# ------------------------------------------------------------------ a second app instance


def sheet_codes(api: Api, conf_id: str) -> list[str]:
    r = api.get(f"/c/{conf_id}/handout/sheet")
    assert r.status_code == 200
    return re.findall(r'<p class="slip-code">([^<]+)</p>', r.get_data(as_text=True))


def kiosk(api: Api, conf_id: str, shown: str | None = None) -> dict[str, Any]:
    query = f"?token_id={shown}" if shown else ""
    r = api.get(f"/api/v1/conferences/{conf_id}/handout{query}")
    assert r.status_code == 200, r.get_json()
    return dict(r.get_json())


def kiosk_next(api: Api, conf_id: str, shown: str | None) -> dict[str, Any]:
    r = api.post(f"/api/v1/conferences/{conf_id}/handout/next", json={"token_id": shown})
    assert r.status_code == 200, r.get_json()
    return dict(r.get_json())


def cast(app: Flask, credential: str, choices: list[str]) -> Any:
    return app.test_client().post(
        "/api/v1/ballots", json={"token": credential, "choices": {"p1": choices}}
    )


def test_another_app_draws_every_unused_slip_and_each_votes(
    app: Flask,
    second_app: Flask,
    chair_api: Api,
    create_conference: Callable[..., dict[str, Any]],
) -> None:
    conf = create_conference(summoned=6)
    cid = conf["id"]
    issued = {t["code"]: t["url"] for t in conf["tokens"]}
    assert sorted(sheet_codes(chair_api, cid)) == sorted(issued)
    # Two slips are handed out and used through the app that opened the ballot.
    used = list(issued)[:2]
    for code in used:
        assert cast(app, token_of(issued[code]), ["c1"]).status_code == 201

    # The other app never saw the ballot open: it lists exactly the four unused slips.
    chair_b = Api(second_app.test_client()).login("chair", "chair-password")
    unused = sorted(set(issued) - set(used))
    assert sorted(sheet_codes(chair_b, cid)) == unused
    state = kiosk(chair_b, cid)
    assert state["remaining"] == 4 and state["code"] in unused
    # The kiosk's QR is the slip's own URL, the one issued when the ballot opened.
    assert state["url"] == issued[state["code"]]
    assert "<svg" in state["qr"]
    # A refresh keeps the slip shown while it is unused; "next" moves to another one.
    assert kiosk(chair_b, cid, state["token_id"])["token_id"] == state["token_id"]
    seen = {state["code"]}
    for _ in range(60):
        moved = kiosk_next(chair_b, cid, state["token_id"])
        assert moved["token_id"] != state["token_id"] and moved["remaining"] == 4
        seen.add(moved["code"])
        state = moved
    assert sorted(seen) == unused  # random, not a fixed rotation that skips some
    # "next" from the first app agrees: the choice needs no memory of either app.
    assert kiosk_next(chair_api, cid, state["token_id"])["code"] in set(unused) - {state["code"]}

    # The slip on the kiosk votes by its QR; once used, the kiosk shows another.
    assert cast(app, token_of(state["url"]), ["c2"]).status_code == 201
    after = kiosk(chair_b, cid, state["token_id"])
    assert after["remaining"] == 3 and after["code"] != state["code"]
    assert state["code"] not in sheet_codes(chair_b, cid)
    # The others vote by the code printed on the sheet the second app drew.
    left = sheet_codes(chair_b, cid)
    assert sorted(left) == sorted(set(unused) - {state["code"]})
    for code in left[:2]:
        assert cast(second_app, code, ["c3"]).status_code == 201
    # With one slip left, "next" keeps showing it; when it is used, nothing is left.
    last = kiosk(chair_api, cid)
    assert last["remaining"] == 1 and last["code"] == left[2]
    assert kiosk_next(chair_b, cid, last["token_id"])["token_id"] == last["token_id"]
    assert kiosk_next(chair_b, cid, None)["token_id"] == last["token_id"]
    r = chair_b.client.post(f"/v/{last['code']}", data={"p1.c1": "agree"})
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    empty = kiosk(chair_b, cid, last["token_id"])
    assert (empty["remaining"], empty["token_id"], empty["qr"]) == (0, None, None)
    assert sheet_codes(chair_b, cid) == []
    # Everyone voted exactly once; a used slip replays as already recorded.
    final = chair_b.get(f"/api/v1/conferences/{cid}").get_json()
    assert final["ballots_received"] == 6
    r = cast(second_app, used[0], ["c1"])
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "already_recorded"


def test_after_a_restart_a_slip_can_be_voided_or_turned_to_paper(
    app: Flask,
    second_app: Flask,
    chair_api: Api,
    create_conference: Callable[..., dict[str, Any]],
) -> None:
    conf = create_conference(summoned=4)
    cid = conf["id"]
    chair_b = Api(second_app.test_client()).login("chair", "chair-password")
    codes = sheet_codes(chair_b, cid)
    assert len(codes) == 4
    # A lost slip is voided by the code the second app's sheet shows; its replacement appears.
    r = chair_b.post(f"/api/v1/conferences/{cid}/tokens/void", json={"code": codes[0]})
    assert r.status_code == 200, r.get_json()
    replacement = r.get_json()["replacement"]
    after = sheet_codes(chair_api, cid)
    assert codes[0] not in after and replacement["code"] in after and len(after) == 4
    r = cast(app, codes[0], ["c1"])
    assert r.status_code == 410 and r.get_json()["error"]["code"] == "token_void"
    # Someone who prefers paper: their unused slip becomes a paper ballot and leaves the sheet.
    r = chair_b.client.post(
        f"/c/{cid}/paper/convert", data={"code": codes[1], "csrf_token": chair_b.csrf}
    )
    assert r.status_code == 302
    assert codes[1] not in sheet_codes(chair_api, cid)
    state = chair_api.get(f"/api/v1/conferences/{cid}").get_json()
    assert state["tokens"] == {"issued": 5, "voided": 1, "paper": 1}
    # The replacement, drawn by one app, votes through the other.
    assert cast(app, token_of(replacement), ["c2"]).status_code == 201
    assert sorted(sheet_codes(chair_b, cid)) == sorted(codes[2:])


def test_no_slip_is_drawn_once_the_ballot_is_closed(
    app: Flask, second_app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    draft = create_conference(summoned=3, open_it=False)
    assert sheet_codes(chair_api, draft["id"]) == []
    conf = create_conference(summoned=3)
    cid = conf["id"]
    assert len(sheet_codes(chair_api, cid)) == 3
    assert chair_api.post(f"/api/v1/conferences/{cid}/close").status_code == 200
    # Unused tokens remain "issued" in the database, but no app draws them any more.
    with app.app_context():
        unused = db.session.scalar(
            sa.select(sa.func.count()).select_from(Token).where(Token.state == "issued")
        )
        assert unused == 3
    chair_b = Api(second_app.test_client()).login("chair", "chair-password")
    for api in (chair_api, chair_b):
        assert sheet_codes(api, cid) == []
        state = kiosk(api, cid)
        assert (state["status"], state["remaining"], state["qr"]) == ("closed", 0, None)
        assert kiosk_next(api, cid, None)["token_id"] is None


def test_nothing_about_the_hand_out_is_stored(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """Drawing the sheet and moving the kiosk writes no row anywhere."""
    conf = create_conference(summoned=4)
    cid = conf["id"]

    def snapshot() -> dict[str, list[str]]:
        with app.app_context():
            tables = sa.inspect(db.engine).get_table_names()
            return {
                t: sorted(repr(tuple(r)) for r in db.session.execute(sa.text(f"SELECT * FROM {t}")))
                for t in tables
            }

    before = snapshot()
    shown = None
    for _ in range(5):
        sheet_codes(chair_api, cid)
        shown = kiosk_next(chair_api, cid, shown)["token_id"]
        kiosk(chair_api, cid, shown)
    assert snapshot() == before
    with app.app_context():
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("tokens")}
    # holder_hash and contested are written by a phone opening a kiosk slip, never by the
    # kiosk or the sheet (test_kiosk_binding.py).
    assert columns == {
        "id",
        "conference_id",
        "secret_hash",
        "code_hash",
        "state",
        "holder_hash",
        "contested",
    }
