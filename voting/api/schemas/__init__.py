"""The JSON shapes of /api/v1 as pydantic models, and their JSON Schema for OpenAPI.

:func:`component_schemas` turns the models the operations name into the
document's ``components/schemas``: request bodies in pydantic's validation mode,
answers in its serialization mode, every nested model one component by its
class name.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from voting.api.schemas.base import REF_TEMPLATE, OpenApiSchema, Schema


def component_schemas(
    models: Iterable[tuple[type[BaseModel], JsonSchemaMode]],
) -> dict[str, Schema]:
    """``components/schemas`` for ``models`` (and everything they contain)."""
    _, top = models_json_schema(
        list(dict.fromkeys(models)), ref_template=REF_TEMPLATE, schema_generator=OpenApiSchema
    )
    return dict(top.get("$defs", {}))
