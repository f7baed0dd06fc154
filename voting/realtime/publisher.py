"""Batched live-tally broadcasts.

Ballots only mark their conference dirty; a ticker publishes at most a few
times a second, one broadcast per room whatever the ballot rate. Per-candidate
numbers are the tally over a set S of ballots (``Ballot.published``) that grows
by at least k = ``LIVE_MIN_BATCH`` ballots at a time and always leaves at least
k out (voting.realtime.visibility). S and its tally live in the database and
grow under a conditional UPDATE, so several worker processes share them.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask

from voting.conferences.models import Conference
from voting.effects import after_commit, transaction
from voting.extensions import db, socketio
from voting.realtime.rooms import chair_room, phone_room, public_room
from voting.realtime.snapshots import chair_snapshot, public_snapshot, result_visible
from voting.realtime.visibility import MIN_K, checked_k

log = logging.getLogger(__name__)

_dirty: set[int] = set()
_lock = threading.Lock()
_state: dict[str, Any] = {"app": None, "ticker": False}


def init_app(app: Flask) -> None:
    # Refused at start, not at the first tick: a k below 3 would show single ballots.
    checked_k(app.config.get("LIVE_MIN_BATCH", MIN_K))
    _state["app"] = app
    # The result pages ask the same rule as the live tally (one function decides).
    app.jinja_env.globals["result_visible"] = result_visible


def changed(conference: Conference | int) -> None:
    """What the live screens show of ``conference`` changed: tell them once it commits.

    Operations call this (never :func:`notify` directly), so a rollback tells no one
    and every path that commits, whatever it is, tells them. The cast path passes the
    id: its conference row is expired by then, and reading it would cost a query.
    """
    conference_id = conference if isinstance(conference, int) else conference.id
    after_commit(("notify", conference_id), lambda: notify(conference_id))


def notify(conference_id: int) -> None:
    """A ballot or a status change happened; publish on the next tick."""
    with _lock:
        _dirty.add(conference_id)
        start = not _state["ticker"]
        app = _state["app"]
        if start and app is not None and app.config.get("LIVE_TICKER"):
            _state["ticker"] = True
        else:
            start = False
    if start:
        socketio.start_background_task(_run_ticker, app)


def _run_ticker(app: Flask) -> None:
    tick = float(app.config.get("LIVE_TICK_SECONDS", 0.25))
    while True:
        socketio.sleep(tick)
        try:
            with app.app_context():
                flush()
        except Exception:  # the ticker must outlive one bad tick
            log.exception("live tally tick failed")


def flush() -> None:
    """Publish every dirty conference now (the ticker's work; tests call it)."""
    # Here, not at the top: the publication reads ballot definitions, and the ballot
    # operations import this module to queue their live updates (changed).
    from voting.realtime.published import publish_live

    with _lock:
        pending = list(_dirty)
        _dirty.clear()
    app = _state["app"]
    k = checked_k(app.config.get("LIVE_MIN_BATCH", MIN_K)) if app else MIN_K
    for conference_id in pending:
        with transaction():
            publish_live(conference_id, k)
        conference = db.session.get(Conference, conference_id)
        if conference is None:
            continue
        socketio.emit("tally", chair_snapshot(conference), to=chair_room(conference.public_id))
        turnout = public_snapshot(conference)
        socketio.emit("turnout", turnout, to=public_room(conference.public_id))
        if conference.status != "open":
            socketio.emit("turnout", turnout, to=phone_room(conference.public_id))
        db.session.rollback()
