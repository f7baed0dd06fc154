"""Layered fixtures: an app on a temporary database file, clients, real users."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import services
from voting import create_app
from voting.auth.operations import create_user
from voting.extensions import db

#: Test folders whose database tests run on SQLite and, for real, on PostgreSQL.
BOTH_DATABASES = (
    "api",
    "conferences",
    "ballots",
    "realtime",
    "minutes",
    "auth",
    "audit",
    "migrations",
    "planning",
    "personnel",
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run the database tests of BOTH_DATABASES on both backends."""
    if "db_backend" not in metafunc.fixturenames:
        return
    folder = Path(str(metafunc.definition.path)).parent.name
    both = folder in BOTH_DATABASES and not metafunc.definition.get_closest_marker("sqlite_only")
    backends = ["sqlite", "postgresql"] if both else ["sqlite"]
    metafunc.parametrize("db_backend", backends, indirect=True)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """One migrated PostgreSQL database for the session, emptied before each test."""
    services.require_postgres()
    url = services.create_database()
    yield url
    services.drop_database(url)


@pytest.fixture
def db_backend(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The DATABASE_URL of this test: a fresh SQLite file, or the emptied PostgreSQL one."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_database")
        services.truncate_all(url)
        return url
    return f"sqlite:///{tmp_path / 'voting.db'}"


@pytest.fixture
def app(tmp_path: Path, db_backend: str) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": db_backend,
            "PUBLIC_URL": "http://192.0.2.10:5000",
            "LIVE_TICKER": False,
        }
    )
    app.instance_path = str(tmp_path)
    with app.app_context():
        from voting.schema import upgrade

        upgrade()
        create_user("chair", "chair-password", "chair", "Nguyễn Văn Chủ Trì")
        create_user("other", "other-password", "chair", "Chủ trì khác")
        create_user("secretary", "secretary-password", "secretary", "Phạm Thị Thư Ký")
        create_user("admin", "admin-password", "admin", "Quản trị")
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Api:
    """A logged-in JSON client that carries the CSRF token like the pages do."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.csrf = ""

    def login(self, username: str, password: str) -> Api:
        r = self.client.post("/api/v1/session", json={"username": username, "password": password})
        assert r.status_code == 200, r.get_json()
        self.csrf = r.get_json()["csrf_token"]
        return self

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, **kw)

    def post(self, url: str, json: Any = None, **kw: Any) -> Any:
        return self.client.post(url, json=json, headers={"X-CSRFToken": self.csrf}, **kw)

    def put(self, url: str, json: Any = None) -> Any:
        return self.client.put(url, json=json, headers={"X-CSRFToken": self.csrf})

    def patch(self, url: str, json: Any = None) -> Any:
        return self.client.patch(url, json=json, headers={"X-CSRFToken": self.csrf})


@pytest.fixture
def chair_api(app: Flask) -> Api:
    return Api(app.test_client()).login("chair", "chair-password")


def conference_payload(
    *,
    step: tuple[str, str, str] = ("cuc", "term", "B3"),
    summoned: int = 7,
    positions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    level, flow, name = step
    return {
        "level": level,
        "flow": flow,
        "step": name,
        "title": f"Hội nghị bước {name}",
        "held_on": "2026-11-23",
        "place": "Hội trường Cục",
        "locality": "Kiên Giang",
        "parent_body": "Tổng cục Thi hành án dân sự",
        "unit_name": "Cục Thi hành án dân sự tỉnh Kiên Giang",
        "chair_name": "Nguyễn Văn Vũ",
        "secretary_name": "Phạm Thị Yến",
        "people": [
            {
                "name": f"Người dự {i + 1}",
                "title": "Trưởng phòng",
                "committee_role": "head" if i == 0 else "member" if i == 1 else None,
            }
            for i in range(summoned)
        ],
        "positions": positions
        or [
            {
                "name": "Phó Cục trưởng",
                "quota": 2,
                "candidates": [
                    {"name": "Lê Thị Phương Tâm", "birth_year": 1982, "post": "Phó Trưởng phòng"},
                    {"name": "Nguyễn Hoàng Phúc", "birth_year": 1979, "post": "Trưởng phòng"},
                    {"name": "Trương Ngọc Ánh", "birth_year": 1985, "post": "Phó Chánh Văn phòng"},
                ],
            },
        ],
    }


@pytest.fixture
def create_conference(chair_api: Api) -> Callable[..., dict[str, Any]]:
    """Factory: set up a conference through the API, take attendance, optionally open it."""

    def make(*, present: int | None = None, open_it: bool = True, **kw: Any) -> dict[str, Any]:
        r = chair_api.post("/api/v1/conferences", json=conference_payload(**kw))
        assert r.status_code == 201, r.get_json()
        conf = r.get_json()
        people = conf["people"]
        n_present = len(people) if present is None else present
        r = chair_api.put(
            f"/api/v1/conferences/{conf['id']}/attendance",
            json={
                "attendance": [
                    {
                        "person_id": p["id"],
                        "present": i < n_present,
                        "reason": "" if i < n_present else "Đi công tác",
                    }
                    for i, p in enumerate(people)
                ]
            },
        )
        assert r.status_code == 200, r.get_json()
        conf = r.get_json()
        conf["tokens"] = []
        if open_it:
            r = chair_api.post(f"/api/v1/conferences/{conf['id']}/open")
            assert r.status_code == 200, r.get_json()
            body = r.get_json()
            conf = body["conference"]
            conf["tokens"] = body["tokens"]
        return conf

    return make


def token_of(url: str | dict[str, str]) -> str:
    """The signed token at the end of a ballot URL (or of an issued-token record)."""
    if isinstance(url, dict):
        url = url["url"]
    match = re.search(r"/v/([^/?#]+)$", url)
    assert match, url
    return match.group(1)
