"""Tokens waiting to be handed out, held in this process's memory only.

The database stores token hashes, never secrets, so the QR sheet and the kiosk
can only be drawn while the server still holds the secrets it generated when
the ballot opened. The hand-out order is never written anywhere: the kiosk
simply shows the first unused token of an in-memory list. After a restart the
chair voids the slips that were not handed out and issues replacements.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from voting.ballots.tokens import IssuedToken

_lock = threading.Lock()
_pending: dict[int, list[IssuedToken]] = {}


def add(conference_id: int, tokens: Iterable[IssuedToken]) -> None:
    with _lock:
        _pending.setdefault(conference_id, []).extend(tokens)


def pending(conference_id: int) -> list[IssuedToken]:
    with _lock:
        return list(_pending.get(conference_id, ()))


def discard(conference_id: int, token_ids: Iterable[str]) -> None:
    gone = set(token_ids)
    with _lock:
        if conference_id in _pending:
            _pending[conference_id] = [t for t in _pending[conference_id] if t.token_id not in gone]


def rotate(conference_id: int, token_id: str) -> None:
    """Move a token to the back of the queue (the kiosk's "next")."""
    with _lock:
        queue = _pending.get(conference_id, [])
        for i, t in enumerate(queue):
            if t.token_id == token_id:
                queue.append(queue.pop(i))
                return


def forget(conference_id: int) -> None:
    with _lock:
        _pending.pop(conference_id, None)
