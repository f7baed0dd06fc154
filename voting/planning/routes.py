"""The process pages: list, set-up, the chain of steps, each step's record, the list."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from voting.auth.access import require_role, role_required
from voting.auth.models import User
from voting.clock import local_today
from voting.conferences.rules import current_ruleset
from voting.drafts.current import current_wording
from voting.drafts.render import drafts_of
from voting.errors import DomainError
from voting.extensions import db
from voting.personnel.models import Unit
from voting.planning import stalled
from voting.planning.actions import ACTIONS, back
from voting.planning.ballot import ballot_people, default_roster
from voting.planning.dossier import draft_file, process_dossier
from voting.planning.eligible import dossier_count, nominee_flags
from voting.planning.exits import automatic_exits as find_automatic_exits
from voting.planning.exits import record_exit
from voting.planning.lists import list_structure, unit_lists
from voting.planning.models import (
    EXIT_REASONS,
    Attachment,
    PlanningEntry,
    Process,
    ProcessStep,
)
from voting.planning.processes import create_process, set_due_dates
from voting.planning.quota import already_planned, planned, quota_lines
from voting.planning.rounds import only_repeated
from voting.planning.steps import (
    MAX_ID,
    find_process,
    flags_of,
    incoming,
    outgoing,
    reference_date,
    removal_proposals,
    step_definition,
)
from voting.validation import whole_number
from voting.views import commit_or_flash, download

blueprint = Blueprint("planning", __name__)


def can_read(user: Any, process: Process) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_admin or process.owner_id == user.id or process.secretary_user_id == user.id)
    )


def process_for(public_id: str, *, run: bool = False) -> Process:
    """The process the current user may read (or run); another chair's looks missing."""
    process = find_process(public_id)
    if process is None or not can_read(current_user, process):
        raise DomainError("process_not_found", "Not found.", 404)
    if run and not (current_user.is_admin or process.owner_id == current_user.id):
        raise DomainError("forbidden", "Only the chair of this process can do this.", 403)
    return process


def _step(process: Process, name: str) -> ProcessStep:
    row = next((s for s in process.steps if s.step == name), None)
    if row is None:
        abort(404)
    return row


@blueprint.get("/processes")
@login_required
def index() -> ResponseReturnValue:
    query = sa.select(Process).order_by(Process.created_dt.desc())
    if not current_user.is_admin:
        query = query.where(
            sa.or_(
                Process.owner_id == current_user.id, Process.secretary_user_id == current_user.id
            )
        )
    return render_template("planning/index.html", processes=db.session.scalars(query).all())


def parse_positions(text: str) -> list[dict[str, Any]]:
    """'Phó Cục trưởng | 2' per line (quota defaults to the ruleset's cap)."""
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _sep, quota = line.partition("|")
        rows.append({"name": name.strip(), "quota": quota.strip() or current_ruleset().max_quota})
    return rows


@blueprint.route("/processes/new", methods=["GET", "POST"])
@role_required("chair", "admin")
def new() -> ResponseReturnValue:
    ruleset = current_ruleset()
    units = db.session.scalars(sa.select(Unit).order_by(Unit.name)).all()
    form = request.form
    if request.method == "POST":
        level, _sep, flow = form.get("flow", "").partition("/")
        data = {
            "unit_id": form.get("unit_id", ""),
            "level": level,
            "flow": flow,
            "department": form.get("department", ""),
            "period": form.get("period", ""),
            "title": form.get("title", ""),
            "positions": parse_positions(form.get("positions", "")),
            "secretary_username": form.get("secretary_username", ""),
        }
        created: list[Process] = []
        if commit_or_flash(
            lambda: created.append(create_process(current_user, data, ruleset)),
            _("Process created. Record its first step."),
        ):
            return back(created[0])
    secretaries = db.session.scalars(
        sa.select(User).where(User.role == "secretary").order_by(User.username)
    ).all()
    return render_template("planning/new.html", units=units, form=form, secretaries=secretaries)


@blueprint.get("/p/<public_id>")
@login_required
def show(public_id: str) -> ResponseReturnValue:
    process = process_for(public_id)
    ruleset = current_ruleset()
    steps: list[dict[str, Any]] = []
    for row in process.steps:
        definition = step_definition(process, row, ruleset)
        steps.append(
            {
                "row": row,
                "definition": definition,
                "rule": ruleset.rule(definition.rule) if definition.rule else None,
                "incoming": incoming(process, row),
                "carried": outgoing(row),
                "removal": outgoing(row, "removal"),
            }
        )
    current = next((s for s in steps if s["row"].status == "current"), None)
    context: dict[str, Any] = {}
    if (
        current is not None
        and current["definition"].kind == "vote"
        and not current["row"].conference_id
    ):
        context["ballot_lines"] = only_repeated(
            current["row"], ballot_people(process, current["row"], ruleset, persist=False)
        )
        context["default_roster"] = default_roster(process, current["definition"], ruleset)
    if current is not None:
        row = current["row"]
        context["gaps"] = stalled.gaps(process, row, ruleset)
        context["nobody_on_ballot"] = stalled.nobody_on_ballot(process, row, ruleset)
        if current["definition"].kind == "decision":
            proposals = removal_proposals(process)
            context["twice"] = {n.id: e for n, e in already_planned(process, current["incoming"])}
            context["quota_lines"] = quota_lines(
                process,
                [n for n in current["incoming"] if n.id not in context["twice"]],
                [n.planning_entry_id or 0 for n in proposals],
            )
    member_flags = flags_of(process, ruleset)
    reference = reference_date(process)
    attachments = db.session.scalars(
        sa.select(Attachment.id, Attachment.filename, Attachment.nominee_id).where(
            Attachment.process_id == process.id
        )
    )
    return render_template(
        "planning/show.html",
        process=process,
        steps=steps,
        current=current,
        members=[m for m in process.unit.members if m.serving],
        proposals=removal_proposals(process),
        can_run=current_user.is_admin or process.owner_id == current_user.id,
        today=local_today().isoformat(),
        attachments=list(attachments),
        flags=member_flags,
        flags_for=lambda n: nominee_flags(n, member_flags, ruleset, reference),
        dossier_count=lambda n: dossier_count(n, ruleset),
        carrying_nobody=lambda row: stalled.carrying_nobody(process, row, ruleset),
        planned=planned(process),
        structure_of=lambda nominees, planned=False: list_structure(
            process, nominees, ruleset, with_planned=planned
        ),
        reference=reference,
        drafts=drafts_of(process, ruleset, current_wording()),
        **context,
    )


@blueprint.post("/p/<public_id>/dates")
@login_required
def dates(public_id: str) -> ResponseReturnValue:
    process = process_for(public_id, run=True)
    commit_or_flash(lambda: set_due_dates(process, request.form.to_dict()), _("Timeline saved."))
    return back(process, "timeline")


@blueprint.post("/p/<public_id>/steps/<step>")
@login_required
def record(public_id: str, step: str) -> ResponseReturnValue:
    """Record the current step's outcome; what is recorded depends on the step's kind."""
    process = process_for(public_id, run=True)
    row = _step(process, step)
    handler = ACTIONS.get(request.form.get("action", ""))
    if handler is None:
        flash(_("Unknown action."), "error")
        return back(process, f"step-{row.step}")
    return handler(process, row, current_ruleset()) or back(process, f"step-{row.step}")


@blueprint.get("/p/<public_id>/attachments/<int:attachment_id>")
@login_required
def attachment(public_id: str, attachment_id: int) -> Response:
    process = process_for(public_id)
    found = db.session.get(Attachment, attachment_id)
    if found is None or found.process_id != process.id:
        abort(404)
    return download(found.data, found.content_type, found.filename)


@blueprint.get("/p/<public_id>/dossier.zip")
@login_required
def dossier(public_id: str) -> Response:
    process = process_for(public_id)
    data, name = process_dossier(process, current_ruleset(), current_wording())
    return download(data, "application/zip", name)


@blueprint.get("/p/<public_id>/drafts/<filename>")
@login_required
def draft(public_id: str, filename: str) -> Response:
    """A step's document drafted from the process ("B5-to-trinh.docx"), as the dossier."""
    process = process_for(public_id)
    name, data, mimetype = draft_file(process, filename, current_ruleset(), current_wording())
    return download(data, mimetype, name)


def _unit_arg() -> Unit | None:
    """The unit named by ?unit= (None: every unit); an unknown one is a 404."""
    raw = request.args.get("unit", "")
    if not raw:
        return None
    try:
        found = db.session.get(Unit, whole_number(raw, "unit", 1, MAX_ID))
    except DomainError:
        found = None
    if found is None:
        abort(404)
    return found


@blueprint.get("/planning")
@login_required
def planning_list() -> ResponseReturnValue:
    """Each unit's approved lists apart: two units' lists never merge."""
    only = _unit_arg()
    processes = {p.id: p for p in db.session.scalars(sa.select(Process))}
    reference = local_today()
    return render_template(
        "planning/list.html",
        units=unit_lists(current_ruleset(), reference, only.id if only else None),
        only=only,
        reference=reference,
        processes=processes,
        reasons=[r for r in EXIT_REASONS if r != "removal-vote"],
        today=reference.isoformat(),
    )


@blueprint.get("/planning/exits")
@login_required
def automatic_exits() -> ResponseReturnValue:
    """People in the list who now meet an automatic-exit condition: no ballot needed."""
    only = _unit_arg()
    found = find_automatic_exits(current_ruleset(), only.id if only else None)
    units = {u.id: u for u in db.session.scalars(sa.select(Unit))}
    return render_template(
        "planning/exits.html",
        found=found,
        only=only,
        units=units,
        today=local_today().isoformat(),
    )


@blueprint.post("/planning/<int:entry_id>/exit")
@login_required
def exit_entry(entry_id: int) -> ResponseReturnValue:
    require_role("chair", "admin")
    entry = db.session.get(PlanningEntry, entry_id)
    if entry is None:
        abort(404)
    commit_or_flash(lambda: record_exit(entry, request.form.to_dict()), _("Exit recorded."))
    back = request.form.get("back")
    return redirect(
        url_for(
            "planning.automatic_exits" if back == "exits" else "planning.planning_list",
            unit=request.form.get("unit") or None,
        )
    )
