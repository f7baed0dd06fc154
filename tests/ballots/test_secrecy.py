"""After a conference, nothing stored links a ballot to a token, person, order or time."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import Api, token_of
from voting.extensions import db

TIME_TYPES = ("DATE", "TIME", "TIMESTAMP", "DATETIME")


def test_ballot_tables_share_no_key_no_time_no_order(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=6)
    phone = app.test_client()
    for i, url in enumerate(conf["tokens"]):
        choice = ["c1"] if i % 2 else ["c2"]
        assert (
            phone.post(
                "/api/v1/ballots", json={"token": token_of(url), "choices": {"p1": choice}}
            ).status_code
            == 201
        )
    chair_api.post(f"/api/v1/conferences/{conf['id']}/close")
    chair_api.post(f"/api/v1/conferences/{conf['id']}/lock")

    with app.app_context():
        inspector = sa.inspect(db.engine)
        for table in ("ballots", "receipts", "tokens"):
            columns = {c["name"]: str(c["type"]).upper() for c in inspector.get_columns(table)}
            # No time column at all on the secret-ballot tables.
            assert not [n for n, t in columns.items() if any(k in t for k in TIME_TYPES)], table
            assert not [n for n in columns if n.endswith(("_dt", "_at", "time"))], table
            # No foreign key other than the conference.
            targets = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
            assert targets <= {"conferences"}, (table, targets)
        ballot_cols = {c["name"] for c in inspector.get_columns("ballots")}
        # published: whether the live tally's set S holds the ballot (a batch, not an
        # order); set on every ballot at the close (voting.realtime.published).
        assert ballot_cols == {"id", "conference_id", "choices", "is_valid", "published"}
        assert {c["name"] for c in inspector.get_columns("receipts")} == {"conference_id", "code"}
        sqlite = db.engine.dialect.name == "sqlite"
        if sqlite:
            # No rowid: SQLite WITHOUT ROWID tables keep no insertion order.
            for table in ("ballots", "receipts", "tokens"):
                sql = db.session.execute(
                    sa.text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}
                ).scalar_one()
                assert "WITHOUT ROWID" in sql.upper(), table
        else:
            # No sequence or default that would number ballots in arrival order.
            for table in ("ballots", "receipts", "tokens"):
                for column in inspector.get_columns(table):
                    # A constant (published = false) numbers nothing; a sequence would.
                    default = column.get("default")
                    assert default in (None, "false"), (table, column["name"], default)
                    assert column.get("autoincrement") is not True, (table, column["name"])
        ballot_ids = db.session.scalars(sa.text("SELECT id FROM ballots ORDER BY id")).all()
        token_ids = set(db.session.scalars(sa.text("SELECT id FROM tokens")).all())
        secret_hashes = set(db.session.scalars(sa.text("SELECT secret_hash FROM tokens")).all())
        assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ballot_ids)
        assert not set(ballot_ids) & token_ids
        if sqlite:
            # Storage order is the random id's order, not arrival order.
            stored = db.session.scalars(sa.text("SELECT id FROM ballots")).all()
            assert stored == sorted(stored)

        # No stored text anywhere contains a token id, a secret hash or a token secret.
        secrets_ = {token_of(u) for u in conf["tokens"]}
        needles = token_ids | secret_hashes | secrets_
        for table in inspector.get_table_names():
            for row in db.session.execute(sa.text(f"SELECT * FROM {table}")).all():
                text = " ".join(str(v) for v in row)
                if table == "tokens":
                    continue
                assert not [n for n in needles if n in text], table

    # The export lists ballots in canonical (sorted) order and carries no token data.
    exported = chair_api.get(f"/c/{conf['id']}/result.json").get_data(as_text=True)
    ballots = json.loads(exported)["decide_input"]["ballots"]
    as_text = [json.dumps(b, sort_keys=True, separators=(",", ":")) for b in ballots]
    assert as_text == sorted(as_text)
    assert not [n for n in needles if n in exported]


def test_database_file_holds_no_token_secret_or_code(
    app: Flask, create_conference: Callable[..., dict[str, Any]]
) -> None:
    """The database file never contains a token secret or short code in clear.

    Secrets and codes are derived from SECRET_KEY and the token id, so only the
    key and the database together can redraw a slip; the database alone cannot.
    """
    conf = create_conference(summoned=3)
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("reads the SQLite file byte by byte")
        db.session.remove()
        path = Path(db.engine.url.database)  # type: ignore[arg-type]
        db.engine.dispose()
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert len(raw) > 10_000
    for issued in conf["tokens"]:
        from voting.ballots.tokens import unsign

        _, secret = unsign("test-secret-key", token_of(issued))  # type: ignore[misc]
        assert secret.encode() not in raw
        assert issued["code"].replace("-", "").encode() not in raw
