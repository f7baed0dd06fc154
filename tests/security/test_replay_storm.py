"""One token, one ballot, under pressure: 1,000 concurrent submissions of 100 tokens.

Each of 100 tokens is submitted ten times, the 1,000 submissions shuffled and
released at once from 1,000 threads through the Flask test client against a
real database — an SQLite file, and PostgreSQL when one is reachable. Exactly
100 ballots, 100 receipts and 100 used tokens may result, the conference's
counter must read 100, and every other answer must be 409 ``already_recorded``.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import token_of
from tests.security.apps import app_on, create_conference, login
from voting.ballots.models import Ballot, Receipt, Token
from voting.conferences.models import Candidate, Conference
from voting.extensions import db

TOKENS = 100
REPLAYS = 10  # submissions per token


def storm(app: Flask) -> None:
    conf = create_conference(login(app, "chair"), summoned=TOKENS)
    tokens = [token_of(t) for t in conf["tokens"]]
    submissions = [i for i in range(TOKENS) for _ in range(REPLAYS)]
    random.Random(20261123).shuffle(submissions)
    barrier = threading.Barrier(len(submissions))
    answers: list[tuple[int, int, str | None]] = []
    lock = threading.Lock()

    def submit(i: int) -> None:
        client = app.test_client()
        barrier.wait()
        r = client.post(
            "/api/v1/ballots",
            json={"token": tokens[i], "choices": {"p1": [f"c{1 + i % 3}"]}},
        )
        body = r.get_json(silent=True) or {}
        with lock:
            answers.append((i, r.status_code, (body.get("error") or {}).get("code")))

    threads = [threading.Thread(target=submit, args=(i,)) for i in submissions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(answers) == TOKENS * REPLAYS
    statuses = Counter((status, code) for _, status, code in answers)
    assert statuses == {
        (201, None): TOKENS,
        (409, "already_recorded"): TOKENS * (REPLAYS - 1),
    }, statuses
    # Exactly one acceptance per token, whichever of its ten submissions won.
    accepted = Counter(i for i, status, _ in answers if status == 201)
    assert set(accepted) == set(range(TOKENS)) and set(accepted.values()) == {1}
    with app.app_context():
        count = lambda model, *where: db.session.scalar(  # noqa: E731
            sa.select(sa.func.count()).select_from(model).where(*where)
        )
        assert count(Ballot) == TOKENS
        assert count(Receipt) == TOKENS
        assert count(Token, Token.state == "used") == TOKENS
        assert count(Token, Token.state == "issued") == 0
        conference = db.session.scalar(sa.select(Conference))
        assert conference.ballots_received == TOKENS
        # One agreement per ballot: the live counters saw each ballot once.
        assert db.session.scalar(sa.select(sa.func.sum(Candidate.live_agree))) == TOKENS
        agree = dict(db.session.execute(sa.select(Candidate.key, Candidate.live_agree)).all())
        assert agree == {"c1": 34, "c2": 33, "c3": 33}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An SQLite file, or a fresh uniquely named PostgreSQL database dropped afterwards."""
    with app_on(request.param, tmp_path) as app:
        yield app


def test_replay_storm(app: Flask) -> None:
    storm(app)
