"""The generated OpenAPI document: the same operations as the hand-written one, and real
answers that fit the schemas generated from the models."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from werkzeug.test import TestResponse

from tests.conftest import Api, conference_payload, token_of
from voting.api.openapi import openapi_document
from voting.api.schemas.base import REF_TEMPLATE, OpenApiSchema
from voting.api.schemas.conference import Conference

PREFIX = "/api/v1"
#: A ranked step, so that a tie needs the head of unit's decision.
STEP = ("cuc", "term", "B5")
#: (method path) -> status -> error codes, as the hand-written document listed them
#: before the schemas were generated (commit 0638754).
OPERATIONS = json.loads((Path(__file__).parent / "openapi_operations.json").read_text())


def test_same_operations_statuses_and_error_codes_as_the_hand_written_document() -> None:
    document = openapi_document()
    listed = {
        f"{method.upper()} {path}": {
            status: response.get("x-error-codes", [])
            for status, response in operation["responses"].items()
        }
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method != "parameters"
    }
    assert listed == OPERATIONS


def test_components_are_the_models_json_schema() -> None:
    components = openapi_document()["components"]["schemas"]
    generated = Conference.model_json_schema(
        ref_template=REF_TEMPLATE, schema_generator=OpenApiSchema, mode="serialization"
    )
    nested = generated.pop("$defs")
    assert components["Conference"] == generated
    for name, schema in nested.items():
        assert components[name] == schema, name


# ------------------------------------------------------- real answers


class Checked:
    """Sends requests and checks each answer against the document's operation."""

    def __init__(self, client: FlaskClient, csrf: str = "") -> None:
        self.client = client
        self.csrf = csrf
        self.document = openapi_document()
        self.seen: set[str] = set()

    def operation(self, method: str, url: str) -> dict[str, Any]:
        path = url.removeprefix(PREFIX).split("?")[0]
        for template, item in self.document["paths"].items():
            if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path) and method in item:
                return item[method]
        raise AssertionError(f"{method} {url} is not in the document")

    def __call__(self, method: str, url: str, body: Any = None, **kw: Any) -> TestResponse:
        headers = {"X-CSRFToken": self.csrf} if self.csrf else {}
        if body is not None:
            kw["json"] = body
        r = self.client.open(url, method=method.upper(), headers=headers, **kw)
        operation = self.operation(method, url)
        status = str(r.status_code)
        assert status in operation["responses"], (method, url, status, r.get_data(as_text=True))
        response = operation["responses"][status]
        if "application/json" in response.get("content", {}):
            schema = response["content"]["application/json"]["schema"]
            root = {"components": self.document["components"], **schema}
            validator = Draft202012Validator(
                root, format_checker=Draft202012Validator.FORMAT_CHECKER
            )
            errors = [
                f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(r.get_json())
            ]
            assert not errors, (method, url, errors[:5])
        if r.status_code >= 400:
            assert r.get_json()["error"]["code"] in response["x-error-codes"]
        self.seen.add(operation["operationId"])
        return r


@pytest.fixture
def chair(app: Flask) -> Checked:
    api = Api(app.test_client()).login("chair", "chair-password")
    return Checked(api.client, api.csrf)


def _tie_choice(result: dict[str, Any]) -> dict[str, list[str]]:
    """The head's choice for every tie the decision leaves open."""
    return {
        p["id"]: p["tied"][: p["open_seats"]]
        for p in result["decision"]["positions"]
        if p["needs_head_decision"]
    }


def test_a_whole_conference_answers_as_documented(app: Flask, chair: Checked) -> None:
    anonymous = Checked(app.test_client())
    assert anonymous("get", f"{PREFIX}/session").get_json()["user"] is None
    anonymous("post", f"{PREFIX}/session", {"username": "chair", "password": "wrong"})
    anonymous("get", f"{PREFIX}/conferences")
    chair("get", f"{PREFIX}/session")
    chair("get", f"{PREFIX}/ruleset")

    conf = chair("post", f"{PREFIX}/conferences", conference_payload(step=STEP)).get_json()
    url = f"{PREFIX}/conferences/{conf['id']}"
    chair("get", f"{PREFIX}/conferences")
    chair("patch", url, {"place": "Phòng họp số 2"})
    chair("patch", url, {"step": "B5"})  # refused: the step is fixed
    rows = [{"person_id": p["id"], "present": True} for p in conf["people"]]
    chair("put", f"{url}/attendance", {"attendance": rows})
    chair("post", f"{url}/lock")  # refused: still a draft
    tokens = chair("post", f"{url}/open").get_json()["tokens"]
    chair("get", f"{url}/handout")
    shown = chair("post", f"{url}/handout/next", {}).get_json()
    chair("get", f"{url}/handout", query_string={"token_id": shown["token_id"]})
    replacement = chair("post", f"{url}/tokens/void", {"code": tokens[-1]["code"]})
    tokens[-1] = replacement.get_json()["replacement"]

    # c1 six times, c2 and c3 four times each: a tie for the second seat (B5 is ranked).
    ballots = [["c1", "c2"]] * 3 + [["c1", "c3"]] * 3 + [["c2", "c3"]]
    for slip, agreed in zip(tokens, ballots, strict=True):
        anonymous("get", f"{PREFIX}/ballots/{token_of(slip)}")
        cast = {"token": token_of(slip), "choices": {"p1": agreed}}
        anonymous("post", f"{PREFIX}/ballots", cast)
    anonymous("post", f"{PREFIX}/ballots", cast)  # refused: already recorded
    chair("get", f"{url}/tally")
    chair("get", f"{url}/result")  # refused: not closed
    chair("post", f"{url}/close")
    chair("post", f"{url}/paper/finish")  # refused: no paper ballots

    preview = chair("get", f"{url}/result").get_json()
    assert preview["locked"] is False
    choice = _tie_choice(preview["result"])
    assert choice, "the ballots leave a tie"
    chair("post", f"{url}/head-decision", {"decided_by": "Nguyễn Văn Vũ", "choice": {}})
    chair("post", f"{url}/head-decision", {"decided_by": "Nguyễn Văn Vũ", "choice": choice})
    chair("put", f"{url}/minutes/record", {"agenda": "Bầu cử", "ended_at": "16:30", "copies": 3})
    chair("get", f"{url}/minutes/record")
    chair("post", f"{url}/minutes/notes", {"text": "Ghi chú"})  # refused: not locked
    chair("post", f"{url}/lock")
    locked = chair("get", f"{url}/result").get_json()
    assert locked["locked"] is True and locked["sha256"]
    chair("post", f"{url}/minutes/notes", {"text": "Ghi chú sau khi khóa"})
    chair("get", f"{url}/minutes/notes")
    chair("get", url)
    chair("delete", f"{PREFIX}/session")

    every = {
        op["operationId"]
        for item in chair.document["paths"].values()
        for method, op in item.items()
        # The processes' own tests (tests/api/test_processes.py, test_planning_flows.py)
        # check theirs, the planning list's and the register's.
        if method != "parameters" and op["tags"][0] not in ("processes", "planning", "register")
    }
    assert every - (chair.seen | anonymous.seen) <= {"getOpenApi"}
