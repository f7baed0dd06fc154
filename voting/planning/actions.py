"""The step forms of a process page: one handler per ``action`` a form posts.

Each handler reads its form into the operation's data, runs the operation and
commits it once (:func:`~voting.views.commit_or_flash`: a refusal is rolled back and
shown), and may name the page to go to next; None goes back to the step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from voting.conferences.forms import parse_roster
from voting.personnel.operations import SEX_WORDS
from voting.planning import approval, consultation, records, stalled, vote
from voting.planning.models import Process, ProcessStep
from voting.procedure.ruleset import Ruleset
from voting.views import commit_or_flash

#: What a handler answers: a page to go to, or None for back to the step.
Reply = ResponseReturnValue | None


def back(process: Process, anchor: str = "") -> ResponseReturnValue:
    url = url_for("planning.show", public_id=process.public_id)
    return redirect(f"{url}#{anchor}" if anchor else url)


def _external_rows(process: Process) -> list[dict[str, Any]]:
    """'Name; MM/YYYY; Nam/Nữ; post; agency' lines, one textarea per position.

    The older four cells 'Name; year; post; agency' (no sex) are still read.
    """
    rows = []
    for position in process.positions:
        for line in request.form.get(f"external-{position.id}", "").splitlines():
            if not line.strip():
                continue
            cells = [c.strip() for c in line.split("\t" if "\t" in line else ";")] + [""] * 5
            with_sex = cells[2].casefold() in SEX_WORDS or (cells[2] == "" and cells[4] != "")
            sex, post, agency = (cells[2], cells[3], cells[4]) if with_sex else ("", *cells[2:4])
            rows.append(
                {
                    "position": position.id,
                    "name": cells[0],
                    "birth_year": cells[1],
                    "sex": sex,
                    "post": post,
                    "agency": agency,
                }
            )
    return rows


def _source_list(process: Process, row: ProcessStep, ruleset: Ruleset) -> Reply:
    form = request.form
    nominees = [
        {"position": value.partition(":")[0], "member_id": value.partition(":")[2]}
        for value in form.getlist("nominee")
    ]
    data: dict[str, Any] = {
        "plan": form.get("plan", ""),
        "drafted_on": form.get("drafted_on", ""),
        "nominees": nominees + _external_rows(process),
    }
    commit_or_flash(
        lambda: records.record_source_list(process, row, data, ruleset), _("List recorded.")
    )
    return None


def _approve_list(process: Process, row: ProcessStep, ruleset: Ruleset) -> Reply:
    form = request.form
    data = {
        "meeting_on": form.get("meeting_on", ""),
        "conclusion": form.get("conclusion", ""),
        "approved": form.getlist("approved"),
        "quotas": {
            key.removeprefix("quota-"): value
            for key, value in form.items()
            if key.startswith("quota-")
        },
    }
    commit_or_flash(
        lambda: records.approve_list(process, row, data, ruleset), _("Approval recorded.")
    )
    return None


def _consult(process: Process, row: ProcessStep, ruleset: Ruleset) -> Reply:
    form = request.form
    upload = request.files.get("opinion_file")
    payload = (
        (upload.filename or "file", upload.mimetype, upload.read())
        if upload and upload.filename
        else None
    )
    data = {
        "met_on": form.get("met_on", ""),
        "letter": form.get("letter", ""),
        "opinion": form.get("opinion", ""),
        "dossier": form.getlist("dossier"),
    }
    commit_or_flash(
        lambda: consultation.record_consultation(
            process, row, form.get("nominee"), data, ruleset, upload=payload
        ),
        _("Consultation recorded."),
    )
    return None


def _finish_consult(process: Process, row: ProcessStep, ruleset: Ruleset) -> Reply:
    data = {"proceed": request.form.getlist("proceed"), "summary": request.form.get("summary", "")}
    commit_or_flash(
        lambda: consultation.finish_consultation(process, row, data, ruleset), _("Step done.")
    )
    return None


def _conference(process: Process, row: ProcessStep, ruleset: Ruleset) -> Reply:
    form = request.form
    data: dict[str, Any] = {
        key: form.get(key, "")
        for key in ("title", "held_on", "place", "chair_name", "secretary_name")
    }
    if form.get("roster", "").strip():
        data["people"] = parse_roster(form["roster"])
    data["flag_decisions"] = {
        key.removeprefix("flag-"): value for key, value in form.items() if key.startswith("flag-")
    }
    made: list[Any] = []
    if commit_or_flash(
        lambda: made.append(vote.create_step_conference(process, row, data, ruleset)),
        _("Conference created from the process. Take attendance next."),
    ):
        return redirect(url_for("conferences.show", public_id=made[0].public_id))
    return None


def _carry(process: Process, row: ProcessStep, ruleset: Ruleset) -> Reply:
    commit_or_flash(
        lambda: vote.complete_vote_step(process, row, ruleset),
        _("Result carried to the next step."),
    )
    return None


def _decision(process: Process, row: ProcessStep, ruleset: Ruleset) -> Reply:
    form = request.form
    data: dict[str, Any] = {
        key: form.get(key, "") for key in ("outcome", "number", "signed_on", "signer")
    }
    data |= {"approved": form.getlist("approved"), "removed": form.getlist("removed")}
    commit_or_flash(
        lambda: approval.record_decision(process, row, data, ruleset), _("Decision recorded.")
    )
    return None


def _end_position(process: Process, row: ProcessStep, ruleset: Ruleset) -> Reply:
    data = {key: request.form.get(key, "") for key in ("position", "reason", "ended_on")}
    commit_or_flash(
        lambda: stalled.end_position(process, row, data, ruleset),
        _("The position ends with nobody planned."),
    )
    return None


def _repeat(process: Process, row: ProcessStep, ruleset: Ruleset) -> Reply:
    held: list[ProcessStep] = []
    data = {"reason": request.form.get("reason", "")}
    if commit_or_flash(
        lambda: held.append(stalled.repeat_previous(process, row, data, ruleset)),
        _("The previous vote is held again: create its new conference."),
    ):
        return back(process, f"step-{held[0].step}")
    return None


def _skip(process: Process, row: ProcessStep, ruleset: Ruleset) -> Reply:
    data = {"reason": request.form.get("reason", "")}
    commit_or_flash(
        lambda: stalled.skip_vote(process, row, data, ruleset),
        _("Step recorded without a ballot."),
    )
    return None


#: What each step form records (its ``action``). A handler reads the form, runs one
#: operation and commits it, and may name where to go next (else back to the step).
ACTIONS: dict[str, Callable[[Process, ProcessStep, Ruleset], Reply]] = {
    "source-list": _source_list,
    "approve-list": _approve_list,
    "consult": _consult,
    "finish-consult": _finish_consult,
    "conference": _conference,
    "carry": _carry,
    "decision": _decision,
    "end-position": _end_position,
    "repeat": _repeat,
    "skip": _skip,
}
