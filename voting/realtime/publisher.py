"""Batched live-tally broadcasts.

Ballots only mark their conference dirty; a ticker publishes at most a few
times a second, one broadcast per room whatever the ballot rate. Per-candidate
numbers move only after ``LIVE_MIN_BATCH`` new ballots (or at close), so a
batch never reveals a single ballot. The watermark lives in the database and is
advanced by a conditional UPDATE, so several worker processes share it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import sqlalchemy as sa
from flask import Flask

from voting.conferences.models import Candidate, Conference, Position
from voting.extensions import db, socketio
from voting.realtime.rooms import chair_room, phone_room, public_room
from voting.realtime.snapshots import chair_snapshot, public_snapshot

log = logging.getLogger(__name__)

_dirty: set[int] = set()
_lock = threading.Lock()
_state: dict[str, Any] = {"app": None, "ticker": False}


def init_app(app: Flask) -> None:
    _state["app"] = app


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


def advance_watermark(conference_id: int, min_batch: int) -> bool:
    """Publish per-candidate numbers if enough new ballots arrived (or closed)."""
    moved = db.session.execute(
        sa.update(Conference)
        .where(
            Conference.id == conference_id,
            Conference.published_received != Conference.ballots_received,
            sa.or_(
                Conference.ballots_received - Conference.published_received >= min_batch,
                Conference.status != "open",
            ),
        )
        .values(published_received=Conference.ballots_received)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved:
        positions = sa.select(Position.id).where(Position.conference_id == conference_id)
        db.session.execute(
            sa.update(Candidate)
            .where(Candidate.position_id.in_(positions))
            .values(published_agree=Candidate.live_agree)
            .execution_options(synchronize_session=False)
        )
    return bool(moved)


def flush() -> None:
    """Publish every dirty conference now (the ticker's work; tests call it)."""
    with _lock:
        pending = list(_dirty)
        _dirty.clear()
    app = _state["app"]
    min_batch = int(app.config.get("LIVE_MIN_BATCH", 3)) if app else 3
    for conference_id in pending:
        advance_watermark(conference_id, min_batch)
        db.session.commit()
        conference = db.session.get(Conference, conference_id)
        if conference is None:
            continue
        socketio.emit("tally", chair_snapshot(conference), to=chair_room(conference.public_id))
        turnout = public_snapshot(conference)
        socketio.emit("turnout", turnout, to=public_room(conference.public_id))
        if conference.status != "open":
            socketio.emit("turnout", turnout, to=phone_room(conference.public_id))
        db.session.rollback()
