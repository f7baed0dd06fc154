"""Live tally: snapshots on connect, batches that never reveal one ballot, access."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import Api, token_of
from voting import create_app
from voting.ballots.models import Ballot
from voting.extensions import db, socketio
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
    conf = create_conference(summoned=8)
    web = app.test_client()
    for url in conf["tokens"][:6]:
        web.post("/api/v1/ballots", json={"token": token_of(url), "choices": {"p1": ["c2"]}})
    with app.app_context():
        publisher.flush()  # 6 = 2k ballots: 3 published, 3 held back
    web.post(
        "/api/v1/ballots", json={"token": token_of(conf["tokens"][6]), "choices": {"p1": ["c1"]}}
    )
    with app.app_context():
        publisher.flush()  # 4 unpublished < 2k: numbers held
    chair = socketio.test_client(
        app, flask_test_client=chair_api.client, auth={"conference": conf["id"], "view": "chair"}
    )
    snapshot = events(chair, "tally")[0]
    assert snapshot["received"] == 7 and snapshot["published_received"] == 3
    agree = {c["id"]: c["agree"] for c in snapshot["positions"][0]["candidates"]}
    assert agree == {"c1": 0, "c2": 3, "c3": 0}


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


def test_figures_lag_by_k_and_the_close_adds_at_least_k(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """One broadcast per tick; nothing below 2k; each step and the close cover ≥ k ballots.

    The old watermark published 3 ballots at once (all three votes readable) and
    let the close add a single ballot (19 of 20: the 19th alone).
    """
    conf = create_conference(summoned=10)
    chair = socketio.test_client(
        app, flask_test_client=chair_api.client, auth={"conference": conf["id"], "view": "chair"}
    )
    chair.get_received()
    web = app.test_client()
    shown: list[tuple[int, int | None]] = []
    for url in conf["tokens"]:
        web.post("/api/v1/ballots", json={"token": token_of(url), "choices": {"p1": ["c1"]}})
        with app.app_context():
            publisher.flush()
        ticks = events(chair, "tally")
        assert len(ticks) == 1
        first = ticks[0]["positions"][0]["candidates"][0]["agree"]
        shown.append((ticks[0]["published_received"], first))
    assert shown == [(0, None)] * 5 + [(3, 3)] * 3 + [(6, 6)] * 2
    # The JSON API's tally says the same.
    api_tally = chair_api.get(f"/api/v1/conferences/{conf['id']}/tally").get_json()
    assert api_tally["visible"] and api_tally["published_received"] == 6
    chair_api.post(f"/api/v1/conferences/{conf['id']}/close")
    with app.app_context():
        publisher.flush()
        # The close flagged every ballot alike: batch membership is gone before the scrub.
        unflagged = (
            sa.select(sa.func.count()).select_from(Ballot).where(Ballot.published.is_(False))
        )
        assert db.session.scalar(unflagged) == 0
    final = events(chair, "tally")[-1]
    assert final["published_received"] == 10
    assert final["positions"][0]["candidates"][0]["agree"] == 10


def test_a_k_below_three_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 3"):
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret-key",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}",
                "LIVE_TICKER": False,
                "LIVE_MIN_BATCH": 2,
            }
        )
