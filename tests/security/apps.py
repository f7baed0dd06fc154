"""In-process apps for the security tests, on a SQLite file or a fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask

from tests import services
from tests.conftest import Api, conference_payload
from voting import create_app
from voting.auth.operations import create_user
from voting.extensions import db

USERS = {
    "chair": ("chair-password", "chair"),
    "other": ("other-password", "chair"),
    "secretary": ("secretary-password", "secretary"),
    "admin": ("admin-password", "admin"),
}


@contextmanager
def app_on(backend: str, tmp_path: Path) -> Iterator[Flask]:
    """A migrated app with the usual four accounts; PostgreSQL gets its own database.

    PostgreSQL unreachable: the test skips with the reason, or fails under
    ``VOTING_REQUIRE_SERVICES=1``.
    """
    url = f"sqlite:///{tmp_path / 'voting.db'}"
    if backend == "postgresql":
        services.require_postgres()
        url = services.create_database("voting_security")
    try:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret-key",
                "DATABASE_URL": url,
                "PUBLIC_URL": "http://192.0.2.10:5000",
                "LIVE_TICKER": False,
            }
        )
        app.instance_path = str(tmp_path)
        with app.app_context():
            from voting.schema import upgrade

            upgrade()
            for username, (password, role) in USERS.items():
                create_user(username, password, role, username)
            db.session.commit()
        try:
            yield app
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    finally:
        if backend == "postgresql":
            services.drop_database(url)


def login(app: Flask, username: str) -> Api:
    return Api(app.test_client()).login(username, USERS[username][0])


def create_conference(
    chair: Api, *, present: int | None = None, open_it: bool = True, **kw: Any
) -> dict[str, Any]:
    """Set up a conference through the API, take attendance, optionally open it."""
    r = chair.post("/api/v1/conferences", json=conference_payload(**kw))
    assert r.status_code == 201, r.get_json()
    conf = r.get_json()
    n_present = len(conf["people"]) if present is None else present
    r = chair.put(
        f"/api/v1/conferences/{conf['id']}/attendance",
        json={
            "attendance": [
                {"person_id": p["id"], "present": i < n_present, "reason": "Đi công tác"}
                for i, p in enumerate(conf["people"])
            ]
        },
    )
    assert r.status_code == 200, r.get_json()
    conf = {**r.get_json(), "tokens": []}
    if open_it:
        r = chair.post(f"/api/v1/conferences/{conf['id']}/open")
        assert r.status_code == 200, r.get_json()
        conf = {**r.get_json()["conference"], "tokens": r.get_json()["tokens"]}
    return conf
