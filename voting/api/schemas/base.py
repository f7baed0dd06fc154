"""What every API model shares: the JSON Schema generator and the common value types.

The OpenAPI document is 3.1, whose Schema Object is JSON Schema 2020-12: what
pydantic writes, with ``$defs`` gathered under ``components/schemas``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import (
    CoreModeRef,
    CoreRef,
    DefsRef,
    GenerateJsonSchema,
    JsonSchemaValue,
    SkipJsonSchema,
)
from pydantic_core import CoreSchema, core_schema

Schema = dict[str, Any]

COMPONENTS = "#/components/schemas/"
REF_TEMPLATE = COMPONENTS + "{model}"

#: Component names for models whose class name would collide or say less: the locked
#: result document's parts (:mod:`voting.conferences.document`), by class.
RENAMED = {
    "voting.conferences.document.ResultDocument": "Result",
    "voting.conferences.document.DecisionResult": "Decision",
    "voting.conferences.document.Attendance": "ResultAttendance",
    "voting.conferences.document.Tokens": "ResultTokens",
}


def ref(name: str) -> Schema:
    return {"$ref": COMPONENTS + name}


class OpenApiSchema(GenerateJsonSchema):
    """Pydantic's generator, minus a title on every property (the name says it).

    A model's docstring is its description, as one paragraph (wrapped lines joined).
    """

    def field_title_should_be_set(self, schema: CoreSchema) -> bool:
        return False

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        json_schema = super().model_schema(schema)
        if isinstance(json_schema.get("description"), str):
            json_schema["description"] = " ".join(json_schema["description"].split())
        return json_schema

    def get_defs_ref(self, core_mode_ref: CoreModeRef) -> DefsRef:
        core_ref, mode = core_mode_ref
        qualname, _, ident = core_ref.rpartition(":")
        if qualname in RENAMED:
            core_ref = CoreRef(f"{RENAMED[qualname]}:{ident}")
        return super().get_defs_ref((core_ref, mode))


class ApiModel(BaseModel):
    """A JSON shape of /api/v1; its docstring is the schema's description."""


def _no_default(schema: Schema) -> None:
    schema.pop("default", None)


#: A key the JSON leaves out unless it applies (never ``null``).
Absent = SkipJsonSchema[None]


def omitted(description: str | None = None) -> Any:
    """A key that may be missing (an answer's that applies only sometimes, a body's the
    client may leave out): not required, and no default shown."""
    return Field(None, description=description, json_schema_extra=_no_default)


THRESHOLD_NOTE = "Exact fraction of the base, e.g. `2/3`."
BASE_NOTE = "Whom the threshold counts against: people present (frozen at opening) or summoned."
PERCENT_NOTE = "Percent of the base, two decimals rounded half-up."
CHOICES_NOTE = 'Position id → ids of the candidates agreed with (e.g. `{"p1": ["c2"]}`).'

Status = Annotated[
    Literal["draft", "open", "closed", "locked"], Field(description="Life cycle of a conference.")
]
Role = Literal["chair", "secretary", "admin"]
CommitteeRole = Literal["head", "member"]
Threshold = Annotated[
    str, Field(description=THRESHOLD_NOTE, pattern=r"^\d+/\d+$", examples=["1/2"])
]
Comparison = Literal[">=", ">"]
Base = Annotated[Literal["present", "summoned"], Field(description=BASE_NOTE)]
Percent = Annotated[str, Field(description=PERCENT_NOTE, examples=["66.67"])]
Choices = Annotated[dict[str, list[str]], Field(description=CHOICES_NOTE)]


Localized = dict[str, str]


def localized(description: str) -> Any:
    return Field(description=f"{description} Keyed by locale (`vi`, `en`).")


#: The text fields of the set-up: at most 300 characters.
Text = Annotated[str, Field(max_length=300)]
