"""After-commit effects: what must follow a change once it is durable, whoever commits it.

An operation that closes a ballot owes the secrecy scrub; one that changes what a screen
shows owes a live update. Neither may run before the change is committed (a scrub would
race the casts still in the transaction, a screen would show what a rollback undoes), and
neither may be forgotten because the change came through another path — a page, the API,
a command, a timer. So the operation itself queues the effect on the session:

    after_commit(("scrub", conference.id), lambda: forget_arrival_order(conference.id))

When that session's transaction commits, its queued effects become due; a rollback drops
them. Due effects run when the request ends (before its response leaves) or when the app
context closes (a command), or at an explicit :func:`run_due`. The same key queued twice
in one transaction runs once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager

from flask import Flask, Response
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from voting.extensions import db

log = logging.getLogger(__name__)

Effect = Callable[[], None]

#: In ``Session.info``: effects queued in the open transaction, then those committed.
_QUEUED = "voting.effects.queued"
_DUE = "voting.effects.due"


def after_commit(key: Hashable, effect: Effect) -> None:
    """Run ``effect`` once the current transaction commits; never if it rolls back."""
    db.session.info.setdefault(_QUEUED, {})[key] = effect


@contextmanager
def transaction() -> Iterator[None]:
    """The one commit point: commit once at the end, roll back on any error, then run
    the effects that commit made due.

    Every path that changes the database (a page, the API, a command) runs its
    operation inside this, so a refusal (:class:`~voting.errors.DomainError`) or a crash
    leaves nothing half-done and no effect runs for a change that was not kept::

        with transaction():
            close_ballot(conference)

    Operations only flush; they never commit.
    """
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    run_due()


def queued() -> list[Hashable]:
    """The keys waiting on the open transaction (for tests and diagnostics)."""
    return list(db.session.info.get(_QUEUED, {}))


def run_due() -> None:
    """Run every effect whose transaction has committed, in the order they were queued.

    An effect may commit again and so make more effects due: they run too.
    """
    info = db.session.info
    while due := info.pop(_DUE, None):
        for effect in due.values():
            effect()


def _committed(session: Session) -> None:
    queued_now = session.info.pop(_QUEUED, None)
    if queued_now:
        session.info.setdefault(_DUE, {}).update(queued_now)


def _ended(session: Session, transaction: SessionTransaction) -> None:
    # after_commit has already moved a committed transaction's effects: what is still
    # queued when the outermost transaction ends was rolled back.
    if transaction.parent is None:
        session.info.pop(_QUEUED, None)


# Once per process: every app's sessions come from the same Flask-SQLAlchemy factory.
if not event.contains(db.session, "after_commit", _committed):
    event.listen(db.session, "after_commit", _committed)
    event.listen(db.session, "after_transaction_end", _ended)


def init_app(app: Flask) -> None:
    @app.after_request
    def run_after_request(response: Response) -> Response:
        run_due()
        return response

    @app.teardown_appcontext
    def run_at_teardown(exc: BaseException | None) -> None:
        # A command, or a request that failed after committing: what is due still runs.
        try:
            run_due()
        except Exception:  # the context is closing: report, never mask the first error
            log.exception("an after-commit effect failed")
