"""Appending to the audit chain, in the caller's transaction (flush only).

Appends are serialized so two transactions never chain onto the same entry:
on SQLite the first statement takes the database's write lock (held until the
caller commits); on PostgreSQL a transaction-scoped advisory lock does. Under
that lock the new entry's id and ``prev_hash`` come from the last entry. The
primary key and the unique ``prev_hash`` would refuse a fork even if the lock
were bypassed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from voting.audit.models import ACTIONS, GENESIS, AuditEntry
from voting.auth.models import utcnow
from voting.extensions import db

#: pg_advisory_xact_lock key for audit appends ("audit" in ASCII).
PG_LOCK_KEY = 0x6175646974

#: Detail keys that must never reach the audit trail (tokens and single ballots).
FORBIDDEN_KEYS = frozenset(
    {"token", "token_id", "secret", "code", "credential", "choices", "ballot", "receipt"}
)


def canonical(doc: Any) -> str:
    """One spelling per document: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def iso(dt: datetime) -> str:
    return dt.isoformat(timespec="microseconds")


def entry_hash(
    entry_id: int,
    conference_id: int | None,
    actor: str,
    action: str,
    details: Any,
    created_dt: datetime,
    prev_hash: str,
) -> str:
    """SHA-256 of the canonical JSON array of the entry's fields (see the models)."""
    text = canonical([entry_id, conference_id, actor, action, details, iso(created_dt), prev_hash])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current_actor() -> str:
    """The signed-in user's name in a request, else "system" (command line)."""
    from flask import has_request_context
    from flask_login import current_user

    if has_request_context() and current_user and current_user.is_authenticated:
        return str(current_user.username)
    return "system"


def _check_details(details: Any, path: str = "details") -> None:
    if isinstance(details, dict):
        for key, value in details.items():
            if not isinstance(key, str) or key.lower() in FORBIDDEN_KEYS:
                raise ValueError(f"{path}.{key}: not allowed in the audit trail")
            _check_details(value, f"{path}.{key}")
    elif isinstance(details, list):
        for i, value in enumerate(details):
            _check_details(value, f"{path}[{i}]")
    elif isinstance(details, float):
        raise ValueError(f"{path}: floats have no canonical spelling; use an int or a string")
    elif details is not None and not isinstance(details, str | int | bool):
        raise ValueError(f"{path}: {type(details).__name__} is not JSON")


def _lock_chain() -> None:
    """Serialize appends until the caller's transaction ends."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        # A write statement (matching no row) takes SQLite's write lock now,
        # before the last entry is read; the lock is held until commit.
        db.session.execute(sa.text("UPDATE audit_entries SET id = id WHERE 0 = 1"))
    elif dialect == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
    else:  # pragma: no cover - other databases: lock the last row
        db.session.execute(
            sa.select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1).with_for_update()
        )


def record(
    action: str,
    details: dict[str, Any] | None = None,
    *,
    conference: Any = None,
    actor: str | None = None,
) -> AuditEntry:
    """Append one entry in the current transaction (flushed; the caller commits)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    details = dict(details or {})
    _check_details(details)
    conference_id = None
    if conference is not None:
        conference_id = conference if isinstance(conference, int) else conference.id
        if conference_id is None:
            db.session.flush()
            conference_id = conference.id
    who = (actor if actor is not None else current_actor())[:64] or "system"

    _lock_chain()
    last = db.session.execute(
        sa.select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    entry_id, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    created = utcnow()
    entry = AuditEntry(
        id=entry_id,
        conference_id=conference_id,
        actor=who,
        action=action,
        details=canonical(details),
        created_dt=created,
        prev_hash=prev,
        entry_hash=entry_hash(entry_id, conference_id, who, action, details, created, prev),
    )
    db.session.add(entry)
    db.session.flush()
    return entry
