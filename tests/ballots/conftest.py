"""Fixtures of the ballot tests."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from flask import Flask

from voting import create_app
from voting.ballots import handout
from voting.extensions import db


@pytest.fixture
def second_app(app: Flask) -> Iterator[Flask]:
    """Another app on the same database and key: what a restarted server, or another worker, is.

    Both apps share this test's process, so the hand-out module is also reloaded:
    anything it kept at module level (as it once did: the secrets, in memory) is gone.
    """
    importlib.reload(handout)
    held = [
        n
        for n, v in vars(handout).items()
        if not n.startswith("__") and isinstance(v, dict | list | set)
    ]
    assert held == [], held  # no module-level store of slips
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "DATABASE_URL": app.config["DATABASE_URL"],
            "PUBLIC_URL": "http://192.0.2.10:5000",
            "LIVE_TICKER": False,
        }
    )
    other.instance_path = app.instance_path
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()
