"""The audit chain's key: kept in its own file, apart from the database.

Entries of format 2 are HMAC-SHA-256 under this key, so someone holding only the
database (a copied file, a text editor, sqlite3, psql) can edit an entry but cannot
compute the hash that would make it verify again: a plain SHA-256 chain can be
re-hashed by anyone. The key lives in ``audit_key`` in the instance folder (or the
file named by ``AUDIT_KEY_FILE``), never in the database.

Why a file of its own rather than a key derived from ``SECRET_KEY``: verifying needs
the key, and whoever verifies (a counting committee's copy, an inspector's machine)
should not also get ``SECRET_KEY``, which signs sessions and draws unused ballot
slips. A separate file can be handed over for ``voting audit verify --key FILE`` and
archived with the minutes; ``SECRET_KEY`` can be rotated without touching the chain.

The file also pins the unkeyed past: ``legacy_entries`` and ``legacy_head`` are the
number and the last hash of the plain SHA-256 entries written before the key
existed. Verify accepts format 1 only for exactly those entries, so nobody can
rewrite the chain in the old, keyless format (a downgrade) without the key file.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

KEY_FORMAT = "voting.audit-key/1"
KEY_FILE = "audit_key"


class AuditKeyError(Exception):
    pass


@dataclass(frozen=True)
class AuditKey:
    secret: bytes
    #: Plain SHA-256 entries written before the key: ids 1..legacy_entries.
    legacy_entries: int
    #: ``entry_hash`` of entry ``legacy_entries`` (GENESIS when there were none).
    legacy_head: str
    path: Path


def default_path() -> Path:
    """``AUDIT_KEY_FILE`` if set, else ``audit_key`` in the app's instance folder."""
    from flask import current_app  # only the location comes from the app

    configured = current_app.config.get("AUDIT_KEY_FILE") or os.environ.get("AUDIT_KEY_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / KEY_FILE


def load_key(path: Path) -> AuditKey | None:
    """The key in ``path``; None if there is no such file (the chain is not keyed yet)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        doc = json.loads(raw)
        if doc.get("format") != KEY_FORMAT:
            raise ValueError("unknown format")
        return AuditKey(
            secret=bytes.fromhex(doc["key"]),
            legacy_entries=int(doc["legacy_entries"]),
            legacy_head=str(doc["legacy_head"]),
            path=path,
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AuditKeyError(f"{path} is not an audit key file ({exc})") from None


def create_key(path: Path, legacy_entries: int, legacy_head: str) -> AuditKey:
    """Create the key once (O_EXCL: two workers never write two keys); else load it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "format": KEY_FORMAT,
        "key": secrets.token_hex(32),
        "legacy_entries": legacy_entries,
        "legacy_head": legacy_head,
    }
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = load_key(path)
        assert key is not None
        return key
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(doc, sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())  # an entry keyed by a key lost in a crash could never verify
    key = load_key(path)
    assert key is not None
    return key
