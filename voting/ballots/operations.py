"""Issuing, voiding and casting ballot tokens.

These functions only flush; the request handler commits once. Casting claims
the token with one conditional UPDATE as its first write, so the database, not
Python, guarantees a token votes once — also under concurrent retries, and on
SQLite (where a transaction that has read cannot later upgrade to a writer).
"""

from __future__ import annotations

import hmac
import json
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from voting import audit
from voting.ballots.models import Ballot, Receipt, Token
from voting.ballots.tokens import (
    CODE_LENGTH,
    RECEIPT_LENGTH,
    IssuedToken,
    code_hash,
    derive,
    holder_hash,
    new_holder,
    new_id,
    normalize_code,
    random_code,
    secret_hash,
    unsign,
)
from voting.conferences.models import Candidate, Conference, ballot_positions
from voting.conferences.rules import conference_rule
from voting.errors import DomainError
from voting.extensions import db
from voting.procedure.ruleset import Rule
from voting.tally.decision import Position as VotePosition
from voting.tally.decision import ballot_is_valid


def add_tokens(conference: Conference, count: int, key: str, state: str) -> list[IssuedToken]:
    """``count`` new token rows: random ids, secrets and codes derived from them (never stored)."""
    issued = [derive(key, new_id()) for _ in range(count)]
    db.session.add_all(
        Token(
            id=t.token_id,
            conference_id=conference.id,
            secret_hash=secret_hash(key, t.secret),
            code_hash=code_hash(key, t.code),
            state=state,
        )
        for t in issued
    )
    conference.tokens_issued += count
    db.session.flush()
    return issued


def issue_tokens(conference: Conference, count: int, key: str) -> list[IssuedToken]:
    """Create ``count`` phone slips; any process with the key can redraw them (handout)."""
    return add_tokens(conference, count, key, "issued")


def slip_token(conference: Conference, code: str, key: str) -> Token:
    """The token of a slip the chair types in (void, or turn to paper) while the ballot is open."""
    if not conference.is_open:
        raise DomainError("ballot_not_open", "The ballot is not open.", 409)
    token = db.session.scalar(
        sa.select(Token).where(
            Token.conference_id == conference.id, Token.code_hash == code_hash(key, code)
        )
    )
    if token is None:
        raise DomainError("unknown_token", "No ballot of this conference has that code.", 404)
    return token


def void_token(conference: Conference, code: str, key: str) -> IssuedToken:
    """Void an unused token (a lost or spoilt slip) and issue its replacement."""
    token = slip_token(conference, code, key)
    if token.state == "used":
        raise DomainError(
            "token_used", "That ballot has already been cast; it cannot be voided.", 409
        )
    if token.state == "void":
        raise DomainError("token_void", "That ballot was already voided.", 409)
    token.state = "void"
    conference.tokens_voided += 1
    replacement = issue_tokens(conference, 1, key)[0]
    # Totals only: neither the voided token nor its replacement is named.
    audit.record(
        "token.voided",
        {"tokens_issued": conference.tokens_issued, "tokens_voided": conference.tokens_voided},
        conference=conference,
    )
    return replacement


def is_code(credential: str) -> bool:
    """A typed short code (rather than the signed token a QR carries)."""
    return len(credential) <= 2 * CODE_LENGTH and len(normalize_code(credential)) == CODE_LENGTH


def find_token(key: str, credential: str) -> tuple[Conference, Token]:
    """Resolve a signed token (from a QR) or a typed code to its conference and token."""
    if not isinstance(credential, str) or not credential or len(credential) > 512:
        raise DomainError("invalid_token", "This ballot link is not valid.", 400)
    if is_code(credential):
        token = db.session.scalar(
            sa.select(Token).where(Token.code_hash == code_hash(key, credential))
        )
        if token is None:
            raise DomainError(
                "unknown_code", "No ballot has this code. Check it and try again.", 404
            )
        conference = db.session.get(Conference, token.conference_id)
        assert conference is not None
        return conference, token
    unsigned = unsign(key, credential)
    if unsigned is None:
        raise DomainError("invalid_token", "This ballot link is not valid.", 400)
    public_id, secret = unsigned
    row = db.session.execute(
        sa.select(Token, Conference)
        .join(Conference, Token.conference_id == Conference.id)
        .where(Token.secret_hash == secret_hash(key, secret))
    ).first()
    # A secret re-signed for another conference matches no token there.
    if row is None or row.Conference.public_id != public_id:
        raise DomainError("unknown_token", "This ballot link belongs to no open conference.", 404)
    return row.Conference, row.Token


def refusal_for(conference: Conference, token: Token) -> DomainError | None:
    """Why this token cannot vote now, or None if it can."""
    if token.state == "used":
        return DomainError(
            "already_recorded", "A ballot has already been recorded with this token.", 409
        )
    if token.state == "void":
        return DomainError("token_void", "This ballot was voided by the chair.", 410)
    if conference.status == "draft":
        return DomainError("ballot_not_open", "The ballot is not open yet.", 409)
    if conference.status != "open":
        return DomainError("ballot_closed", "The ballot is closed.", 409)
    return None


def slip_taken() -> DomainError:
    return DomainError(
        "slip_taken", "This slip was opened on another phone first: it cannot vote here.", 409
    )


def holder_refusal(key: str, token: Token, holder: str | None) -> DomainError | None:
    """Why this phone (its cookie's ``holder`` secret, if any) may not use a bound slip.

    Only a kiosk slip is bound (voting.ballots.routes says why printed slips are not):
    the first phone that opened it holds the secret whose HMAC the token keeps.
    """
    if token.holder_hash is None or token.state != "issued":
        return None
    if holder and hmac.compare_digest(token.holder_hash, holder_hash(key, holder)):
        return None
    return slip_taken()


#: A kiosk slip's first opening: only an unused slip no phone holds yet is bound.
_BIND = (
    Token.__table__.update()
    .where(
        Token.__table__.c.id == sa.bindparam("b_token"),
        Token.__table__.c.state == "issued",
        Token.__table__.c.holder_hash.is_(None),
    )
    .values(holder_hash=sa.bindparam("b_holder"))
)
_CONTEST = (
    Token.__table__.update()
    .where(Token.__table__.c.id == sa.bindparam("b_token"), sa.not_(Token.__table__.c.contested))
    .values(contested=True)
)


def open_kiosk_slip(key: str, token_id: str) -> str | None:
    """Bind an unopened kiosk slip to the phone opening it: that phone's secret, or None.

    One conditional UPDATE (the transaction's first write), so of two phones opening
    the slip at once exactly one wins. Stored: the HMAC of a fresh random secret — no
    time, no order, nothing about the phone; the secret itself lives only in its cookie.
    """
    holder = new_holder()
    bound = db.session.connection().execute(
        _BIND, {"b_token": token_id, "b_holder": holder_hash(key, holder)}
    )
    return holder if bound.rowcount else None


def flag_contested(token_id: str) -> bool:
    """Mark that a second phone tried a kiosk slip; False if it was already marked."""
    return bool(db.session.connection().execute(_CONTEST, {"b_token": token_id}).rowcount)


#: Refusals of a ballot's content (not of its slip): the plain form shows them on the form.
CHOICE_REFUSALS = frozenset(
    {
        "invalid_choices",
        "unknown_position",
        "unknown_candidate",
        "duplicate_candidate",
        "over_quota",
    }
)


@dataclass(frozen=True)
class BallotDefinition:
    """What a valid ballot of one open conference may contain (fixed once it opens)."""

    rule: Rule
    #: Position key -> the engine's view of it (quota, candidate keys in order).
    positions: dict[str, VotePosition]
    #: Position key -> name, for messages.
    names: dict[str, str]
    #: (position key, candidate key) -> candidate row id, for the live counters.
    candidate_ids: dict[tuple[str, str], int]


_definitions: dict[tuple[int, str], BallotDefinition] = {}
_definitions_lock = threading.Lock()


def ballot_definition(conference: Conference) -> BallotDefinition:
    """The conference's ballot, cached per opening: positions cannot change once open."""
    cache_key = (conference.id, str(conference.opened_dt))
    with _definitions_lock:
        cached = _definitions.get(cache_key)
    if cached is not None and conference.status != "draft":
        return cached
    positions = ballot_positions(conference.id)
    definition = BallotDefinition(
        rule=conference_rule(conference),
        positions={
            p.key: VotePosition(p.key, p.quota, tuple(c.key for c in p.candidates))
            for p in positions
        },
        names={p.key: p.name for p in positions},
        candidate_ids={(p.key, c.key): c.id for p in positions for c in p.candidates},
    )
    if conference.status != "draft":
        with _definitions_lock:
            if len(_definitions) > 1024:
                _definitions.clear()
            _definitions[cache_key] = definition
    return definition


def normalize_choices(
    definition: BallotDefinition, raw: Any, *, enforce_quota: bool = True
) -> dict[str, list[str]]:
    """Check a ballot from a phone; refuse anything a valid paper ballot could not be.

    ``enforce_quota`` False: a paper ballot is entered as marked, even beyond the
    quota (the rule then makes it invalid as a whole, as on paper).
    """
    if not isinstance(raw, Mapping):
        raise DomainError("invalid_choices", "The ballot's choices are malformed.", 400)
    choices: dict[str, list[str]] = {key: [] for key in definition.positions}
    for pkey, chosen in raw.items():
        position = definition.positions.get(pkey)
        if position is None:
            raise DomainError("unknown_position", "The ballot names an unknown position.", 422)
        if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
            raise DomainError("invalid_choices", "The ballot's choices are malformed.", 400)
        if any(c not in position.candidates for c in chosen):
            raise DomainError("unknown_candidate", "The ballot names an unknown candidate.", 422)
        if len(set(chosen)) != len(chosen):
            raise DomainError("duplicate_candidate", "The ballot names a candidate twice.", 422)
        quota = position.quota or 0
        if enforce_quota and definition.rule.cap_at_quota and len(chosen) > quota:
            raise DomainError(
                "over_quota",
                "Too many people agreed for one position.",
                422,
                position=definition.names[pkey],
                quota=quota,
            )
        choices[pkey] = sorted(chosen)
    return choices


# The casting transaction's statements, built once: this is the room's hot path,
# so it runs as Core SQL on the session's connection, not through the unit of work.
_tokens, _conferences = Token.__table__, Conference.__table__
_candidates, _ballots, _receipts = Candidate.__table__, Ballot.__table__, Receipt.__table__
#: The claim: only an issued token becomes used, whatever the concurrency — and a bound
#: kiosk slip only by its phone. The binding goes with the use: nothing of it is kept.
_CLAIM = (
    _tokens.update()
    .where(
        _tokens.c.id == sa.bindparam("b_token"),
        _tokens.c.state == "issued",
        sa.or_(_tokens.c.holder_hash.is_(None), _tokens.c.holder_hash == sa.bindparam("b_holder")),
    )
    .values(state="used", holder_hash=None)
)
#: Counted only while the ballot is open: a cast racing the close loses cleanly.
_COUNT = (
    _conferences.update()
    .where(_conferences.c.id == sa.bindparam("b_conference"), _conferences.c.status == "open")
    .values(ballots_received=_conferences.c.ballots_received + 1)
)
_INSERT_BALLOT = _ballots.insert()
#: A cast from the room's booth: counted, never marked on the ballot.
_BOOTH = (
    _conferences.update()
    .where(_conferences.c.id == sa.bindparam("b_conference"))
    .values(booth_cast=_conferences.c.booth_cast + 1)
)
_AGREE = (
    _candidates.update()
    .where(_candidates.c.id.in_(sa.bindparam("b_ids", expanding=True)))
    .values(live_agree=_candidates.c.live_agree + 1)
)
_INSERT_RECEIPT = {
    "sqlite": sqlite_insert(_receipts).on_conflict_do_nothing(),
    "postgresql": postgresql_insert(_receipts).on_conflict_do_nothing(),
}


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
    Wrap the cast *and* its commit.
    """
    if db.engine.dialect.name != "sqlite":
        yield
        return
    with _sqlite_writer:
        yield


@dataclass(frozen=True)
class Cast:
    receipt: str
    conference_id: int


def cast_ballot(
    key: str, credential: str, raw_choices: Any, *, booth: bool = False, holder: str | None = None
) -> Cast:
    """Record one ballot for a token; returns its receipt code.

    ``booth``: cast at the room's booth; only the conference's booth count says so.
    ``holder``: the phone's secret for a kiosk slip it opened (its cookie), if any.

    Raises :class:`DomainError` (nothing changed) for a bad, used, void or
    foreign token, a kiosk slip another phone opened, a ballot that is not open,
    or malformed choices.
    """
    conference, token = find_token(key, credential)
    refusal = refusal_for(conference, token) or holder_refusal(key, token, holder)
    if refusal:
        raise refusal
    definition = ballot_definition(conference)
    choices = normalize_choices(definition, raw_choices)
    is_valid = ballot_is_valid(definition.rule, definition.positions, choices)
    conference_id, token_id = conference.id, token.id
    # End the read so the claim below is this transaction's first statement.
    db.session.rollback()

    connection = db.session.connection()
    claim = {"b_token": token_id, "b_holder": holder_hash(key, holder) if holder else None}
    claimed = connection.execute(_CLAIM, claim).rowcount
    counted = claimed and connection.execute(_COUNT, {"b_conference": conference_id}).rowcount
    if not counted:
        db.session.rollback()
        conference, token = find_token(key, credential)
        raise (
            refusal_for(conference, token)
            or holder_refusal(key, token, holder)
            or DomainError("ballot_closed", "The ballot is closed.", 409)
        )
    connection.execute(
        _INSERT_BALLOT,
        {
            "id": new_id(),
            "conference_id": conference_id,
            "choices": json.dumps(choices, sort_keys=True, separators=(",", ":")),
            "is_valid": is_valid,
            # Outside the live tally until a publication adds it (never the next one alone).
            "published": False,
        },
    )
    if is_valid:
        agreed = [definition.candidate_ids[(p, c)] for p, cs in choices.items() for c in cs]
        if agreed:
            connection.execute(_AGREE, {"b_ids": agreed})
    if booth:
        connection.execute(_BOOTH, {"b_conference": conference_id})
    return Cast(_add_receipt(connection, conference_id), conference_id)


def _add_receipt(connection: sa.Connection, conference_id: int) -> str:
    """Insert a fresh receipt code; a collision (1 in 10^11) just draws again."""
    statement = _INSERT_RECEIPT[connection.dialect.name]
    for _ in range(8):
        code = random_code(RECEIPT_LENGTH)
        if connection.execute(statement, {"conference_id": conference_id, "code": code}).rowcount:
            return code
    raise RuntimeError("could not draw a unique receipt code")  # pragma: no cover
