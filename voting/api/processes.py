"""JSON endpoints for planning processes: the same operations the process pages run.

Reading follows the pages (:func:`voting.planning.routes.process_for`): the chair
who owns a process, its secretary and admins see it; anyone else gets 404, as if it
did not exist. A step action runs one domain operation of :mod:`voting.planning`
through the one commit point, so a refusal changes nothing. Errors and CSRF are as
in :mod:`voting.api.routes`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from voting.api.routes import _body, _login_required
from voting.conferences.rules import current_ruleset
from voting.effects import transaction
from voting.errors import DomainError
from voting.extensions import db
from voting.planning import approval, consultation, records, stalled, vote
from voting.planning.models import (
    Attachment,
    Nominee,
    Process,
    ProcessPosition,
    ProcessStep,
    StepEntry,
)
from voting.planning.processes import create_process, set_due_dates
from voting.planning.routes import can_read, process_for
from voting.planning.steps import MAX_ID, incoming, step_definition
from voting.procedure.ruleset import Ruleset
from voting.validation import invalid_field
from voting.views import download

blueprint = Blueprint("api_processes", __name__, url_prefix="/api/v1")

#: The outcome fields the process page shows (the rest of ``outcome_json`` is
#: bookkeeping: round and supplement details the page does not print as such).
OUTCOME_TEXT = ("plan", "drafted_on", "meeting_on", "conclusion", "summary", "skipped")
#: The signed documents a decision step records: number, date, signer.
OUTCOME_DOCUMENTS = ("submission", "decision")
DOCUMENT_FIELDS = ("number", "signed_on", "signer")
#: A vote held again: its first conference, the positions it carried nobody for, why.
ROUND_FIELDS = ("conference", "held_on", "positions", "reason", "repeated_on")
#: The chair's decision on a flagged person before the ballot: kept on it or left off.
REVIEW_FIELDS = ("name", "position", "flags", "decision")


def _position_json(position: ProcessPosition) -> dict[str, Any]:
    out: dict[str, Any] = {"id": position.id, "name": position.name, "quota": position.quota}
    if position.ended:
        out["ended"] = {
            "step": position.ended_step,
            "on": position.ended_on.isoformat() if position.ended_on else None,
            "reason": position.ended_reason,
        }
    return out


def _entry_json(entry: StepEntry) -> dict[str, Any]:
    nominee = entry.nominee
    return {
        "nominee": nominee.id,
        "name": nominee.name,
        "position": nominee.position_id,
        "origin": nominee.origin,
        "agree": entry.agree,
    }


def _outcome_json(row: ProcessStep) -> dict[str, Any]:
    recorded = row.outcome
    out: dict[str, Any] = {k: str(recorded[k]) for k in OUTCOME_TEXT if recorded.get(k)}
    for key in OUTCOME_DOCUMENTS:
        if isinstance(document := recorded.get(key), dict):
            out[key] = {f: str(document.get(f, "")) for f in DOCUMENT_FIELDS}
    if rounds := recorded.get("rounds"):
        out["rounds"] = [{f: r.get(f) for f in ROUND_FIELDS} for r in rounds]
    if review := recorded.get("flag_review"):
        out["flag_review"] = [{f: r.get(f) for f in REVIEW_FIELDS} for r in review]
    return out


def _consultation_json(nominee: Nominee) -> dict[str, Any]:
    record = nominee.consult
    out: dict[str, Any] = {"nominee": nominee.id, "name": nominee.name}
    if record.get("met_on"):
        out |= {k: record.get(k, "") for k in ("met_on", "letter", "opinion")}
        out["dossier"] = list(record.get("dossier", []))
        kept = record.get("attachments", [])
        out["files"] = [a.get("name", "") for a in kept]
        out["attachments"] = [{k: a.get(k) for k in ("id", "name", "sha256")} for a in kept]
    return out


def _step_json(process: Process, row: ProcessStep, ruleset: Ruleset) -> dict[str, Any]:
    definition = step_definition(process, row, ruleset)
    out: dict[str, Any] = {
        "step": row.step,
        "kind": definition.kind,
        "title": definition.title,
        "rule": definition.rule,
        "status": row.status,
        "due_on": row.due_on.isoformat() if row.due_on else None,
        "conference": row.conference.public_id if row.conference else None,
        "outcome": _outcome_json(row),
    }
    # As on the page: a step's outgoing lists are shown once it is done.
    if row.is_done:
        out["carried"] = [_entry_json(e) for e in row.entries if e.kind == "carried"]
        out["removal"] = [_entry_json(e) for e in row.entries if e.kind == "removal"]
        if definition.kind == "consult":
            out["consultations"] = [_consultation_json(n) for n in incoming(process, row)]
    return out


def _summary_json(process: Process) -> dict[str, Any]:
    return {
        "id": process.public_id,
        "title": process.title,
        "status": process.status,
        "level": process.level,
        "flow": process.flow,
        "department": process.department,
        "period": process.period,
        "unit": {"id": process.unit.id, "name": process.unit.name},
        "created": process.created_dt.isoformat(timespec="seconds") + "Z",  # stored in UTC
    }


def process_json(process: Process) -> dict[str, Any]:
    ruleset = current_ruleset()
    return {
        **_summary_json(process),
        "ruleset": process.ruleset_ref,
        "can_run": bool(current_user.is_admin or process.owner_id == current_user.id),
        "positions": [_position_json(p) for p in process.positions],
        "steps": [_step_json(process, row, ruleset) for row in process.steps],
    }


def _process(process_id: str, run: bool = False) -> Process:
    _login_required()
    return process_for(process_id, run=run)


@blueprint.get("/processes")
def list_processes() -> ResponseReturnValue:
    _login_required()
    newest = db.session.scalars(sa.select(Process).order_by(Process.created_dt.desc()))
    return jsonify(processes=[_summary_json(p) for p in newest if can_read(current_user, p)])


@blueprint.post("/processes")
def create() -> ResponseReturnValue:
    _login_required()
    if current_user.role not in ("chair", "admin"):
        raise DomainError("forbidden", "Only a chair can set up a process.", 403)
    with transaction():
        process = create_process(current_user, _body(), current_ruleset())
    return jsonify(process_json(process)), 201


@blueprint.get("/processes/<process_id>")
def get_process(process_id: str) -> ResponseReturnValue:
    return jsonify(process_json(_process(process_id)))


# ------------------------------------------------------------------ step actions

#: A step action: the domain operation the page's form of the same ``action`` runs,
#: given the JSON body as its data. What it returns is kept for the answer.
StepAction = Callable[[Process, ProcessStep, dict[str, Any], Ruleset], Any]

STEP_ACTIONS: dict[str, StepAction] = {
    "source-list": records.record_source_list,
    "approve-list": records.approve_list,
    # One external candidate's consultation (its file is uploaded on the page), then who
    # goes on.
    "consult": lambda process, row, data, ruleset: consultation.record_consultation(
        process, row, data.get("nominee"), data, ruleset
    ),
    "finish-consult": consultation.finish_consultation,
    "conference": vote.create_step_conference,
    "carry": lambda process, row, _data, ruleset: vote.complete_vote_step(process, row, ruleset),
    "decision": approval.record_decision,
    # When a vote left a position with nobody: end it, hold the vote again, or (nobody
    # left on the ballot at all) record the step without one.
    "end-position": stalled.end_position,
    "repeat": stalled.repeat_previous,
    "skip": stalled.skip_vote,
}


def _step_row(process: Process, name: str) -> ProcessStep:
    row = next((s for s in process.steps if s.step == name), None)
    if row is None:
        raise DomainError("step_not_found", "The process has no such step.", 404)
    return row


@blueprint.post("/processes/<process_id>/steps/<step>/<action>")
def step_action(process_id: str, step: str, action: str) -> ResponseReturnValue:
    # Access, the step and the action are checked before the body is read: a
    # stranger gets 401/404 whatever they send.
    process = _process(process_id, run=True)
    row = _step_row(process, step)
    operation = STEP_ACTIONS.get(action)
    if operation is None:
        raise DomainError("unknown_action", "No such step action.", 404)
    with transaction():
        # An empty request is an empty object: "carry" takes nothing.
        made = operation(process, row, _body() if request.get_data() else {}, current_ruleset())
    answer: dict[str, Any] = {"process": process_json(process)}
    if action == "conference":
        answer["conference"] = made.public_id
    return jsonify(answer)


# ------------------------------------------------------------------ timeline and files


@blueprint.put("/processes/<process_id>/due-dates")
def due_dates(process_id: str) -> ResponseReturnValue:
    """The page's timeline form: a due date per step named (null or "" clears it)."""
    process = _process(process_id, run=True)
    dates = _body()
    names = {row.step for row in process.steps}
    unknown = sorted(key for key in dates if key not in names)
    if unknown:
        raise invalid_field(unknown[0], "The process has no such step.")
    with transaction():
        set_due_dates(process, dates)
    return jsonify(process_json(process))


@blueprint.post("/processes/<process_id>/steps/<step>/consult/file")
def consult_with_file(process_id: str, step: str) -> ResponseReturnValue:
    """The page's consultation form as a multipart upload: the record and its letter."""
    process = _process(process_id, run=True)
    row = _step_row(process, step)
    form = request.form
    upload = request.files.get("opinion_file")
    if upload is None or not upload.filename:
        raise invalid_field("opinion_file", "Upload a PDF, DOCX, JPEG or PNG file.")
    data = {
        "met_on": form.get("met_on", ""),
        "letter": form.get("letter", ""),
        "opinion": form.get("opinion", ""),
        "dossier": form.getlist("dossier"),
    }
    payload = (upload.filename, upload.mimetype, upload.read())
    with transaction():
        consultation.record_consultation(
            process, row, form.get("nominee"), data, current_ruleset(), upload=payload
        )
    return jsonify(process=process_json(process))


@blueprint.get("/processes/<process_id>/attachments/<int:attachment_id>")
def attachment(process_id: str, attachment_id: int) -> Response:
    process = _process(process_id)
    found = db.session.get(Attachment, attachment_id) if attachment_id <= MAX_ID else None
    if found is None or found.process_id != process.id:
        raise DomainError("attachment_not_found", "Not found.", 404)
    return download(found.data, found.content_type, found.filename)
