"""Issuing and voiding ballot tokens; which token, and which ballot, may vote.

These functions only flush; the request handler commits once. Recording a ballot
(and every other write that uses a token) is :mod:`voting.ballots.recording`'s.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from voting import audit
from voting.ballots.models import Token
from voting.ballots.tokens import (
    CODE_LENGTH,
    IssuedToken,
    code_hash,
    derive,
    holder_hash,
    new_id,
    normalize_code,
    secret_hash,
    unsign,
)
from voting.conferences.models import Conference, ballot_positions
from voting.conferences.rules import conference_rule
from voting.errors import DomainError
from voting.extensions import db
from voting.procedure.ruleset import Rule
from voting.realtime.publisher import changed
from voting.tally.decision import VotePosition


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


def voidable_token(conference: Conference, code: str, key: str) -> Token:
    """The slip with this code, or the refusal voiding it would meet (cast, or void)."""
    token = slip_token(conference, code, key)
    if token.state == "used":
        raise DomainError(
            "token_used", "That ballot has already been cast; it cannot be voided.", 409
        )
    if token.state == "void":
        raise DomainError("token_void", "That ballot was already voided.", 409)
    return token


def void_token(conference: Conference, code: str, key: str) -> IssuedToken:
    """Void an unused token (a lost or spoilt slip) and issue its replacement."""
    token = voidable_token(conference, code, key)
    token.state = "void"
    conference.tokens_voided += 1
    replacement = issue_tokens(conference, 1, key)[0]
    # Totals only: neither the voided token nor its replacement is named.
    audit.record(
        "token.voided",
        {"tokens_issued": conference.tokens_issued, "tokens_voided": conference.tokens_voided},
        conference=conference,
    )
    changed(conference)
    return replacement


def is_code(credential: str) -> bool:
    """A typed short code (rather than the signed token a QR carries)."""
    return len(credential) <= 2 * CODE_LENGTH and len(normalize_code(credential)) == CODE_LENGTH


def find_token(key: str, credential: str) -> tuple[Conference, Token]:
    """Resolve a signed token (from a QR) or a typed code to its conference and token."""
    if not isinstance(credential, str) or not credential or len(credential) > 512:
        raise DomainError("invalid_token", "This ballot link is not valid.", 400)
    if is_code(credential):
        found = db.session.execute(
            sa.select(Token, Conference)
            .join(Conference, Token.conference_id == Conference.id)
            .where(Token.code_hash == code_hash(key, credential))
        ).first()
        if found is None:
            raise DomainError(
                "unknown_code", "No ballot has this code. Check it and try again.", 404
            )
        return found.Conference, found.Token
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


class SlipTaken(DomainError):
    """:func:`slip_taken`, knowing which slip: the chair's double-scan count flags it.

    The ids are attributes, never ``params``: a refusal's params go out to the phone.
    """

    def __init__(self, token: Token) -> None:
        taken = slip_taken()
        super().__init__(taken.code, taken.message, taken.status)
        self.conference_id, self.token_id = token.conference_id, token.id


def holder_refusal(key: str, token: Token, holder: str | None) -> SlipTaken | None:
    """Why this phone (its cookie's ``holder`` secret, if any) may not use a bound slip.

    Only a kiosk slip is bound (voting.ballots.routes says why printed slips are not):
    the first phone that opened it holds the secret whose HMAC the token keeps.
    """
    if token.holder_hash is None or token.state != "issued":
        return None
    if holder and hmac.compare_digest(token.holder_hash, holder_hash(key, holder)):
        return None
    return SlipTaken(token)


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
