"""Socket.IO handlers. Connect with ``auth={"conference": id, "view": ...}``.

Views: ``chair`` (the chair's live tally; login required), ``projector``
(turnout and hand-out; login required) and ``ballot`` (a phone: status only).
Every connect receives a full snapshot at once.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, emit, join_room

from voting.auth.access import can_read
from voting.conferences.models import find_conference
from voting.extensions import db, socketio
from voting.realtime.rooms import chair_room, phone_room, public_room
from voting.realtime.snapshots import chair_snapshot, public_snapshot

VIEWS = ("chair", "projector", "ballot")


def init_app(app: Flask) -> None:  # handlers register at import; kept for symmetry
    return None


@socketio.on("connect")
def connect(auth: Any = None) -> None:
    """Join the conference's rooms for the asked view and send its snapshot."""
    if not isinstance(auth, dict) or auth.get("view") not in VIEWS:
        raise ConnectionRefusedError("bad_request")
    conference = find_conference(auth.get("conference"))
    if conference is None:
        raise ConnectionRefusedError("conference_not_found")
    view = auth["view"]
    if view in ("chair", "projector") and not can_read(current_user, conference):
        raise ConnectionRefusedError("login_required")
    public_id = conference.public_id
    # A room of a thousand phones must not get every tick: they hear only status changes.
    join_room(phone_room(public_id) if view == "ballot" else public_room(public_id))
    if view == "chair":
        join_room(chair_room(public_id))
        emit("tally", chair_snapshot(conference))
    emit("turnout", public_snapshot(conference))
    db.session.rollback()


@socketio.on("snapshot")
def snapshot(data: Any = None) -> dict[str, Any]:
    """Ask again for the public snapshot (e.g. after the page wakes up)."""
    conference = find_conference(data.get("conference") if isinstance(data, dict) else None)
    if conference is None:
        return {"error": "conference_not_found"}
    result = public_snapshot(conference)
    db.session.rollback()
    return result


@socketio.on("echo")
def echo(data: Any = None) -> Any:
    """Round-trip floor for the benchmark: returns what it got, touches nothing."""
    return data
