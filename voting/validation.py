"""Reading one field of a request body: the refusals every operation shares.

Each refusal is ``422 invalid_field`` naming the field (``where`` adds the row,
"members[3].name"), with a message that is a msgid translated when shown
(``scripts/i18n.sh`` extracts ``invalid_field``'s second argument).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from voting.errors import DomainError

#: Longest text a field takes, matching its column (longer would fail on PostgreSQL).
TEXT_LIMIT = 200


def invalid_field(field: str, message: str, **params: Any) -> DomainError:
    return DomainError("invalid_field", message, 422, field=field, **params)


def field_text(
    data: dict[str, Any],
    field: str,
    *,
    required: bool = False,
    limit: int = TEXT_LIMIT,
    where: str = "",
) -> str:
    """A text field, stripped; ``None`` reads as empty."""
    name = f"{where}.{field}" if where else field
    value = data.get(field, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid_field(name, "This field must be text.")
    value = value.strip()
    if required and not value:
        raise invalid_field(name, "This field is required.")
    if len(value) > limit:
        raise invalid_field(name, "This field is too long.")
    return value


def field_date(data: dict[str, Any], field: str, *, required: bool = True) -> date | None:
    """An ISO date (YYYY-MM-DD); blank is None unless required."""
    raw = data.get(field)
    if raw in (None, "") and not required:
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise invalid_field(field, "The date must be written YYYY-MM-DD.") from None
