"""Which slips are still to be handed out: answered from the database, never from memory.

A token's secret and code are derived from its random id and ``SECRET_KEY``
(:mod:`voting.ballots.tokens`), so this module keeps nothing in the process:
the slips still to hand out are simply the open conference's tokens in state
``issued``, redrawn on demand. A restart, or a kiosk served by another worker
than the one that opened the ballot, therefore loses no slip — and a slip that
could not be shown would be a ballot missing, which counts against every
candidate.

Nothing here records which slip was shown, when, or in what order. The list
comes in the order of the random ids, which carries nothing; the kiosk tells
the server which slip it is showing, and its "next slip" is another unopened one
chosen at random (:func:`choose`), so not even the screen follows a sequence
anyone could reconstruct.

A kiosk slip belongs to the first phone that opens it (voting.ballots.routes):
from then on it is no longer to be handed out, so the kiosk moves on as soon as
a phone opens its slip, and its count of slips left is true. What marks the slip
is the HMAC of that phone's secret (no time, no order); it goes when the slip is
used.

Tokens issued before secrets were derived (random secrets, known only to the
process that issued them) do not match their stored hash and are left out
quietly: they can still vote with the slip already printed, or be voided.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from voting.ballots.models import Token
from voting.ballots.tokens import IssuedToken, derive, is_derived
from voting.conferences.models import Conference
from voting.extensions import db


def pending(conference: Conference, key: str) -> list[IssuedToken]:
    """The slips still to hand out: phone tokens of an open conference, unused, unopened.

    Empty unless the ballot is open: after the close no slip is drawn again.
    """
    if not conference.is_open:
        return []
    rows = db.session.execute(
        sa.select(Token.id, Token.secret_hash)
        .where(
            Token.conference_id == conference.id,
            Token.state == "issued",
            Token.holder_hash.is_(None),
        )
        .order_by(Token.id)
    ).all()
    return [derive(key, token_id) for token_id, stored in rows if is_derived(key, token_id, stored)]


def double_scans(conference: Conference) -> int:
    """How many kiosk slips a second phone tried to open after the first had it.

    Each is someone in the queue who scanned a QR another phone had opened and was told
    to ask the chair for the next slip. A count only: never which slips, nor when.
    """
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Token)
            .where(Token.conference_id == conference.id, Token.contested)
        )
        or 0
    )


def choose(
    slips: list[IssuedToken], shown: str | None = None, *, other: bool = False
) -> IssuedToken | None:
    """The slip the kiosk should show, given the id of the one it shows now (if any).

    ``slips`` are the unopened ones (:func:`pending`). ``other`` False (the kiosk
    refreshing): keep the shown slip while no phone has opened it, else any
    unopened one at random. ``other`` True ("next slip"): another unopened slip at
    random, or the same one if it is the only one left.
    """
    if not slips:
        return None
    current = next((s for s in slips if s.token_id == shown), None)
    if current is not None and not other:
        return current
    others = [s for s in slips if s.token_id != shown]
    return secrets.choice(others) if others else current
