"""`voting backup` / `voting restore`: a consistent copy of a live SQLite database."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import Api, token_of
from voting import create_app
from voting.ballots.models import Ballot, Receipt, Token
from voting.conferences.models import Conference
from voting.extensions import db


def database_file(app: Flask) -> Path:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite:///"):
        pytest.skip("the online backup API is SQLite's; PostgreSQL uses pg_dump")
    return Path(uri.removeprefix("sqlite:///"))


def consistency(app: Flask) -> tuple[int, int, int, int]:
    """(counter, ballots, receipts, used tokens) of the one conference, in one statement."""

    def count(model: Any, *where: Any) -> Any:
        return (
            sa.select(sa.func.count())
            .select_from(model)
            .where(model.conference_id == Conference.id, *where)
            .scalar_subquery()
        )

    with app.app_context():
        row = db.session.execute(
            sa.select(
                Conference.ballots_received,
                count(Ballot),
                count(Receipt),
                count(Token, Token.state == "used"),
            )
        ).one()
        return tuple(row)  # type: ignore[return-value]


def test_backup_during_an_open_ballot_restores_consistent(
    app: Flask,
    fresh_app: Flask,
    create_conference: Callable[..., dict[str, Any]],
    tmp_path: Path,
) -> None:
    database_file(app)
    conf = create_conference(summoned=40)
    cast = 0
    cast_lock = threading.Lock()
    failures: list[Any] = []

    def voter(tokens: list[dict[str, str]]) -> None:
        nonlocal cast
        phone = app.test_client()
        for i, token in enumerate(tokens):
            choice = {"p1": ["c1", "c2"] if i % 2 else ["c3"]}
            r = phone.post("/api/v1/ballots", json={"token": token_of(token), "choices": choice})
            if r.status_code != 201:
                failures.append(r.get_json())
            with cast_lock:
                cast += 1

    threads = [threading.Thread(target=voter, args=(conf["tokens"][i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while cast < 5 and time.monotonic() < deadline:
        time.sleep(0.005)
    copy = tmp_path / "backups" / "voting-copy.db"
    result = app.test_cli_runner().invoke(args=["backup", str(copy)])
    during = cast
    for t in threads:
        t.join()
    assert result.exit_code == 0, result.output
    assert f"backup written: {copy}" in result.output
    assert not failures
    assert consistency(app) == (40, 40, 40, 40)
    # A single self-contained file: nothing left beside it.
    assert sorted(p.name for p in copy.parent.iterdir()) == ["voting-copy.db"]

    # Without the audit key the keyed chain cannot be checked: the restore says so.
    result = fresh_app.test_cli_runner().invoke(args=["restore", str(copy), "--yes"])
    assert result.exit_code == 0, result.output
    assert "no audit key to check it with" in result.output
    # The key travels apart from the backup (see the backup's own advice).
    (Path(fresh_app.instance_path) / "audit_key").write_bytes(
        (Path(app.instance_path) / "audit_key").read_bytes()
    )
    result = fresh_app.test_cli_runner().invoke(args=["restore", str(copy), "--yes"])
    assert result.exit_code == 0, result.output
    assert "restored" in result.output and "audit chain intact" in result.output

    received, ballots, receipts, used = consistency(fresh_app)
    assert received == ballots == receipts == used
    assert 5 <= received <= 40, (received, during)
    result = fresh_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "audit chain intact" in result.output

    # The restored instance carries on: close, lock, and the chain still verifies.
    chair = Api(fresh_app.test_client()).login("chair", "chair-password")
    assert chair.post(f"/api/v1/conferences/{conf['id']}/close").status_code == 200
    assert chair.post(f"/api/v1/conferences/{conf['id']}/lock").status_code == 200
    result = fresh_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "1 locked results" in result.output


def test_restore_asks_first_and_refuses_a_database_in_use(
    app: Flask, create_conference: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    target = database_file(app)
    runner = app.test_cli_runner()
    copy = tmp_path / "copy.db"
    assert runner.invoke(args=["backup", str(copy)]).exit_code == 0
    create_conference()  # a change made after the backup

    other = sqlite3.connect(target)  # another process holding the database open
    try:
        other.execute("SELECT count(*) FROM users").fetchone()
        result = runner.invoke(args=["restore", str(copy), "--yes"])
        assert result.exit_code != 0
        assert "in use" in result.output and "stop the server" in result.output
    finally:
        other.close()

    result = runner.invoke(args=["restore", str(copy)], input="n\n")
    assert result.exit_code != 0 and "Aborted" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Conference)) == 1

    result = runner.invoke(args=["restore", str(copy)], input="y\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Conference)) == 0


def test_restore_refuses_a_file_that_is_not_a_backup(app: Flask, tmp_path: Path) -> None:
    database_file(app)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).execute("CREATE TABLE t (x)").connection.close()
    runner = app.test_cli_runner()
    for bad in (junk, empty):
        result = runner.invoke(args=["restore", str(bad), "--yes"])
        assert result.exit_code != 0
        assert "restore failed" in result.output
    with app.app_context():  # the database is untouched
        assert db.session.scalar(sa.text("SELECT count(*) FROM users")) == 4


def test_backup_refuses_to_overwrite_the_database(app: Flask) -> None:
    target = database_file(app)
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code != 0 and "cannot overwrite" in result.output


def test_postgresql_is_pointed_to_pg_dump(tmp_path: Path) -> None:
    pg = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "k",
            "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
            "LIVE_TICKER": False,
        }
    )
    runner = pg.test_cli_runner()
    for args in (["backup", str(tmp_path / "x.db")], ["restore", __file__, "--yes"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 2, result.output
        assert "pg_dump" in result.output and "pg_restore" in result.output
