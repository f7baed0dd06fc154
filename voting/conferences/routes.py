"""The chair's pages: list, set-up, attendance, open/close/lock, projector."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from voting.auth.access import conference_for, role_required, visible_conferences
from voting.ballots.operations import void_token
from voting.ballots.routes import slip
from voting.ballots.scrub import forget_arrival_order
from voting.conferences import operations as ops
from voting.conferences.forms import ConferenceForm, positions_text, roster_text
from voting.conferences.models import Conference
from voting.conferences.rules import conference_rule, current_ruleset
from voting.errors import DomainError
from voting.extensions import db
from voting.minutes.record import dated_notes
from voting.minutes.report import decision_view
from voting.realtime.publisher import notify
from voting.views import flash_error

blueprint = Blueprint("conferences", __name__)


def _act(conference: Conference, action: Callable[[], Any], done: str) -> Any:
    """Run one operation, commit once, then tell the live screens."""
    try:
        result = action()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash_error(exc)
        return None
    notify(conference.id)
    flash(done, "ok")
    return result if result is not None else True


@blueprint.get("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    conferences = db.session.scalars(visible_conferences(current_user)).all()
    return render_template("conferences/index.html", conferences=conferences)


def _form_page(form: ConferenceForm, conference: Conference | None):  # type: ignore[no-untyped-def]
    return render_template(
        "conferences/form.html",
        form=form,
        conference=conference,
        from_process=conference is not None and ops.from_process(conference),
    )


@blueprint.route("/conferences/new", methods=["GET", "POST"])
@role_required("chair", "admin")
def new():  # type: ignore[no-untyped-def]
    ruleset = current_ruleset()
    form = ConferenceForm()
    form.set_step_choices(ruleset, _locale())
    if form.validate_on_submit():
        try:
            conference = ops.create_conference(current_user, form.to_data(), ruleset)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash_error(exc)
        else:
            flash(_("Conference created. Take attendance next."), "ok")
            return redirect(url_for("conferences.show", public_id=conference.public_id))
    return _form_page(form, None)


@blueprint.route("/c/<public_id>/edit", methods=["GET", "POST"])
@login_required
def edit(public_id: str):  # type: ignore[no-untyped-def]
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
        data = form.to_data()
        if (data["level"], data["flow"], data["step"]) != (
            conference.level,
            conference.flow,
            conference.step,
        ):
            flash(_("The step cannot change; create a new conference instead."), "error")
            return _form_page(form, conference)
        if ops.from_process(conference):
            data.pop("positions", None)  # the process owns the ballot
        try:
            ops.update_conference(conference, data, ruleset)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash_error(exc)
        else:
            flash(_("Set-up saved."), "ok")
            return redirect(url_for("conferences.show", public_id=public_id))
    return _form_page(form, conference)


def _locale() -> str:
    from flask_babel import get_locale

    return "en" if str(get_locale()) == "en" else "vi"


@blueprint.get("/c/<public_id>")
@login_required
def show(public_id: str):  # type: ignore[no-untyped-def]
    conference = conference_for(public_id)
    rule = conference_rule(conference)
    step = current_ruleset().step(conference.level, conference.flow, conference.step)
    decision = None
    if conference.is_closed or conference.is_locked:
        decision = decision_view(conference)
    return render_template(
        "conferences/show.html",
        conference=conference,
        rule=rule,
        step=step,
        decision=decision,
        replacement=None,
        notes=dated_notes(conference, current_app.config["BABEL_DEFAULT_TIMEZONE"]),
        process_step=ops.process_step(conference),
    )


@blueprint.post("/c/<public_id>/attendance")
@login_required
def attendance(public_id: str):  # type: ignore[no-untyped-def]
    conference = conference_for(public_id, run=True)
    rows = []
    for person in conference.people:
        mark = request.form.get(f"present-{person.id}")
        rows.append(
            {
                "person_id": person.id,
                "present": True if mark == "yes" else False if mark == "no" else None,
                "reason": request.form.get(f"reason-{person.id}", "")[:300],
            }
        )
    _act(conference, lambda: ops.set_attendance(conference, rows), _("Attendance saved."))
    return redirect(url_for("conferences.show", public_id=public_id) + "#attendance")


@blueprint.post("/c/<public_id>/open")
@login_required
def open_ballot(public_id: str):  # type: ignore[no-untyped-def]
    conference = conference_for(public_id, run=True)
    key = str(current_app.config["SECRET_KEY"])
    if _act(
        conference,
        lambda: ops.open_ballot(conference, key, request.form.get("paper", 0)),
        _("The ballot is open. Hand out the QR slips."),
    ):
        return redirect(url_for("conferences.show", public_id=public_id))
    return redirect(url_for("conferences.show", public_id=public_id))


@blueprint.post("/c/<public_id>/void")
@login_required
def void(public_id: str):  # type: ignore[no-untyped-def]
    conference = conference_for(public_id, run=True)
    key = str(current_app.config["SECRET_KEY"])
    code = request.form.get("code", "")[:40]
    replacement = _act(
        conference,
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
def close(public_id: str):  # type: ignore[no-untyped-def]
    conference = conference_for(public_id, run=True)
    if _act(conference, lambda: ops.close_ballot(conference), _("The ballot is closed.")):
        forget_arrival_order(conference.id)  # nothing more can be cast: no trace of order
    return redirect(url_for("conferences.show", public_id=public_id))


@blueprint.post("/c/<public_id>/head-decision")
@login_required
def head_decision(public_id: str):  # type: ignore[no-untyped-def]
    conference = conference_for(public_id, run=True)
    choice = {
        p.key: [c.key for c in p.candidates if request.form.get(f"{p.key}.{c.key}") == "on"]
        for p in conference.positions
        if request.form.get(f"tie-{p.key}")
    }
    _act(
        conference,
        lambda: ops.record_head_decision(conference, request.form.get("decided_by", ""), choice),
        _("The head of unit's decision is recorded."),
    )
    return redirect(url_for("conferences.show", public_id=public_id))


@blueprint.post("/c/<public_id>/lock")
@login_required
def lock(public_id: str):  # type: ignore[no-untyped-def]
    conference = conference_for(public_id, run=True)
    if _act(conference, lambda: ops.lock_result(conference), _("The result is locked.")):
        forget_arrival_order(conference.id)
    return redirect(url_for("conferences.show", public_id=public_id))


@blueprint.get("/c/<public_id>/projector")
@login_required
def projector(public_id: str):  # type: ignore[no-untyped-def]
    conference = conference_for(public_id)
    decision = None
    if conference.is_closed or conference.is_locked:
        decision = decision_view(conference)
    return render_template(
        "conferences/projector.html",
        conference=conference,
        rule=conference_rule(conference),
        decision=decision,
    )
