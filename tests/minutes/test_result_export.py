"""The locked JSON export embeds the decision input; `voting decide` reproduces it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask

from tests.conftest import Api, token_of
from voting.conferences.models import Conference
from voting.conferences.results import verify_locked
from voting.extensions import db


def locked_conference(app: Flask, chair_api: Api, make: Callable[..., dict[str, Any]]) -> dict:
    conf = make(step=("cuc", "term", "B5"), summoned=7)
    phone = app.test_client()
    plan = [["c1", "c2"]] * 3 + [["c1", "c3"]] * 3 + [["c2", "c3"]]
    for url, choice in zip(conf["tokens"], plan, strict=True):
        phone.post("/api/v1/ballots", json={"token": token_of(url), "choices": {"p1": choice}})
    base = f"/api/v1/conferences/{conf['id']}"
    chair_api.post(f"{base}/close")
    chair_api.post(
        f"{base}/head-decision", json={"decided_by": "Cục trưởng", "choice": {"p1": ["c2"]}}
    )
    assert chair_api.post(f"{base}/lock").status_code == 200
    return conf


def test_voting_decide_reproduces_the_locked_decision(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = locked_conference(app, chair_api, create_conference)
    exported = json.loads(chair_api.get(f"/c/{conf['id']}/result.json").get_data())
    run = subprocess.run(
        [sys.executable, "-m", "voting.cli", "decide"],
        input=json.dumps(exported["decide_input"]),
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == exported["decision"]
    assert exported["decision"]["positions"][0]["head_decision"] == ["c2"]


def test_tampering_with_a_locked_result_is_detected(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = locked_conference(app, chair_api, create_conference)
    with app.app_context():
        conference = db.session.scalar(
            sa.select(Conference).where(Conference.public_id == conf["id"])
        )
        assert verify_locked(conference) == []
        # Someone edits one stored ballot behind the application's back.
        db.session.execute(
            sa.text(
                'UPDATE ballots SET choices = \'{"p1":["c1","c3"]}\' '
                'WHERE choices = \'{"p1":["c2","c3"]}\''
            )
        )
        db.session.commit()
        assert "ballots differ from the locked result" in verify_locked(conference)
        # …or the stored result text itself.
        conference.result_json = conference.result_json.replace('"agree":6', '"agree":7', 1)
        db.session.commit()
        assert "result digest mismatch" in verify_locked(conference)
    html = chair_api.get(f"/c/{conf['id']}/minutes/counting").get_data(as_text=True)
    assert "result digest mismatch" in html
