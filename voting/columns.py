"""Column patterns several models share, written once.

Each factory returns exactly the column or relationship the models spelt out
before, so the schema (and the migrations that build it) stays as it was.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so


def parent_id(table: str) -> so.MappedColumn[Any]:
    """The id of the row this one belongs to: deleted with it, indexed to list its rows."""
    return so.mapped_column(sa.ForeignKey(f"{table}.id", ondelete="CASCADE"), index=True)


def owned(back_populates: str, order_by: str) -> so.Relationship[Any]:
    """The rows that belong to this one, in ``order_by``: they go when it goes."""
    return so.relationship(
        back_populates=back_populates, order_by=order_by, cascade="all, delete-orphan"
    )


class Particulars:
    """Who a person is, as lists and minutes print them (a mixin of person rows)."""

    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    birth_year: so.Mapped[int | None] = so.mapped_column()
    #: Month of birth (1–12); the retirement month needs it.
    birth_month: so.Mapped[int | None] = so.mapped_column()
    sex: so.Mapped[str | None] = so.mapped_column(sa.String(8))
