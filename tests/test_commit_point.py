"""One commit point (voting.effects.transaction) for every path: page, API and cast.

A refused action leaves nothing of itself and tells no live screen; a kept one tells
them once, after its commit, whichever path it came by. No module commits on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import Api, token_of
from voting.extensions import db
from voting.realtime import publisher

Notified = list[tuple[int, str]]


@pytest.fixture
def notified(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Notified:
    """Each live update as (conference id, its status as committed when it ran)."""
    calls: Notified = []

    def record(conference_id: int) -> None:
        # A connection of its own sees only what is committed.
        with db.engine.connect() as conn:
            status = conn.execute(
                sa.text("SELECT status FROM conferences WHERE id = :id"), {"id": conference_id}
            ).scalar_one()
        calls.append((conference_id, status))

    monkeypatch.setattr(publisher, "notify", record)
    return calls


def _row(app: Flask, public_id: str) -> dict[str, Any]:
    with app.app_context():
        row = db.session.execute(
            sa.text(
                "SELECT id, status, tokens_voided, ballots_received FROM conferences"
                " WHERE public_id = :p"
            ),
            {"p": public_id},
        ).one()
        audit = db.session.execute(sa.text("SELECT count(*) FROM audit_entries")).scalar_one()
        present = db.session.execute(
            sa.text(
                "SELECT count(*) FROM people JOIN conferences ON conferences.id = conference_id"
                " WHERE public_id = :p AND is_present"
            ),
            {"p": public_id},
        ).scalar_one()
    return {**row._asdict(), "audit": audit, "present": present}


def _page(api: Api, url: str, data: dict[str, str] | None = None) -> Any:
    return api.client.post(url, data=data or {}, headers={"X-CSRFToken": api.csrf})


def test_a_page_refusal_changes_nothing_and_tells_no_one(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]], notified: Notified
) -> None:
    conf = create_conference(open_it=False)
    before = _row(app, conf["id"])
    notified.clear()
    r = _page(chair_api, f"/c/{conf['id']}/close")  # a draft: not open
    assert r.status_code == 302
    assert _row(app, conf["id"]) == before
    assert notified == []


def test_a_kept_page_action_tells_the_screens_once_after_its_commit(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]], notified: Notified
) -> None:
    conf = create_conference()
    before = _row(app, conf["id"])
    notified.clear()
    r = _page(chair_api, f"/c/{conf['id']}/close")
    assert r.status_code == 302
    assert _row(app, conf["id"])["status"] == "closed"
    assert notified == [(before["id"], "closed")]


def test_an_api_refusal_rolls_back_what_it_had_flushed(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]], notified: Notified
) -> None:
    """The attendance's first row is applied (flushed) before its second is refused."""
    conf = create_conference(open_it=False, present=3)
    people = conf["people"]
    before = _row(app, conf["id"])
    notified.clear()
    r = chair_api.put(
        f"/api/v1/conferences/{conf['id']}/attendance",
        json={
            "attendance": [
                {"person_id": people[-1]["id"], "present": True},
                {"person_id": 10**9, "present": True},
            ]
        },
    )
    assert r.status_code == 422
    assert r.get_json()["error"]["code"] == "invalid_field"
    assert _row(app, conf["id"]) == before
    assert notified == []


def test_a_kept_api_action_tells_the_screens_once_after_its_commit(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]], notified: Notified
) -> None:
    conf = create_conference()
    before = _row(app, conf["id"])
    notified.clear()
    code = conf["tokens"][0]["code"]
    r = chair_api.post(f"/api/v1/conferences/{conf['id']}/tokens/void", json={"code": code})
    assert r.status_code == 200, r.get_json()
    after = _row(app, conf["id"])
    assert after["tokens_voided"] == before["tokens_voided"] + 1
    assert notified == [(before["id"], "open")]
    r = chair_api.post(f"/api/v1/conferences/{conf['id']}/lock")  # still open: refused
    assert r.status_code == 409
    assert _row(app, conf["id"]) == after
    assert notified == [(before["id"], "open")]


def test_a_cast_tells_the_screens_once_and_a_refused_one_not_at_all(
    app: Flask, create_conference: Callable[..., dict[str, Any]], notified: Notified
) -> None:
    conf = create_conference()
    before = _row(app, conf["id"])
    notified.clear()
    phone = app.test_client()
    token = token_of(conf["tokens"][0])
    r = phone.post("/api/v1/ballots", json={"token": token, "choices": {"p9": ["c1"]}})
    assert r.status_code == 422
    assert _row(app, conf["id"]) == before and notified == []
    r = phone.post("/api/v1/ballots", json={"token": token, "choices": {"p1": ["c1"]}})
    assert r.status_code == 201
    assert _row(app, conf["id"])["ballots_received"] == before["ballots_received"] + 1
    assert notified == [(before["id"], "open")]


#: Who may still commit without voting.effects.transaction(): the commit point itself.
#: (voting.ballots.recording holds transaction() under its cast lock.)
MAY_COMMIT = {"effects.py"}


def test_no_module_commits_outside_the_commit_point() -> None:
    root = Path(__file__).resolve().parent.parent / "voting"
    committing = {
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        and re.search(r"\bsession\.commit\(\)", path.read_text(encoding="utf-8"))
    }
    assert committing == MAY_COMMIT
