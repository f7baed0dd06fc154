"""Tamper evidence: every edit someone holding only the database could make is caught.

Each case edits the database as an intruder with the file and sqlite3 (or psql) would:
raw SQL, foreign keys not enforced, hashes recomputed where that is possible without
the audit key. ``voting audit verify`` must exit 1 and name what was done.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import Api
from voting.audit.models import AuditEntry
from voting.audit.operations import canonical, entry_hash
from voting.audit.verify import fingerprint, lock_head
from voting.conferences.models import Conference
from voting.conferences.results import sha256_hex
from voting.extensions import db

Tamper = Callable[[Flask, dict[str, Any], Api], str]


def verify(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def raw(app: Flask, *statements: tuple[str, dict[str, Any]]) -> None:
    """Run SQL as an intruder would: SQLite's own client (no foreign keys), or psql."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            for sql, params in statements:
                conn.execute(sql, params)
            conn.commit()
        finally:
            conn.close()
        return
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))  # no FK checks
        for sql, params in statements:
            conn.execute(sa.text(sql.replace("?", ":p")), params)


def one(app: Flask, sql: str, **params: Any) -> Any:
    with app.app_context():
        return db.session.execute(sa.text(sql), params).scalar()


def conf_id(app: Flask, conf: dict[str, Any]) -> int:
    return one(app, "SELECT id FROM conferences WHERE public_id = :p", p=conf["id"])


def rows(app: Flask) -> list[dict[str, Any]]:
    with app.app_context():
        found = [
            {c.name: getattr(e, c.key) for c in AuditEntry.__table__.columns}
            for e in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))
        ]
        db.session.remove()
        return found


def fields(e: dict[str, Any]) -> tuple[Any, ...]:
    return (
        e["id"],
        e["conference_id"],
        e["actor"],
        e["action"],
        json.loads(e["details"]),
        e["created_dt"],
        e["prev_hash"],
    )


def rehash_from(app: Flask, first: int, hasher: Callable[[dict[str, Any]], str], version: int):
    """Recompute every entry from ``first`` on, as an intruder without the key must."""
    entries = rows(app)
    prev = entries[first - 2]["entry_hash"] if first > 1 else "0" * 64
    statements = []
    for e in entries[first - 1 :]:
        e["prev_hash"] = prev
        prev = hasher(e)
        statements.append(
            (
                "UPDATE audit_entries SET prev_hash = ?, entry_hash = ?, version = ?, "
                "details = ? WHERE id = ?",
                (e["prev_hash"], prev, version, e["details"], e["id"]),
            )
        )
    # The unique constraints forbid a transient duplicate: park the hashes first.
    park = [
        (
            "UPDATE audit_entries SET prev_hash = 'x' || id, entry_hash = 'y' || id WHERE id >= ?",
            (first,),
        )
    ]
    raw_positional(app, park + statements)


def raw_positional(app: Flask, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
    converted = []
    for sql, params in statements:
        parts = sql.split("?")
        named = "".join(p + (f":p{i}" if i < len(parts) - 1 else "") for i, p in enumerate(parts))
        converted.append((named, {f"p{i}": v for i, v in enumerate(params)}))
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        raw(app, *converted)
    else:
        with app.app_context(), db.engine.begin() as conn:
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            for sql, params in converted:
                conn.execute(sa.text(sql), params)


def plain(e: dict[str, Any]) -> str:
    return entry_hash(*fields(e))


def guessed_key(e: dict[str, Any]) -> str:
    id_, cid, actor, action, details, created, prev = fields(e)
    text = canonical(
        [2, id_, cid, actor, action, details, created.isoformat(timespec="microseconds"), prev]
    )
    return hmac.new(b"guessed", text.encode(), hashlib.sha256).hexdigest()


def entry_of(app: Flask, action: str) -> int:
    return one(app, "SELECT min(id) FROM audit_entries WHERE action = :a", a=action)


def rewrite_result(app: Flask, conf: dict[str, Any]) -> str:
    """Change one ballot, and rewrite the result text and digest to match it."""
    cid = conf_id(app, conf)
    with app.app_context():
        conference = db.session.get(Conference, cid)
        doc = json.loads(conference.result_json)
        db.session.remove()
    # One c2+c3 ballot turned c1+c3: no tie left, so the head's decision goes too.
    ballots = doc["decide_input"]["ballots"]
    ballots[ballots.index({"p1": ["c2", "c3"]})] = {"p1": ["c1", "c3"]}
    doc["decide_input"].pop("head_decision")
    doc["head_decision"] = None
    ballots.sort(key=canonical)
    doc["ballots_sha256"] = sha256_hex(canonical(ballots))
    with app.app_context():
        from voting.conferences.results import run_decision

        doc["decision"] = run_decision(
            db.session.get(Conference, cid), doc["decide_input"]
        ).to_json()
        db.session.remove()
    text = canonical(doc)
    raw_positional(
        app,
        [
            (
                "UPDATE ballots SET choices = ? WHERE conference_id = ? AND choices = ?",
                ('{"p1":["c1","c3"]}', cid, '{"p1":["c2","c3"]}'),
            ),
            (
                "UPDATE conferences SET result_json = ?, result_sha256 = ?, "
                "head_decision_json = NULL, head_decided_by = NULL, head_decided_dt = NULL "
                "WHERE id = ?",
                (text, sha256_hex(text), cid),
            ),
        ],
    )
    entry = entry_of(app, "result.locked")
    details = json.loads(one(app, "SELECT details FROM audit_entries WHERE id = :i", i=entry))
    details["result_sha256"] = sha256_hex(text)
    raw_positional(
        app, [("UPDATE audit_entries SET details = ? WHERE id = ?", (canonical(details), entry))]
    )
    return sha256_hex(text)


# --- The cases ------------------------------------------------------------------------


def locked_set_back_to_closed(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    raw_positional(
        app, [("UPDATE conferences SET status = 'closed' WHERE id = ?", (conf_id(app, conf),))]
    )
    return "status closed, but the audit chain has it locked"


def reopened_changed_and_locked_again(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    cid = conf_id(app, conf)
    raw_positional(
        app,
        [
            (
                "UPDATE conferences SET status = 'closed', result_json = NULL, "
                "result_sha256 = NULL, head_decision_json = NULL WHERE id = ?",
                (cid,),
            ),
            (
                "UPDATE ballots SET choices = ? WHERE conference_id = ? AND choices = ?",
                ('{"p1":["c1","c3"]}', cid, '{"p1":["c2","c3"]}'),
            ),
        ],
    )
    r = chair.post(f"/api/v1/conferences/{conf['id']}/lock")
    assert r.status_code == 200, r.get_json()
    return "goes to locked from closed, but it was locked; the result was locked a second time"


def conference_deleted(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    cid = conf_id(app, conf)
    tables = ["ballots", "receipts", "tokens", "minutes_notes", "people"]
    statements = [(f"DELETE FROM {t} WHERE conference_id = ?", (cid,)) for t in tables]
    statements.append(
        (
            "DELETE FROM candidates WHERE position_id IN "
            "(SELECT id FROM positions WHERE conference_id = ?)",
            (cid,),
        )
    )
    statements.append(("DELETE FROM positions WHERE conference_id = ?", (cid,)))
    statements.append(("DELETE FROM conferences WHERE id = ?", (cid,)))
    raw_positional(app, statements)
    return f"conference id {cid}: the audit chain has it locked, but it is not in the database"


def result_rewritten_chain_rehashed_plain(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    rewrite_result(app, conf)
    entry = entry_of(app, "result.locked")
    rehash_from(app, entry, plain, 1)
    return f"audit entry {entry} (result.locked): unkeyed (plain SHA-256)"


def whole_chain_rehashed_plain(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    """A downgrade: every entry rewritten in the old keyless format."""
    rewrite_result(app, conf)
    rehash_from(app, 1, plain, 1)
    return "audit entry 1 (user.created): unkeyed (plain SHA-256)"


def result_rewritten_rehashed_wrong_key(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    rewrite_result(app, conf)
    entry = entry_of(app, "result.locked")
    rehash_from(app, entry, guessed_key, 2)
    return f"audit entry {entry} (result.locked): hash mismatch"


def note_edited(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    raw_positional(app, [("UPDATE minutes_notes SET text = ?", ("Không có ghi chú",))])
    return "differs from the note the audit chain recorded; it was edited"


def note_deleted(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    raw_positional(app, [("DELETE FROM minutes_notes", ())])
    return "in the audit chain, not in the database; it was deleted"


def note_inserted(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    raw_positional(
        app,
        [
            (
                "INSERT INTO minutes_notes (id, conference_id, written_dt, author, text) "
                "VALUES (99, ?, '2026-11-23 10:00:00', 'Thư ký', 'Đã sửa kết quả')",
                (conf_id(app, conf),),
            )
        ],
    )
    return "minutes note 99"


def entry_edited(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    entry = entry_of(app, "attendance.set")
    raw_positional(
        app,
        [
            (
                "UPDATE audit_entries SET details = ? WHERE id = ?",
                ('{"absent":1,"present":6,"unmarked":0}', entry),
            )
        ],
    )
    return f"audit entry {entry} (attendance.set): hash mismatch"


def entry_deleted(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    entry = entry_of(app, "token.voided")
    raw_positional(app, [("DELETE FROM audit_entries WHERE id = ?", (entry,))])
    return f"audit entry {entry + 1} (ballot.closed): expected entry {entry} here"


def entries_reordered(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    """Swap the content of two entries, keeping ids and links (hashes move with them)."""
    a, b = entry_of(app, "token.voided"), entry_of(app, "ballot.closed")
    cols = "conference_id, actor, action, details, created_dt"
    ea, eb = (r for r in rows(app) if r["id"] in (a, b))
    sets = ", ".join(f"{c.strip()} = ?" for c in cols.split(","))
    raw_positional(
        app,
        [
            (
                f"UPDATE audit_entries SET {sets} WHERE id = ?",
                (*(eb[c.strip()] for c in cols.split(",")), a),
            ),
            (
                f"UPDATE audit_entries SET {sets} WHERE id = ?",
                (*(ea[c.strip()] for c in cols.split(",")), b),
            ),
        ],
    )
    return f"audit entry {a} (ballot.closed): hash mismatch"


def entry_inserted(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    """An entry slipped in between two others, the later ids shifted up."""
    entry = entry_of(app, "ballot.closed")
    before = rows(app)[entry - 2]
    raw_positional(
        app,
        [
            ("UPDATE audit_entries SET id = id + 1000 WHERE id >= ?", (entry,)),
            ("UPDATE audit_entries SET id = id - 999 WHERE id >= 1000", ()),
            ("UPDATE audit_entries SET prev_hash = ? WHERE id = ?", ("f" * 64, entry + 1)),
            (
                "INSERT INTO audit_entries (id, conference_id, actor, action, details, created_dt, "
                "prev_hash, entry_hash, version) VALUES (?, ?, 'chair', 'token.voided', "
                "?, ?, ?, ?, 2)",
                (
                    entry,
                    conf_id(app, conf),
                    '{"tokens_issued":9,"tokens_voided":2}',
                    before["created_dt"],
                    before["entry_hash"],
                    "f" * 64,
                ),
            ),
        ],
    )
    return f"audit entry {entry} (token.voided): hash mismatch"


def ballot_changed(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    raw_positional(
        app,
        [
            (
                "UPDATE ballots SET choices = ? WHERE choices = ?",
                ('{"p1":["c1","c3"]}', '{"p1":["c2","c3"]}'),
            )
        ],
    )
    return "ballots differ from the locked result"


def ballot_deleted(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    raw_positional(app, [("DELETE FROM ballots WHERE choices = ?", ('{"p1":["c2","c3"]}',))])
    return "6 ballots, 7 receipts and 7 used tokens but the counter says 7"


def ballot_added(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    raw_positional(
        app,
        [
            (
                "INSERT INTO ballots (id, conference_id, choices, is_valid, published) "
                "SELECT ?, conference_id, choices, is_valid, published "
                "FROM ballots WHERE choices = ?",
                ("0" * 32, '{"p1":["c2","c3"]}'),
            ),
        ],
    )
    return "8 ballots, 7 receipts and 7 used tokens but the counter says 7"


def receipt_changed(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    raw_positional(
        app, [("UPDATE receipts SET code = ? WHERE code = ?", ("ZZZZ-ZZZZ", conf["receipts"][0]))]
    )
    return "the stored rows no longer give the locked result (receipts changed)"


def attendance_changed(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    raw_positional(
        app,
        [
            (
                "UPDATE people SET is_present = ?, absence_reason = ? WHERE "
                "conference_id = ? AND seq = 7",
                (False, "Đi công tác", conf_id(app, conf)),
            )
        ],
    )
    return "the stored rows no longer give the locked result (attendance changed)"


def candidate_renamed(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    raw_positional(app, [("UPDATE candidates SET name = ? WHERE key = 'c2'", ("Người khác",))])
    return "the stored rows no longer give the locked result (positions changed)"


def result_text_edited(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    text = one(app, "SELECT result_json FROM conferences WHERE public_id = :p", p=conf["id"])
    raw_positional(
        app,
        [
            (
                "UPDATE conferences SET result_json = ? WHERE public_id = ?",
                (text.replace('"agree":6', '"agree":7', 1), conf["id"]),
            )
        ],
    )
    return "result digest mismatch"


def result_and_digest_rewritten(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    text = one(app, "SELECT result_json FROM conferences WHERE public_id = :p", p=conf["id"])
    text = text.replace('"chair":"Nguyễn Văn Vũ"', '"chair":"Người khác"')
    raw_positional(
        app,
        [
            (
                "UPDATE conferences SET result_json = ?, result_sha256 = ? WHERE public_id = ?",
                (text, sha256_hex(text), conf["id"]),
            )
        ],
    )
    return "result digest differs from the one the audit chain recorded"


def digest_only_rewritten(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    """Ballots, result and digest consistent; only the chain disagrees (no key to fix it)."""
    rewrite_result(app, conf)
    return f"audit entry {entry_of(app, 'result.locked')} (result.locked): hash mismatch"


def chain_cut_back_before_lock(app: Flask, conf: dict[str, Any], chair: Api) -> str:
    """Undo the lock everywhere: a shorter, valid chain; only the printed head tells."""
    cid = conf_id(app, conf)
    raw_positional(
        app,
        [
            ("DELETE FROM audit_entries WHERE id >= ?", (entry_of(app, "result.locked"),)),
            ("DELETE FROM minutes_notes WHERE conference_id = ?", (cid,)),
            (
                "UPDATE conferences SET status = 'closed', result_json = NULL, "
                "result_sha256 = NULL, locked_dt = NULL WHERE id = ?",
                (cid,),
            ),
        ],
    )
    return "is not in the verified chain: the chain was rewritten or cut back"


CASES: list[Tamper] = [
    locked_set_back_to_closed,
    reopened_changed_and_locked_again,
    conference_deleted,
    result_rewritten_chain_rehashed_plain,
    whole_chain_rehashed_plain,
    result_rewritten_rehashed_wrong_key,
    note_edited,
    note_deleted,
    note_inserted,
    entry_edited,
    entry_deleted,
    entries_reordered,
    entry_inserted,
    ballot_changed,
    ballot_deleted,
    ballot_added,
    receipt_changed,
    attendance_changed,
    candidate_renamed,
    result_text_edited,
    result_and_digest_rewritten,
    digest_only_rewritten,
    chain_cut_back_before_lock,
]


@pytest.fixture
def noted(app: Flask, chair_api: Api, locked_conference: dict[str, Any]) -> dict[str, Any]:
    """The locked conference with a dated note, and the chain head its minutes print."""
    r = chair_api.post(
        f"/api/v1/conferences/{locked_conference['id']}/minutes/notes", {"text": "Đã lưu hồ sơ"}
    )
    assert r.status_code == 201, r.get_json()
    with app.app_context():
        locked_conference["head"] = fingerprint(lock_head(conf_id(app, locked_conference)))
    return locked_conference


@pytest.mark.parametrize("tamper", CASES, ids=lambda f: f.__name__)
def test_every_tamper_is_caught(
    app: Flask, chair_api: Api, noted: dict[str, Any], tamper: Tamper
) -> None:
    untouched = verify(app, "--expect", noted["head"])
    assert untouched.exit_code == 0, untouched.output
    assert f"printed head {noted['head']} found" in untouched.output
    expected = tamper(app, noted, chair_api)
    result = verify(app, "--expect", noted["head"])
    assert result.exit_code == 1, result.output
    assert "audit chain intact" not in result.output
    assert result.output.startswith("broken: ")
    assert expected in result.output, result.output


def test_a_chain_from_before_the_key_still_verifies_and_is_pinned(
    app: Flask, chair_api: Api, noted: dict[str, Any]
) -> None:
    """An old install: plain SHA-256 entries and no key file. They verify; the first
    new entry creates the key pinning them; rewriting them afterwards is caught."""
    key_file = Path(app.instance_path) / "audit_key"
    key_file.unlink()
    rehash_from(app, 1, plain, 1)  # exactly what the app wrote before it was keyed
    old = len(rows(app))
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert chair_api.get(f"/c/{noted['id']}/result.json").status_code == 200  # one new entry
    pinned = json.loads(key_file.read_text())
    assert pinned["legacy_entries"] == old
    assert [e["version"] for e in rows(app)] == [1] * old + [2]
    result = verify(app)
    assert result.exit_code == 0, result.output
    # The old part rewritten (plain SHA-256 is enough for it) no longer matches the pin.
    entry_edited(app, noted, chair_api)
    rehash_from(app, entry_of(app, "attendance.set"), plain, 1)
    result = verify(app)
    assert result.exit_code == 1
    assert f"audit entry {old} " in result.output
    assert "differ from those the key file pinned" in result.output
