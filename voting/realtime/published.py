"""The live tally's published set S, in the database (the rule: voting.realtime.visibility).

Operations: they only flush. :func:`publish_live` runs on the publisher's tick,
:func:`forget_published_set` in the close's transaction.
"""

from __future__ import annotations

import json
from collections import Counter

import sqlalchemy as sa

from voting.ballots.models import Ballot
from voting.ballots.operations import ballot_definition
from voting.conferences.models import Candidate, Conference
from voting.extensions import db
from voting.realtime.visibility import LiveState, publication_size


def publish_live(conference_id: int, k: int) -> bool:
    """Add ``m ≥ k`` unpublished ballots to the published set S, leaving ``≥ k`` out.

    The ballots are those with the smallest ids: ids are random, so that is a
    random subset, not the oldest, and storage keeps no arrival order. The
    conditional UPDATE of ``published_received`` is the claim: of several worker
    processes ticking at once only one publishes (PostgreSQL locks the row until
    commit; SQLite has one writer).
    """
    row = db.session.execute(
        sa.select(
            Conference.status,
            Conference.ballots_received,
            Conference.published_received,
            Conference.paper_issued,
            Conference.paper_entered,
        ).where(Conference.id == conference_id)
    ).one_or_none()
    if row is None:
        return False
    state = LiveState(*row)
    m = publication_size(state, k)
    if not m:
        return False
    claimed = db.session.execute(  # type: ignore[attr-defined]  # an UPDATE's CursorResult
        sa.update(Conference)
        .where(
            Conference.id == conference_id,
            Conference.status == "open",
            Conference.published_received == state.published,
        )
        .values(published_received=Conference.published_received + m)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return False
    chosen = db.session.execute(
        sa.select(Ballot.id, Ballot.choices, Ballot.is_valid)
        .where(Ballot.conference_id == conference_id, Ballot.published.is_(False))
        .order_by(Ballot.id)
        .limit(m)
    ).all()
    conference = db.session.get(Conference, conference_id)
    assert conference is not None
    candidate_ids = ballot_definition(conference).candidate_ids
    added: Counter[int] = Counter()
    for ballot in chosen:
        if ballot.is_valid:
            for pkey, ckeys in json.loads(ballot.choices).items():
                added.update(candidate_ids[(pkey, c)] for c in ckeys)
    db.session.execute(
        sa.update(Ballot)
        .where(Ballot.id.in_([b.id for b in chosen]))
        .values(published=True)
        .execution_options(synchronize_session=False)
    )
    by_count: dict[int, list[int]] = {}
    for candidate_id, n in added.items():
        by_count.setdefault(n, []).append(candidate_id)
    for n, ids in by_count.items():
        db.session.execute(
            sa.update(Candidate)
            .where(Candidate.id.in_(ids))
            .values(published_agree=Candidate.published_agree + n)
            .execution_options(synchronize_session=False)
        )
    return True


def forget_published_set(conference_id: int) -> None:
    """At the close: every ballot flagged alike, in one statement, in the close's transaction.

    After the close S is frozen (its tally stays in ``Candidate.published_agree``),
    so the flags are no longer needed; clearing them before the scrub lets the
    scrub remove the old row versions that still told the batches apart.
    """
    db.session.execute(
        sa.update(Ballot)
        .where(Ballot.conference_id == conference_id, Ballot.published.is_(False))
        .values(published=True)
        .execution_options(synchronize_session=False)
    )
