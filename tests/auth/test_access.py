"""Who may open which page: login everywhere but the ballot, chairs only their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.conftest import Api

CHAIR_PAGES = [
    "/c/{id}",
    "/c/{id}/edit",
    "/c/{id}/projector",
    "/c/{id}/handout/sheet",
    "/c/{id}/handout/kiosk",
    "/api/v1/conferences/{id}",
    "/api/v1/conferences/{id}/tally",
]


@pytest.mark.parametrize("path", ["/", "/conferences/new", "/users", "/account", *CHAIR_PAGES])
def test_login_required(
    app: Flask, create_conference: Callable[..., dict[str, Any]], path: str
) -> None:
    conf = create_conference(summoned=2)
    r = app.test_client().get(path.format(id=conf["id"]))
    if path.startswith("/api/"):
        assert r.status_code == 401 and r.get_json()["error"]["code"] == "login_required"
    else:
        assert r.status_code == 302 and "/login" in r.headers["Location"]


@pytest.mark.parametrize("path", CHAIR_PAGES)
def test_another_chair_sees_nothing(
    app: Flask, create_conference: Callable[..., dict[str, Any]], path: str
) -> None:
    conf = create_conference(summoned=2)
    other = Api(app.test_client()).login("other", "other-password")
    assert other.get(path.format(id=conf["id"])).status_code == 404


def test_another_chair_cannot_act(
    app: Flask, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=2)
    other = Api(app.test_client()).login("other", "other-password")
    for action in ("close", "lock", "open"):
        r = other.post(f"/api/v1/conferences/{conf['id']}/{action}")
        assert r.status_code == 404


def test_secretary_reads_but_does_not_run(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=2, open_it=False)
    chair_api.patch(f"/api/v1/conferences/{conf['id']}", json={"secretary_username": "secretary"})
    secretary = Api(app.test_client()).login("secretary", "secretary-password")
    assert secretary.get(f"/api/v1/conferences/{conf['id']}").status_code == 200
    r = secretary.post(f"/api/v1/conferences/{conf['id']}/open")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
    assert secretary.post("/api/v1/conferences", json={}).status_code == 403


def test_form_posts_need_the_csrf_token(
    app: Flask, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=2)
    client = app.test_client()
    client.post("/login", data={"username": "chair", "password": "chair-password"})
    r = client.post(f"/c/{conf['id']}/close")
    assert r.status_code == 400
    api = Api(client)
    r = client.post(f"/api/v1/conferences/{conf['id']}/close")
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "csrf_failed"
    assert api  # the same call with the token is covered by every flow test


def test_login_is_rate_limited(app: Flask) -> None:
    client = app.test_client()
    for _ in range(10):
        r = client.post("/api/v1/session", json={"username": "chair", "password": "wrong"})
        assert r.status_code == 401
    r = client.post("/api/v1/session", json={"username": "chair", "password": "chair-password"})
    assert r.status_code == 429


def test_login_page_logs_in(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    r = client.post(
        "/login",
        data={"username": "chair", "password": "chair-password", "csrf_token": token.group(1)},
    )
    assert r.status_code == 302
    assert client.get("/").status_code == 200


def test_change_own_password(app: Flask) -> None:
    import re

    client = app.test_client()
    client.post("/api/v1/session", json={"username": "chair", "password": "chair-password"})
    page = client.get("/account").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    wrong = client.post(
        "/account",
        data={"current": "nope-nope", "password": "new-password-1", "csrf_token": token.group(1)},
    )
    assert wrong.status_code == 200 and "Mật khẩu hiện tại không đúng." in wrong.get_data(
        as_text=True
    )
    r = client.post(
        "/account",
        data={
            "current": "chair-password",
            "password": "new-password-1",
            "csrf_token": token.group(1),
        },
    )
    assert r.status_code == 302
    fresh = app.test_client()
    assert (
        fresh.post(
            "/api/v1/session", json={"username": "chair", "password": "new-password-1"}
        ).status_code
        == 200
    )
    assert (
        fresh.post(
            "/api/v1/session", json={"username": "chair", "password": "chair-password"}
        ).status_code
        == 401
    )
