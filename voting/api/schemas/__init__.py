"""The JSON shapes of /api/v1 as pydantic models, and their JSON Schema for OpenAPI.

:func:`component_schemas` turns the models the operations name into the
document's ``components/schemas``: request bodies in pydantic's validation mode,
answers in its serialization mode, every nested model one component by its
class name (:data:`voting.api.schemas.base.RENAMED` names the exceptions).
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from voting.api.schemas.base import REF_TEMPLATE, OpenApiSchema, Schema, ref


def component_schemas(
    models: Iterable[tuple[type[BaseModel], JsonSchemaMode]],
) -> dict[str, Schema]:
    """``components/schemas`` for ``models`` (and everything they contain).

    The operations point at a body or an answer by its class name, so a model named
    otherwise (or split by mode into ``-Input``/``-Output``) is refused here.
    """
    wanted = list(dict.fromkeys(models))
    refs, top = models_json_schema(
        wanted, ref_template=REF_TEMPLATE, schema_generator=OpenApiSchema
    )
    for model, mode in wanted:
        if refs[model, mode] != ref(model.__name__):
            raise ValueError(f"{model.__name__} ({mode}) is {refs[model, mode]}")
    return dict(top.get("$defs", {}))
