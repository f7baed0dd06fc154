"""Fixtures for the audit tests: a locked conference with a tie, a fresh instance."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import Api, token_of
from voting import create_app
from voting.extensions import db

#: 7 ballots of a B5 vote (quota 2): c2 and c3 tie on the last seat.
TIE_PLAN = [["c1", "c2"]] * 3 + [["c1", "c3"]] * 3 + [["c2", "c3"]]


@pytest.fixture
def locked_conference(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> dict[str, Any]:
    """A B5 conference: one slip voided and replaced, 7 ballots, closed, tie decided, locked."""
    conf = create_conference(step=("cuc", "term", "B5"), summoned=7)
    base = f"/api/v1/conferences/{conf['id']}"
    tokens = list(conf["tokens"])
    voided = tokens[0]
    r = chair_api.post(f"{base}/tokens/void", json={"code": tokens[0]["code"]})
    assert r.status_code == 200, r.get_json()
    tokens[0] = r.get_json()["replacement"]
    phone = app.test_client()
    receipts = []
    for token, choice in zip(tokens, TIE_PLAN, strict=True):
        r = phone.post(
            "/api/v1/ballots", json={"token": token_of(token), "choices": {"p1": choice}}
        )
        assert r.status_code == 201, r.get_json()
        receipts.append(r.get_json()["receipt"])
    assert chair_api.post(f"{base}/close").status_code == 200
    r = chair_api.post(
        f"{base}/head-decision", json={"decided_by": "Cục trưởng", "choice": {"p1": ["c2"]}}
    )
    assert r.status_code == 200, r.get_json()
    r = chair_api.post(f"{base}/lock")
    assert r.status_code == 200, r.get_json()
    conf["tokens"] = tokens
    conf["voided"] = voided
    conf["receipts"] = receipts
    conf["sha256"] = r.get_json()["sha256"]
    return conf


@pytest.fixture
def fresh_app(tmp_path: Path) -> Iterator[Flask]:
    """A second instance with its own (still empty) database file."""
    folder = tmp_path / "fresh"
    folder.mkdir()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": f"sqlite:///{folder / 'voting.db'}",
            "PUBLIC_URL": "http://192.0.2.10:5000",
            "LIVE_TICKER": False,
        }
    )
    app.instance_path = str(folder)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
