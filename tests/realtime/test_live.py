"""Live tally: snapshots on connect, batches that never reveal one ballot, access."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.conftest import Api, token_of
from voting.extensions import socketio
from voting.realtime import publisher


def events(client: Any, name: str) -> list[dict[str, Any]]:
    return [e["args"][0] for e in client.get_received() if e["name"] == name]


def test_projector_and_phones_never_see_candidate_numbers_and_phones_hear_only_status(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=4)
    projector = socketio.test_client(
        app,
        flask_test_client=chair_api.client,
        auth={"conference": conf["id"], "view": "projector"},
    )
    phone = socketio.test_client(app, auth={"conference": conf["id"], "view": "ballot"})
    web = app.test_client()
    for url in conf["tokens"]:
        web.post("/api/v1/ballots", json={"token": token_of(url), "choices": {"p1": ["c1"]}})
    with app.app_context():
        publisher.flush()
    received = projector.get_received()
    assert {e["name"] for e in received} == {"turnout"}
    assert all("positions" not in e["args"][0] for e in received)
    assert received[-1]["args"][0]["received"] == 4
    # Phones got their snapshot on connect and nothing per tick while the ballot is open…
    assert [e["args"][0]["received"] for e in phone.get_received()] == [0]
    # …and learn the close at once.
    chair_api.post(f"/api/v1/conferences/{conf['id']}/close")
    with app.app_context():
        publisher.flush()
    closed = phone.get_received()
    assert [e["name"] for e in closed] == ["turnout"]
    assert closed[0]["args"][0]["status"] == "closed"
    assert "positions" not in closed[0]["args"][0]


def test_every_reconnect_gets_a_full_snapshot_of_published_numbers(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=5)
    web = app.test_client()
    for url in conf["tokens"][:4]:
        web.post("/api/v1/ballots", json={"token": token_of(url), "choices": {"p1": ["c2"]}})
    with app.app_context():
        publisher.flush()  # 4 ballots ≥ 3: published
    web.post(
        "/api/v1/ballots", json={"token": token_of(conf["tokens"][4]), "choices": {"p1": ["c1"]}}
    )
    with app.app_context():
        publisher.flush()  # 1 more: below the batch, numbers held
    chair = socketio.test_client(
        app, flask_test_client=chair_api.client, auth={"conference": conf["id"], "view": "chair"}
    )
    snapshot = events(chair, "tally")[0]
    assert snapshot["received"] == 5 and snapshot["published_received"] == 4
    agree = {c["id"]: c["agree"] for c in snapshot["positions"][0]["candidates"]}
    assert agree == {"c1": 0, "c2": 4, "c3": 0}


def test_chair_view_requires_the_chair(
    app: Flask, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=2)
    anonymous = socketio.test_client(app, auth={"conference": conf["id"], "view": "chair"})
    assert not anonymous.is_connected()
    other = Api(app.test_client()).login("other", "other-password")
    intruder = socketio.test_client(
        app, flask_test_client=other.client, auth={"conference": conf["id"], "view": "chair"}
    )
    assert not intruder.is_connected()
    for bad in (
        None,
        {"view": "chair"},
        {"conference": "nope", "view": "ballot"},
        {"conference": conf["id"], "view": "admin"},
    ):
        assert not socketio.test_client(app, auth=bad).is_connected()


def test_batches_hold_until_three_new_ballots(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """One broadcast per tick whatever the rate; numbers move in steps of ≥ 3 ballots."""
    conf = create_conference(summoned=7)
    chair = socketio.test_client(
        app, flask_test_client=chair_api.client, auth={"conference": conf["id"], "view": "chair"}
    )
    chair.get_received()
    web = app.test_client()
    published = []
    for url in conf["tokens"]:
        web.post("/api/v1/ballots", json={"token": token_of(url), "choices": {"p1": ["c1"]}})
        with app.app_context():
            publisher.flush()
        ticks = events(chair, "tally")
        assert len(ticks) == 1
        published.append(ticks[0]["positions"][0]["candidates"][0]["agree"])
    assert published == [0, 0, 3, 3, 3, 6, 6]
    chair_api.post(f"/api/v1/conferences/{conf['id']}/close")
    with app.app_context():
        publisher.flush()
    assert events(chair, "tally")[-1]["positions"][0]["candidates"][0]["agree"] == 7
