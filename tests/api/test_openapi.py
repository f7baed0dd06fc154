"""The OpenAPI document: served, valid, self-consistent, and in step with the routes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from voting.api.openapi import openapi_document

PREFIX = "/api/v1"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
IMPLICIT = {"HEAD", "OPTIONS"}  # added by Flask to every rule


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    r = client.get(f"{PREFIX}/openapi.json")
    assert r.status_code == 200
    return r.get_json()


def test_served_as_json(client: FlaskClient) -> None:
    r = client.get(f"{PREFIX}/openapi.json")
    assert r.status_code == 200
    assert r.mimetype == "application/json"
    doc = r.get_json()
    assert doc["openapi"] == "3.1.0"
    assert doc["info"] == {
        **doc["info"],
        "title": "Secret-ballot conference voting (QT.NB.03)",
        "version": "1",
    }
    assert doc["servers"] == [{"url": PREFIX}]
    assert doc == openapi_document()


def _app_operations(app: Flask) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/") or rule.rule == f"{PREFIX}/openapi.json":
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(PREFIX) :])
        routes.setdefault(path, set()).update(m.lower() for m in (rule.methods or ()) - IMPLICIT)
    return routes


def _doc_operations(doc: dict[str, Any]) -> dict[str, set[str]]:
    return {
        path: {m for m in item if m in HTTP_METHODS}
        for path, item in doc["paths"].items()
        if path != "/openapi.json"
    }


def test_paths_match_url_map(app: Flask, document: dict[str, Any]) -> None:
    app_ops = _app_operations(app)
    assert app_ops, "no /api/v1 routes found"
    assert _doc_operations(document) == app_ops
    assert "get" in document["paths"]["/openapi.json"]


def test_paths_are_relative_to_server(document: dict[str, Any]) -> None:
    for path in document["paths"]:
        assert path.startswith("/") and not path.startswith(PREFIX), path


def test_document_validates(document: dict[str, Any]) -> None:
    validate(document)


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(doc: dict[str, Any], pointer: str) -> Any:
    assert pointer.startswith("#/"), f"non-local $ref {pointer}"
    node: Any = doc
    for part in pointer[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"unresolved $ref {pointer}"
        node = node[part]
    return node


def test_every_ref_resolves(document: dict[str, Any]) -> None:
    refs = set(_refs(document))
    assert refs
    for pointer in refs:
        _resolve(document, pointer)


def test_required_schemas_and_security(document: dict[str, Any]) -> None:
    components = document["components"]
    for name in (
        "Error",
        "Conference",
        "ConferenceInput",
        "Attendance",
        "Tokens",
        "Tally",
        "Decision",
        "Result",
        "BallotDefinition",
        "CastRequest",
        "CastResponse",
        "Ruleset",
        "Session",
    ):
        assert name in components["schemas"], name
    schemes = components["securitySchemes"]
    assert schemes["session"] == {
        **schemes["session"],
        "type": "apiKey",
        "in": "cookie",
        "name": "session",
    }
    assert schemes["csrf"] == {
        **schemes["csrf"],
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRFToken",
    }


def test_operations_are_complete(document: dict[str, Any]) -> None:
    ids = []
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            ids.append(op["operationId"])
            assert op.get("summary"), (path, method)
            assert any(s.startswith("2") for s in op["responses"]), (path, method)
            if method in ("post", "put", "patch", "delete"):
                needs_csrf = (path, method) not in {("/session", "post"), ("/ballots", "post")}
                has_csrf = any("csrf" in req for req in op["security"])
                assert has_csrf == needs_csrf, (path, method)
    assert len(ids) == len(set(ids))


def _codes(op: dict[str, Any]) -> dict[str, set[str]]:
    return {
        status: set(response.get("x-error-codes", ()))
        for status, response in op["responses"].items()
        if status.startswith("4")
    }


def test_cast_ballot_error_codes(document: dict[str, Any]) -> None:
    codes = _codes(document["paths"]["/ballots"]["post"])
    assert codes == {
        "400": {"invalid_token", "invalid_choices", "invalid_json"},
        "404": {"unknown_token", "unknown_code"},
        "409": {"already_recorded", "ballot_closed", "ballot_not_open", "slip_taken"},
        "410": {"token_void"},
        "413": {"request_too_large"},
        "422": {"unknown_position", "unknown_candidate", "duplicate_candidate", "over_quota"},
    }
    for status, response in document["paths"]["/ballots"]["post"]["responses"].items():
        for code in codes.get(status, ()):
            assert f"`{code}`" in response["description"]


def test_documented_errors_match_real_answers(
    client: FlaskClient, document: dict[str, Any]
) -> None:
    """A few real refusals carry a code the document lists for that status."""
    paths = document["paths"]
    cases = [
        ("post", "/ballots", {"json": {"token": "not-a-token", "choices": {}}}),
        ("post", "/ballots", {"data": "[", "content_type": "application/json"}),
        ("get", "/ballots/{credential}", {}),
        ("get", "/ballots/{credential}", {"code": "ABCDE-FGHJK"}),
        ("get", "/conferences", {}),
        ("post", "/session", {"json": {"username": "chair", "password": "wrong"}}),
        ("delete", "/session", {}),
    ]
    for method, path, kw in cases:
        credential = kw.pop("code", "not-a-signed-token")
        url = PREFIX + path.replace("{credential}", credential)
        r = getattr(client, method)(url, **kw)
        assert 400 <= r.status_code < 500, (method, path, r.status_code)
        code = r.get_json()["error"]["code"]
        listed = _codes(paths[path][method]).get(str(r.status_code), set())
        assert code in listed, (method, path, r.status_code, code)
