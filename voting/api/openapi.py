"""The OpenAPI 3.1 description of /api/v1, assembled.

The operations are the rows of :data:`voting.api.paths.OPERATIONS`; the bodies and
answers they name are pydantic models (:mod:`voting.api.schemas`) whose JSON
Schema is ``components/schemas``. Paths are relative to the single server
``/api/v1``. Every 4xx response lists the stable ``error.code`` values the
handler can return; clients match on the code, never on the (translated)
message.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from pydantic.json_schema import JsonSchemaMode

from voting.api.paths import OPERATIONS, Errors, Operation
from voting.api.schemas import component_schemas
from voting.api.schemas.base import Schema, ref
from voting.api.schemas.conference import Error
from voting.api.schemas.process import PROCESS_NAMES, PROCESS_PARAMETERS

TITLE = "Secret-ballot conference voting (QT.NB.03)"
VERSION = "3.1.0"
TAGS = (
    "session",
    "ruleset",
    "conferences",
    "ballot",
    "result",
    "voting",
    "processes",
    "planning",
    "register",
    "meta",
)

PUBLIC: list[dict[str, list[str]]] = []
SESSION: list[dict[str, list[str]]] = [{"session": []}]
SESSION_CSRF: list[dict[str, list[str]]] = [{"session": [], "csrf": []}]

HTTP_REASONS = {
    400: "Bad request",
    401: "Not logged in or wrong credentials",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict with the conference's state",
    410: "Gone",
    413: "Request body too large",
    422: "Unprocessable request",
    429: "Too many attempts",
}

#: Path parameters, by the placeholder that names them.
PATH_PARAMETERS = {
    "{public_id}": {
        "name": "public_id",
        "in": "path",
        "required": True,
        "description": "The conference's public id.",
        "schema": {"type": "string"},
    },
    "{credential}": {
        "name": "credential",
        "in": "path",
        "required": True,
        "description": "Signed ballot token (from the QR) or the slip's short code.",
        "schema": {"type": "string", "maxLength": 512},
    },
    **PROCESS_PARAMETERS,
    "{draft}": {
        "name": "draft",
        "in": "path",
        "required": True,
        "description": 'A step\'s draft and its format, as the page names it: "B5-to-trinh.pdf".',
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9-]+\\.(docx|pdf)$"},
    },
}
PARAMETER_NAMES = {
    "{public_id}": "PublicId",
    "{credential}": "Credential",
    **PROCESS_NAMES,
    "{draft}": "DraftName",
}

SECURITY_SCHEMES = {
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "session",
        "description": "Session cookie set by `POST /session`.",
    },
    "csrf": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRFToken",
        "description": (
            "The session's CSRF token (from `GET /session` or `POST /session`), "
            "required on every POST, PUT, PATCH and DELETE except `POST /session` "
            "and `POST /ballots`. A missing or wrong token gives 400 `csrf_failed`."
        ),
    },
}

NO_STORE = {"Cache-Control": {"schema": {"type": "string", "enum": ["no-store"]}}}


# ---------------------------------------------------------------- operations


def json_content(schema: Schema) -> Schema:
    return {"application/json": {"schema": schema}}


def error_response(status: int, codes: list[str]) -> Schema:
    listed = ", ".join(f"`{code}`" for code in codes)
    return {
        "description": f"{HTTP_REASONS[status]}. Error codes: {listed}.",
        "content": json_content(ref("Error")),
        "x-error-codes": codes,
    }


def success_response(op: Operation) -> Schema:
    response: Schema = {"description": op.answered}
    if op.files:
        binary = {"type": "string", "contentMediaType": "application/octet-stream"}
        response["content"] = {media: {"schema": binary} for media in op.files}
    elif op.answer is not None:
        response["content"] = json_content(ref(op.answer.__name__))
    elif op.status != 204:
        response["content"] = json_content({"type": "object"})
    if op.no_store:
        response["headers"] = NO_STORE
    return response


def request_body(op: Operation) -> Schema | None:
    if op.body is None:
        return None
    schema = ref(op.body.__name__)
    if op.body_needs:
        schema = {"allOf": [schema, {"required": list(op.body_needs)}]}
    return {"required": not op.body_optional, "content": {op.media: {"schema": schema}}}


def query_parameters(op: Operation) -> list[Schema]:
    listed = ([op.query] if op.query is not None else []) + list(op.queries)
    return [
        {
            "name": name,
            "in": "query",
            "required": False,
            "schema": {"type": "string", "maxLength": max_length},
            "description": description,
        }
        for name, max_length, description in listed
    ]


def security(op: Operation) -> list[dict[str, list[str]]]:
    if op.public:
        return PUBLIC
    return SESSION if op.method == "get" else SESSION_CSRF


def responses(op: Operation, errors: Errors) -> Schema:
    out = {str(op.status): success_response(op)}
    for status, codes in sorted(errors.items()):
        out[str(status)] = error_response(status, codes)
    return out


def operation_object(op: Operation) -> Schema:
    out: Schema = {"operationId": op.operation_id, "summary": op.summary, "tags": [op.tag]}
    if op.description:
        out["description"] = op.description
    if parameters := query_parameters(op):
        out["parameters"] = parameters
    if (body := request_body(op)) is not None:
        out["requestBody"] = body
    out["responses"] = responses(op, op.errors or {})
    out["security"] = security(op)
    return out


def path_item(path: str) -> Schema:
    """An empty path item naming the parameters its template has."""
    names = [name for key, name in PARAMETER_NAMES.items() if key in path]
    if not names:
        return {}
    return {"parameters": [{"$ref": f"#/components/parameters/{name}"} for name in names]}


def path_items(operations: tuple[Operation, ...]) -> dict[str, Schema]:
    """Operations grouped by path."""
    items: dict[str, Schema] = {}
    for op in operations:
        items.setdefault(op.path, path_item(op.path))[op.method] = operation_object(op)
    return items


# ---------------------------------------------------------------- components


def schema_models(operations: tuple[Operation, ...]) -> list[tuple[Any, JsonSchemaMode]]:
    """Every model the operations name: bodies as validated, answers as serialized."""
    models: list[tuple[Any, JsonSchemaMode]] = [(Error, "serialization")]
    for op in operations:
        if op.body is not None:
            models.append((op.body, "validation"))
        if op.answer is not None:
            models.append((op.answer, "serialization"))
    return models


def components() -> Schema:
    return {
        "schemas": component_schemas(schema_models(OPERATIONS)),
        "parameters": {PARAMETER_NAMES[key]: p for key, p in PATH_PARAMETERS.items()},
        "securitySchemes": SECURITY_SCHEMES,
    }


@cache
def _document() -> dict[str, Any]:
    return {
        "openapi": VERSION,
        "info": {
            "title": TITLE,
            "version": "1",
            "description": (
                "JSON API of the voting server. Errors are "
                '`{"error": {"code", "message", "details"?}}` with a 4xx status; '
                "`code` is stable. State changes need the session cookie and the "
                "`X-CSRFToken` header, except logging in (`POST /session`) and casting a "
                "ballot (`POST /ballots`), which need no CSRF token."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "tags": [{"name": name} for name in TAGS],
        "paths": path_items(OPERATIONS),
        "components": components(),
    }


def openapi_document() -> dict[str, Any]:
    """The document (built once; pydantic's schema generation is not free)."""

    return copy.deepcopy(_document())
