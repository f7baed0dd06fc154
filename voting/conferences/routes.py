"""The chair's pages: list, set-up, attendance, open/close/lock, projector."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from voting.auth.access import conference_for, role_required, visible_conferences
from voting.ballots.handout import double_scans
from voting.ballots.operations import void_token
from voting.ballots.slips import slip
from voting.conferences import operations as ops
from voting.conferences.attendance import set_attendance, unexplained_absences
from voting.conferences.forms import ConferenceForm, positions_text, roster_text
from voting.conferences.models import Conference
from voting.conferences.rules import conference_rule, current_ruleset, rule_citation, step_rules
from voting.errors import DomainError
from voting.extensions import db
from voting.minutes.record import dated_notes, record_of
from voting.minutes.report import MinutesView, decision_view
from voting.views import flash_error, run_or_flash

blueprint = Blueprint("conferences", __name__)


def _act(action: Callable[[], Any], done: str) -> Any:
    """Run one operation through the one commit point; None if it was refused (flashed).

    The operation queues the live screens' update itself (voting.realtime.publisher).
    """
    kept, result = run_or_flash(action, done)
    if not kept:
        return None
    return result if result is not None else True


@blueprint.get("/")
@login_required
def index() -> ResponseReturnValue:
    conferences = db.session.scalars(visible_conferences(current_user)).all()
    return render_template("conferences/index.html", conferences=conferences)


def _form_page(
    form: ConferenceForm, conference: Conference | None, status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "conferences/form.html",
        form=form,
        conference=conference,
        from_process=conference is not None and ops.from_process(conference),
        step_rules=step_rules(current_ruleset(), _locale()),
    ), status


def _form_data(form: ConferenceForm) -> dict[str, Any] | None:
    """The form read into the set-up's data; None if a pasted list is refused, the
    refusal then shown on its field and the form kept as typed (nothing is saved)."""
    try:
        return form.to_data()
    except DomainError as exc:
        params = {k: v for k, v in exc.params.items() if isinstance(v, str | int)}
        field = form.field_for(str(exc.params.get("field", "")), str(exc.params.get("name", "")))
        field.errors = [_(exc.message, **params)]
        return None


@blueprint.route("/conferences/new", methods=["GET", "POST"])
@role_required("chair", "admin")
def new() -> ResponseReturnValue:
    ruleset = current_ruleset()
    form = ConferenceForm()
    form.set_step_choices(ruleset, _locale())
    if form.validate_on_submit():
        data = _form_data(form)
        if data is None:
            return _form_page(form, None, 422)
        conference = _act(
            lambda: ops.create_conference(current_user, data, ruleset),
            _("Conference created. Take attendance next."),
        )
        if conference:
            return redirect(url_for("conferences.show", public_id=conference.public_id))
    return _form_page(form, None)


@blueprint.route("/c/<public_id>/edit", methods=["GET", "POST"])
@login_required
def edit(public_id: str) -> ResponseReturnValue:
    conference = conference_for(public_id, run=True)
    ruleset = current_ruleset()
    form = ConferenceForm(obj=conference if request.method == "GET" else None)
    form.set_step_choices(ruleset, _locale())
    if request.method == "GET":
        form.step.data = f"{conference.level}/{conference.flow}/{conference.step}"
        form.roster.data = roster_text(conference)
        form.positions.data = positions_text(conference)
        form.committee_head.data = next(
            (p.name for p in conference.people if p.committee_role == "head"), ""
        )
        form.committee_members.data = "\n".join(
            p.name for p in conference.people if p.committee_role == "member"
        )
        form.secretary_username.data = (
            conference.secretary_user.username if conference.secretary_user else ""
        )
    elif form.validate_on_submit():
        data = _form_data(form)
        if data is None:
            return _form_page(form, conference, 422)
        if (data["level"], data["flow"], data["step"]) != (
            conference.level,
            conference.flow,
            conference.step,
        ):
            flash(_("The step cannot change; create a new conference instead."), "error")
            return _form_page(form, conference)
        if ops.from_process(conference):
            data.pop("positions", None)  # the process owns the ballot
        if _act(lambda: ops.update_conference(conference, data, ruleset), _("Set-up saved.")):
            return redirect(url_for("conferences.show", public_id=public_id))
    return _form_page(form, conference)


def _locale() -> str:
    from flask_babel import get_locale

    return "en" if str(get_locale()) == "en" else "vi"


def _show_page(conference: Conference, status: int = 200, **extra: Any) -> ResponseReturnValue:
    """The chair's conference page, optionally with a refused form's input kept."""
    rule = conference_rule(conference)
    ruleset = current_ruleset()
    step = ruleset.step(conference.level, conference.flow, conference.step)
    decision = None
    if conference.is_closed or conference.is_locked:
        decision = decision_view(conference)
    page = render_template(
        "conferences/show.html",
        conference=conference,
        rule=rule,
        step=step,
        citation=rule_citation(rule, step, ruleset, _locale()),
        decision=decision,
        replacement=None,
        notes=dated_notes(conference, current_app.config["BABEL_DEFAULT_TIMEZONE"]),
        # The planning process's step that created it (a backref planning defines).
        process_step=getattr(conference, "process_step", None),
        doubles=double_scans(conference) if conference.is_open else 0,
        **extra,
    )
    return page, status


@blueprint.get("/c/<public_id>")
@login_required
def show(public_id: str) -> ResponseReturnValue:
    return _show_page(conference_for(public_id))


@blueprint.post("/c/<public_id>/attendance")
@login_required
def attendance(public_id: str) -> ResponseReturnValue:
    conference = conference_for(public_id, run=True)
    rows = []
    for person in conference.people:
        mark = request.form.get(f"present-{person.id}")
        rows.append(
            {
                "person_id": person.id,
                "present": True if mark == "yes" else False if mark == "no" else None,
                "reason": request.form.get(f"reason-{person.id}", "")[:300],
                "no_reason": request.form.get(f"no-reason-{person.id}") == "yes",
            }
        )
    missing = unexplained_absences(conference, rows) if conference.is_draft else []
    if missing:
        # Nothing saved: the page comes back with the marks as typed and each absentee
        # without a reason flagged, to write it or to confirm none was given.
        flash(
            _(
                "Absent without a reason: %(names)s. Write the reason, or tick "
                "“No reason given” for each.",
                names=", ".join(p.name for p in missing),
            ),
            "error",
        )
        return _show_page(
            conference,
            422,
            attendance_input={row["person_id"]: row for row in rows},
            missing_reasons={p.id for p in missing},
        )
    _act(lambda: set_attendance(conference, rows), _("Attendance saved."))
    return redirect(url_for("conferences.show", public_id=public_id) + "#attendance")


@blueprint.post("/c/<public_id>/open")
@login_required
def open_ballot(public_id: str) -> ResponseReturnValue:
    conference = conference_for(public_id, run=True)
    key = str(current_app.config["SECRET_KEY"])
    _act(
        lambda: ops.open_ballot(conference, key, request.form.get("paper", 0)),
        _("The ballot is open. Hand out the QR slips."),
    )
    return redirect(url_for("conferences.show", public_id=public_id))


def _confirmed() -> bool:
    """The chair answered the server's confirmation step (works without JavaScript)."""
    return request.form.get("confirmed") == "1"


@blueprint.post("/c/<public_id>/void")
@login_required
def void(public_id: str) -> ResponseReturnValue:
    conference = conference_for(public_id, run=True)
    key = str(current_app.config["SECRET_KEY"])
    code = request.form.get("code", "")[:40]
    if not _confirmed():
        # Read-only: a code that cannot be voided is refused before anything is asked.
        try:
            ops.check_voidable(conference, code, key)
        except DomainError as exc:
            flash_error(exc)
            return redirect(url_for("conferences.show", public_id=public_id))
        return render_template(
            "conferences/void_confirm.html", conference=conference, code=code.strip().upper()
        )
    replacement = _act(
        lambda: void_token(conference, code, key),
        _("The slip was voided and a replacement issued."),
    )
    if replacement and replacement is not True:
        return render_template(
            "conferences/replacement.html",
            conference=conference,
            slip=slip(conference, replacement),
        )
    return redirect(url_for("conferences.show", public_id=public_id))


@blueprint.post("/c/<public_id>/close")
@login_required
def close(public_id: str) -> ResponseReturnValue:
    conference = conference_for(public_id, run=True)
    # The close queues the secrecy scrub itself (voting.effects): it runs once committed.
    _act(lambda: ops.close_ballot(conference), _("The ballot is closed."))
    return redirect(url_for("conferences.show", public_id=public_id))


@blueprint.post("/c/<public_id>/head-decision")
@login_required
def head_decision(public_id: str) -> ResponseReturnValue:
    conference = conference_for(public_id, run=True)
    choice = {
        p.key: [c.key for c in p.candidates if request.form.get(f"{p.key}.{c.key}") == "on"]
        for p in conference.positions
        if request.form.get(f"tie-{p.key}")
    }
    correcting = conference.head_decision_json is not None
    _act(
        lambda: ops.record_head_decision(conference, request.form.get("decided_by", ""), choice),
        _("The head of unit's decision is corrected.")
        if correcting
        else _("The head of unit's decision is recorded."),
    )
    return redirect(url_for("conferences.show", public_id=public_id) + "#tie")


def _lock_page(
    conference: Conference, status: int = 200, refused: bool = False
) -> ResponseReturnValue:
    return render_template(
        "conferences/lock_confirm.html",
        conference=conference,
        decision=decision_view(conference),
        record=record_of(conference),
        empty=ops.empty_minutes_fields(conference),
        refused=refused,
    ), status


@blueprint.post("/c/<public_id>/lock")
@login_required
def lock(public_id: str) -> ResponseReturnValue:
    """Lock in two steps: the summary of what will be frozen, then the confirmed lock.

    Both are server pages, so the warning about empty fields of the minutes reaches a
    chair without JavaScript too; empty fields need their own explicit tick.
    """
    conference = conference_for(public_id, run=True)
    if conference.is_closed and not _confirmed():
        return _lock_page(conference)
    if (
        conference.is_closed
        and ops.empty_minutes_fields(conference)
        and request.form.get("accept_empty") != "1"
    ):
        flash(_("Some fields of the minutes are empty: tick the box to lock anyway."), "error")
        return _lock_page(conference, 422, refused=True)
    _act(lambda: ops.lock_result(conference), _("The result is locked."))
    return redirect(url_for("conferences.show", public_id=public_id))


@blueprint.get("/c/<public_id>/projector")
@login_required
def projector(public_id: str) -> ResponseReturnValue:
    conference = conference_for(public_id)
    decision = None
    if conference.is_closed or conference.is_locked:
        decision = decision_view(conference)
    return render_template(
        "conferences/projector.html",
        conference=conference,
        rule=conference_rule(conference),
        decision=decision,
        fit=projector_fit(decision) if decision else None,
    )


@dataclass(frozen=True)
class ProjectorFit:
    columns: int
    #: Percent of the base type size, in steps of 5 (the CSS classes fit-50 … fit-140).
    scale: int


def projector_fit(decision: MinutesView) -> ProjectorFit:
    """Columns and type scale for the result to fit 1920×1080 without scrolling.

    One column per position (up to four side by side); the tallest column, the
    receipt codes and the fixed parts add up, in lines of the full type size, and the
    scale shrinks that into the screen. Measured in Chromium at 1920×1080
    (tests/browser/test_chair.py); projector.js then adjusts to the real screen.
    """
    positions = decision["positions"]
    columns = max(1, min(len(positions), 4))
    bands = -(-len(positions) // columns)
    rows = max((len(p["rows"]) for p in positions), default=0)
    receipts = len(decision["doc"].receipts)
    lines = bands * (2.4 + rows * 2.55) + 1.5 * -(-receipts // 13) + 14
    scale = min(140, int(100 * 40 / lines) // 5 * 5)
    return ProjectorFit(columns=columns, scale=max(50, scale))
