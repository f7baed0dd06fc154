"""The audit chain: one entry per state change, none per ballot; any edit is found."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import Api, conference_payload, token_of
from voting.audit.models import ACTIONS, GENESIS, AuditEntry
from voting.audit.operations import entry_hash
from voting.ballots.models import Ballot, Token
from voting.ballots.tokens import unsign
from voting.conferences.models import Conference
from voting.conferences.results import ballots_digest, stored_ballots
from voting.extensions import db


def entries(app: Flask) -> list[AuditEntry]:
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
        db.session.expunge_all()
        return list(rows)


def verify(app: Flask) -> Any:
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def conference_id(app: Flask, public_id: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Conference.id).where(Conference.public_id == public_id))


def form_post(api: Api, url: str, data: dict[str, str]) -> Any:
    return api.client.post(url, data={"csrf_token": api.csrf, **data})


def paper_actions(chair_api: Api, create_conference: Callable[..., dict[str, Any]]) -> None:
    """A slip turned into paper, a paper ballot entered twice, and a mismatch."""
    conf = create_conference(open_it=False)
    r = chair_api.post(f"/api/v1/conferences/{conf['id']}/open", {"paper": 1})
    assert r.status_code == 200, r.get_json()
    code = r.get_json()["tokens"][0]["code"]
    assert form_post(chair_api, f"/c/{conf['id']}/paper/convert", {"code": code}).status_code == 302
    assert chair_api.post(f"/api/v1/conferences/{conf['id']}/close").status_code == 200
    url = f"/c/{conf['id']}/paper/entry"
    for member, mark in (("Người dự 1", "p1.c1"), ("Người dự 2", "p1.c1")):
        assert form_post(chair_api, url, {"member": member, "mark": mark}).status_code == 302
    for member, mark in (("Người dự 1", "p1.c1"), ("Người dự 2", "p1.c2")):
        assert form_post(chair_api, url, {"member": member, "mark": mark}).status_code == 302
    state = chair_api.get(f"/api/v1/conferences/{conf['id']}").get_json()
    assert (state["paper_entered"], state["tokens"]["paper"]) == (1, 2)


def planning_actions(app: Flask, chair_api: Api) -> None:
    """The register, a process's steps and an exit from the list, through their forms."""
    from datetime import date

    from voting.planning.models import PlanningEntry, Process

    assert (
        form_post(chair_api, "/register", {"name": "Cục THADS tỉnh Kiên Giang"}).status_code == 302
    )
    register = (
        "Nguyễn Văn Vũ; 1968; Nam; Cục trưởng; ; cuc-leader\nLê Văn Hùng; 1972; Nam; Phó Cục trưởng"
    )
    assert form_post(chair_api, "/register/1", {"register": register}).status_code == 302
    r = form_post(chair_api, "/register/1/reference", {"reference_on": "2026-12-31"})
    assert r.status_code == 302
    r = form_post(
        chair_api, "/register/member/2", {"roles": "cuc-leader", "post": "Phó Cục trưởng"}
    )
    assert r.status_code == 302
    r = form_post(
        chair_api,
        "/processes/new",
        {
            "unit_id": "1",
            "flow": "cuc/term",
            "period": "2026–2031",
            "title": "Quy hoạch",
            "positions": "Phó Cục trưởng | 1",
        },
    )
    assert r.status_code == 302
    url = r.headers["Location"].split("#")[0]
    assert form_post(chair_api, f"{url}/dates", {"B1": "2026-11-30"}).status_code == 302
    with app.app_context():
        process = db.session.scalars(sa.select(Process)).one()
        position = process.positions[0].id
        db.session.add(
            PlanningEntry(
                unit_id=1,
                level="cuc",
                position_name="Phó Cục trưởng",
                name="Lê Văn Hùng",
                entered_on=date(2025, 1, 1),
            )
        )
        db.session.commit()
    r = form_post(
        chair_api, f"{url}/steps/B1", {"action": "source-list", "nominee": f"{position}:2"}
    )
    assert r.status_code == 302
    r = form_post(
        chair_api,
        f"{url}/steps/B2",
        {"action": "approve-list", "meeting_on": "2026-11-05", "approved": "1"},
    )
    assert r.status_code == 302
    r = form_post(chair_api, f"{url}/steps/B3", {"action": "conference", "held_on": "2026-11-23"})
    assert r.status_code == 302 and "/c/" in r.headers["Location"]
    r = form_post(
        chair_api,
        "/planning/1/exit",
        {"reason": "appointed", "left_on": "2026-11-20", "decision": "QĐ 9/QĐ-TCTHADS"},
    )
    assert r.status_code == 302


def test_every_action_is_recorded_and_no_ballot_is(
    app: Flask,
    client: Any,
    chair_api: Api,
    create_conference: Callable[..., dict[str, Any]],
    locked_conference: dict[str, Any],
) -> None:
    # A draft edited before it opens, the exports, and the account actions.
    draft = create_conference(open_it=False)
    # Replacing the positions of a draft (same keys p1, c1…) must not trip a constraint.
    positions = conference_payload()["positions"]
    r = chair_api.patch(
        f"/api/v1/conferences/{draft['id']}", {"place": "Phòng họp 2", "positions": positions}
    )
    assert r.status_code == 200, r.get_json()
    r = chair_api.put(f"/api/v1/conferences/{draft['id']}/minutes/record", {"copies": 3})
    assert r.status_code == 200, r.get_json()
    planning_actions(app, chair_api)
    paper_actions(chair_api, create_conference)
    public_id = locked_conference["id"]
    r = chair_api.post(f"/api/v1/conferences/{public_id}/minutes/notes", {"text": "Đã lưu hồ sơ"})
    assert r.status_code == 201, r.get_json()
    assert chair_api.get(f"/c/{public_id}/result.json").status_code == 200
    assert chair_api.get(f"/c/{public_id}/minutes/counting").status_code == 200
    assert (
        client.post("/api/v1/session", json={"username": "chair", "password": "nope"}).status_code
        == 401
    )
    anonymous = Api(app.test_client())
    anonymous.csrf = anonymous.get("/api/v1/session").get_json()["csrf_token"]
    assert (
        form_post(anonymous, "/login", {"username": "nobody", "password": "x1"}).status_code == 401
    )
    admin = Api(app.test_client()).login("admin", "admin-password")
    r = form_post(
        admin,
        "/users",
        {
            "username": "thuky2",
            "display_name": "Thư ký 2",
            "role": "secretary",
            "password": "thuky-pass-2",
        },
    )
    assert r.status_code == 302
    r = form_post(
        chair_api, "/account", {"current": "chair-password", "password": "chair-password-2"}
    )
    assert r.status_code == 302

    log = entries(app)
    actions = [e.action for e in log]
    assert set(actions) == set(ACTIONS), set(ACTIONS) - set(actions)
    assert [e.id for e in log] == list(range(1, len(log) + 1))
    assert log[0].prev_hash == GENESIS
    assert all(e.prev_hash == p.entry_hash for p, e in itertools.pairwise(log))

    cid = conference_id(app, public_id)
    mine = [e for e in log if e.conference_id == cid]
    assert [e.action for e in mine] == [
        "conference.created",
        "attendance.set",
        "ballot.opened",
        "token.voided",
        "ballot.closed",
        "head.decided",
        "result.locked",
        "minutes.note_added",
        "export.downloaded",
        "export.downloaded",
    ]
    assert {e.actor for e in mine} == {"chair"}
    details = {e.action: json.loads(e.details) for e in mine}
    assert details["attendance.set"] == {"present": 7, "absent": 0, "unmarked": 0}
    updated = next(e for e in log if e.action == "conference.updated")
    assert updated.conference_id == conference_id(app, draft["id"])
    assert json.loads(updated.details) == {
        "fields": ["place", "positions"],
        "people": 7,
        "positions": 1,
        "candidates": 3,
    }
    assert details["ballot.opened"] == {
        "summoned": 7,
        "present": 7,
        "tokens_issued": 7,
        "paper_issued": 0,
    }
    assert details["token.voided"] == {"tokens_issued": 8, "tokens_voided": 1}
    assert details["ballot.closed"] == {
        "ballots_received": 7,
        "tokens_issued": 8,
        "tokens_voided": 1,
    }
    assert details["result.locked"]["result_sha256"] == locked_conference["sha256"]
    by_action = {e.action: e for e in log}  # the last of each
    created = [(e.actor, json.loads(e.details)) for e in log if e.action == "user.created"]
    assert created[0] == ("system", {"username": "chair", "role": "chair"})  # the fixture's
    assert created[-1] == ("admin", {"username": "thuky2", "role": "secretary"})
    assert by_action["user.password_changed"].actor == "chair"
    assert json.loads(by_action["user.login"].details) == {"via": "api"}
    assert json.loads(by_action["user.login_failed"].details) == {
        "via": "form",
        "reason": "unknown_user",
    }
    assert "nobody" not in " ".join(e.actor + e.details for e in log)

    # Nothing about tokens or single ballots: no id, hash, secret, code, receipt or choice.
    with app.app_context():
        token_ids = set(db.session.scalars(sa.select(Token.id)).all())
        hashes = set(db.session.scalars(sa.select(Token.secret_hash)).all())
        hashes |= set(db.session.scalars(sa.select(Token.code_hash)).all())
        ballot_ids = set(db.session.scalars(sa.select(Ballot.id)).all())
        choices = set(db.session.scalars(sa.select(Ballot.choices)).all())
    slips = [*locked_conference["tokens"], locked_conference["voided"]]
    secrets_ = {unsign("test-secret-key", token_of(t))[1] for t in slips}  # type: ignore[index]
    codes = {t["code"] for t in slips} | {t["code"].replace("-", "") for t in slips}
    needles = token_ids | hashes | ballot_ids | choices | secrets_ | codes
    needles |= set(locked_conference["receipts"])
    text = "\n".join(f"{e.actor} {e.action} {e.details}" for e in log)
    assert not [n for n in needles if n in text]
    assert not [e for e in log if '"p1"' in e.details and e.action != "head.decided"]


def test_casting_writes_no_audit_entry(
    app: Flask, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=5)
    before = len(entries(app))
    phone = app.test_client()
    for token in conf["tokens"]:
        r = phone.post(
            "/api/v1/ballots", json={"token": token_of(token), "choices": {"p1": ["c1"]}}
        )
        assert r.status_code == 201
    assert len(entries(app)) == before


def test_each_entry_hash_is_recomputable_from_its_fields(
    app: Flask, locked_conference: dict[str, Any]
) -> None:
    """The documented recipe: SHA-256 of the canonical JSON array of the fields."""
    import hashlib

    for e in entries(app):
        array = [
            e.id,
            e.conference_id,
            e.actor,
            e.action,
            json.loads(e.details),
            e.created_dt.isoformat(timespec="microseconds"),
            e.prev_hash,
        ]
        text = json.dumps(array, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(text.encode()).hexdigest() == e.entry_hash
        assert (
            entry_hash(
                e.id,
                e.conference_id,
                e.actor,
                e.action,
                json.loads(e.details),
                e.created_dt,
                e.prev_hash,
            )
            == e.entry_hash
        )


def test_locked_result_carries_the_ballots_digest(
    app: Flask, locked_conference: dict[str, Any]
) -> None:
    with app.app_context():
        conference = db.session.scalar(
            sa.select(Conference).where(Conference.public_id == locked_conference["id"])
        )
        stored = json.loads(conference.result_json)
        assert stored["ballots_sha256"] == ballots_digest(stored_ballots(conference))
        assert stored["ballots_sha256"] == ballots_digest(stored["decide_input"]["ballots"])


def test_verify_passes_on_an_untouched_database(
    app: Flask, locked_conference: dict[str, Any]
) -> None:
    result = verify(app)
    assert result.exit_code == 0, result.output
    n = len(entries(app))
    assert f"audit chain intact: {n} entries, 1 locked results" in result.output


def _entry_id(app: Flask, action: str) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.min(AuditEntry.id)).where(AuditEntry.action == action)
        )


def _execute(app: Flask, sql: str, **params: Any) -> None:
    with app.app_context():
        assert db.session.execute(sa.text(sql), params).rowcount == 1
        db.session.commit()


def tamper_details(app: Flask, conf: dict[str, Any]) -> str:
    entry = _entry_id(app, "attendance.set")
    _execute(
        app,
        "UPDATE audit_entries SET details = :d WHERE id = :id",
        d='{"absent":1,"present":6,"unmarked":0}',
        id=entry,
    )
    return f"audit entry {entry} (attendance.set): hash mismatch"


def tamper_delete(app: Flask, conf: dict[str, Any]) -> str:
    entry = _entry_id(app, "token.voided")
    _execute(app, "DELETE FROM audit_entries WHERE id = :id", id=entry)
    return f"audit entry {entry + 1} (ballot.closed): expected entry {entry} here"


def tamper_rehash(app: Flask, conf: dict[str, Any]) -> str:
    """Edit an entry and recompute its own hash: the next entry's link breaks."""
    entry = _entry_id(app, "ballot.closed")
    with app.app_context():
        row = db.session.get(AuditEntry, entry)
        row.details = '{"ballots_received":6,"tokens_issued":8,"tokens_voided":1}'
        row.entry_hash = entry_hash(
            row.id,
            row.conference_id,
            row.actor,
            row.action,
            json.loads(row.details),
            row.created_dt,
            row.prev_hash,
        )
        db.session.commit()
    return f"audit entry {entry + 1} (head.decided): prev_hash does not match entry {entry}"


def tamper_ballot(app: Flask, conf: dict[str, Any]) -> str:
    _execute(
        app,
        "UPDATE ballots SET choices = :new WHERE choices = :old",
        new='{"p1":["c1","c3"]}',
        old='{"p1":["c2","c3"]}',
    )
    return f"conference {conf['id']} (id {conference_id(app, conf['id'])}): ballots differ"


def tamper_result_json(app: Flask, conf: dict[str, Any]) -> str:
    with app.app_context():
        conference = db.session.scalar(
            sa.select(Conference).where(Conference.public_id == conf["id"])
        )
        conference.result_json = conference.result_json.replace('"agree":6', '"agree":7', 1)
        db.session.commit()
    return f"conference {conf['id']} (id {conference_id(app, conf['id'])}): result digest mismatch"


def tamper_result_and_digest(app: Flask, conf: dict[str, Any]) -> str:
    """Rewrite the result and its digest consistently: the audit chain still disagrees."""
    from voting.conferences.results import sha256_hex

    with app.app_context():
        conference = db.session.scalar(
            sa.select(Conference).where(Conference.public_id == conf["id"])
        )
        text = conference.result_json.replace('"chair":"Nguyễn Văn Vũ"', '"chair":"Người khác"')
        assert text != conference.result_json
        conference.result_json = text
        conference.result_sha256 = sha256_hex(text)
        db.session.commit()
    return "result digest differs from the one the audit chain recorded"


def tamper_delete_ballot(app: Flask, conf: dict[str, Any]) -> str:
    with app.app_context():
        ballot_id = db.session.scalar(
            sa.select(Ballot.id).where(Ballot.choices == '{"p1":["c2","c3"]}')
        )
    _execute(app, "DELETE FROM ballots WHERE id = :id", id=ballot_id)
    return "6 ballots, 7 receipts and 7 used tokens but the counter says 7"


@pytest.mark.parametrize(
    "tamper",
    [
        tamper_details,
        tamper_delete,
        tamper_rehash,
        tamper_ballot,
        tamper_result_json,
        tamper_result_and_digest,
        tamper_delete_ballot,
    ],
    ids=lambda f: f.__name__.removeprefix("tamper_"),
)
def test_verify_names_the_first_break(
    app: Flask, locked_conference: dict[str, Any], tamper: Callable[..., str]
) -> None:
    assert verify(app).exit_code == 0
    expected = tamper(app, locked_conference)
    result = verify(app)
    assert result.exit_code == 1, result.output
    assert "audit chain intact" not in result.output
    first = result.output.splitlines()[0]
    assert first.startswith("broken: ")
    assert expected in first, result.output


def test_concurrent_appends_keep_one_chain(app: Flask) -> None:
    """20 logins at once: 20 entries, consecutive ids, one unbroken chain (no fork)."""
    before = len(entries(app))
    barrier = threading.Barrier(20)
    statuses: list[int] = []

    def log_in() -> None:
        client = app.test_client()
        barrier.wait()
        r = client.post("/api/v1/session", json={"username": "chair", "password": "chair-password"})
        statuses.append(r.status_code)

    threads = [threading.Thread(target=log_in) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 20
    log = entries(app)
    assert len(log) == before + 20
    assert [e.id for e in log] == list(range(1, len(log) + 1))
    assert all(e.prev_hash == p.entry_hash for p, e in itertools.pairwise(log))
    assert verify(app).exit_code == 0
