"""The one place a ballot is recorded, from a phone, the booth or paper.

Every write that uses a token — a cast, a paper ballot entered, a kiosk slip bound to
its phone or flagged as contested — runs in :func:`cast_transaction`: on SQLite under
one in-process lock, committed before the lock is released (so the next cast starts
from it, and the voter is answered only once the ballot is durable), rolled back on
any error. Inside it the database, not Python, decides: the token is claimed by one
conditional UPDATE, and every counter moves by one UPDATE of its own row
(``x = x + 1``), never read, added to in Python and written back.

A ballot row is the same whatever its path: its choices in :func:`choices_json`, its
validity under the conference's rule, and the ``published`` flag; no column says how
it came (only the conference's counters do), and it shares no key, time or order with
the token that cast it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from voting.ballots.models import Ballot, Receipt, Token
from voting.ballots.operations import (
    BallotDefinition,
    ballot_definition,
    find_token,
    holder_refusal,
    normalize_choices,
    refusal_for,
)
from voting.ballots.tokens import RECEIPT_LENGTH, holder_hash, new_holder, new_id, random_code
from voting.canonical import canonical_json
from voting.conferences.models import Candidate, Conference
from voting.effects import transaction
from voting.errors import DomainError
from voting.extensions import db
from voting.realtime.publisher import changed
from voting.tally.decision import ballot_is_valid


def choices_json(choices: Mapping[str, list[str]]) -> str:
    """A ballot's choices as stored: the same ballot is always the same text.

    The count sorts ballots by this text, and a paper ballot's two entries must match
    it byte for byte.
    """
    return canonical_json(choices)


# --- the lock


class FairLock:
    """A lock handed over in arrival order: under a burst no cast waits forever.

    (``threading.Lock`` wakes an arbitrary waiter, so with hundreds queued some
    wait tens of seconds while later ones pass.)
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._waiters: deque[threading.Event] = deque()
        self._held = False

    def __enter__(self) -> None:
        with self._guard:
            if not self._held:
                self._held = True
                return
            turn = threading.Event()
            self._waiters.append(turn)
        turn.wait()  # the releasing thread hands the lock over: it stays held

    def __exit__(self, *_: object) -> None:
        with self._guard:
            if self._waiters:
                self._waiters.popleft().set()
            else:
                self._held = False


_sqlite_writer = FairLock()


@contextmanager
def serialized_casts() -> Iterator[None]:
    """Queue this process's casts on a lock when the database is SQLite.

    SQLite admits one writer; a waiting writer polls with sleeps of up to
    100 ms, so hundreds of phones at once would mostly sleep. A Python lock
    hands the write over at once. (PostgreSQL locks rows: no queue needed.)
    """
    if db.engine.dialect.name != "sqlite":
        yield
        return
    with _sqlite_writer:
        yield


@contextmanager
def cast_transaction() -> Iterator[None]:
    """Run the block under the cast lock and commit it before the lock is released.

    Any error rolls the whole block back (still under the lock), so nothing of a
    refused ballot is kept and the next cast never waits on a half-done one. It is the
    app's one commit point (:func:`voting.effects.transaction`) held under the lock, so
    the live update a cast queues runs once it is durable, and never for a refusal.
    """
    with serialized_casts(), transaction():
        yield


# --- the statements, built once: casting is the room's hot path, so it runs as Core
# SQL on the session's connection, not through the unit of work.

_tokens, _conferences, _candidates, _ballots, _receipts = (
    cast(sa.Table, model.__table__) for model in (Token, Conference, Candidate, Ballot, Receipt)
)

#: The claim: only an issued token becomes used, whatever the concurrency — and a bound
#: kiosk slip only by its phone. The binding goes with the use: nothing of it is kept.
_CLAIM = (
    sa.update(_tokens)
    .where(
        _tokens.c.id == sa.bindparam("b_token"),
        _tokens.c.state == "issued",
        sa.or_(_tokens.c.holder_hash.is_(None), _tokens.c.holder_hash == sa.bindparam("b_holder")),
    )
    .values(state="used", holder_hash=None)
)
#: A paper ballot claims any one of its conference's paper tokens (they are alike).
_paper_token = _tokens.alias("paper_token")
_CLAIM_PAPER = (
    sa.update(_tokens)
    .where(
        _tokens.c.id
        == sa.select(_paper_token.c.id)
        .where(
            _paper_token.c.conference_id == sa.bindparam("b_conference"),
            _paper_token.c.state == "paper",
        )
        .limit(1)
        .scalar_subquery(),
        _tokens.c.state == "paper",
    )
    .values(state="used")
)


def _count(status: str, *columns: str) -> sa.Update:
    """One UPDATE adding 1 to ``ballots_received`` and ``columns``, while ``status`` holds.

    A cast racing the close (or a paper entry racing the lock) finds no row and loses.
    """
    counted = ("ballots_received", *columns)
    return (
        sa.update(_conferences)
        .where(_conferences.c.id == sa.bindparam("b_conference"), _conferences.c.status == status)
        .values({name: _conferences.c[name] + 1 for name in counted})
    )


_COUNT = _count("open")
#: A cast from the room's booth: counted apart, never marked on the ballot.
_COUNT_BOOTH = _count("open", "booth_cast")
_COUNT_PAPER = _count("closed", "paper_entered").returning(_conferences.c.paper_entered)
_INSERT_BALLOT = sa.insert(_ballots)
_AGREE = (
    sa.update(_candidates)
    .where(_candidates.c.id.in_(sa.bindparam("b_ids", expanding=True)))
    .values(live_agree=_candidates.c.live_agree + 1)
)
_INSERT_RECEIPT = {
    "sqlite": sqlite_insert(_receipts).on_conflict_do_nothing(),
    "postgresql": postgresql_insert(_receipts).on_conflict_do_nothing(),
}
#: A kiosk slip's first opening: only an unused slip no phone holds yet is bound.
_BIND = (
    sa.update(_tokens)
    .where(
        _tokens.c.id == sa.bindparam("b_token"),
        _tokens.c.state == "issued",
        _tokens.c.holder_hash.is_(None),
    )
    .values(holder_hash=sa.bindparam("b_holder"))
)
_CONTEST = (
    sa.update(_tokens)
    .where(_tokens.c.id == sa.bindparam("b_token"), sa.not_(_tokens.c.contested))
    .values(contested=True)
)


def write_ballot(
    connection: sa.Connection,
    conference_id: int,
    definition: BallotDefinition,
    choices: dict[str, list[str]],
    *,
    published: bool,
) -> None:
    """The ballot row and the live counts of its agreed candidates; every path ends here.

    Its token is already claimed and the conference counted, in the same transaction.
    """
    is_valid = ballot_is_valid(definition.rule, definition.positions, choices)
    connection.execute(
        _INSERT_BALLOT,
        {
            "id": new_id(),
            "conference_id": conference_id,
            "choices": choices_json(choices),
            "is_valid": is_valid,
            "published": published,
        },
    )
    if is_valid:
        agreed = [definition.candidate_ids[(p, c)] for p, cs in choices.items() for c in cs]
        if agreed:
            connection.execute(_AGREE, {"b_ids": agreed})


# --- phone and booth


@dataclass(frozen=True)
class Cast:
    receipt: str
    conference_id: int


def cast_ballot(
    key: str,
    credential: str,
    raw_choices: Any,
    *,
    booth_of: int | None = None,
    holder: str | None = None,
) -> Cast:
    """Record one ballot for a token and commit it; returns its receipt code.

    ``booth_of``: cast at this conference's booth — a token of another conference is
    refused, and only the conference's booth count says where it was cast.
    ``holder``: the phone's secret for a kiosk slip it opened (its cookie), if any.

    Raises :class:`DomainError` (nothing changed) for a bad, used, void or
    foreign token, a kiosk slip another phone opened (:class:`SlipTaken`), a ballot
    that is not open, or malformed choices.
    """
    with cast_transaction():
        # The claim is the transaction's first write, so the database alone makes a token
        # vote once, also without the lock (and on SQLite, where a transaction that has
        # read cannot later upgrade to a writer).
        conference, token = find_token(key, credential)
        if booth_of is not None and conference.id != booth_of:
            raise DomainError(
                "unknown_token", "This ballot link belongs to no open conference.", 404
            )
        refusal = refusal_for(conference, token) or holder_refusal(key, token, holder)
        if refusal:
            raise refusal
        definition = ballot_definition(conference)
        choices = normalize_choices(definition, raw_choices)
        conference_id, token_id = conference.id, token.id
        # End the read so the claim below is this transaction's first statement.
        db.session.rollback()

        connection = db.session.connection()
        claim = {"b_token": token_id, "b_holder": holder_hash(key, holder) if holder else None}
        claimed = connection.execute(_CLAIM, claim).rowcount
        count = _COUNT if booth_of is None else _COUNT_BOOTH
        counted = claimed and connection.execute(count, {"b_conference": conference_id}).rowcount
        if not counted:
            db.session.rollback()
            conference, token = find_token(key, credential)
            raise (
                refusal_for(conference, token)
                or holder_refusal(key, token, holder)
                or DomainError("ballot_closed", "The ballot is closed.", 409)
            )
        # Outside the live tally until a publication adds it (never the next one alone).
        write_ballot(connection, conference_id, definition, choices, published=False)
        changed(conference_id)
        return Cast(_add_receipt(connection, conference_id), conference_id)


def _add_receipt(connection: sa.Connection, conference_id: int) -> str:
    """Insert a fresh receipt code; a collision (1 in 10^11) just draws again."""
    statement = _INSERT_RECEIPT[connection.dialect.name]
    for _ in range(8):
        code = random_code(RECEIPT_LENGTH)
        if connection.execute(statement, {"conference_id": conference_id, "code": code}).rowcount:
            return code
    raise RuntimeError("could not draw a unique receipt code")  # pragma: no cover


# --- paper


def record_paper_ballot(conference: Conference, choices: dict[str, list[str]]) -> int:
    """Count one returned paper ballot, in a :func:`cast_transaction`; paper ballots entered.

    It claims one of the conference's paper tokens (``paper`` → ``used``) and is counted
    only while the ballot is closed. Entered after the close, when every ballot is
    flagged alike: the live tally's set is frozen, so the flag must not single it out.
    """
    db.session.flush()  # the entry's own writes first, in this transaction
    connection = db.session.connection()
    if not connection.execute(_CLAIM_PAPER, {"b_conference": conference.id}).rowcount:
        raise DomainError(
            "no_paper_left", "Every paper ballot issued has already been entered.", 409
        )
    entered = connection.execute(_COUNT_PAPER, {"b_conference": conference.id}).scalar()
    if entered is None:
        raise DomainError("ballot_not_closed", "Close the ballot first.", 409)
    # The counters moved in the database: the loaded row must not write its old values.
    db.session.expire(conference, ["ballots_received", "paper_entered"])
    write_ballot(connection, conference.id, ballot_definition(conference), choices, published=True)
    changed(conference)
    return int(entered)


# --- the kiosk slip's phone


def open_kiosk_slip(key: str, conference_id: int, token_id: str) -> str | None:
    """Bind an unopened kiosk slip to the phone opening it, and commit: its secret, or None.

    One conditional UPDATE (the transaction's first write), so of two phones opening
    the slip at once exactly one wins. Stored: the HMAC of a fresh random secret — no
    time, no order, nothing about the phone; the secret itself lives only in its cookie.
    The kiosk moves on at once: a live update follows the commit.
    """
    db.session.rollback()  # the claim is its transaction's first statement (SQLite)
    holder = new_holder()
    with cast_transaction():
        bound = (
            db.session.connection()
            .execute(_BIND, {"b_token": token_id, "b_holder": holder_hash(key, holder)})
            .rowcount
        )
        if bound:
            changed(conference_id)
    return holder if bound else None


def flag_contested(conference_id: int, token_id: str) -> bool:
    """Mark, and commit, that a second phone tried a kiosk slip; False if already marked.

    A first mark changes the chair's turnout (it counts the double scans): a live
    update follows the commit.
    """
    db.session.rollback()
    with cast_transaction():
        flagged = db.session.connection().execute(_CONTEST, {"b_token": token_id}).rowcount
        if flagged:
            changed(conference_id)
    return bool(flagged)
