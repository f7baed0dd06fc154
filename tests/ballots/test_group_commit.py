"""Group commit: casts queued together share one transaction, each settled on its own.

The batches here are forced: the leader waits until the expected casts have queued
(``let_arrivals_queue``), so each test knows they share one commit. Phones are Flask
test clients on threads, each request in its own app context as on the server.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.ballots.test_casting import counts
from tests.conftest import token_of
from voting.ballots import group_commit, recording
from voting.ballots.group_commit import Pending
from voting.extensions import db

Cast = tuple[str, dict[str, Any]]  # (token, choices)


@pytest.fixture
def batch_of(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[int], None]]:
    """``batch_of(n)``: the next leader takes the queue only once n casts wait in it."""
    wanted = {"n": 1}

    def wait_for_the_batch() -> None:
        deadline = time.monotonic() + 10
        while len(recording._casts._queue) < wanted["n"] and time.monotonic() < deadline:
            time.sleep(0.002)
        wanted["n"] = 1  # only the first batch is forced

    monkeypatch.setattr(group_commit, "let_arrivals_queue", wait_for_the_batch)
    recording._casts.batches = recording._casts.items = 0

    def set_batch(n: int) -> None:
        wanted["n"] = n

    yield set_batch


def cast_together(app: Flask, casts: list[Cast]) -> list[tuple[int, dict[str, Any]]]:
    """POST every cast at once from its own phone; (status, body) in the casts' order."""
    out: list[tuple[int, dict[str, Any]] | None] = [None] * len(casts)
    start = threading.Barrier(len(casts))

    def phone(i: int) -> None:
        token, choices = casts[i]
        client = app.test_client()
        start.wait()
        r = client.post("/api/v1/ballots", json={"token": token, "choices": choices})
        out[i] = (r.status_code, r.get_json())

    threads = [threading.Thread(target=phone, args=(i,)) for i in range(len(casts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert all(o is not None for o in out)
    return [o for o in out if o is not None]


def test_many_tokens_in_one_commit_are_all_stored(
    app: Flask, create_conference: Callable[..., dict[str, Any]], batch_of: Callable[[int], None]
) -> None:
    conf = create_conference(summoned=24)
    batch_of(24)
    choices: list[dict[str, Any]] = [{"p1": ["c1"]}, {"p1": ["c1", "c2"]}, {"p1": []}]
    answers = cast_together(
        app, [(token_of(t), choices[i % 3]) for i, t in enumerate(conf["tokens"])]
    )
    assert [status for status, _ in answers] == [201] * 24
    receipts = {body["receipt"] for _, body in answers}
    assert len(receipts) == 24  # each phone its own receipt
    assert recording._casts.batches == 1 and recording._casts.items == 24
    # 24 ballots, receipts and used tokens; agreed: 8 x 1 + 8 x 2.
    assert counts(app) == (24, 24, 24, 24)
    with app.app_context():
        received = db.session.execute(
            sa.text("SELECT ballots_received FROM conferences WHERE public_id = :p"),
            {"p": conf["id"]},
        ).scalar_one()
    assert received == 24


def test_the_same_token_from_two_phones_in_one_batch_votes_once(
    app: Flask, create_conference: Callable[..., dict[str, Any]], batch_of: Callable[[int], None]
) -> None:
    conf = create_conference(summoned=3)
    token = token_of(conf["tokens"][0])
    batch_of(8)
    answers = cast_together(app, [(token, {"p1": ["c1"]})] * 8)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201] + [409] * 7
    refused = {body["error"]["code"] for status, body in answers if status == 409}
    assert refused == {"already_recorded"}
    assert counts(app) == (1, 1, 1, 1)


def test_a_refused_cast_does_not_sink_the_others_in_its_batch(
    app: Flask, create_conference: Callable[..., dict[str, Any]], batch_of: Callable[[int], None]
) -> None:
    conf = create_conference(summoned=6)
    tokens = [token_of(t) for t in conf["tokens"]]
    phone = app.test_client()
    assert (
        phone.post("/api/v1/ballots", json={"token": tokens[0], "choices": {}}).status_code == 201
    )
    batch_of(6)
    answers = cast_together(
        app,
        [
            (tokens[0], {"p1": ["c1"]}),  # already cast
            (tokens[1], {"p1": ["c1"]}),
            (tokens[2], {"p9": ["c1"]}),  # an unknown position
            (tokens[3], {"p1": ["c2"]}),
            (tokens[4], {"p1": ["c1", "c1"]}),  # a candidate twice
            ("not-a-token", {"p1": ["c1"]}),
        ],
    )
    codes = [body.get("error", {}).get("code", status) for status, body in answers]
    assert codes == [
        "already_recorded",
        201,
        "unknown_position",
        201,
        "duplicate_candidate",
        "invalid_token",
    ]
    assert counts(app) == (3, 3, 3, 2)
    # The refused casts' tokens are still unused, and vote afterwards.
    for token in (tokens[2], tokens[4]):
        r = phone.post("/api/v1/ballots", json={"token": token, "choices": {}})
        assert r.status_code == 201


def test_a_crash_before_the_commit_answers_no_one_accepted(
    app: Flask,
    create_conference: Callable[..., dict[str, Any]],
    batch_of: Callable[[int], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The commit fails (a full disk, a killed connection): every cast of the batch is
    answered with an error — none with a receipt — and none of them is kept."""
    conf = create_conference(summoned=5)
    tokens = [token_of(t) for t in conf["tokens"]]
    real_commit = db.session.commit
    failures = {"left": 1 + 5}  # the batch, then each cast tried alone

    def failing_commit() -> None:
        if failures["left"] > 0 and recording._casts._leading:
            failures["left"] -= 1
            raise sa.exc.OperationalError("COMMIT", {}, Exception("disk I/O error"))
        real_commit()

    monkeypatch.setattr(db.session, "commit", failing_commit)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # an error is a 500, as on the server
    batch_of(5)
    answers = cast_together(app, [(t, {"p1": ["c1"]}) for t in tokens])
    assert [status for status, _ in answers] == [500] * 5
    assert not [body for _, body in answers if body and "receipt" in body]
    assert counts(app) == (0, 0, 0, 0)
    monkeypatch.setattr(db.session, "commit", real_commit)
    # Nothing of them was kept: each slip still votes.
    for token in tokens:
        r = app.test_client().post("/api/v1/ballots", json={"token": token, "choices": {}})
        assert r.status_code == 201


def test_two_processes_batches_racing_one_token_store_one_ballot(
    app: Flask, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """Without the in-process queue or lock (as two server processes on PostgreSQL),
    the database's conditional claim alone decides: one batch wins the token."""
    conf = create_conference(summoned=4)
    tokens = [token_of(t) for t in conf["tokens"]]
    shared = tokens[0]
    start = threading.Barrier(2)
    results: list[list[Pending[recording.CastRequest]]] = []

    def process(mine: str) -> None:
        batch = [
            Pending(recording.CastRequest("test-secret-key", token, {"p1": ["c1"]}))
            for token in (shared, mine)
        ]
        with app.app_context():
            start.wait()
            recording._run_batch(batch)
            db.session.remove()
        results.append(batch)

    threads = [threading.Thread(target=process, args=(t,)) for t in tokens[1:3]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    outcomes = [p for batch in results for p in batch]
    assert len(outcomes) == 4 and all(p.settled for p in outcomes)
    won = [p for p in outcomes if p.error is None]
    lost = [p for p in outcomes if p.error is not None]
    assert len(won) == 3  # each process's own token, and the shared one once
    assert [getattr(p.error, "code", type(p.error).__name__) for p in lost] == ["already_recorded"]
    assert counts(app) == (3, 3, 3, 3)


# ------------------------------------------------------------------ the linger


def _echo_commit(sizes: list[int]) -> group_commit.GroupCommit[int]:
    def run_batch(batch: list[Pending[int]]) -> None:
        sizes.append(len(batch))
        for pending in batch:
            pending.settle(result=pending.item)

    return group_commit.GroupCommit(run_batch)


def test_a_quiet_room_lone_cast_does_not_linger(monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []
    commit = _echo_commit(sizes)
    waits: list[float | None] = []
    monkeypatch.setattr(commit._enough, "wait", lambda timeout=None: waits.append(timeout))
    assert commit.submit(1) == 1
    assert waits == []  # no batch ran recently: nobody else is on the way
    assert commit.submit(2) == 2
    assert waits == [group_commit.LINGER]  # right after a batch: casts are arriving


def test_casts_arriving_one_by_one_in_a_busy_room_share_a_commit() -> None:
    sizes: list[int] = []
    commit = _echo_commit(sizes)
    assert commit.submit(0) == 0  # the room is busy from here
    results: list[int] = []

    def phone(i: int) -> None:
        results.append(commit.submit(i))

    threads = [threading.Thread(target=phone, args=(i,)) for i in range(1, 7)]
    for t in threads:  # 1 ms apart: without the linger, six batches of one
        t.start()
        time.sleep(0.001)
    for t in threads:
        t.join(10)
    assert sorted(results) == [1, 2, 3, 4, 5, 6]
    assert sum(sizes) == 7 and len(sizes) <= 3, sizes


def test_enough_queued_casts_end_the_linger(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(group_commit, "LINGER", 60.0)  # only the queue can end it
    sizes: list[int] = []
    commit = _echo_commit(sizes)
    commit.submit(0)
    ended: list[bool] = []
    wait = commit._enough.wait

    def watched(timeout: float | None = None) -> bool:
        ended.append(wait(timeout))
        return ended[-1]

    monkeypatch.setattr(commit._enough, "wait", watched)
    threads = [threading.Thread(target=commit.submit, args=(i,)) for i in range(group_commit.FEW)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads)
    assert ended and ended[0] is True  # woken by the queue, not by the minute passing
    assert sum(sizes[1:]) == group_commit.FEW
