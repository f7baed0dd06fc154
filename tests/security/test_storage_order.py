"""Below SQL: after the close the storage keeps no order of arrival and no token link.

No column says when a ballot came or which token cast it, but the engines keep
both as a side effect of writing (see :mod:`voting.ballots.scrub`). These tests
first show that the detector sees the traces while the ballot is open — so it
is not blind — then that the close removes them: on SQLite, byte offsets that
follow the random ids and an empty WAL; on PostgreSQL, one ``xmin`` for all
rows of a table and heap order equal to key order.
"""

from __future__ import annotations

import itertools
import json
import random
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import token_of
from tests.security.apps import app_on, create_conference, login
from voting.extensions import db

CANDIDATES = 6
BALLOTS = 15
#: Fifteen different ballots (quota 3 of 6 candidates), so their order can be read back.
CHOICES = [
    sorted(c)
    for c in itertools.chain.from_iterable(
        itertools.combinations([f"c{i + 1}" for i in range(CANDIDATES)], k) for k in (1, 2)
    )
][:BALLOTS]


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Flask]:
    with app_on("sqlite", tmp_path) as app:
        yield app


@pytest.fixture
def postgres_app(tmp_path: Path) -> Iterator[Flask]:
    with app_on("postgresql", tmp_path) as app:
        yield app


def lock_and_verify(app: Flask, cast: dict[str, Any]) -> None:
    """Locking still works and verifies: the scrub changed the storage, not the data."""
    from voting.conferences.models import Conference
    from voting.conferences.results import verify_locked

    r = cast["chair"].post(f"/api/v1/conferences/{cast['conf']['id']}/lock")
    assert r.status_code == 200, r.get_json()
    with app.app_context():
        conference = db.session.get(Conference, cast["conference_id"])
        assert verify_locked(conference) == []
        db.session.rollback()


def vote(app: Flask) -> dict[str, Any]:
    """A conference with 15 different ballots cast in a shuffled order."""
    chair = login(app, "chair")
    conf = create_conference(
        chair,
        summoned=BALLOTS,
        positions=[
            {
                "name": "Phó Cục trưởng",
                "quota": 3,
                "candidates": [{"name": f"Ứng viên {i + 1}"} for i in range(CANDIDATES)],
            }
        ],
    )
    order = list(range(BALLOTS))
    random.Random(7).shuffle(order)
    phone = app.test_client()
    arrival: list[str] = []
    for token, i in zip(conf["tokens"], order, strict=True):
        r = phone.post(
            "/api/v1/ballots", json={"token": token_of(token), "choices": {"p1": CHOICES[i]}}
        )
        assert r.status_code == 201, r.get_json()
        arrival.append(json.dumps({"p1": CHOICES[i]}, separators=(",", ":")))
    with app.app_context():
        conference_id = db.session.scalar(
            sa.text("SELECT id FROM conferences WHERE public_id = :p"), {"p": conf["id"]}
        )
        db.session.rollback()
    return {"conf": conf, "chair": chair, "arrival": arrival, "conference_id": conference_id}


def rows(app: Flask, sql: str, **params: Any) -> list[Any]:
    with app.app_context():
        found = list(db.session.execute(sa.text(sql), params).all())
        db.session.rollback()
    return found


# ------------------------------------------------------------------------------------ SQLite


def by_offset(raw: bytes, keys: list[str]) -> list[str]:
    """``keys`` in the order their bytes sit in the file."""
    offsets = {k: raw.find(k.encode()) for k in keys}
    assert -1 not in offsets.values(), "a row is not in the main file yet"
    return sorted(keys, key=offsets.__getitem__)


def wal_pairs(wal: bytes, token_ids: list[str], ballot_ids: list[str]) -> int:
    """How many transactions in the WAL carry exactly one new ballot next to a token."""
    if len(wal) < 32:
        return 0
    page_size = struct.unpack(">I", wal[8:12])[0]
    seen: set[str] = set()
    pairs, frames, offset = 0, b"", 32
    while offset + 24 + page_size <= len(wal):
        commit = struct.unpack(">I", wal[offset + 4 : offset + 8])[0]
        frames += wal[offset + 24 : offset + 24 + page_size]
        offset += 24 + page_size
        if commit:  # the last frame of a transaction
            new = {b for b in ballot_ids if b.encode() in frames} - seen
            if len(new) == 1 and any(t.encode() in frames for t in token_ids):
                pairs += 1
            seen |= new
            frames = b""
    return pairs


def sqlite_traces(app: Flask, conference_id: int) -> dict[str, Any]:
    """What the files show: the WAL as it is, then the main file once checkpointed."""
    path = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    wal_path = path.with_name(path.name + "-wal")
    wal = wal_path.read_bytes() if wal_path.exists() else b""
    with app.app_context(), db.engine.connect() as conn:
        # What any checkpoint (SQLite runs one every 1000 pages) writes to the main file.
        conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
    raw = path.read_bytes()
    ballots = dict(
        rows(app, "SELECT id, choices FROM ballots WHERE conference_id = :c", c=conference_id)
    )
    tokens = [
        r[0] for r in rows(app, "SELECT id FROM tokens WHERE conference_id = :c", c=conference_id)
    ]
    receipts = [
        r[0]
        for r in rows(app, "SELECT code FROM receipts WHERE conference_id = :c", c=conference_id)
    ]
    return {
        "ballots_by_offset": [ballots[b] for b in by_offset(raw, list(ballots))],
        "ids_by_offset": by_offset(raw, list(ballots)),
        "ballot_ids": sorted(ballots),
        "receipts_by_offset": by_offset(raw, receipts),
        "receipts": sorted(receipts),
        "tokens_by_offset": by_offset(raw, tokens),
        "tokens": sorted(tokens),
        # Copies beyond the row and its index entries: stale cells in free space.
        "stale": {
            k: raw.count(k.encode()) - entries(app, table)
            for table, keys in (("ballots", ballots), ("receipts", receipts), ("tokens", tokens))
            for k in keys
            if raw.count(k.encode()) != entries(app, table)
        },
        "wal_size": len(wal),
        "wal_pairs": wal_pairs(wal, tokens, list(ballots)),
    }


def entries(app: Flask, table: str) -> int:
    """Where a key of ``table`` is written: the row, and each secondary index holding it."""
    indexes = rows(app, f"PRAGMA index_list({table})")
    return 1 + sum(1 for index in indexes if index[3] != "pk")


def key_order(by_offset: list[str], keys: list[str]) -> bool:
    return by_offset in (keys, keys[::-1])


def test_sqlite_file_forgets_arrival_order_at_close(sqlite_app: Flask) -> None:
    app = sqlite_app
    cast = vote(app)
    live = sqlite_traces(app, cast["conference_id"])
    # While the ballot is open the traces are there (the detector is not blind):
    # cells sit in reverse order of arrival, and the WAL pairs each ballot with a token.
    assert live["ballots_by_offset"] == cast["arrival"][::-1]
    assert live["wal_pairs"] == BALLOTS

    r = cast["chair"].post(f"/api/v1/conferences/{cast['conf']['id']}/close")
    assert r.status_code == 200
    closed = sqlite_traces(app, cast["conference_id"])
    assert closed["wal_size"] == 0 and closed["wal_pairs"] == 0
    assert key_order(closed["ids_by_offset"], closed["ballot_ids"])
    assert closed["ballots_by_offset"] != cast["arrival"][::-1]
    assert key_order(closed["receipts_by_offset"], closed["receipts"])
    assert key_order(closed["tokens_by_offset"], closed["tokens"])
    # No stale copy of any row left in free space.
    assert closed["stale"] == {}

    lock_and_verify(app, cast)
    assert sqlite_traces(app, cast["conference_id"])["wal_size"] == 0


# -------------------------------------------------------------------------------- PostgreSQL


def pg_traces(app: Flask, conference_id: int) -> dict[str, Any]:
    c = conference_id
    return {
        "linked": rows(
            app,
            "SELECT count(*) FROM tokens t JOIN ballots b ON t.xmin = b.xmin "
            "JOIN receipts r ON r.xmin = b.xmin "
            "WHERE b.conference_id = :c AND t.conference_id = :c AND r.conference_id = :c",
            c=c,
        )[0][0],
        "xmins": {
            table: rows(
                app, f"SELECT count(DISTINCT xmin::text) FROM {table} WHERE conference_id = :c", c=c
            )[0][0]
            for table in ("tokens", "ballots", "receipts")
        },
        "heap": {
            table: [
                r[0]
                for r in rows(
                    app, f"SELECT {key} FROM {table} WHERE conference_id = :c ORDER BY ctid", c=c
                )
            ]
            for table, key in (("tokens", "id"), ("ballots", "id"), ("receipts", "code"))
        },
        "choices_by_heap": [
            r[0]
            for r in rows(
                app, "SELECT choices FROM ballots WHERE conference_id = :c ORDER BY ctid", c=c
            )
        ],
    }


@pytest.mark.services
def test_postgresql_forgets_arrival_order_at_close(postgres_app: Flask) -> None:
    app = postgres_app
    cast = vote(app)
    live = pg_traces(app, cast["conference_id"])
    # While the ballot is open: each cast's token, ballot and receipt share one xmin,
    # and the heap lists the ballots in order of arrival.
    assert live["linked"] == BALLOTS
    assert live["choices_by_heap"] == cast["arrival"]

    r = cast["chair"].post(f"/api/v1/conferences/{cast['conf']['id']}/close")
    assert r.status_code == 200
    closed = pg_traces(app, cast["conference_id"])
    assert closed["xmins"] == {"tokens": 1, "ballots": 1, "receipts": 1}
    for table, keys in closed["heap"].items():
        assert keys == sorted(keys), table
    assert closed["choices_by_heap"] != cast["arrival"]
    lock_and_verify(app, cast)
    assert pg_traces(app, cast["conference_id"])["xmins"] == closed["xmins"]
