"""``voting audit verify`` tells owed secrecy clean-ups and leftover traces apart from tampering.

The marker (``scrub_pending``) is the record; the storage itself is checked too,
for the case no marker covers (a marker cleared by hand, a database restored from
elsewhere): on SQLite a WAL frame holding an earlier state of a closed
conference's token, on PostgreSQL a closed conference's rows written by more
than one transaction. The check must not cry wolf: paper ballots entered after
the close legitimately change tokens until the lock.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.ballots.test_paper_and_booth import issue_pins
from tests.conftest import Api, token_of
from voting.ballots import scrub
from voting.extensions import db


def verify(app: Flask) -> Any:
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def execute(app: Flask, sql: str, **params: Any) -> list[Any]:
    with app.app_context():
        result = db.session.execute(sa.text(sql), params)
        rows = list(result.all()) if result.returns_rows else []
        db.session.commit()
    return rows


def wal_size(app: Flask) -> int | None:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return None
        path = Path(db.engine.url.database)  # type: ignore[arg-type]
    wal = path.with_name(path.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def cast(app: Flask, conf: dict[str, Any]) -> None:
    phone = app.test_client()
    for i, url in enumerate(conf["tokens"]):
        r = phone.post(
            "/api/v1/ballots",
            json={"token": token_of(url), "choices": {"p1": [f"c{1 + i % 3}"]}},
        )
        assert r.status_code == 201, r.get_json()


def test_storage_traces_without_a_marker_are_reported_and_resumed(
    app: Flask,
    chair_api: Api,
    create_conference: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The close and the lock queue the scrub (voting.effects); skipping it is the kill.
    from voting.conferences import operations

    conf = create_conference(summoned=5)
    cast(app, conf)
    monkeypatch.setattr(operations, "forget_arrival_order", lambda conference_id: None)
    assert chair_api.post(f"/api/v1/conferences/{conf['id']}/close").status_code == 200
    # The marker lost (cleared by hand): only the storage can tell now.
    execute(app, "UPDATE conferences SET scrub_pending = :no", no=False)

    result = verify(app)
    assert result.exit_code == 3, result.output
    assert "broken" not in result.output and "audit chain intact" in result.output
    line = next(x for x in result.output.splitlines() if x.startswith("traces: "))
    assert f"conference {conf['id']} " in line
    if wal_size(app) is None:
        assert "different transactions (xmin)" in line
    else:
        assert "the WAL file (voting.db-wal) still holds" in line
    for url in conf["tokens"]:
        assert token_of(url) not in result.output

    with app.app_context():
        assert set(scrub.traces_left()) == set(
            r[0] for r in db.session.execute(sa.text("SELECT id FROM conferences")).all()
        )
        db.session.rollback()
        scrub.resume_pending()  # the start-up scrubs what the storage shows, marker or not
        assert scrub.traces_left() == {}
    assert wal_size(app) in (None, 0)
    assert verify(app).exit_code == 0


def test_paper_ballots_entered_after_the_close_are_no_trace(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=5, open_it=False)
    base = f"/api/v1/conferences/{conf['id']}"
    r = chair_api.post(f"{base}/open", {"paper": 2})
    assert r.status_code == 200, r.get_json()
    cast(app, {"tokens": r.get_json()["tokens"]})
    pins = issue_pins(chair_api, conf["id"])
    assert chair_api.post(f"{base}/close").status_code == 200
    url = f"/c/{conf['id']}/paper/entry"
    for mark in ("p1.c1", "p1.c2"):
        for member in ("Người dự 1", "Người dự 2"):
            r = chair_api.client.post(
                url, data={"csrf_token": chair_api.csrf, "pin": pins[member], "mark": mark}
            )
            assert r.status_code == 302
    state = chair_api.get(base).get_json()
    assert state["paper_entered"] == 2
    if wal_size(app) is not None:
        # The paper tokens' earlier state ("paper") is in the WAL: the check must skip it.
        assert wal_size(app)
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert chair_api.post(f"{base}/lock").status_code == 200
    assert wal_size(app) in (None, 0)
    result = verify(app)
    assert result.exit_code == 0, result.output


def test_tampering_and_traces_are_reported_apart(
    app: Flask,
    chair_api: Api,
    create_conference: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The close and the lock queue the scrub (voting.effects); skipping it is the kill.
    from voting.conferences import operations

    conf = create_conference(summoned=3)
    cast(app, conf)
    monkeypatch.setattr(operations, "forget_arrival_order", lambda conference_id: None)
    assert chair_api.post(f"/api/v1/conferences/{conf['id']}/close").status_code == 200
    execute(app, "UPDATE audit_entries SET actor = 'someone else' WHERE id = 1")
    result = verify(app)
    assert result.exit_code == 1, result.output  # tampering wins the exit status
    lines = result.output.splitlines()
    assert any(x.startswith("broken: audit entry 1 ") for x in lines), result.output
    assert any(x.startswith(f"traces: conference {conf['id']} ") for x in lines), result.output
    assert "not tampering" in result.output
