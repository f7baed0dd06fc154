"""The secrecy clean-up always completes: a reader held across close or lock delays it, no more.

A separate connection keeps a read transaction open (on SQLite a second
``sqlite3`` connection with ``BEGIN; SELECT``; on PostgreSQL a second session,
as ``pg_dump`` would hold it). The close and the lock must still answer within
a few seconds, leave the ``scrub_pending`` marker set, and ``voting audit
verify`` must name the conference — apart from tampering. Once the reader
ends, the background retry (or ``resume_pending``) finishes the scrub: the
marker is cleared, the WAL file empty, verify clean.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import Api, token_of
from tests.security.test_storage_order import wal_pairs
from voting.ballots import scrub
from voting.extensions import db, socketio

BALLOTS = 6
#: A sanity bound only: the scrub waits scrub.WAIT_SECONDS (3 s) for a reader, not 30.
BOUND = 10.0


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Retry every fraction of a second, and leave no retry loop behind."""
    monkeypatch.setattr(scrub, "RETRY_FIRST_SECONDS", 0.2)
    monkeypatch.setattr(scrub, "RETRY_MAX_SECONDS", 1.0)
    yield
    assert wait_for(lambda: not scrub._retries, 30), "a retry loop outlived its test"


def wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def database_file(app: Flask) -> Path | None:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return None
        return Path(db.engine.url.database)  # type: ignore[arg-type]


def wal_bytes(app: Flask) -> bytes:
    path = database_file(app)
    assert path is not None
    wal = path.with_name(path.name + "-wal")
    return wal.read_bytes() if wal.exists() else b""


def query(app: Flask, sql: str, **params: Any) -> list[Any]:
    with app.app_context():
        rows = list(db.session.execute(sa.text(sql), params).all())
        db.session.rollback()
    return rows


def pending(app: Flask, public_id: str) -> bool:
    rows = query(app, "SELECT scrub_pending FROM conferences WHERE public_id = :p", p=public_id)
    return bool(rows[0][0])


def verify(app: Flask) -> Any:
    return app.test_cli_runner().invoke(args=["audit", "verify"])


@contextmanager
def reader(url: str, *, isolation: str = "REPEATABLE READ") -> Iterator[None]:
    """A second connection holding a read transaction on the ballots until the block ends."""
    if url.startswith("sqlite"):
        # Read-only: closing it must not checkpoint the WAL in the scrub's place.
        conn = sqlite3.connect(
            f"file:{url.removeprefix('sqlite:///')}?mode=ro", uri=True, isolation_level=None
        )
        conn.execute("BEGIN")
        assert conn.execute("SELECT count(*) FROM ballots").fetchone()[0] >= 0
        try:
            yield
        finally:
            conn.execute("COMMIT")
            conn.close()
        return
    import psycopg

    conn = psycopg.connect(url, autocommit=True)
    conn.execute(f"BEGIN ISOLATION LEVEL {isolation}")
    conn.execute("SELECT count(*) FROM ballots").fetchone()
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def voted(app: Flask, create_conference: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    conf = create_conference(summoned=BALLOTS)
    phone = app.test_client()
    for i, url in enumerate(conf["tokens"]):
        choice = [f"c{1 + i % 3}"]
        r = phone.post("/api/v1/ballots", json={"token": token_of(url), "choices": {"p1": choice}})
        assert r.status_code == 201, r.get_json()
    return conf


def secrets_of(app: Flask) -> set[str]:
    """Token ids, ballot ids and the ballots' choices: none may reach the log."""
    rows = query(app, "SELECT id FROM tokens") + query(app, "SELECT id, choices FROM ballots")
    return {str(v) for row in rows for v in row}


def timed_post(api: Api, url: str) -> tuple[Any, float]:
    start = time.monotonic()
    r = api.post(url)
    return r, time.monotonic() - start


def test_reader_across_close_delays_the_scrub_only(
    app: Flask,
    db_backend: str,
    chair_api: Api,
    create_conference: Callable[..., dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conf = voted(app, create_conference)
    sqlite = database_file(app) is not None
    caplog.set_level(logging.INFO, logger="voting.ballots.scrub")
    started: list[Callable[..., Any]] = []
    start_task = socketio.start_background_task

    def counted(target: Callable[..., Any], *args: Any) -> Any:
        started.append(target)
        return start_task(target, *args)

    monkeypatch.setattr(socketio, "start_background_task", counted)

    with reader(db_backend):
        r, took = timed_post(chair_api, f"/api/v1/conferences/{conf['id']}/close")
        assert r.status_code == 200, r.get_json()
        assert took < BOUND, f"the close took {took:.1f} s with a reader"
        assert took >= scrub.WAIT_SECONDS * 0.9, "it gave the reader its few seconds"
        assert pending(app, conf["id"])
        if sqlite:
            # While it waits the hazard is real: every cast still sits in the WAL, paired
            # with its token (so the marker is not merely pessimistic).
            tokens = [r[0] for r in query(app, "SELECT id FROM tokens")]
            ballots = [r[0] for r in query(app, "SELECT id FROM ballots")]
            assert wal_pairs(wal_bytes(app), tokens, ballots) == BALLOTS
        result = verify(app)
        assert result.exit_code == 3, result.output
        assert "audit chain intact" in result.output and "broken" not in result.output
        assert f"traces: conference {conf['id']} " in result.output
        assert "after the close has not completed" in result.output
        # Called again (a second close handler, a second process): still bounded, and
        # still one retry loop for the database.
        with app.app_context():
            start = time.monotonic()
            scrub.forget_arrival_order(
                query(app, "SELECT id FROM conferences WHERE public_id = :p", p=conf["id"])[0][0]
            )
            assert time.monotonic() - start < BOUND
        assert scrub.retrying(app)
        assert started == [scrub._retry_loop]  # one loop, however often it is asked
        assert pending(app, conf["id"])

    # The reader is gone: the background retry finishes without anyone asking.
    assert wait_for(lambda: not pending(app, conf["id"]), 30), "the retry never completed"
    assert wait_for(lambda: not scrub.retrying(app), 30)
    if sqlite:
        assert wal_bytes(app) == b""
    else:
        xmins = query(
            app,
            "SELECT count(DISTINCT b.xmin::text) FROM ballots b "
            "JOIN conferences c ON c.id = b.conference_id WHERE c.public_id = :p",
            p=conf["id"],
        )[0][0]
        assert xmins == 1
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert "traces" not in result.output

    # The log says which conference waits, why, and that the app retries -- nothing secret.
    text = "\n".join(rec.getMessage() for rec in caplog.records)
    waiting = [
        rec
        for rec in caplog.records
        if rec.levelno == logging.WARNING and "is waiting" in rec.getMessage()
    ]
    assert waiting, text
    first = waiting[0].getMessage()
    assert f"conference {conf['id']} " in first
    assert ("read transaction" in first) if sqlite else ("snapshot" in first)
    assert "retries in the background" in first
    assert any("done (background retry" in rec.getMessage() for rec in caplog.records), text
    assert not [s for s in secrets_of(app) if s in text]


def test_reader_across_lock_then_resume_pending(
    app: Flask,
    db_backend: str,
    chair_api: Api,
    create_conference: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conf = voted(app, create_conference)
    base = f"/api/v1/conferences/{conf['id']}"
    sqlite = database_file(app) is not None
    r = chair_api.post(f"{base}/close")
    assert r.status_code == 200
    # No reader: the close's scrub completes at once and clears its marker.
    assert not pending(app, conf["id"])
    if sqlite:
        assert wal_bytes(app) == b""

    scheduled: list[Flask] = []
    monkeypatch.setattr(scrub, "schedule_retry", scheduled.append)  # resume by hand below
    # On PostgreSQL this reader is READ COMMITTED: no old snapshot between its
    # statements, but its lock on ballots stops CLUSTER (lock_timeout, not a hang).
    with reader(db_backend, isolation="READ COMMITTED"):
        r, took = timed_post(chair_api, f"{base}/lock")
        assert r.status_code == 200, r.get_json()
        assert took < BOUND, f"the lock took {took:.1f} s with a reader"
        assert pending(app, conf["id"])
        assert scheduled == [app]
        if sqlite:
            assert len(wal_bytes(app)) > 0
        result = verify(app)
        assert result.exit_code == 3, result.output
        assert "after the lock has not completed" in result.output
        assert "1 locked results" in result.output  # the result itself verifies
        # Still held: resume_pending waits its few seconds and leaves the marker.
        with app.app_context():
            scrub.resume_pending()
        assert pending(app, conf["id"])
        assert scheduled == [app, app]

    with app.app_context():
        scrub.resume_pending()
    assert not pending(app, conf["id"])
    if sqlite:
        assert wal_bytes(app) == b""
    result = verify(app)
    assert result.exit_code == 0, result.output


def test_marker_commits_with_the_close_and_the_lock(
    app: Flask,
    chair_api: Api,
    create_conference: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A kill right after the commit (no scrub ran) leaves the marker; the start-up ends it."""
    # The close and the lock queue the scrub (voting.effects); skipping it is the kill.
    from voting.conferences import operations

    conf = voted(app, create_conference)
    base = f"/api/v1/conferences/{conf['id']}"
    sqlite = database_file(app) is not None
    assert not pending(app, conf["id"])
    for step in ("close", "lock"):
        with monkeypatch.context() as m:
            m.setattr(operations, "forget_arrival_order", lambda conference_id: None)
            assert chair_api.post(f"{base}/{step}").status_code == 200
        assert pending(app, conf["id"])
        if sqlite:
            assert len(wal_bytes(app)) > 0
        result = verify(app)
        assert result.exit_code == 3, result.output
        assert f"after the {step} has not completed" in result.output
        with app.app_context():
            scrub.resume_pending()
        assert not pending(app, conf["id"])
        if sqlite:
            assert wal_bytes(app) == b""
        assert verify(app).exit_code == 0


def test_upgrade_marks_the_conferences_closed_before_the_marker_existed(tmp_path: Path) -> None:
    """Nothing recorded whether their scrub completed: the first start scrubs them again."""
    from voting import create_app
    from voting.schema import upgrade

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}",
            "LIVE_TICKER": False,
        }
    )
    with app.app_context():
        upgrade(revision="0006")
        db.session.execute(
            sa.text(
                "INSERT INTO users (id, username, display_name, password_hash, role, "
                "is_enabled, created_dt) VALUES (1, 'chair', 'Chủ trì', 'x', 'chair', 1, "
                "'2026-11-23 08:00:00')"
            )
        )
        for public_id, status in (("draft1", "draft"), ("closed1", "closed"), ("lock1", "locked")):
            db.session.execute(
                sa.text(
                    "INSERT INTO conferences (public_id, owner_id, level, flow, step, "
                    "ruleset_ref, rule_id, rule_json, title, parent_body, unit_name, place, "
                    "locality, held_on, chair_name, secretary_name, head_title, status, "
                    "tokens_issued, tokens_voided, ballots_received, published_received, "
                    "created_dt) VALUES (:p, 1, 'cuc', 'term', 'B3', 'r', 'r', '{}', 't', '', "
                    "'', '', '', '2026-11-23', '', '', '', :s, 0, 0, 0, 0, '2026-11-23')"
                ),
                {"p": public_id, "s": status},
            )
        db.session.commit()
        upgrade()
        marks = dict(
            db.session.execute(sa.text("SELECT public_id, scrub_pending FROM conferences")).all()
        )
        db.session.rollback()
        assert marks == {"draft1": 0, "closed1": 1, "lock1": 1}
        scrub.resume_pending()
        assert scrub.pending_ids() == set()
        db.session.remove()
        db.engine.dispose()
