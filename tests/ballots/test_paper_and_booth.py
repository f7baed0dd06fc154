"""No one left out: phone, booth and paper ballots in one count.

A conference with 10 present: 5 vote on phones, 1 at the booth, 3 on paper (one
marked beyond the quota, so invalid), 1 paper ballot is never returned. The
locked decision must equal ``voting decide`` on the combined ballots, and the
minutes must reconcile issued, returned, valid and invalid.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from click.testing import CliRunner
from flask import Flask
from werkzeug.datastructures import MultiDict

from tests.conftest import Api, token_of
from voting.cli import main
from voting.conferences.models import Conference
from voting.extensions import db


def form(api: Api, url: str, data: list[tuple[str, str]]) -> Any:
    return api.client.post(url, data=MultiDict([*data, ("csrf_token", api.csrf)]))


def booth_link(api: Api, conf_id: str) -> str:
    page = api.get(f"/c/{conf_id}/booth").get_data(as_text=True)
    found = re.search(r'id="booth-link" href="https?://[^/]+(/b/[^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


#: The PINs issued per conference: {public id: {member name: PIN}}.
PINS: dict[str, dict[str, str]] = {}


def issue_pins(api: Api, conf_id: str) -> dict[str, str]:
    """The chair issues the committee's PINs (shown once) through the real page."""
    r = form(api, f"/c/{conf_id}/paper/pins", [])
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    found = dict(
        re.findall(
            r'<tr data-member="([^"]+)"><td>[^<]+</td><td><code class="code" data-pin>([^<]+)<',
            r.get_data(as_text=True),
        )
    )
    assert set(found) == {"Người dự 1", "Người dự 2"}, found
    PINS[conf_id] = found
    return found


def pin(conf_id: str, member: str) -> tuple[str, str]:
    return ("pin", PINS[conf_id][member])


def enter_twice(api: Api, conf_id: str, marks: list[str], spoilt: str = "") -> None:
    """The committee's head enters, a member confirms, each with their own PIN."""
    data = [("mark", m) for m in marks] + [("spoilt", spoilt)]
    for member in ("Người dự 1", "Người dự 2"):
        r = form(api, f"/c/{conf_id}/paper/entry", [pin(conf_id, member), *data])
        assert r.status_code == 302


def test_phone_booth_and_paper_in_one_count(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=11, present=10, open_it=False)
    cid = conf["id"]
    r = chair_api.post(f"/api/v1/conferences/{cid}/open", json={"paper": 4})
    issue_pins(chair_api, cid)
    assert r.status_code == 200, r.get_json()
    opened = r.get_json()
    assert len(opened["tokens"]) == 6  # phone slips; the 4 paper tokens have none
    assert opened["conference"]["tokens"] == {"issued": 10, "voided": 0, "paper": 4}
    tokens = [token_of(t) for t in opened["tokens"]]

    # 5 phones (quota 2 for the Phó Cục trưởng position: c1, c2, c3 on the ballot).
    phone = [["c1", "c2"], ["c1"], ["c1", "c3"], ["c2"], []]
    for token, chosen in zip(tokens, phone, strict=False):
        r = chair_api.client.post(
            "/api/v1/ballots", json={"token": token, "choices": {"p1": chosen}}
        )
        assert r.status_code == 201, r.get_json()

    # 1 at the booth, through its own cast endpoint; counted as a booth cast.
    booth = booth_link(chair_api, cid)
    voter = app.test_client()
    assert voter.get(booth).status_code == 200
    code = opened["tokens"][5]["code"]
    r = voter.post(booth, data={"code": code})
    assert r.status_code == 200 and 'id="ballot-form"' in r.get_data(as_text=True)
    r = voter.post(f"{booth}/cast", json={"token": code, "choices": {"p1": ["c1", "c2"]}})
    assert r.status_code == 201, r.get_json()
    # A phone cannot use the booth's endpoint for another conference's token.
    assert voter.post(f"{booth}/cast", json={"token": "x" * 20}).status_code in (400, 404)

    # Paper can only be entered after the close.
    r = form(chair_api, f"/c/{cid}/paper/entry", [pin(cid, "Người dự 1"), ("mark", "p1.c1")])
    assert r.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(Conference.paper_entered).where(Conference.public_id == cid)
            )
            == 0
        )
    assert chair_api.post(f"/api/v1/conferences/{cid}/close").status_code == 200

    # Three paper ballots come back (one marked beyond the quota); one never does.
    enter_twice(chair_api, cid, ["p1.c1", "p1.c3"])
    enter_twice(chair_api, cid, ["p1.c2"])
    enter_twice(chair_api, cid, ["p1.c1", "p1.c2", "p1.c3"])  # over quota: invalid as a whole
    # A mismatch between the two entries discards both; nothing is counted.
    form(chair_api, f"/c/{cid}/paper/entry", [pin(cid, "Người dự 1"), ("mark", "p1.c1")])
    r = form(chair_api, f"/c/{cid}/paper/entry", [pin(cid, "Người dự 2"), ("mark", "p1.c2")])
    assert r.status_code == 302
    state = chair_api.get(f"/api/v1/conferences/{cid}").get_json()
    assert (state["paper_entered"], state["booth_cast"], state["ballots_received"]) == (3, 1, 9)

    # A ballot entered once, not yet confirmed, blocks the lock until confirmed or discarded.
    form(chair_api, f"/c/{cid}/paper/entry", [pin(cid, "Người dự 1"), ("mark", "p1.c2")])
    r = chair_api.post(f"/api/v1/conferences/{cid}/lock")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "paper_entry_waiting"
    form(chair_api, f"/c/{cid}/paper/entry", [("action", "discard")])
    r = chair_api.post(f"/api/v1/conferences/{cid}/lock")
    assert r.status_code == 200, r.get_json()
    result = chair_api.get(f"/c/{cid}/result.json").get_json()
    assert result["tokens"] == {"issued": 10, "voided": 0, "paper": 4}
    assert result["returned"] == {"phone": 5, "booth": 1, "paper": 3}
    decision = result["decision"]
    assert decision["ballots"] == {"received": 9, "valid": 8, "invalid": 1}

    # The same decision from ``voting decide`` on the combined ballots.
    combined = result["decide_input"]
    assert len(combined["ballots"]) == 9
    out = CliRunner(env={"VOTING_RULESET": None}).invoke(
        main, ["decide"], input=json.dumps(combined)
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == decision
    agree = {c["id"]: c["agree"] for c in decision["positions"][0]["candidates"]}
    # phones c1×3 c2×2 c3×1, booth c1 c2, paper c1 c3 / c2 (the over-quota one counts for none)
    assert agree == {"c1": 5, "c2": 4, "c3": 2}

    minutes = chair_api.get(f"/c/{cid}/minutes/counting?lang=vi").get_data(as_text=True)
    assert "gồm 06 (sáu) phiếu điện tử và 04 (bốn) phiếu giấy" in minutes
    assert "tại máy bỏ phiếu riêng 01 (một)" in minutes and "phiếu giấy 03 (ba)" in minutes
    assert "Số phiếu không thu về: 01 (một) phiếu (trong đó phiếu giấy: 01 (một) phiếu)" in minutes
    assert "đồng ý quá số lượng: 01 (một)" in minutes


def test_paper_and_booth_refusals_change_nothing(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=5, open_it=False)
    cid = conf["id"]
    for bad in (6, -1, True, "many"):
        r = chair_api.post(f"/api/v1/conferences/{cid}/open", json={"paper": bad})
        assert r.status_code == 422 and r.get_json()["error"]["details"]["field"] == "paper"
    assert chair_api.get(f"/api/v1/conferences/{cid}").get_json()["status"] == "draft"
    r = chair_api.post(f"/api/v1/conferences/{cid}/open", json={"paper": 1})
    issue_pins(chair_api, cid)
    slips = r.get_json()["tokens"]
    # A used slip cannot become paper; nor can an unknown code.
    used = slips[0]
    r = chair_api.client.post(
        "/api/v1/ballots", json={"token": token_of(used), "choices": {"p1": ["c1"]}}
    )
    assert r.status_code == 201
    form(chair_api, f"/c/{cid}/paper/convert", [("code", used["code"])])
    form(chair_api, f"/c/{cid}/paper/convert", [("code", "AAAAA-AAAAA")])
    state = chair_api.get(f"/api/v1/conferences/{cid}").get_json()
    assert state["tokens"]["paper"] == 1
    # A booth link signed for nothing, or for another secret, opens nothing.
    assert app.test_client().get("/b/not-a-signature").status_code == 404
    assert chair_api.post(f"/api/v1/conferences/{cid}/close").status_code == 200
    url = f"/c/{cid}/paper/entry"
    # An unknown reason, an unknown candidate, and the same member twice are refused.
    form(chair_api, url, [pin(cid, "Người dự 1"), ("spoilt", "coffee")])
    form(chair_api, url, [pin(cid, "Người dự 1"), ("mark", "p1.c9")])
    form(chair_api, url, [("pin", "AAAA-AAAA"), ("mark", "p1.c1")])
    form(chair_api, url, [pin(cid, "Người dự 1"), ("mark", "p1.c1")])
    form(chair_api, url, [pin(cid, "Người dự 1"), ("mark", "p1.c1")])
    page = chair_api.get(url + "?lang=vi").get_data(as_text=True)
    assert 'data-waiting-by="Người dự 1"' in page
    state = chair_api.get(f"/api/v1/conferences/{cid}").get_json()
    assert (state["paper_entered"], state["ballots_received"]) == (0, 1)
    # Once entered, no second paper ballot can be entered for a single paper token.
    form(chair_api, url, [pin(cid, "Người dự 2"), ("mark", "p1.c1")])
    form(chair_api, url, [pin(cid, "Người dự 1"), ("mark", "p1.c2")])
    state = chair_api.get(f"/api/v1/conferences/{cid}").get_json()
    assert (state["paper_entered"], state["ballots_received"]) == (1, 2)
    with app.app_context():
        from voting.ballots.models import PaperEntry

        assert db.session.get(PaperEntry, conference_id(cid)) is None


def _addresses(html: str) -> list[str]:
    """Every address a page holds: links, form actions, sources, and data-*-url/start values."""
    return re.findall(r'\b(?:href|action|src|formaction|data-[a-z-]*(?:url|start))="([^"]*)"', html)


def test_booth_keeps_the_slip_code_out_of_every_address(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """The shared booth's history must never hold a slip: the code is POSTed, never addressed.

    The ballot is the POST's own answer (no redirect, no Location); the cast carries the
    credential in its body; no URL, Location or link of any booth answer holds the code
    (typed, or the slip's signed link as a QR reader types it). Refusals keep their codes.
    """
    conf = create_conference(summoned=4)
    cid = conf["id"]
    slips = conf["tokens"]
    booth = booth_link(chair_api, cid)
    voter = app.test_client()
    secrets = [s["code"] for s in slips] + [token_of(s) for s in slips]

    def squash(text: str) -> str:
        return text.replace("-", "").upper()

    answers: list[Any] = []

    def send(method: str, url: str, **kw: Any) -> Any:
        r = voter.open(url, method=method, **kw)
        answers.append(r)
        return r

    assert send("GET", booth).status_code == 200
    r = send("POST", booth, data={"code": slips[0]["code"]})
    assert r.status_code == 200 and 'id="ballot-form"' in r.get_data(as_text=True)
    # A QR reader types the slip's whole address: the same ballot, still not addressed.
    r = send("POST", booth, data={"code": slips[1]["url"]})
    assert r.status_code == 200 and 'id="ballot-form"' in r.get_data(as_text=True)
    r = send("POST", f"{booth}/cast", json={"token": slips[0]["code"], "choices": {"p1": ["c1"]}})
    assert r.status_code == 201, r.get_json()
    # Refusals, with their codes, on the booth's page (which returns to its start).
    for typed, status, code in (
        (slips[0]["code"], 409, "already_recorded"),
        ("AAAAA-AAAAA", 404, "unknown_code"),
    ):
        r = send("POST", booth, data={"code": typed})
        page = r.get_data(as_text=True)
        assert r.status_code == status and f'data-code="{code}"' in page, (typed, page[:300])
        assert "data-booth-refused" in page
    r = send("POST", f"{booth}/cast", json={"choices": {"p1": []}})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_token"
    # An empty code is the start screen again.
    r = send("POST", booth, data={"code": "  "})
    assert r.status_code == 200 and 'id="booth-form"' in r.get_data(as_text=True)

    for r in answers:
        assert r.headers["Cache-Control"] == "no-store", r.request.path
        assert "Location" not in r.headers, (r.request.path, r.headers["Location"])
        seen = [r.request.url, *_addresses(r.get_data(as_text=True))]
        assert len(seen) > 1 or r.is_json, r.request.path  # the detector sees the links
        for secret in secrets:
            assert not any(squash(secret) in squash(url) for url in seen), (secret, seen)

    # No address opens a ballot by its code any more.
    code = slips[2]["code"]
    assert voter.get(f"{booth}/v/{code}").status_code == 404
    assert (
        voter.get(booth, query_string={"code": code})
        .get_data(as_text=True)
        .count('id="ballot-form"')
        == 0
    )


def conference_id(public_id: str) -> int:
    return db.session.scalar(db.select(Conference.id).where(Conference.public_id == public_id))
