"""The secretary's pages: printable minutes and the JSON export."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, render_template
from flask_login import login_required

from voting import audit
from voting.auth.access import conference_for
from voting.ballots.models import Receipt
from voting.conferences.models import Conference, find_conference
from voting.conferences.results import canonical_json, verify_locked
from voting.errors import DomainError
from voting.extensions import db
from voting.minutes.docx import minutes_docx
from voting.minutes.report import conference_document, minutes_view
from voting.minutes.sheets import results_csv, results_xlsx
from voting.minutes.words import clock_time, count_in_words, dated_line

blueprint = Blueprint("minutes", __name__)


@blueprint.app_template_filter("vn_time")
def vn_time(iso_utc: str | None) -> str:
    return clock_time(iso_utc, current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh"))


@blueprint.app_context_processor
def minutes_helpers() -> dict:
    return {"dated_line": dated_line}


def _closed_conference(public_id: str):  # type: ignore[no-untyped-def]
    conference = conference_for(public_id)
    if not (conference.is_closed or conference.is_locked):
        raise DomainError("ballot_not_closed", "The minutes exist once the ballot is closed.", 409)
    return conference


def _record_export(conference: Conference, kind: str, problems: list[str] | None = None) -> None:
    details: dict = {"kind": kind, "locked": conference.is_locked}
    if conference.is_locked:
        details["result_sha256"] = conference.result_sha256
        details["verified"] = not problems
    audit.record("export.downloaded", details, conference=conference)
    db.session.commit()


@blueprint.get("/c/<public_id>/minutes/<kind>")
@login_required
def minutes(public_id: str, kind: str):  # type: ignore[no-untyped-def]
    """Biên bản kiểm phiếu (counting) or biên bản hội nghị (conference), A4 printable."""
    if kind not in ("counting", "conference"):
        raise DomainError("not_found", "Not found.", 404)
    conference = _closed_conference(public_id)
    view = minutes_view(conference_document(conference))
    problems = verify_locked(conference) if conference.is_locked else []
    _record_export(conference, f"minutes.{kind}", problems)
    return render_template(
        f"minutes/{kind}.html",
        conference=conference,
        m=view,
        words=count_in_words,
        problems=problems,
    )


@blueprint.get("/c/<public_id>/result.json")
@login_required
def result_json(public_id: str) -> Response:
    """The locked result document, byte for byte as hashed (draft preview before lock)."""
    conference = _closed_conference(public_id)
    text = (
        conference.result_json
        if conference.is_locked and conference.result_json
        else canonical_json(conference_document(conference))
    )
    filename = f"ket-qua-{conference.public_id}.json"
    _record_export(conference, "result.json")
    return Response(
        text,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(data: bytes, mimetype: str, filename: str) -> Response:
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blueprint.get("/c/<public_id>/minutes/<kind>.docx")
@login_required
def minutes_docx_file(public_id: str, kind: str) -> Response:
    """The same minutes as DOCX, for the secretary to file or edit."""
    if kind not in ("counting", "conference"):
        raise DomainError("not_found", "Not found.", 404)
    conference = _closed_conference(public_id)
    view = minutes_view(conference_document(conference))
    problems = verify_locked(conference) if conference.is_locked else []
    conf = view["doc"]["conference"]
    ruleset = current_app.extensions["voting.ruleset"]
    data = minutes_docx(
        kind,
        view,
        digest=conference.result_sha256 if conference.is_locked else None,
        flow_label=ruleset.flows[conf["flow"]]["vi"],
        level_label=ruleset.levels[conf["level"]]["label"]["vi"],
        tz=current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh"),
        problems=problems,
    )
    _record_export(conference, f"minutes.{kind}.docx", problems)
    prefix = "bien-ban-kiem-phieu" if kind == "counting" else "bien-ban-hoi-nghi"
    return _attachment(data, DOCX_MIMETYPE, f"{prefix}-{conference.public_id}.docx")


@blueprint.get("/c/<public_id>/results.xlsx")
@login_required
def results_xlsx_file(public_id: str) -> Response:
    """The result table and a summary sheet as XLSX."""
    conference = _closed_conference(public_id)
    view = minutes_view(conference_document(conference))
    problems = verify_locked(conference) if conference.is_locked else []
    data = results_xlsx(view, digest=conference.result_sha256 if conference.is_locked else None)
    _record_export(conference, "results.xlsx", problems)
    return _attachment(data, XLSX_MIMETYPE, f"ket-qua-{conference.public_id}.xlsx")


@blueprint.get("/c/<public_id>/results.csv")
@login_required
def results_csv_file(public_id: str) -> Response:
    """The result rows as CSV (UTF-8 with BOM, for Excel)."""
    conference = _closed_conference(public_id)
    view = minutes_view(conference_document(conference))
    problems = verify_locked(conference) if conference.is_locked else []
    _record_export(conference, "results.csv", problems)
    return _attachment(
        results_csv(view), "text/csv; charset=utf-8", f"ket-qua-{conference.public_id}.csv"
    )


@blueprint.get("/r/<public_id>")
def receipts(public_id: str):  # type: ignore[no-untyped-def]
    """Public, no login: every receipt code once the ballot closes, and the locked digest.

    A voter finds their code here; the list is sorted and says nothing about choices.
    """
    conference = find_conference(public_id)
    if conference is None:
        raise DomainError("conference_not_found", "Not found.", 404)
    codes: list[str] = []
    if conference.is_locked and conference.result_json:
        # Exactly the list the locked digest covers.
        codes = list(json.loads(conference.result_json).get("receipts", []))
    elif conference.is_closed:
        codes = sorted(
            db.session.scalars(
                sa.select(Receipt.code).where(Receipt.conference_id == conference.id)
            ).all()
        )
    return render_template("minutes/receipts.html", conference=conference, codes=codes)
