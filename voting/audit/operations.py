"""Appending to the audit chain, in the caller's transaction (flush only).

Appends are serialized so two transactions never chain onto the same entry:
on SQLite the first statement takes the database's write lock (held until the
caller commits); on PostgreSQL a transaction-scoped advisory lock does. Under
that lock the new entry's id and ``prev_hash`` come from the last entry. The
primary key and the unique ``prev_hash`` would refuse a fork even if the lock
were bypassed.

New entries are keyed (format 2, HMAC under voting.audit.key); the first append
without a key file creates it, pinning the plain SHA-256 entries before it.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any, TypeAlias

import sqlalchemy as sa

from voting.audit.key import AuditKey, AuditKeyError, create_key, default_path, load_key
from voting.audit.models import ACTIONS, GENESIS, AuditEntry
from voting.auth.models import utcnow
from voting.canonical import canonical_json as canonical
from voting.extensions import db

#: pg_advisory_xact_lock key for audit appends ("audit" in ASCII).
PG_LOCK_KEY = 0x6175646974

#: Detail keys that must never reach the audit trail (tokens and single ballots).
FORBIDDEN_KEYS = frozenset(
    {"token", "token_id", "secret", "code", "credential", "choices", "ballot", "receipt"}
)


#: Entry format versions: 1 plain SHA-256 (before the key), 2 keyed.
PLAIN, KEYED = 1, 2


def iso(dt: datetime) -> str:
    return dt.isoformat(timespec="microseconds")


#: What an entry's hash covers: id, conference id, actor, action, details, created_dt,
#: prev_hash, in the order of the hashed array (see the models).
EntryFields: TypeAlias = tuple[int, int | None, str, str, Any, datetime, str]


def _hashed(fields: EntryFields) -> list[Any]:
    entry_id, conference_id, actor, action, details, created_dt, prev_hash = fields
    return [entry_id, conference_id, actor, action, details, iso(created_dt), prev_hash]


def entry_hash(*fields: *EntryFields) -> str:
    """SHA-256 of the canonical JSON array of the entry's fields (see the models)."""
    return hashlib.sha256(canonical(_hashed(fields)).encode("utf-8")).hexdigest()


def keyed_hash(key: bytes, *fields: *EntryFields) -> str:
    """HMAC-SHA-256 of the format-2 array (see the models): needs the key to recompute."""
    text = canonical([KEYED, *_hashed(fields)])
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def note_digest(author: str, text: str, written_dt: datetime) -> str:
    """SHA-256 of a minutes note as printed: its entry carries it, so an edit shows."""
    return hashlib.sha256(canonical([author, text, iso(written_dt)]).encode("utf-8")).hexdigest()


def _bind(action: str, details: dict[str, Any]) -> None:
    """Add to the entry what verify must later compare with the database.

    A note appended after lock is printed in the minutes but is outside the locked
    result, so only its entry can vouch for it: bind its content here, where every
    caller passes, rather than trust each caller to remember.
    """
    if action == "minutes.note_added" and "note_id" in details:
        from voting.minutes.models import MinutesNote  # minutes build on the audit trail

        note = db.session.get(MinutesNote, details["note_id"])
        if note is not None:
            details["note_sha256"] = note_digest(note.author, note.text, note.written_dt)


def chain_key(last_id: int, last_hash: str) -> AuditKey:
    """The audit key; created on the first append that finds none (under the chain lock).

    The entries already there are then the unkeyed past: the key file pins their
    number and last hash.
    """
    path = default_path()
    key = load_key(path)
    if key is None:
        keyed = db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.version != PLAIN)
        )
        if keyed:
            # A new key would leave every keyed entry unverifiable for good: refuse.
            raise AuditKeyError(
                f"the audit chain is keyed but {path} is missing: put the instance's "
                "audit_key back (e.g. after restoring a backup elsewhere)"
            )
        key = create_key(path, last_id, last_hash)
    return key


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
    _bind(action, details)
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
    key = chain_key(entry_id - 1, prev)
    created = utcnow()
    entry = AuditEntry(
        id=entry_id,
        conference_id=conference_id,
        actor=who,
        action=action,
        details=canonical(details),
        created_dt=created,
        prev_hash=prev,
        version=KEYED,
        entry_hash=keyed_hash(
            key.secret, entry_id, conference_id, who, action, details, created, prev
        ),
    )
    db.session.add(entry)
    db.session.flush()
    return entry
