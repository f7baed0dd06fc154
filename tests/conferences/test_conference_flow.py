"""A whole conference through the real HTTP and Socket.IO paths."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.conftest import Api, token_of
from voting.extensions import socketio
from voting.realtime import publisher


def cast(client: Any, token_url: str, choices: dict[str, list[str]]) -> Any:
    return client.post("/api/v1/ballots", json={"token": token_of(token_url), "choices": choices})


def tally_events(sio: Any) -> list[dict[str, Any]]:
    return [e["args"][0] for e in sio.get_received() if e["name"] == "tally"]


def by_id(snapshot: dict[str, Any]) -> dict[str, int]:
    return {c["id"]: c["agree"] for c in snapshot["positions"][0]["candidates"]}


def test_b3_with_seven_present_three_agree_pass_two_fail(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """B3 (30% of those present), 7 present: 3 agree passes ("Đạt"), 2 does not ("Không đạt")."""
    conf = create_conference(step=("cuc", "term", "B3"), summoned=7)
    assert len(conf["tokens"]) == 7
    phone = app.test_client()
    plan = [["c1", "c2"]] * 2 + [["c1"]] + [[]] * 4  # c1: 3 agree, c2: 2 agree
    for url, choice in zip(conf["tokens"], plan, strict=True):
        assert cast(phone, url, {"p1": choice}).status_code == 201

    assert chair_api.post(f"/api/v1/conferences/{conf['id']}/close").status_code == 200
    result = chair_api.get(f"/api/v1/conferences/{conf['id']}/result").get_json()["result"]
    rows = {c["id"]: c for c in result["decision"]["positions"][0]["candidates"]}
    assert result["decision"]["votes_needed"] == 3
    assert (rows["c1"]["agree"], rows["c1"]["passes"], rows["c1"]["percent"]) == (3, True, "42.86")
    assert (rows["c2"]["agree"], rows["c2"]["passes"], rows["c2"]["percent"]) == (2, False, "28.57")

    assert chair_api.post(f"/api/v1/conferences/{conf['id']}/lock").status_code == 200
    html = chair_api.get(f"/c/{conf['id']}/minutes/counting").get_data(as_text=True)
    assert "Lê Thị Phương Tâm" in html and "Đạt" in html and "Không đạt" in html
    assert "42,86%" in html and "28,57%" in html
    assert "07 (bảy)" in html  # present, written as Vietnamese minutes write counts


def test_b5_nine_summoned_seven_present_needs_five(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """B5 (over 50% of those summoned): 9 summoned, 7 present → 5 agree needed."""
    conf = create_conference(step=("cuc", "term", "B5"), summoned=9, present=7)
    assert len(conf["tokens"]) == 7
    phone = app.test_client()
    # c1: 5 agree (passes), c2: 4 agree (4/9 fails, although 4/7 > 50%).
    plan = [["c1", "c2"]] * 4 + [["c1"]] + [[]] * 2
    for url, choice in zip(conf["tokens"], plan, strict=True):
        assert cast(phone, url, {"p1": choice}).status_code == 201
    chair_api.post(f"/api/v1/conferences/{conf['id']}/close")
    decision = chair_api.get(f"/api/v1/conferences/{conf['id']}/result").get_json()["result"][
        "decision"
    ]
    assert (decision["base"], decision["base_count"], decision["votes_needed"]) == (
        "summoned",
        9,
        5,
    )
    rows = {c["id"]: c for c in decision["positions"][0]["candidates"]}
    assert rows["c1"]["passes"] and rows["c1"]["selected"]
    assert not rows["c2"]["passes"] and not rows["c2"]["selected"]


def test_full_conference_live_tally_tie_lock_and_minutes(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """The chair watches the tally move, closes, records the head's tie decision and locks."""
    conf = create_conference(
        step=("cuc", "term", "B5"),
        summoned=7,
        positions=[
            {
                "name": "Phó Cục trưởng",
                "quota": 1,
                "candidates": [
                    {"name": "Ứng viên Một"},
                    {"name": "Ứng viên Hai"},
                    {"name": "Ứng viên Ba"},
                ],
            }
        ],
    )
    chair = socketio.test_client(
        app,
        flask_test_client=chair_api.client,
        auth={"conference": conf["id"], "view": "chair"},
    )
    assert chair.is_connected()
    first = tally_events(chair)
    hidden = {"c1": None, "c2": None, "c3": None}
    assert first and first[0]["received"] == 0 and by_id(first[0]) == hidden

    phone = app.test_client()
    plan = [["c1"]] * 4 + [["c2"]] * 3
    # Below 2k ballots (k = 3) no per-candidate number is shown; turnout is live.
    for n, (url, choice) in enumerate(zip(conf["tokens"][:5], plan[:5], strict=True)):
        assert cast(phone, url, {"p1": choice}).status_code == 201
        with app.app_context():
            publisher.flush()
        events = tally_events(chair)
        assert events[-1]["received"] == n + 1
        assert by_id(events[-1]) == hidden
    # The 6th: 2k unpublished, so k of them (a random set, one agree each) are shown.
    cast(phone, conf["tokens"][5], {"p1": plan[5]})
    with app.app_context():
        publisher.flush()
    events = tally_events(chair)
    assert events[-1]["received"] == 6
    shown = by_id(events[-1])
    assert None not in shown.values() and sum(shown.values()) == 3 and shown["c3"] == 0
    assert events[-1]["votes_needed"] == 4

    for url, choice in zip(conf["tokens"][6:], plan[6:], strict=True):
        assert cast(phone, url, {"p1": choice}).status_code == 201
    r = chair_api.post(f"/api/v1/conferences/{conf['id']}/close")
    assert r.status_code == 200 and r.get_json()["status"] == "closed"
    with app.app_context():
        publisher.flush()
    final = tally_events(chair)[-1]
    assert final["status"] == "closed" and by_id(final) == {"c1": 4, "c2": 3, "c3": 0}

    # No tie here (4 > 3): lock straight away, and a locked conference refuses changes.
    r = chair_api.post(f"/api/v1/conferences/{conf['id']}/lock")
    assert r.status_code == 200
    digest = r.get_json()["sha256"]
    assert len(digest) == 64
    for url, body in [
        (f"/api/v1/conferences/{conf['id']}/close", None),
        (f"/api/v1/conferences/{conf['id']}/lock", None),
        (f"/api/v1/conferences/{conf['id']}/head-decision", {"decided_by": "x", "choice": {}}),
    ]:
        r = chair_api.post(url, json=body)
        assert r.status_code == 409
        assert r.get_json()["error"]["code"] in ("ballot_not_open", "conference_locked")
    r = chair_api.patch(f"/api/v1/conferences/{conf['id']}", json={"title": "changed"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "conference_locked"
    html = chair_api.get(f"/c/{conf['id']}/minutes/conference").get_data(as_text=True)
    assert digest in html and "Biên bản hội nghị" in html
    chair.disconnect()


def test_tie_on_last_seat_is_decided_by_the_head_then_locked(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """Quota 2, 7 summoned: c1 6, c2 4, c3 4 → c1 selected, c2/c3 tied for the last seat."""
    conf = create_conference(step=("cuc", "term", "B5"), summoned=7)
    phone = app.test_client()
    plan = [["c1", "c2"]] * 3 + [["c1", "c3"]] * 3 + [["c2", "c3"]]
    for url, choice in zip(conf["tokens"], plan, strict=True):
        assert cast(phone, url, {"p1": choice}).status_code == 201
    base = f"/api/v1/conferences/{conf['id']}"
    chair_api.post(f"{base}/close")
    decision = chair_api.get(f"{base}/result").get_json()["result"]["decision"]
    position = decision["positions"][0]
    assert decision["needs_head_decision"] and position["tied"] == ["c2", "c3"]
    assert [c["id"] for c in position["candidates"] if c["selected"]] == ["c1"]

    r = chair_api.post(f"{base}/lock")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "head_decision_needed"
    for bad in ({"p1": ["c2", "c3"]}, {"p1": ["c1"]}, {"p1": []}, {"p9": ["c2"]}):
        r = chair_api.post(
            f"{base}/head-decision", json={"decided_by": "Cục trưởng", "choice": bad}
        )
        assert r.status_code == 422, bad
        assert r.get_json()["error"]["code"] == "invalid_head_decision"
    r = chair_api.post(
        f"{base}/head-decision",
        json={"decided_by": "Cục trưởng Nguyễn Văn Vũ", "choice": {"p1": ["c3"]}},
    )
    assert r.status_code == 200
    selected = [
        c["id"] for c in r.get_json()["decision"]["positions"][0]["candidates"] if c["selected"]
    ]
    assert sorted(selected) == ["c1", "c3"]

    assert chair_api.post(f"{base}/lock").status_code == 200
    locked = chair_api.get(f"{base}/result").get_json()
    assert locked["locked"] and locked["result"]["head_decision"]["decided_by"] == (
        "Cục trưởng Nguyễn Văn Vũ"
    )
    html = chair_api.get(f"/c/{conf['id']}/minutes/counting").get_data(as_text=True)
    assert "Cục trưởng Nguyễn Văn Vũ đã xem xét, quyết định lựa chọn" in html


def test_result_json_is_what_was_hashed(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """The downloaded JSON export hashes to the digest shown at lock."""
    import hashlib

    conf = create_conference(summoned=3)
    phone = app.test_client()
    for url in conf["tokens"]:
        cast(phone, url, {"p1": ["c1"]})
    chair_api.post(f"/api/v1/conferences/{conf['id']}/close")
    digest = chair_api.post(f"/api/v1/conferences/{conf['id']}/lock").get_json()["sha256"]
    body = chair_api.get(f"/c/{conf['id']}/result.json").get_data()
    assert hashlib.sha256(body).hexdigest() == digest
    assert json.loads(body)["decision"]["positions"][0]["candidates"][0]["agree"] == 3
