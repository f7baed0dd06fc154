"""Casting: one token, one ballot — and every refusal changes nothing."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import Api, token_of
from voting.ballots.models import Ballot, Receipt, Token
from voting.conferences.models import Candidate, Conference
from voting.extensions import db


def counts(app: Flask) -> tuple[int, int, int, int]:
    """(ballots, receipts, used tokens, sum of live agree counters)."""
    with app.app_context():
        return (
            db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)),
            db.session.scalar(sa.select(sa.func.count()).select_from(Receipt)),
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Token).where(Token.state == "used")
            ),
            db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Candidate.live_agree), 0))),
        )


def test_twenty_threads_one_token_exactly_one_ballot(
    app: Flask, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """20 threads submit the same token at once against a file database: one ballot."""
    conf = create_conference(summoned=3)
    token = token_of(conf["tokens"][0])
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    codes: list[str] = []
    lock = threading.Lock()

    def submit() -> None:
        client = app.test_client()
        barrier.wait()
        r = client.post("/api/v1/ballots", json={"token": token, "choices": {"p1": ["c1"]}})
        with lock:
            statuses.append(r.status_code)
            if r.status_code != 201:
                codes.append(r.get_json()["error"]["code"])

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(201) == 1
    assert statuses.count(409) == 19 and set(codes) == {"already_recorded"}
    assert counts(app) == (1, 1, 1, 1)
    with app.app_context():
        conference = db.session.scalar(sa.select(Conference))
        assert conference.ballots_received == 1


def test_replay_gets_already_recorded_and_changes_nothing(
    app: Flask, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=3)
    phone = app.test_client()
    token = token_of(conf["tokens"][0])
    assert (
        phone.post("/api/v1/ballots", json={"token": token, "choices": {"p1": ["c1"]}}).status_code
        == 201
    )
    before = counts(app)
    r = phone.post("/api/v1/ballots", json={"token": token, "choices": {"p1": ["c2"]}})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "already_recorded"
    assert counts(app) == before
    page = phone.get(f"/v/{token}")
    assert page.status_code == 409
    assert "already_recorded" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("choices", "status", "code"),
    [
        ({"p1": ["c1", "c2", "c3"]}, 422, "over_quota"),
        ({"p1": ["c9"]}, 422, "unknown_candidate"),
        ({"p1": ["c1", "c1"]}, 422, "duplicate_candidate"),
        ({"p7": ["c1"]}, 422, "unknown_position"),
        ({"p1": "c1"}, 400, "invalid_choices"),
        ({"p1": [1]}, 400, "invalid_choices"),
        (["c1"], 400, "invalid_choices"),
        (None, 400, "invalid_choices"),
    ],
)
def test_bad_choices_are_refused_and_the_token_still_votes(
    app: Flask,
    create_conference: Callable[..., dict[str, Any]],
    choices: Any,
    status: int,
    code: str,
) -> None:
    conf = create_conference(summoned=3)
    phone = app.test_client()
    token = token_of(conf["tokens"][0])
    r = phone.post("/api/v1/ballots", json={"token": token, "choices": choices})
    assert r.status_code == status and r.get_json()["error"]["code"] == code
    assert counts(app) == (0, 0, 0, 0)
    r = phone.post("/api/v1/ballots", json={"token": token, "choices": {"p1": ["c1", "c2"]}})
    assert r.status_code == 201


@pytest.mark.parametrize(
    ("token", "status", "code"),
    [
        ("not-a-token", 400, "invalid_token"),
        ("WyJhYmMiLCJkZWYiXQ.forgedsignature", 400, "invalid_token"),
        ("ACDEF-GHJKM", 404, "unknown_code"),
        ("x" * 600, 400, "invalid_token"),
    ],
)
def test_forged_or_unknown_tokens(
    app: Flask, create_conference: Callable[..., dict[str, Any]], token: str, status: int, code: str
) -> None:
    create_conference(summoned=2)
    r = app.test_client().post("/api/v1/ballots", json={"token": token, "choices": {}})
    assert r.status_code == status and r.get_json()["error"]["code"] == code
    assert counts(app) == (0, 0, 0, 0)


def test_token_signed_for_another_conference_is_refused(
    app: Flask, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """A valid secret re-signed for another conference id matches no token there."""
    from voting.ballots.tokens import sign, unsign

    first = create_conference(summoned=2)
    second = create_conference(summoned=2)
    _, secret = unsign("test-secret-key", token_of(first["tokens"][0]))  # type: ignore[misc]
    foreign = sign("test-secret-key", second["id"], secret)
    r = app.test_client().post("/api/v1/ballots", json={"token": foreign, "choices": {}})
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "unknown_token"


def test_typed_code_votes_like_the_qr(
    app: Flask, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=2)
    code = conf["tokens"][0]["code"].lower().replace("-", " ")
    phone = app.test_client()
    page = phone.post("/v", data={"code": code})
    assert page.status_code == 302
    assert phone.get(page.headers["Location"]).status_code == 200
    r = phone.post("/api/v1/ballots", json={"token": code, "choices": {"p1": ["c1"]}})
    assert r.status_code == 201
    r = phone.post("/api/v1/ballots", json={"token": token_of(conf["tokens"][0]), "choices": {}})
    assert r.get_json()["error"]["code"] == "already_recorded"


def test_closed_ballot_refuses_and_draft_is_not_open(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=2)
    chair_api.post(f"/api/v1/conferences/{conf['id']}/close")
    phone = app.test_client()
    r = phone.post("/api/v1/ballots", json={"token": token_of(conf["tokens"][0]), "choices": {}})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "ballot_closed"
    page = phone.get(f"/v/{token_of(conf['tokens'][0])}")
    assert page.status_code == 409 and "ballot_closed" in page.get_data(as_text=True)
    assert counts(app) == (0, 0, 0, 0)


def test_void_and_replace(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """A voided slip cannot vote; its replacement can; the minutes count both."""
    conf = create_conference(summoned=2)
    old = conf["tokens"][0]
    r = chair_api.post(f"/api/v1/conferences/{conf['id']}/tokens/void", json={"code": old["code"]})
    assert r.status_code == 200
    new = r.get_json()["replacement"]
    phone = app.test_client()
    r = phone.post("/api/v1/ballots", json={"token": token_of(old), "choices": {}})
    assert r.status_code == 410 and r.get_json()["error"]["code"] == "token_void"
    assert (
        phone.post("/api/v1/ballots", json={"token": token_of(new), "choices": {}}).status_code
        == 201
    )
    r = chair_api.post(f"/api/v1/conferences/{conf['id']}/tokens/void", json={"code": new["code"]})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "token_used"
    got = chair_api.get(f"/api/v1/conferences/{conf['id']}").get_json()
    assert got["tokens"] == {"issued": 3, "voided": 1, "paper": 0}


def test_phone_form_fallback_without_javascript(
    app: Flask, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """The ballot page posts as a plain form too; the receipt page shows a code."""
    conf = create_conference(summoned=2)
    phone = app.test_client()
    token = token_of(conf["tokens"][0])
    page = phone.get(f"/v/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Lê Thị Phương Tâm" in html
    assert page.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in page.headers  # the phone holds no login or session
    r = phone.post(f"/v/{token}", data={"p1.c1": "agree", "p1.c2": "disagree"})
    assert r.status_code == 200
    assert counts(app) == (1, 1, 1, 1)


def test_the_database_not_the_lock_enforces_one_ballot(
    app: Flask, create_conference: Callable[..., dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bypass the in-process cast queue: 12 threads race cast_ballot itself; one wins."""
    from voting.ballots import recording
    from voting.errors import DomainError

    monkeypatch.setattr(recording, "serialized_casts", contextlib.nullcontext)

    conf = create_conference(summoned=3)
    token = token_of(conf["tokens"][0])
    barrier = threading.Barrier(12)
    outcomes: list[str] = []

    def race() -> None:
        with app.app_context():
            barrier.wait()
            try:
                recording.cast_ballot("test-secret-key", token, {"p1": ["c1"]})  # commits
                outcomes.append("cast")
            except DomainError as exc:
                db.session.rollback()
                outcomes.append(exc.code)
            except Exception as exc:  # SQLite: "database is locked" is a refusal too
                db.session.rollback()
                outcomes.append(type(exc).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=race) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("cast") == 1, outcomes
    assert counts(app) == (1, 1, 1, 1)


def test_the_cast_queue_is_first_come_first_served() -> None:
    from voting.ballots.recording import FairLock

    lock = FairLock()
    order: list[int] = []
    started = threading.Event()

    def holder() -> None:
        with lock:
            started.set()
            time_to_queue.wait()

    def waiter(i: int) -> None:
        with lock:
            order.append(i)

    time_to_queue = threading.Event()
    first = threading.Thread(target=holder)
    first.start()
    started.wait()
    waiters = []
    for i in range(20):
        t = threading.Thread(target=waiter, args=(i,))
        t.start()
        waiters.append(t)
        while len(lock._waiters) < i + 1:  # queued in this order
            threading.Event().wait(0.001)
    time_to_queue.set()
    for t in [first, *waiters]:
        t.join()
    assert order == list(range(20))
