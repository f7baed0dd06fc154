"""What the storage still shows of a vote's arrival order, below SQL.

:func:`traces_left` is the check ``voting audit verify`` runs for conferences whose
clean-up (:mod:`voting.ballots.scrub`) is recorded as done: it reads the SQLite WAL
file's records, or PostgreSQL's ``xmin`` of the cast tables, for what a clean-up
would have removed. It only reads; it names conferences, never a token or a ballot.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from voting.ballots.models import Token
from voting.conferences.models import Conference
from voting.extensions import db

#: Written by each cast; rewritten so no row version dates from one.
CAST_TABLES = ("tokens", "ballots", "receipts")


def traces_left() -> dict[int, str]:
    """Closed or locked conferences, not marked, whose traces the storage still shows.

    Sound, not complete: what is found is certainly a trace, but a clean answer
    does not prove the storage clean (the marker is the record of that).
    SQLite: the WAL file holds an earlier state of one of their tokens (``issued``
    where the table now says ``used`` or ``void``) — a frame written before the
    clean-up, so the casts' frames are there too. PostgreSQL: their tokens,
    ballots or receipts were written by more than one transaction (``xmin``).
    A closed conference's paper ballots, entered after the close, are not counted:
    the scrub at lock covers them.
    """
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        return _wal_leftovers()
    if dialect == "postgresql":
        return _xmin_leftovers()
    return {}


def _settled() -> sa.Select[int, str, int]:
    return sa.select(Conference.id, Conference.status, Conference.paper_entered).where(
        Conference.status.in_(("closed", "locked")), sa.not_(Conference.scrub_pending)
    )


def _xmin_leftovers() -> dict[int, str]:
    found: dict[int, str] = {}
    with db.engine.connect() as conn:
        settled = {
            r[0]: r
            for r in conn.execute(_settled())
            # Before the lock, paper ballots entered after the close carry their own xmin.
            if r[1] == "locked" or not r[2]
        }
        if not settled:
            return found
        for table in CAST_TABLES:
            rows = conn.execute(
                sa.text(
                    f"SELECT conference_id, count(DISTINCT xmin::text) FROM {table} "
                    "WHERE conference_id IN :conferences GROUP BY conference_id "
                    "HAVING count(DISTINCT xmin::text) > 1"
                ).bindparams(sa.bindparam("conferences", expanding=True)),
                {"conferences": list(settled)},
            ).all()
            for conference_id, writers in rows:
                found.setdefault(
                    conference_id,
                    f"its {table} rows were written by {writers} different transactions "
                    "(xmin): a ballot can still be joined to the token that cast it",
                )
    return found


def _wal_leftovers() -> dict[int, str]:
    database = db.engine.url.database
    if not database or database == ":memory:":
        return {}
    wal = Path(database).with_name(Path(database).name + "-wal")
    try:
        raw = wal.read_bytes()
    except FileNotFoundError:
        return {}
    if len(raw) <= 32:  # no frame
        return {}
    with db.engine.connect() as conn:
        columns = [
            row[1]
            for row in sorted(
                conn.exec_driver_sql("PRAGMA table_info(tokens)").all(),
                # WITHOUT ROWID: the record holds the primary key first, then the rest.
                key=lambda row: (row[5] == 0, row[5], row[0]),
            )
        ]
        if not columns or columns[0] != "id" or "state" not in columns:
            return {}
        settled = {r[0]: r[1] for r in conn.execute(_settled())}
        if not settled:
            return {}
        tokens = {
            token_id: (conference_id, state)
            for token_id, conference_id, state in conn.execute(
                sa.select(Token.id, Token.conference_id, Token.state).where(
                    Token.conference_id.in_(list(settled))
                )
            )
        }
    position = columns.index("state")
    earlier: dict[int, int] = {}
    for match in re.finditer(rb"(?<![0-9a-f])[0-9a-f]{32}", raw):
        token_id = match.group().decode()
        if token_id not in tokens:
            continue
        record = _record_before(raw, match.start(), len(columns))
        if record is None or record[0] != token_id:
            continue
        conference_id, state = tokens[token_id]
        then = record[position]
        if then == state:
            continue
        if settled[conference_id] == "closed" and (then, state) == ("paper", "used"):
            continue  # a paper ballot entered after the close; the lock scrubs it
        earlier[conference_id] = earlier.get(conference_id, 0) + 1
    return {
        conference_id: (
            f"the WAL file ({wal.name}) still holds {n} earlier version(s) of its tokens, "
            "written before the clean-up: the order of arrival, and the token of each "
            "ballot, can be read from it"
        )
        for conference_id, n in earlier.items()
    }


def _varint(raw: bytes, p: int) -> tuple[int, int]:
    value = 0
    for i in range(8):
        byte = raw[p + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, p + i + 1
    return (value << 8) | raw[p + 8], p + 9


_INT_SIZES = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}


def _record_before(raw: bytes, start: int, ncols: int) -> list[Any] | None:
    """The values of the SQLite record whose body begins at ``start``, if one does.

    The header (its own size, then one serial type per column) sits right before
    the body; a position is accepted only if a header of exactly ``ncols``
    types ends there and the values it announces fit.
    """
    for size in range(1 + ncols, min(1 + 9 * ncols, 127, start) + 1):
        head = start - size
        if raw[head] != size:
            continue
        types, p = [], head + 1
        try:
            while p < start:
                serial, p = _varint(raw, p)
                types.append(serial)
        except IndexError:
            continue
        if p != start or len(types) != ncols:
            continue
        values = _values(raw, start, types)
        if values is not None:
            return values
    return None


def _values(raw: bytes, p: int, types: list[int]) -> list[Any] | None:
    values: list[Any] = []
    for serial in types:
        if serial in (0, 8, 9):
            values.append(None if serial == 0 else serial - 8)
            continue
        if serial in (10, 11):
            return None
        if serial in _INT_SIZES:
            n = _INT_SIZES[serial]
            chunk = raw[p : p + n]
            values.append(int.from_bytes(chunk, "big", signed=True))
        elif serial == 7:
            n = 8
            chunk = raw[p : p + n]
            values.append(struct.unpack(">d", chunk)[0] if len(chunk) == n else None)
        else:
            n = (serial - 12) // 2
            chunk = raw[p : p + n]
            if serial % 2:
                try:
                    values.append(chunk.decode())
                except UnicodeDecodeError:
                    return None
            else:
                values.append(chunk)
        if len(chunk) != n:
            return None
        p += n
    return values
