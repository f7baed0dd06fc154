"""The audit table: one row per state change, each hashed with its predecessor.

``entry_hash`` of a format-2 entry (``version`` 2, every entry since the chain
was keyed) is the HMAC-SHA-256 (hex), under the audit key (voting.audit.key,
a file apart from the database), of the canonical JSON (sorted keys, no spaces,
UTF-8) of the array::

    [2, id, conference_id, actor, action, details, created_dt, prev_hash]

A format-1 entry (``version`` 1, written before the key existed) has as hash
the plain SHA-256 of the canonical JSON of::

    [id, conference_id, actor, action, details, created_dt, prev_hash]

where ``details`` is the JSON object stored in ``details``, ``created_dt`` is
the UTC time in ISO 8601 with microseconds and no zone
(``2026-11-23T08:15:02.123456``), and ``prev_hash`` is the previous entry's
``entry_hash`` (64 zeros for the first entry). Ids run 1, 2, 3, … without gaps,
so an edited, inserted or deleted row breaks the chain at that row.

The table holds no token secret, code or id and nothing about a single ballot:
details carry counts only.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from voting.auth.models import utcnow
from voting.extensions import Model

#: The stable action codes.
ACTIONS = (
    "conference.created",
    "conference.updated",
    "attendance.set",
    "ballot.opened",
    "token.voided",
    "paper.issued",
    "paper.entered",
    "paper.mismatch",
    "paper.finished",
    "ballot.closed",
    "head.decided",
    "result.locked",
    "export.downloaded",
    "minutes.record_updated",
    "minutes.note_added",
    "unit.created",
    "unit.updated",
    "members.added",
    "member.updated",
    "process.created",
    "process.updated",
    "step.recorded",
    "step.conference_created",
    "planning.exit_recorded",
    "step.repeated",
    "step.skipped",
    "position.ended",
    "user.login",
    "user.login_failed",
    "user.created",
    "user.password_changed",
)

#: ``prev_hash`` of the first entry.
GENESIS = "0" * 64


class AuditEntry(Model):
    __tablename__ = "audit_entries"
    repr_columns = ("id", "conference_id", "action")
    __table_args__ = (
        # Two entries can never claim the same predecessor: no fork in the chain.
        sa.UniqueConstraint("prev_hash", name="uq_audit_entries_prev_hash"),
        sa.UniqueConstraint("entry_hash", name="uq_audit_entries_entry_hash"),
    )

    #: 1, 2, 3, … assigned under the append lock (see :func:`voting.audit.record`).
    id: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=True)
    #: The conference concerned, if any (none for logins and accounts).
    conference_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("conferences.id"), index=True
    )
    #: User name of who acted, or "system" (command line, start-up).
    actor: so.Mapped[str] = so.mapped_column(sa.String(64))
    #: One of :data:`ACTIONS`.
    action: so.Mapped[str] = so.mapped_column(sa.String(40))
    #: Canonical JSON object: counts and names, never a token or a ballot.
    details: so.Mapped[str] = so.mapped_column(sa.Text)
    created_dt: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    prev_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    #: 1: plain SHA-256 (before the key); 2: HMAC under the audit key.
    version: so.Mapped[int] = so.mapped_column(default=2, server_default="1")
    entry_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
