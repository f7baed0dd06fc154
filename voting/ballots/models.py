"""Tokens (who may vote, and whether they have) and ballots (what was voted).

The secret ballot's split: a :class:`Token` row records only that a token was
used; a :class:`Ballot` row records only the choices. They share no key, no
timestamp and no order: ids are random, neither table has a time column, and
on SQLite both are WITHOUT ROWID tables so even the storage order follows the
random id rather than the order of arrival.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from voting.extensions import Model

#: issued (a phone slip), paper (paired with a printed paper ballot), used, void.
TOKEN_STATES = ("issued", "paper", "used", "void")


class Token(Model):
    __tablename__ = "tokens"
    #: Never the id, a hash or the holder: a repr may land in a log (docs/security.md).
    repr_columns = ("conference_id", "state")
    __table_args__ = (
        sa.CheckConstraint(f"state IN {TOKEN_STATES!r}", name="ck_tokens_state"),
        {"sqlite_with_rowid": False},
    )

    #: Random id (128 bits, hex); carries no order.
    id: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    conference_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    #: HMAC-SHA-256 of the token's 128-bit secret; the secret itself is never stored.
    secret_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    #: HMAC-SHA-256 of the short typed code printed beside the QR.
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    #: issued → used (one ballot cast) or void (replaced by the chair); paper → used
    #: when the counting committee enters a returned paper ballot.
    state: so.Mapped[str] = so.mapped_column(sa.String(8), default="issued")
    #: A kiosk slip's phone: HMAC of the random secret that phone keeps in a cookie scoped
    #: to the slip's ballot path, set when the kiosk's QR is first opened (the kiosk then
    #: moves on) and cleared when the slip is used. It names a browser, never a person,
    #: a time or an order, and nothing links a token to its ballot.
    holder_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), default=None)
    #: Another phone tried to open this kiosk slip after the first: someone in the queue
    #: still needs a slip (the chair's turnout counts these, never which ones).
    contested: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())


class Ballot(Model):
    __tablename__ = "ballots"
    #: Never the id or the choices: logged beside a token, they would link the two.
    repr_columns = ("conference_id",)
    __table_args__ = ({"sqlite_with_rowid": False},)

    #: Random id (128 bits, hex); no link to any token, person or time.
    id: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    conference_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    #: Canonical JSON {position key: [candidate keys agreed with, sorted]}.
    choices: so.Mapped[str] = so.mapped_column(sa.Text)
    #: Whether the rule counts it (e.g. a blank ballot where blanks are invalid).
    is_valid: so.Mapped[bool] = so.mapped_column()
    #: In the live tally's published set S (voting.realtime.visibility). While the
    #: ballot is open it tells batches apart (coarse membership, never an order);
    #: the close sets it on every ballot in one statement, before the scrub.
    published: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())


class Receipt(Model):
    """A receipt code shown to a voter: proves a ballot was counted, not what it said.

    Kept apart from the ballot so a voter who shows a code reveals nothing.
    """

    __tablename__ = "receipts"
    #: Never the code: it is the voter's proof, and the table's other key.
    repr_columns = ("conference_id",)
    __table_args__ = ({"sqlite_with_rowid": False},)

    conference_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("conferences.id", ondelete="CASCADE"), primary_key=True
    )
    code: so.Mapped[str] = so.mapped_column(sa.String(16), primary_key=True)


class PaperEntry(Model):
    """The first of the two entries of one paper ballot, awaiting the second.

    The counting committee enters each returned paper ballot twice (two members);
    only matching entries become a ballot. At most one waits per conference, and
    it is deleted as soon as the second entry comes.
    """

    __tablename__ = "paper_entries"
    repr_columns = ("conference_id", "entered_by")

    conference_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("conferences.id", ondelete="CASCADE"), primary_key=True
    )
    #: Canonical JSON of the marks as entered (or {"spoilt": [reason]}).
    choices: so.Mapped[str] = so.mapped_column(sa.Text)
    #: Who entered it first (a second, different account must confirm).
    entered_by: so.Mapped[str] = so.mapped_column(sa.String(64))
