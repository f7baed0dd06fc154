"""The secretary's pages: printable minutes and the JSON export."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from fractions import Fraction

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from voting import audit
from voting.auth.access import conference_for
from voting.ballots.models import Receipt
from voting.clock import room_zone_name, to_local
from voting.conferences.models import Conference, find_conference
from voting.conferences.results import canonical_json, locked_result, verify_locked
from voting.effects import transaction
from voting.errors import DomainError
from voting.extensions import db
from voting.minutes.chart import chart_svg
from voting.minutes.dossier import dossier_zip
from voting.minutes.files import dossier_files, file_blocks, file_stamp
from voting.minutes.layout import (
    CHAIN_HEAD_LABEL,
    FILE_PREFIX,
    KINDS,
    TITLES,
    Chart,
    chart_of,
    keeps_with_next,
)
from voting.minutes.record import add_note, update_record
from voting.minutes.report import conference_document, minutes_view
from voting.minutes.sheets import XLSX_MIMETYPE, results_csv, results_xlsx
from voting.minutes.view import MinutesView, PositionView
from voting.minutes.words import clock_time, dated_line
from voting.minutes.writers import minutes_docx, minutes_pdf
from voting.realtime.snapshots import refuse_withheld
from voting.views import commit_or_flash, download

blueprint = Blueprint("minutes", __name__)


@blueprint.app_template_filter("vn_time")
def vn_time(iso_utc: str | None) -> str:
    return clock_time(iso_utc, room_zone_name())


@blueprint.app_context_processor
def minutes_helpers() -> dict:
    return {"dated_line": dated_line, "result_chart": _result_chart, "chart_markup": _chart_markup}


def _chart_markup(chart: Chart, index: int = 0) -> Markup:
    # chart_svg escapes every text it writes: the markup is safe as a whole.
    return Markup(chart_svg(chart, title_id=f"chart-{index}"))


def _result_chart(m: MinutesView, position: PositionView, index: int = 0) -> Markup:
    """The chart of one position's result on the app's pages, in the user's language."""
    chart = chart_of(m, position)
    numerator, denominator = (int(x) for x in chart.threshold.split("/"))
    percent = format_decimal(Fraction(numerator * 100, denominator), format="#,##0.##")
    base = _("people present") if m["decision"].base == "present" else _("people summoned")
    if chart.comparison == ">":
        threshold = _("Threshold: more than %(percent)s%% of %(base)s", percent=percent, base=base)
    else:
        threshold = _("Threshold: at least %(percent)s%% of %(base)s", percent=percent, base=base)
    title = _("Agree votes — %(position)s", position=position["name"])
    return _chart_markup(replace(chart, title=title, threshold_text=threshold), index)


def _closed_conference(public_id: str) -> Conference:
    conference = conference_for(public_id)
    if not (conference.is_closed or conference.is_locked):
        raise DomainError("ballot_not_closed", "The minutes exist once the ballot is closed.", 409)
    refuse_withheld(conference)
    return conference


def _record_export(conference: Conference, kind: str, problems: list[str] | None = None) -> None:
    details: dict = {"kind": kind, "locked": conference.is_locked}
    if conference.is_locked:
        details["result_sha256"] = conference.result_sha256
        details["verified"] = not problems
    with transaction():
        audit.record("export.downloaded", details, conference=conference)


@blueprint.get("/c/<public_id>/minutes/<kind>")
@login_required
def minutes(public_id: str, kind: str) -> ResponseReturnValue:
    """Biên bản kiểm phiếu (counting) or biên bản hội nghị (conference), A4 printable."""
    if kind not in KINDS:
        raise DomainError("not_found", "Not found.", 404)
    conference = _closed_conference(public_id)
    problems = verify_locked(conference) if conference.is_locked else []
    _record_export(conference, f"minutes.{kind}", problems)
    blocks = file_blocks(conference, kind, problems)
    return render_template(
        "minutes/minutes.html",
        conference=conference,
        kind=kind,
        title=TITLES[kind],
        blocks=blocks,
        keeps=keeps_with_next(blocks),
        problems=problems,
        chain_head_label=CHAIN_HEAD_LABEL,
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
    return download(text, "application/json", filename)


DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@blueprint.get("/c/<public_id>/minutes/<kind>.docx")
@login_required
def minutes_docx_file(public_id: str, kind: str) -> Response:
    """The same minutes as DOCX, for the secretary to file or edit."""
    return _minutes_file(public_id, kind, minutes_docx, "docx", DOCX_MIMETYPE)


@blueprint.get("/c/<public_id>/minutes/<kind>.pdf")
@login_required
def minutes_pdf_file(public_id: str, kind: str) -> Response:
    """The same minutes as PDF, to print and sign as they are."""
    return _minutes_file(public_id, kind, minutes_pdf, "pdf", "application/pdf")


def _minutes_file(
    public_id: str, kind: str, render: Callable[..., bytes], extension: str, mimetype: str
) -> Response:
    """One minutes file, dated at the lock (the dossier's bytes), its download audited."""
    if kind not in KINDS:
        raise DomainError("not_found", "Not found.", 404)
    conference = _closed_conference(public_id)
    problems = verify_locked(conference) if conference.is_locked else []
    data = render(file_blocks(conference, kind, problems), stamp=file_stamp(conference))
    _record_export(conference, f"minutes.{kind}.{extension}", problems)
    return download(data, mimetype, f"{FILE_PREFIX[kind]}-{conference.public_id}.{extension}")


@blueprint.get("/c/<public_id>/results.xlsx")
@login_required
def results_xlsx_file(public_id: str) -> Response:
    """The result table and a summary sheet as XLSX."""
    return _results_file(
        public_id,
        "xlsx",
        XLSX_MIMETYPE,
        lambda view, digest, stamp: results_xlsx(
            view, digest=digest, tz=room_zone_name(), stamp=stamp
        ),
    )


@blueprint.get("/c/<public_id>/results.csv")
@login_required
def results_csv_file(public_id: str) -> Response:
    """The result rows as CSV (UTF-8 with BOM, for Excel)."""
    # "text/csv": Werkzeug adds "; charset=utf-8" itself (naming it here said it twice).
    return _results_file(
        public_id,
        "csv",
        "text/csv",
        lambda view, digest, _stamp: results_csv(view, digest=digest, tz=room_zone_name()),
    )


def _results_file(
    public_id: str,
    extension: str,
    mimetype: str,
    render: Callable[[MinutesView, str | None, datetime | None], bytes],
) -> Response:
    """One result table file (the digest and the lock's date once locked), its download
    audited."""
    conference = _closed_conference(public_id)
    view = minutes_view(conference_document(conference))
    problems = verify_locked(conference) if conference.is_locked else []
    digest = conference.result_sha256 if conference.is_locked else None
    data = render(view, digest, file_stamp(conference))
    _record_export(conference, f"results.{extension}", problems)
    return download(data, mimetype, f"ket-qua-{conference.public_id}.{extension}")


@blueprint.get("/c/<public_id>/dossier.zip")
@login_required
def dossier(public_id: str) -> Response:
    """Every file of the locked step in one ZIP, with a SHA-256 manifest."""
    conference = conference_for(public_id)
    if not conference.is_locked or not conference.result_json:
        raise DomainError("result_not_locked", "The dossier exists once the result is locked.", 409)
    files, about, problems = dossier_files(conference)
    locked = conference.locked_dt or datetime.now(UTC).replace(tzinfo=None)
    local = to_local(locked)
    folder = f"ho-so-{conference.held_on.isoformat()}-{conference.public_id}"
    data = dossier_zip(folder, files, about, local)
    _record_export(conference, "dossier.zip", problems)
    return download(data, "application/zip", f"{folder}.zip")


@blueprint.post("/c/<public_id>/minutes/record")
@login_required
def minutes_record(public_id: str) -> ResponseReturnValue:
    """The secretary's free fields, before lock."""
    conference = conference_for(public_id)
    commit_or_flash(
        lambda: update_record(conference, request.form.to_dict()), _("The minutes are saved.")
    )
    return redirect(url_for("conferences.show", public_id=public_id) + "#minutes-record")


@blueprint.post("/c/<public_id>/minutes/notes")
@login_required
def minutes_note(public_id: str) -> ResponseReturnValue:
    """A dated note appended to the locked minutes."""
    conference = conference_for(public_id)
    commit_or_flash(
        lambda: add_note(conference, current_user.display_name, request.form.get("text", "")),
        _("The note is added to the minutes."),
    )
    return redirect(url_for("conferences.show", public_id=public_id) + "#minutes-record")


@blueprint.get("/r/<public_id>")
def receipts(public_id: str) -> ResponseReturnValue:
    """Public, no login: every receipt code once the ballot closes, and the locked digest.

    A voter finds their code here; the list is sorted and says nothing about choices.
    """
    conference = find_conference(public_id)
    if conference is None:
        raise DomainError("conference_not_found", "Not found.", 404)
    codes: list[str] = []
    if conference.is_locked and conference.result_json:
        # Exactly the list the locked digest covers.
        codes = list(locked_result(conference).receipts)
    elif conference.is_closed:
        codes = sorted(
            db.session.scalars(
                sa.select(Receipt.code).where(Receipt.conference_id == conference.id)
            ).all()
        )
    return render_template("minutes/receipts.html", conference=conference, codes=codes)
