"""Notes the secretary appends to the minutes after lock: dated, never edited."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from voting.auth.models import utcnow
from voting.extensions import Model

NOTE_LIMIT = 2000


class MinutesNote(Model):
    __tablename__ = "minutes_notes"
    repr_columns = ("id", "conference_id", "author")

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    conference_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    written_dt: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    #: The display name of the account that wrote it, as the minutes print it.
    author: so.Mapped[str] = so.mapped_column(sa.String(200))
    text: so.Mapped[str] = so.mapped_column(sa.Text)

    def to_json(self) -> dict[str, str]:
        return {
            "written_at": self.written_dt.replace(microsecond=0).isoformat() + "Z",
            "author": self.author,
            "text": self.text,
        }
