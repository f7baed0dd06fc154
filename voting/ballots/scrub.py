"""After the close: remove the traces of arrival order that live below SQL.

No column records when a ballot arrived or which token cast it, but the
storage engines do, as a side effect of how they write:

- SQLite appends each transaction's pages to the WAL file in commit order, so
  the frames of one cast hold the token turned ``used``, the new ballot and its
  receipt together; and inside a table page new cells are laid out from the end
  of the page towards the start, so the byte offsets of the ballots give their
  order of arrival, whatever their (random) ids.
- PostgreSQL stamps every row version with the id of the transaction that wrote
  it (``xmin``): the token, the ballot and the receipt of one cast share it, for
  anyone who may SELECT both tables; and the heap keeps rows in arrival order
  (``ctid``), which is also the order of ``pg_dump``.

Once the ballot is closed nothing may be cast any more, so the traces can go:
SQLite rebuilds the file in key order (``VACUUM``) and empties the WAL
(``wal_checkpoint(TRUNCATE)``); PostgreSQL rewrites the conference's tokens,
ballots and receipts in one transaction (one ``xmin`` for all of them), then
rewrites the tables in primary-key order (``CLUSTER``), which also drops the old
row versions, and the counters' tables (``VACUUM FULL``). What stays is said in
docs/security.md (the live database during the vote; PostgreSQL's WAL segments;
disk blocks the file system has not reused).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from voting.extensions import db

log = logging.getLogger(__name__)

#: Written by each cast; rewritten so no row version dates from one.
CAST_TABLES = ("tokens", "ballots", "receipts")
#: Counters updated by each cast (their old versions list the casts in order).
COUNTER_TABLES = ("candidates", "conferences")


def forget_arrival_order(conference_id: int) -> None:
    """Scrub the storage after a close (and again at lock); safe to repeat.

    Runs outside the request's transaction: the caller has committed.
    """
    db.session.rollback()  # no read transaction of ours may hold the tables
    dialect = db.engine.dialect.name
    try:
        if dialect == "sqlite":
            _scrub_sqlite()
        elif dialect == "postgresql":
            _scrub_postgresql(conference_id)
    except sa.exc.OperationalError as exc:  # e.g. a reader outlasted the busy timeout
        # The result is unaffected; the next close or lock tries again.
        log.warning("could not scrub the storage after the close: %s", type(exc.orig).__name__)


def _scrub_sqlite() -> None:
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.exec_driver_sql("VACUUM")
        busy, _, _ = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        if busy:
            log.warning("the WAL could not be emptied: a reader was still active")


def _scrub_postgresql(conference_id: int) -> None:
    with db.engine.begin() as conn:
        for table in CAST_TABLES:
            conn.execute(
                sa.text(
                    f"UPDATE {table} SET conference_id = conference_id "
                    "WHERE conference_id = :conference"
                ),
                {"conference": conference_id},
            )
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in CAST_TABLES:
            index = conn.execute(
                sa.text(
                    "SELECT indexrelid::regclass::text FROM pg_index "
                    "WHERE indrelid = CAST(:table AS regclass) AND indisprimary"
                ),
                {"table": table},
            ).scalar_one()
            conn.exec_driver_sql(f'CLUSTER {table} USING "{index}"')
        conn.exec_driver_sql("VACUUM (FULL) " + ", ".join(COUNTER_TABLES))


def resume_pending() -> None:
    """At start-up: finish the scrub of any closed conference whose scrub did not complete."""
