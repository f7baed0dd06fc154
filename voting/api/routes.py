"""JSON endpoints: thin wrappers over the same operations the pages use.

Errors are ``{"error": {"code", "message"}}`` with a 4xx status (see
:mod:`voting.views`). State changes need the session's CSRF token in the
``X-CSRFToken`` header, except casting a ballot, whose token is its credential.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from voting.api.openapi import openapi_document
from voting.auth.access import conference_for, visible_conferences
from voting.auth.routes import attempt_login
from voting.ballots.operations import find_token, refusal_for, void_token
from voting.ballots.paper import finish_paper_entry
from voting.ballots.recording import cast_ballot
from voting.ballots.slips import ballot_url, kiosk_state
from voting.ballots.tokens import format_code
from voting.conferences import operations as ops
from voting.conferences.attendance import set_attendance
from voting.conferences.models import Conference
from voting.conferences.results import current_result
from voting.conferences.rules import conference_rule, current_ruleset
from voting.effects import transaction
from voting.errors import DomainError
from voting.extensions import csrf, db, login_manager
from voting.minutes.record import add_note, notes_of, record_of, update_record
from voting.minutes.report import conference_document
from voting.realtime.snapshots import chair_snapshot, public_snapshot, refuse_withheld

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")


@login_manager.unauthorized_handler
def unauthorized() -> ResponseReturnValue:
    from flask import redirect, url_for

    if request.path.startswith("/api/"):
        raise DomainError("login_required", "Please log in.", 401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _body() -> dict[str, Any]:
    try:
        data = request.get_json(silent=True)
        # A lone surrogate ("\ud800") is valid JSON but not text any database can
        # store: refused here rather than failing at the INSERT.
        json.dumps(data, ensure_ascii=False).encode()
    except (RecursionError, UnicodeEncodeError):  # deeper than the parser's stack, or that
        data = None
    if not isinstance(data, dict):
        raise DomainError("invalid_json", "The request body must be a JSON object.", 400)
    return data


def _login_required() -> None:
    if not current_user.is_authenticated:
        raise DomainError("login_required", "Please log in.", 401)


def _key() -> str:
    return str(current_app.config["SECRET_KEY"])


def conference_json(conference: Conference) -> dict[str, Any]:
    rule = conference_rule(conference)
    return {
        "id": conference.public_id,
        "status": conference.status,
        "level": conference.level,
        "flow": conference.flow,
        "step": conference.step,
        "rule": rule.to_json(),
        "title": conference.title,
        "held_on": conference.held_on.isoformat(),
        "place": conference.place,
        "locality": conference.locality,
        "parent_body": conference.parent_body,
        "unit_name": conference.unit_name,
        "chair_name": conference.chair_name,
        "secretary_name": conference.secretary_name,
        "head_title": conference.head_title,
        "summoned": conference.summoned_count or len(conference.people),
        "present": (
            conference.present_count
            if conference.present_count is not None
            else sum(1 for p in conference.people if p.is_present)
        ),
        "tokens": {
            "issued": conference.tokens_issued,
            "voided": conference.tokens_voided,
            "paper": conference.paper_issued,
        },
        "ballots_received": conference.ballots_received,
        "paper_entered": conference.paper_entered,
        "booth_cast": conference.booth_cast,
        "result_sha256": conference.result_sha256,
        "people": [{"id": p.id, **p.to_json()} for p in conference.people],
        "positions": [p.to_json() for p in conference.positions],
    }


@blueprint.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(openapi_document())


@blueprint.get("/ruleset")
def ruleset() -> ResponseReturnValue:
    rs = current_ruleset()
    return jsonify(
        id=rs.id,
        version=rs.version,
        name=rs.name,
        max_quota=rs.max_quota,
        rules={rid: r.to_json() for rid, r in rs.rules.items()},
        steps=[
            {
                "level": s.level,
                "flow": s.flow,
                "step": s.step,
                "rule": s.rule,
                "title": s.title,
                "sitters_vi": s.sitters_vi,
            }
            for s in rs.steps
        ],
    )


@blueprint.get("/session")
def session_info() -> ResponseReturnValue:
    user = current_user if current_user.is_authenticated else None
    return jsonify(
        user={"username": user.username, "role": user.role} if user else None,
        csrf_token=generate_csrf(),
    )


@blueprint.post("/session")
@csrf.exempt  # logging in is how a client gets its CSRF token
def login() -> ResponseReturnValue:
    data = _body()
    user = attempt_login(
        str(data.get("username", ""))[:64], str(data.get("password", ""))[:256], via="api"
    )
    login_user(user)
    return jsonify(user={"username": user.username, "role": user.role}, csrf_token=generate_csrf())


@blueprint.delete("/session")
def logout() -> ResponseReturnValue:
    logout_user()
    return "", 204


@blueprint.get("/conferences")
def list_conferences() -> ResponseReturnValue:
    _login_required()
    items = db.session.scalars(visible_conferences(current_user)).all()
    return jsonify(
        conferences=[
            {
                "id": c.public_id,
                "title": c.title,
                "status": c.status,
                "step": c.step,
                "level": c.level,
                "flow": c.flow,
                "held_on": c.held_on.isoformat(),
            }
            for c in items
        ]
    )


@blueprint.post("/conferences")
def create_conference() -> ResponseReturnValue:
    _login_required()
    if current_user.role not in ("chair", "admin"):
        raise DomainError("forbidden", "Only a chair can set up a conference.", 403)
    with transaction():
        conference = ops.create_conference(current_user, _body(), current_ruleset())
    return jsonify(conference_json(conference)), 201


def _conference(public_id: str, run: bool = False) -> Conference:
    _login_required()
    return conference_for(public_id, run=run)


@blueprint.get("/conferences/<public_id>")
def get_conference(public_id: str) -> ResponseReturnValue:
    return jsonify(conference_json(_conference(public_id)))


@blueprint.patch("/conferences/<public_id>")
def update_conference(public_id: str) -> ResponseReturnValue:
    conference = _conference(public_id, run=True)
    data = _body()
    for fixed in ("level", "flow", "step"):
        if fixed in data and data[fixed] != getattr(conference, fixed):
            raise DomainError(
                "invalid_field",
                "The step cannot change; create a new conference instead.",
                422,
                field=fixed,
            )
    with transaction():
        ops.update_conference(conference, data, current_ruleset())
    return jsonify(conference_json(conference))


def _action(
    public_id: str, action: Callable[[Conference], Any], *, run: bool = True
) -> tuple[Conference, Any]:
    """Run one operation on a conference the user runs (or, ``run`` False, may read),
    through the one commit point.

    A refusal is rolled back there and reaches the JSON error handler; the operation
    queues its own live update.
    """
    conference = _conference(public_id, run=run)
    with transaction():
        result = action(conference)
    return conference, result


@blueprint.put("/conferences/<public_id>/attendance")
def attendance(public_id: str) -> ResponseReturnValue:
    # The body is read inside the action: access is checked first, so a stranger
    # gets 401/404 whatever they send, never a verdict on their body.
    conference, _ = _action(public_id, lambda c: set_attendance(c, _body().get("attendance")))
    return jsonify(conference_json(conference))


@blueprint.post("/conferences/<public_id>/open")
def open_ballot(public_id: str) -> ResponseReturnValue:
    # An empty body opens with phone slips only; {"paper": n} pairs n tokens with paper.
    paper = _body().get("paper", 0) if request.get_data() else 0
    conference, tokens = _action(public_id, lambda c: ops.open_ballot(c, _key(), paper))
    return jsonify(
        conference=conference_json(conference),
        tokens=[{"url": ballot_url(conference, t), "code": format_code(t.code)} for t in tokens],
    )


@blueprint.get("/conferences/<public_id>/handout")
def handout_state(public_id: str) -> ResponseReturnValue:
    # ?token_id= is the slip the kiosk shows now: kept while unused (no state on the server).
    conference = _conference(public_id, run=True)
    return jsonify(kiosk_state(conference, request.args.get("token_id")))


@blueprint.post("/conferences/<public_id>/handout/next")
def handout_next(public_id: str) -> ResponseReturnValue:
    # Another unused slip at random (the same if it is the last): no order is kept.
    conference = _conference(public_id, run=True)
    return jsonify(kiosk_state(conference, _body().get("token_id"), other=True))


@blueprint.post("/conferences/<public_id>/tokens/void")
def void(public_id: str) -> ResponseReturnValue:
    def act(conference: Conference) -> Any:
        code = _body().get("code")
        if not isinstance(code, str):
            raise DomainError(
                "invalid_field", "Give the code printed on the slip.", 422, field="code"
            )
        return void_token(conference, code, _key())

    conference, token = _action(public_id, act)
    return jsonify(
        replacement={"url": ballot_url(conference, token), "code": format_code(token.code)}
    )


@blueprint.post("/conferences/<public_id>/close")
def close(public_id: str) -> ResponseReturnValue:
    conference, _ = _action(public_id, ops.close_ballot)  # it queues the scrub (voting.effects)
    return jsonify(conference_json(conference))


@blueprint.post("/conferences/<public_id>/paper/finish")
def paper_finish(public_id: str) -> ResponseReturnValue:
    conference, _ = _action(public_id, finish_paper_entry)
    return jsonify(conference_json(conference))


@blueprint.post("/conferences/<public_id>/head-decision")
def head_decision(public_id: str) -> ResponseReturnValue:
    def act(conference: Conference) -> Any:
        data = _body()
        return ops.record_head_decision(conference, data.get("decided_by"), data.get("choice"))

    conference, _ = _action(public_id, act)
    return jsonify(decision=current_result(conference).decision.to_json())


@blueprint.post("/conferences/<public_id>/lock")
def lock(public_id: str) -> ResponseReturnValue:
    conference, digest = _action(public_id, ops.lock_result)
    return jsonify(sha256=digest, conference=conference_json(conference))


@blueprint.get("/conferences/<public_id>/minutes/record")
def get_minutes_record(public_id: str) -> ResponseReturnValue:
    return jsonify(record_of(_conference(public_id)))


@blueprint.put("/conferences/<public_id>/minutes/record")
def set_minutes_record(public_id: str) -> ResponseReturnValue:
    # The secretary fills the minutes: read access is enough (chair, secretary, admin).
    conference, _ = _action(public_id, lambda c: update_record(c, _body()), run=False)
    return jsonify(record_of(conference))


@blueprint.get("/conferences/<public_id>/minutes/notes")
def list_minutes_notes(public_id: str) -> ResponseReturnValue:
    return jsonify(notes=[n.to_json() for n in notes_of(_conference(public_id))])


@blueprint.post("/conferences/<public_id>/minutes/notes")
def add_minutes_note(public_id: str) -> ResponseReturnValue:
    _, note = _action(
        public_id, lambda c: add_note(c, current_user.display_name, _body().get("text")), run=False
    )
    return jsonify(note.to_json()), 201


@blueprint.get("/conferences/<public_id>/tally")
def tally(public_id: str) -> ResponseReturnValue:
    return jsonify(chair_snapshot(_conference(public_id)))


@blueprint.get("/conferences/<public_id>/result")
def result(public_id: str) -> ResponseReturnValue:
    conference = _conference(public_id)
    if not (conference.is_closed or conference.is_locked):
        raise DomainError("ballot_not_closed", "The result exists once the ballot is closed.", 409)
    refuse_withheld(conference)
    return jsonify(
        locked=conference.is_locked,
        sha256=conference.result_sha256,
        result=conference_document(conference),
    )


@blueprint.get("/ballots/<credential>")
def ballot_definition(credential: str) -> ResponseReturnValue:
    """What a phone shows: the conference, the rule, positions and candidates."""
    conference, token = find_token(_key(), credential)
    refusal = refusal_for(conference, token)
    if refusal:
        raise refusal
    data = conference_json(conference)
    return jsonify(
        {
            "conference": {
                k: data[k] for k in ("id", "title", "step", "held_on", "place", "status")
            },
            "rule": data["rule"],
            "positions": data["positions"],
            "public": public_snapshot(conference),
        }
    )


@blueprint.post("/ballots")
@csrf.exempt  # the ballot token is the credential; no session is involved
def cast() -> ResponseReturnValue:
    data = _body()
    token = data.get("token")
    if not isinstance(token, str):
        raise DomainError("invalid_token", "This ballot link is not valid.", 400)
    cast = cast_ballot(_key(), token, data.get("choices"))  # commits, then the live update
    return jsonify(status="recorded", receipt=cast.receipt), 201
