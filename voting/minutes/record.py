"""The secretary's part of the minutes: free fields before lock, dated notes after.

Before lock the free fields (agenda, remarks, the meeting's end, copies) can be edited;
lock copies them into the locked result document, so they are hashed with the numbers.
After lock nothing of the minutes can change: the secretary can only append dated notes,
which are printed after the signed text and never touch the result. No Flask import.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from voting import audit
from voting.conferences.models import Conference
from voting.errors import DomainError
from voting.extensions import db
from voting.minutes.layout import Note
from voting.minutes.models import NOTE_LIMIT, MinutesNote
from voting.minutes.words import clock_time
from voting.validation import field_int, invalid_field

FREE_TEXT_LIMIT = 4000
MAX_COPIES = 20
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _free_text(data: dict[str, Any], field: str, limit: int) -> str:
    value = data.get(field) or ""
    if not isinstance(value, str):
        raise invalid_field(field, "This field must be text.")
    value = value.replace("\r\n", "\n").strip()
    if len(value) > limit:
        raise invalid_field(field, "This field is too long.")
    return value


def _ended_at(data: dict[str, Any]) -> str:
    value = data.get("ended_at") or ""
    if not isinstance(value, str) or (value.strip() and not _CLOCK.match(value.strip())):
        raise invalid_field("ended_at", "Give the time as HH:MM, for example 16:30.")
    return value.strip()


def _copies(data: dict[str, Any]) -> int | None:
    return field_int(
        data,
        "copies",
        "The number of copies must be between 1 and 20.",
        low=1,
        high=MAX_COPIES,
        required=False,
        maximum=MAX_COPIES,
    )


def record_of(conference: Conference) -> dict[str, Any]:
    """The free fields as the result document carries them."""
    return {
        "agenda": conference.agenda or "",
        "remarks": conference.remarks or "",
        "ended_at": conference.ended_at or "",
        "copies": conference.copies,
    }


def update_record(conference: Conference, data: Any) -> None:
    """Set the free fields of the minutes; refused once the result is locked."""
    if conference.is_locked:
        raise DomainError("conference_locked", "The result is locked; nothing can change.", 409)
    if not isinstance(data, dict):
        raise DomainError("invalid_json", "The request body must be a JSON object.", 400)
    # Validate everything before changing anything.
    values = {
        "agenda": _free_text(data, "agenda", FREE_TEXT_LIMIT),
        "remarks": _free_text(data, "remarks", FREE_TEXT_LIMIT),
        "ended_at": _ended_at(data),
        "copies": _copies(data),
    }
    changed = sorted(k for k, v in values.items() if getattr(conference, k) != v)
    for key, value in values.items():
        setattr(conference, key, value)
    if changed:
        audit.record("minutes.record_updated", {"fields": changed}, conference=conference)


def add_note(conference: Conference, author: str, text: Any) -> MinutesNote:
    """Append a dated note to the locked minutes."""
    if not conference.is_locked:
        raise DomainError(
            "result_not_locked", "Notes are added after lock; before it, edit the minutes.", 409
        )
    if not isinstance(text, str) or not text.strip():
        raise invalid_field("text", "Write the note.")
    text = text.replace("\r\n", "\n").strip()
    if len(text) > NOTE_LIMIT:
        raise invalid_field("text", "This field is too long.")
    note = MinutesNote(conference_id=conference.id, author=author[:200], text=text)
    db.session.add(note)
    db.session.flush()
    audit.record("minutes.note_added", {"note_id": note.id}, conference=conference)
    return note


def notes_of(conference: Conference) -> list[MinutesNote]:
    return list(
        db.session.scalars(
            sa.select(MinutesNote)
            .where(MinutesNote.conference_id == conference.id)
            .order_by(MinutesNote.written_dt, MinutesNote.id)
        )
    )


def dated_notes(conference: Conference, tz: str) -> list[Note]:
    """The notes as the minutes print them, dated in the room's time zone."""
    return [
        Note(clock_time(n.written_dt.replace(microsecond=0).isoformat(), tz), n.author, n.text)
        for n in notes_of(conference)
    ]
