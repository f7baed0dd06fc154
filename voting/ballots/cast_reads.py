"""A cast's one read: its token and conference as a plain row, and why it may not vote.

The hot path of :mod:`voting.ballots.recording`: one precompiled Core SELECT, no ORM
objects, the ballot's definition from a cache. The refusals are the ones every other
path gives, decided by the same functions (:func:`refusal_for`, :func:`holder_refusal`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa

from voting.ballots.models import Token
from voting.ballots.operations import (
    BallotDefinition,
    ballot_definition,
    holder_refusal,
    is_code,
    refusal_for,
)
from voting.ballots.tokens import code_hash, secret_hash, unsign
from voting.conferences.models import Conference
from voting.errors import DomainError
from voting.extensions import db

_tokens, _conferences = (cast(sa.Table, model.__table__) for model in (Token, Conference))

#: A cast's one read: its token and its conference, as plain columns (no ORM objects).
_FIND = sa.select(
    _tokens.c.id,
    _tokens.c.conference_id,
    _tokens.c.state,
    _tokens.c.holder_hash,
    _conferences.c.status,
    _conferences.c.public_id,
    _conferences.c.opened_dt,
).join(_conferences, _tokens.c.conference_id == _conferences.c.id)
_FIND_BY_SECRET = _FIND.where(_tokens.c.secret_hash == sa.bindparam("b_hash"))
_FIND_BY_CODE = _FIND.where(_tokens.c.code_hash == sa.bindparam("b_hash"))


@dataclass(frozen=True)
class CastRequest:
    """A cast as asked: what a phone or the booth sent."""

    key: str
    credential: str
    raw_choices: Any
    booth_of: int | None = None
    holder: str | None = None


@dataclass(frozen=True)
class TokenRow:
    """What :func:`refusal_for` and :func:`holder_refusal` read of a token, from one row."""

    id: str
    conference_id: int
    state: str
    holder_hash: str | None


@dataclass(frozen=True)
class _ConferenceRow:
    id: int
    status: str


#: Ballot definitions by (conference id, opening): no ORM load on the hot path.
_definitions: dict[tuple[int, str], BallotDefinition] = {}


def definition_of(conference_id: int, opened: Any) -> BallotDefinition:
    cache_key = (conference_id, str(opened))
    found = _definitions.get(cache_key)
    if found is None:
        conference = db.session.get(Conference, conference_id)
        assert conference is not None  # its token row was just read, in this transaction
        found = ballot_definition(conference)
        if len(_definitions) > 1024:
            _definitions.clear()
        _definitions[cache_key] = found
    return found


def _lookup(request: CastRequest) -> tuple[sa.Select[Any], dict[str, Any], str | None]:
    """The token's read and, for a signed link, the conference it must belong to."""
    credential = request.credential
    if not isinstance(credential, str) or not credential or len(credential) > 512:
        raise DomainError("invalid_token", "This ballot link is not valid.", 400)
    if is_code(credential):
        return _FIND_BY_CODE, {"b_hash": code_hash(request.key, credential)}, None
    unsigned = unsign(request.key, credential)
    if unsigned is None:
        raise DomainError("invalid_token", "This ballot link is not valid.", 400)
    public_id, secret = unsigned
    return _FIND_BY_SECRET, {"b_hash": secret_hash(request.key, secret)}, public_id


def read_token(connection: sa.Connection, request: CastRequest) -> tuple[TokenRow, Any]:
    statement, params, public_id = _lookup(request)
    row = connection.execute(statement, params).first()
    if row is None:
        if public_id is None:
            raise DomainError(
                "unknown_code", "No ballot has this code. Check it and try again.", 404
            )
        raise DomainError("unknown_token", "This ballot link belongs to no open conference.", 404)
    # A secret re-signed for another conference matches no token there.
    if public_id is not None and row.public_id != public_id:
        raise DomainError("unknown_token", "This ballot link belongs to no open conference.", 404)
    return TokenRow(row.id, row.conference_id, row.state, row.holder_hash), row


def cast_refusal(request: CastRequest, token: TokenRow, status: str) -> DomainError | None:
    if request.booth_of is not None and token.conference_id != request.booth_of:
        return DomainError("unknown_token", "This ballot link belongs to no open conference.", 404)
    # Plain rows, read as the ORM objects would be (the same rules decide).
    as_token, conference = cast(Token, token), cast(Conference, _ConferenceRow(0, status))
    return refusal_for(conference, as_token) or holder_refusal(
        request.key, as_token, request.holder
    )
