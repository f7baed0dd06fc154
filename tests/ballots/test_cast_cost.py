"""The work per ballot is bounded by the ballot, never by the size of the room."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event

from tests.conftest import token_of
from voting.extensions import db
from voting.realtime import publisher


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement.split()[0].upper())

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_statements_per_ballot_do_not_grow_with_the_room(
    app: Flask, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """The 5th ballot and the 150th cost the same statements: no recount, no scan."""
    conf = create_conference(summoned=150)
    phone = app.test_client()
    costs = []
    for i, issued in enumerate(conf["tokens"]):
        with statements(app) as seen:
            r = phone.post(
                "/api/v1/ballots", json={"token": token_of(issued), "choices": {"p1": ["c1"]}}
            )
        assert r.status_code == 201
        if i in (4, 149):
            costs.append(seen)
    assert costs[0] == costs[1]
    assert "SELECT" in costs[0] and costs[0].count("SELECT") <= 2


def test_one_broadcast_per_room_per_tick_whatever_the_rate(
    app: Flask, create_conference: Callable[..., dict[str, Any]], monkeypatch: Any
) -> None:
    conf = create_conference(summoned=40)
    phone = app.test_client()
    for issued in conf["tokens"]:
        phone.post("/api/v1/ballots", json={"token": token_of(issued), "choices": {"p1": []}})
    emitted: list[tuple[str, str]] = []
    monkeypatch.setattr(
        publisher.socketio, "emit", lambda name, _data, to: emitted.append((name, to))
    )
    with app.app_context():
        publisher.flush()
    rooms = [to for _, to in emitted]
    assert sorted(name for name, _ in emitted) == ["tally", "turnout"]
    assert len(rooms) == len(set(rooms)) == 2
