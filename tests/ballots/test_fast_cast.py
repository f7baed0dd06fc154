"""The server's fast cast path answers a recorded cast as the API's view does, and
hands every refusal and every other request to the app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import Client

from tests.ballots.test_casting import counts
from tests.conftest import token_of
from voting.server import room_application


@pytest.fixture
def served(app: Flask, monkeypatch: pytest.MonkeyPatch) -> tuple[Client, list[str]]:
    """A client of what ``voting serve`` runs, and the paths the Flask app itself saw."""
    seen: list[str] = []
    flask_wsgi = app.wsgi_app

    def counted(environ: dict[str, Any], start_response: Any) -> Any:
        seen.append(environ["PATH_INFO"])
        return flask_wsgi(environ, start_response)

    monkeypatch.setattr(app, "wsgi_app", counted)
    return Client(room_application(app)), seen


def test_a_recorded_cast_gets_the_views_answer_without_flask(
    app: Flask,
    create_conference: Callable[..., dict[str, Any]],
    served: tuple[Client, list[str]],
) -> None:
    conf = create_conference(summoned=3)
    fast, seen = served
    a, b = (token_of(t) for t in conf["tokens"][:2])
    by_view = app.test_client().post("/api/v1/ballots", json={"token": a, "choices": {"p1": []}})
    seen.clear()
    by_fast = fast.post("/api/v1/ballots", json={"token": b, "choices": {"p1": ["c1"]}})
    assert seen == []  # Flask never saw it
    assert by_fast.status_code == by_view.status_code == 201
    assert sorted(by_fast.headers.items()) == sorted(by_view.headers.items())
    assert by_fast.get_json()["status"] == "recorded"
    assert len(by_fast.get_data()) == len(by_view.get_data())
    assert counts(app) == (2, 2, 2, 1)


@pytest.mark.parametrize(
    "body, expected",
    [
        ({"token": "used", "choices": {"p1": ["c1"]}}, "already_recorded"),
        ({"token": "fresh", "choices": {"p9": ["c1"]}}, "unknown_position"),
        ({"token": "not-a-token", "choices": {}}, "invalid_token"),
        ({"token": "fresh", "choices": {}, "note": "\ud800"}, "invalid_json"),
        ({"choices": {}}, "invalid_token"),
    ],
)
def test_a_refusal_is_the_apps_own_answer_and_keeps_nothing(
    app: Flask,
    create_conference: Callable[..., dict[str, Any]],
    served: tuple[Client, list[str]],
    body: dict[str, Any],
    expected: str,
) -> None:
    conf = create_conference(summoned=3)
    fast, seen = served
    used, fresh = (token_of(t) for t in conf["tokens"][:2])
    assert fast.post("/api/v1/ballots", json={"token": used, "choices": {}}).status_code == 201
    names = {"used": used, "fresh": fresh}
    if "token" in body:
        body = {**body, "token": names.get(body["token"], body["token"])}
    seen.clear()
    r = fast.post("/api/v1/ballots", json=body, headers={"Accept-Language": "vi"})
    assert seen == ["/api/v1/ballots"]  # the app answered, with its body restored
    assert r.get_json()["error"]["code"] == expected
    assert counts(app) == (1, 1, 1, 0)


def test_other_requests_are_the_apps(
    app: Flask,
    create_conference: Callable[..., dict[str, Any]],
    served: tuple[Client, list[str]],
) -> None:
    conf = create_conference(summoned=3)
    fast, seen = served
    token = token_of(conf["tokens"][0])
    cast = {"token": token, "choices": {}}
    seen.clear()
    assert fast.get("/healthz").status_code == 200
    # A form post and a query string go the long way; the view still records the cast.
    assert fast.post("/api/v1/ballots", data={"token": token}).status_code == 400
    assert fast.post("/api/v1/ballots?lang=vi", json=cast).status_code == 201
    assert seen == ["/healthz", "/api/v1/ballots", "/api/v1/ballots"]
    assert counts(app) == (1, 1, 1, 0)
