"""The audit chain: one entry per state change, none per ballot; any edit is found."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask

from tests.ballots.test_paper_and_booth import issue_pins
from tests.conftest import Api, conference_payload, token_of
from voting.audit.models import ACTIONS, GENESIS, AuditEntry
from voting.audit.operations import keyed_hash
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
    pins = issue_pins(chair_api, conf["id"])  # each member enters with their own PIN
    assert chair_api.post(f"/api/v1/conferences/{conf['id']}/close").status_code == 200
    url = f"/c/{conf['id']}/paper/entry"
    for member, mark in (("Người dự 1", "p1.c1"), ("Người dự 2", "p1.c1")):
        assert form_post(chair_api, url, {"pin": pins[member], "mark": mark}).status_code == 302
    for member, mark in (("Người dự 1", "p1.c1"), ("Người dự 2", "p1.c2")):
        assert form_post(chair_api, url, {"pin": pins[member], "mark": mark}).status_code == 302
    state = chair_api.get(f"/api/v1/conferences/{conf['id']}").get_json()
    assert (state["paper_entered"], state["tokens"]["paper"]) == (1, 2)
    # The other paper ballot never comes back: the committee says so.
    assert chair_api.post(f"/api/v1/conferences/{conf['id']}/paper/finish").status_code == 200


#: Actions of a process whose vote carried nobody: that needs a whole vote that fails,
#: so tests/planning/test_stalled.py drives them and reads each one back from the chain.
STALLED_PROCESS = {"step.repeated", "step.skipped", "position.ended"}


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
    assert set(actions) == set(ACTIONS) - STALLED_PROCESS, set(ACTIONS) - set(actions)
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
        # The counting committee as it opened (names only; no one kept despite a flag).
        "committee": ["Người dự 1", "Người dự 2"],
        "committee_kept": [],
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
    """The documented recipe: HMAC-SHA-256, under the key file, of the format-2 array."""
    import hashlib
    import hmac
    from pathlib import Path

    key = json.loads((Path(app.instance_path) / "audit_key").read_text())
    assert key["legacy_entries"] == 0 and key["legacy_head"] == GENESIS
    for e in entries(app):
        assert e.version == 2
        array = [
            2,
            e.id,
            e.conference_id,
            e.actor,
            e.action,
            json.loads(e.details),
            e.created_dt.isoformat(timespec="microseconds"),
            e.prev_hash,
        ]
        text = json.dumps(array, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        mac = hmac.new(bytes.fromhex(key["key"]), text.encode(), hashlib.sha256)
        assert mac.hexdigest() == e.entry_hash
        assert (
            keyed_hash(
                bytes.fromhex(key["key"]),
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


# The tamper cases (edited, deleted, re-hashed entries, ballots, results …): test_tamper.py.


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
