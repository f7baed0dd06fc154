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

The clean-up always completes. The close and the lock set
``Conference.scrub_pending`` in their own transaction, and only a finished scrub
clears it. A reader holding the database (a backup, a second process, a long
query) keeps the old pages alive: the WAL cannot be emptied, or PostgreSQL must
keep the old row versions for that reader's snapshot. The scrub then waits a
few seconds (:data:`WAIT_SECONDS`, by polling, so it neither hangs the request
nor blocks gevent's hub inside SQLite's busy handler), leaves the marker set
and retries in the background with back-off until it succeeds. A kill before
the scrub leaves the marker too: :func:`resume_pending` at the start of
``voting serve`` finishes it, and ``voting audit verify`` names every
conference still marked (:func:`traces_left` adds what the storage itself shows
where no marker says so). Several calls, threads or processes may scrub at
once: each step is idempotent and the engines serialise them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from voting.ballots.traces import CAST_TABLES, traces_left
from voting.conferences.models import Conference
from voting.extensions import db, socketio

log = logging.getLogger(__name__)
if log.level == logging.NOTSET:
    # `voting serve`'s console shows warnings only; the start-up resume and the
    # completion of a clean-up that had to wait belong there too.
    log.setLevel(logging.INFO)

#: Counters updated by each cast (their old versions list the casts in order).
COUNTER_TABLES = ("candidates", "conferences")

#: How long a close, a lock or the start-up waits for readers before leaving the
#: scrub to the background retry (seconds). Busy readers are polled every
#: POLL_SECONDS with the scrub's connection set to fail at once, never waited on
#: inside the database driver.
WAIT_SECONDS = 3.0
POLL_SECONDS = 0.05
#: The background retry's first delay, doubled after each failed attempt up to the cap.
RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 60.0

SQLITE_READER = (
    "another connection keeps a read transaction open on the database (a backup, a second "
    "process, a long query), so the WAL file cannot be emptied"
)
SQLITE_WRITER = "another connection keeps writing to the database"
PG_READER = (
    "another session holds a snapshot older than the rewrite (a backup, a second process, "
    "a long query), so PostgreSQL must keep the old row versions for it"
)
PG_LOCK = "another session holds a lock on the ballot tables"
BUSY = "another clean-up is running in this process; it runs again afterwards"


class Waiting(Exception):
    """The scrub cannot finish now; the message says why (for the log)."""


# ------------------------------------------------------------------------------ entry points


def forget_arrival_order(conference_id: int) -> None:
    """Scrub the storage after a close (and again at lock); safe to repeat.

    Runs outside the request's transaction: the caller has committed (with the
    conference's ``scrub_pending`` set). Returns within about :data:`WAIT_SECONDS`;
    what cannot be finished by then is retried in the background.
    """
    db.session.rollback()  # no read transaction of ours may hold the tables
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not scrub_now([conference_id]):
        schedule_retry(app)


def resume_pending() -> None:
    """At start-up: finish the scrub of any closed conference whose scrub did not complete."""
    db.session.rollback()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    owed = pending_ids() | set(traces_left())
    if not owed:
        return
    log.info("start-up: finishing the secrecy clean-up of %s", _names(owed))
    if not scrub_now(sorted(owed)):
        schedule_retry(app)


def pending_ids() -> set[int]:
    """The conferences whose scrub is still owed (marker set)."""
    with db.engine.connect() as conn:
        return set(conn.scalars(sa.select(Conference.id).where(Conference.scrub_pending)))


def scrub_now(conference_ids: Iterable[int], *, attempt: int = 0) -> bool:
    """One bounded attempt for these conferences and every one marked; True once done.

    On success the markers of all of them are cleared; otherwise they stay set
    and the reason is logged (``attempt`` > 0: a background retry).
    """
    owed = set(conference_ids)
    if not _running.acquire(blocking=False):
        log.info("secrecy clean-up of %s: %s", _names(owed), BUSY)
        return False
    try:
        owed |= pending_ids()
        if not owed:
            return True
        deadline = time.monotonic() + WAIT_SECONDS
        try:
            dialect = db.engine.dialect.name
            if dialect == "sqlite":
                _scrub_sqlite(sorted(owed), deadline)
            elif dialect == "postgresql":
                _scrub_postgresql(sorted(owed), deadline)
            else:
                _clear_markers(sorted(owed))
        except Waiting as exc:
            reason = str(exc)
        except sa.exc.OperationalError as exc:
            reason = _why(exc)
        else:
            if attempt:
                log.info("secrecy clean-up of %s done (background retry %d)", _names(owed), attempt)
            return True
        _log_waiting(owed, reason, attempt)
        return False
    finally:
        _running.release()


# ------------------------------------------------------------------------ background retry

#: One scrub at a time in this process (never waited on: the loser leaves it to the retry).
_running = threading.Lock()
#: Database URL -> "run another pass": the retry loops running in this process.
_retries: dict[str, bool] = {}
_retries_lock = threading.Lock()  # held for dictionary updates only, never across I/O


def schedule_retry(app: Flask) -> None:
    """Retry in the background until nothing is owed; at most one loop per database."""
    key = str(app.config["SQLALCHEMY_DATABASE_URI"])
    with _retries_lock:
        if key in _retries:
            _retries[key] = True  # the running loop makes one more pass
            return
        _retries[key] = False
    try:
        socketio.start_background_task(_retry_loop, app, key)
    except BaseException:
        with _retries_lock:
            _retries.pop(key, None)
        raise


def retrying(app: Flask) -> bool:
    """Whether a background retry loop is running for this app's database."""
    with _retries_lock:
        return str(app.config["SQLALCHEMY_DATABASE_URI"]) in _retries


def _retry_loop(app: Flask, key: str) -> None:
    delay, attempt = RETRY_FIRST_SECONDS, 0
    try:
        while True:
            socketio.sleep(delay)
            attempt += 1
            with _retries_lock:
                _retries[key] = False
            done = False
            with app.app_context():
                try:
                    owed = pending_ids() | set(traces_left())
                    done = not owed or scrub_now(sorted(owed), attempt=attempt)
                except Exception as exc:  # keep retrying: the marker stays set meanwhile
                    log.warning(
                        "secrecy clean-up retry %d failed (%s); trying again in %g s",
                        attempt,
                        type(exc).__name__,
                        min(delay * 2, RETRY_MAX_SECONDS),
                    )
                finally:
                    db.session.remove()
            if done:
                with _retries_lock:
                    if not _retries.get(key):
                        _retries.pop(key, None)
                        return
                delay = RETRY_FIRST_SECONDS  # a new close came in meanwhile
            else:
                delay = min(delay * 2, RETRY_MAX_SECONDS)
    except BaseException:
        with _retries_lock:
            _retries.pop(key, None)
        raise


def _next_delay(attempt: int) -> float:
    return min(RETRY_FIRST_SECONDS * 2**attempt, RETRY_MAX_SECONDS)


def _log_waiting(owed: set[int], reason: str, attempt: int) -> None:
    message = (
        "secrecy clean-up of %s is waiting: %s. The order of arrival and the token of each "
        "ballot stay readable in the storage until it runs; the result is unaffected. The app "
        "retries in the background (next try in %g s), and `voting serve` at its next start."
    )
    # Loud the first time and every tenth retry; the retries in between are routine.
    level = logging.WARNING if attempt % 10 == 0 else logging.INFO
    log.log(level, message, _names(owed), reason, _next_delay(attempt))


def _names(ids: Iterable[int]) -> str:
    """'conference <public id> (id N, closed)', for the log: no token, ballot or choice."""
    ids = sorted(set(ids))
    if not ids:
        return "no conference"
    try:
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.select(Conference.id, Conference.public_id, Conference.status).where(
                    Conference.id.in_(ids)
                )
            ).all()
    except sa.exc.SQLAlchemyError:
        rows = []
    known = {r[0]: f"conference {r[1]} (id {r[0]}, {r[2]})" for r in rows}
    return ", ".join(known.get(i, f"conference id {i}") for i in ids)


def _why(exc: sa.exc.OperationalError) -> str:
    if _is_busy(exc):
        return SQLITE_WRITER if db.engine.dialect.name == "sqlite" else PG_LOCK
    return f"the database refused ({type(exc.orig).__name__})"


def _is_busy(exc: sa.exc.OperationalError) -> bool:
    """A lock or busy error (worth polling for), not a broken database."""
    if getattr(exc.orig, "sqlstate", None) == "55P03":  # PostgreSQL lock_not_available
        return True
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text


def _poll(deadline: float, step: Callable[[], bool], reason: str) -> None:
    """Repeat ``step`` until it succeeds; past ``deadline`` give up with ``reason``."""
    while not step():
        if time.monotonic() >= deadline:
            raise Waiting(reason)
        socketio.sleep(POLL_SECONDS)


def _clear_markers(ids: list[int], conn: sa.Connection | None = None) -> None:
    statement = (
        sa.update(Conference)
        .where(Conference.id.in_(ids), Conference.scrub_pending)
        .values(scrub_pending=False)
    )
    if conn is not None:
        conn.execute(statement)
        return
    with db.engine.begin() as own:
        own.execute(statement)


# ------------------------------------------------------------------------------------ SQLite


def _scrub_sqlite(owed: list[int], deadline: float) -> None:
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        previous = int(conn.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0)
        # Fail at once and poll: SQLite's busy handler would sleep inside the driver,
        # holding the request (and, under gevent, every other request) meanwhile.
        conn.exec_driver_sql("PRAGMA busy_timeout = 0")
        try:
            # Empty the WAL first: while a reader pins it, VACUUM would only append
            # another copy of the whole file to it.
            _poll(deadline, lambda: _checkpoint(conn), SQLITE_READER)
            _poll(deadline, lambda: _run(conn, "VACUUM"), SQLITE_WRITER)
            _poll(deadline, lambda: _checkpoint(conn), SQLITE_READER)
            # The storage is clean; clearing the marker writes one small transaction
            # (post-scrub pages only), emptied again at once where nobody reads.
            grace = max(deadline, time.monotonic() + 1.0)
            _poll(grace, lambda: _run(conn, _clear_markers, owed), SQLITE_WRITER)
            try:
                _poll(time.monotonic() + 1.0, lambda: _checkpoint(conn), SQLITE_READER)
            except Waiting:
                log.info("the WAL keeps the marker's own pages until the next checkpoint")
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {previous}")


def _checkpoint(conn: sa.Connection) -> bool:
    """Copy the WAL into the file and truncate it to zero bytes; False if a reader stops it."""
    try:
        busy, _, _ = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    except sa.exc.OperationalError as exc:
        if _is_busy(exc):
            return False
        raise
    return not busy


def _run(conn: sa.Connection, what: str | Callable[..., None], *args: Any) -> bool:
    """Run SQL text or a callable on ``conn``; False if the database is locked."""
    try:
        if isinstance(what, str):
            conn.exec_driver_sql(what)
        else:
            what(*args, conn)
    except sa.exc.OperationalError as exc:
        if _is_busy(exc):
            return False
        raise
    return True


# -------------------------------------------------------------------------------- PostgreSQL


def _lock_timeout(conn: sa.Connection, deadline: float, *, local: bool = False) -> None:
    """Lock waits end at the deadline (0.1 s at least), never at PostgreSQL's default: never."""
    ms = max(100, int((deadline - time.monotonic()) * 1000))
    conn.exec_driver_sql(f"SET {'LOCAL ' if local else ''}lock_timeout = '{ms}ms'")


def _scrub_postgresql(owed: list[int], deadline: float) -> None:
    with db.engine.connect() as conn:
        with conn.begin():
            _lock_timeout(conn, deadline, local=True)
            for table in CAST_TABLES:
                conn.execute(
                    sa.text(
                        f"UPDATE {table} SET conference_id = conference_id "
                        "WHERE conference_id IN :conferences"
                    ).bindparams(sa.bindparam("conferences", expanding=True)),
                    {"conferences": owed},
                )
            rewrite = int(conn.exec_driver_sql("SELECT pg_current_xact_id()::text").scalar_one())
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        # CLUSTER and VACUUM FULL keep every old row version a snapshot older than the
        # rewrite may still see -- with the casts' own xmins. Wait for such readers first.
        _poll(deadline, lambda: not _older_snapshots(conn, rewrite), PG_READER)
        try:
            for table in CAST_TABLES:
                index = conn.execute(
                    sa.text(
                        "SELECT indexrelid::regclass::text FROM pg_index "
                        "WHERE indrelid = CAST(:table AS regclass) AND indisprimary"
                    ),
                    {"table": table},
                ).scalar_one()
                _lock_timeout(conn, deadline)
                conn.exec_driver_sql(f'CLUSTER {table} USING "{index}"')
            _lock_timeout(conn, deadline)
            conn.exec_driver_sql("VACUUM (FULL) " + ", ".join(COUNTER_TABLES))
            _lock_timeout(conn, max(deadline, time.monotonic() + 1.0))
            _clear_markers(owed, conn)
        finally:
            conn.exec_driver_sql("RESET lock_timeout")


def _older_snapshots(conn: sa.Connection, rewrite: int) -> int:
    """Sessions, prepared transactions and slots whose horizon is not past ``rewrite``.

    ``pg_stat_activity`` shows other roles' sessions only to a superuser or a member of
    ``pg_read_all_stats``; docs/security.md says so.
    """
    return int(
        conn.execute(
            sa.text(
                "SELECT count(*) FROM ("
                " SELECT backend_xmin AS x FROM pg_stat_activity"
                "  WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " UNION ALL SELECT backend_xid FROM pg_stat_activity"
                "  WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " UNION ALL SELECT transaction FROM pg_prepared_xacts"
                "  WHERE database = current_database()"
                " UNION ALL SELECT xmin FROM pg_replication_slots"
                ") h WHERE x IS NOT NULL AND age(x) >= age(CAST(CAST(:xid AS text) AS xid))"
            ),
            {"xid": str(rewrite % 2**32)},
        ).scalar_one()
    )
