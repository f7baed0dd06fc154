"""The one place a ballot is recorded, from a phone, the booth or paper.

Every write that uses a token — a cast, a paper ballot entered, a kiosk slip bound to
its phone or flagged as contested — runs in :func:`cast_transaction`: on SQLite under
one in-process lock, committed before the lock is released (so the next cast starts
from it, and the voter is answered only once the ballot is durable), rolled back on
any error. Inside it the database, not Python, decides: the token is claimed by one
conditional UPDATE, and every counter moves by one UPDATE of its own row
(``x = x + n``), never read, added to in Python and written back.

Phone and booth casts that arrive together share one such transaction and its one
fsync (:mod:`voting.ballots.group_commit`): each is checked and its token claimed on its
own, a refused one leaves nothing and does not stop the others, and every voter is
answered only once the commit holding their ballot has returned.

A ballot row is the same whatever its path: its choices in :func:`choices_json`, its
validity under the conference's rule, and the ``published`` flag; no column says how
it came (only the conference's counters do), and it shares no key, time or order with
the token that cast it.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from voting.ballots.cast_reads import CastRequest, cast_refusal, definition_of, read_token
from voting.ballots.group_commit import GroupCommit, Pending
from voting.ballots.models import Ballot, Receipt, Token
from voting.ballots.operations import (
    BallotDefinition,
    ballot_definition,
    normalize_choices,
)
from voting.ballots.tokens import (
    RECEIPT_LENGTH,
    holder_hash,
    new_holder,
    new_id,
    random_code,
)
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


#: A batch's casts of one conference, and those from its booth (counted apart, never
#: marked on a ballot), while it is open: a cast racing the close finds no row.
_COUNT = (
    sa.update(_conferences)
    .where(_conferences.c.id == sa.bindparam("b_conference"), _conferences.c.status == "open")
    .values(
        ballots_received=_conferences.c.ballots_received + sa.bindparam("b_n"),
        booth_cast=_conferences.c.booth_cast + sa.bindparam("b_booth"),
    )
)
_COUNT_PAPER = _count("closed", "paper_entered").returning(_conferences.c.paper_entered)
_INSERT_BALLOT = sa.insert(_ballots)
_AGREE = (
    sa.update(_candidates)
    .where(_candidates.c.id == sa.bindparam("b_id"))
    .values(live_agree=_candidates.c.live_agree + sa.bindparam("b_n"))
)
#: The codes actually inserted come back: a collision is drawn again.
_INSERT_RECEIPT = {
    "sqlite": sqlite_insert(_receipts)
    .on_conflict_do_nothing()
    .returning(_receipts.c.conference_id, _receipts.c.code),
    "postgresql": postgresql_insert(_receipts)
    .on_conflict_do_nothing()
    .returning(_receipts.c.conference_id, _receipts.c.code),
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
    ballots: list[tuple[int, BallotDefinition, dict[str, list[str]]]],
    *,
    published: bool,
) -> None:
    """Ballot rows and the live counts of their agreed candidates; every path ends here.

    ``ballots``: (conference id, its definition, checked choices) — one cast, one paper
    entry, or a group commit's casts, whose rows go in one INSERT and whose agreed
    candidates move by one UPDATE per candidate (``live_agree + n``, in id order so two
    processes' batches lock them alike). Their tokens are already claimed and their
    conferences counted, in the same transaction.
    """
    rows: list[dict[str, Any]] = []
    agreed: Counter[int] = Counter()
    for conference_id, definition, choices in ballots:
        is_valid = ballot_is_valid(definition.rule, definition.positions, choices)
        rows.append(
            {
                "id": new_id(),
                "conference_id": conference_id,
                "choices": choices_json(choices),
                "is_valid": is_valid,
                "published": published,
            }
        )
        if is_valid:
            agreed.update(definition.candidate_ids[(p, c)] for p, cs in choices.items() for c in cs)
    connection.execute(_INSERT_BALLOT, rows)
    if agreed:
        connection.execute(_AGREE, [{"b_id": i, "b_n": agreed[i]} for i in sorted(agreed)])


def _add_receipts(connection: sa.Connection, conference_ids: list[int]) -> list[str]:
    """A fresh receipt code for each; a collision (1 in 10^11) just draws again."""
    statement = _INSERT_RECEIPT[connection.dialect.name]
    codes: list[str] = [""] * len(conference_ids)
    for _ in range(8):
        wanted = [i for i, code in enumerate(codes) if not code]
        if not wanted:
            return codes
        drawn = {i: random_code(RECEIPT_LENGTH) for i in wanted}
        rows = [{"conference_id": conference_ids[i], "code": drawn[i]} for i in wanted]
        kept = {(r.conference_id, r.code) for r in connection.execute(statement, rows)}
        for i in wanted:
            if (conference_ids[i], drawn[i]) in kept:
                codes[i] = drawn[i]
                kept.discard((conference_ids[i], drawn[i]))  # a code drawn twice is kept once
    raise RuntimeError("could not draw a unique receipt code")  # pragma: no cover


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
    """Record one ballot for a token, committed before it returns; its receipt code.

    ``booth_of``: cast at this conference's booth — a token of another conference is
    refused, and only the conference's booth count says where it was cast.
    ``holder``: the phone's secret for a kiosk slip it opened (its cookie), if any.

    Casts arriving together share one transaction and one commit
    (:mod:`voting.ballots.group_commit`); each is settled on its own, and this returns
    only once the commit holding it is durable.

    Raises :class:`DomainError` (nothing of it kept) for a bad, used, void or
    foreign token, a kiosk slip another phone opened (:class:`SlipTaken`), a ballot
    that is not open, or malformed choices.
    """
    result = _casts.submit(CastRequest(key, credential, raw_choices, booth_of, holder))
    return cast(Cast, result)


@dataclass(frozen=True)
class _Claimed:
    """A cast whose token this transaction has claimed: what is left to write."""

    conference_id: int
    definition: BallotDefinition
    choices: dict[str, list[str]]
    booth: bool


class _Lost(Exception):
    """A count found its conference no longer open (another process closed it): the
    batch's claims must not stay, so it is rolled back and its casts run one by one."""


def _claim(connection: sa.Connection, request: CastRequest) -> _Claimed:
    """Check one cast and claim its token; raises its refusal, having written nothing.

    The read is the token and its conference in one row; the claim, a conditional
    UPDATE, is this cast's only write before the batch's shared ones, so a refusal —
    here, or a claim lost to a concurrent cast — leaves nothing to undo.
    """
    token, row = read_token(connection, request)
    refusal = cast_refusal(request, token, row.status)
    if refusal:
        raise refusal
    definition = definition_of(token.conference_id, row.opened_dt)
    choices = normalize_choices(definition, request.raw_choices)
    holder = holder_hash(request.key, request.holder) if request.holder else None
    if not connection.execute(_CLAIM, {"b_token": token.id, "b_holder": holder}).rowcount:
        # Another process's cast won (PostgreSQL): say why, as a fresh read sees it.
        token, row = read_token(connection, request)
        raise cast_refusal(request, token, row.status) or DomainError(
            "already_recorded", "A ballot has already been recorded with this token.", 409
        )
    return _Claimed(token.conference_id, definition, choices, request.booth_of is not None)


def _count_casts(connection: sa.Connection, claimed: list[_Claimed]) -> None:
    """One UPDATE per conference adds its casts (and its booth's) while it is open."""
    per_conference: dict[int, list[int]] = {}
    for c in claimed:
        counts = per_conference.setdefault(c.conference_id, [0, 0])
        counts[0] += 1
        counts[1] += c.booth
    for conference_id in sorted(per_conference):
        n, booth = per_conference[conference_id]
        params = {"b_conference": conference_id, "b_n": n, "b_booth": booth}
        if not connection.execute(_COUNT, params).rowcount:
            raise _Lost


def _write_batch(pendings: list[Pending[CastRequest]]) -> list[tuple[Pending[CastRequest], Cast]]:
    """Settle each refusal, write what the others claimed; the casts to answer once committed."""
    _begin_write()
    connection = db.session.connection()
    claimed: list[tuple[Pending[CastRequest], _Claimed]] = []
    for pending in pendings:
        try:
            claimed.append((pending, _claim(connection, pending.item)))
        except DomainError as exc:
            pending.settle(error=exc)
    if not claimed:
        raise _NothingToCommit
    kept = [c for _, c in claimed]
    _count_casts(connection, kept)
    # Outside the live tally until a publication adds them (never the next one alone).
    write_ballot(
        connection, [(c.conference_id, c.definition, c.choices) for c in kept], published=False
    )
    receipts = _add_receipts(connection, [c.conference_id for c in kept])
    for conference_id in sorted({c.conference_id for c in kept}):
        changed(conference_id)
    answers = zip(claimed, receipts, strict=True)
    return [(p, Cast(code, c.conference_id)) for (p, c), code in answers]


class _NothingToCommit(Exception):
    """Every cast of the batch was refused: roll back, as a lone refusal always has."""


def _begin_write() -> None:
    """Start the batch's transaction as SQLite's writer, before its first read.

    Its reads then see every commit before it and none can come between them and its
    writes (a deferred transaction that has read cannot always become the writer).
    The session's transaction is begun first; the DBAPI's own BEGIN is this one.
    """
    db.session.rollback()  # a read the request made (the booth's link) ends here
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute("BEGIN IMMEDIATE")


def _run_batch(pendings: list[Pending[CastRequest]], *, alone: bool = False) -> None:
    """One transaction for the batch; if it fails as a whole, each cast in one of its own.

    Under the SQLite lock (paper entry and the kiosk binding wait for it too).
    """
    alone = alone or len(pendings) == 1
    try:
        with cast_transaction():
            casts = _write_batch(pendings)
    except _NothingToCommit:
        return
    except _Lost:
        if alone:
            pendings[0].settle(error=DomainError("ballot_closed", "The ballot is closed.", 409))
            return
        _one_by_one(pendings)
        return
    except Exception as exc:
        if alone:
            pendings[0].settle(error=exc)
            return
        _one_by_one(pendings)
        return
    for pending, cast_ in casts:
        pending.settle(cast_)


def _one_by_one(pendings: list[Pending[CastRequest]]) -> None:
    for pending in pendings:
        pending.settled = False
        pending.error = None
        _run_batch([pending], alone=True)


_casts: GroupCommit[CastRequest] = GroupCommit(_run_batch)


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
    write_ballot(
        connection, [(conference.id, ballot_definition(conference), choices)], published=True
    )
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
