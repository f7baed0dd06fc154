"""One dossier for a whole process: every step's record, every conference's files.

The ZIP holds ``quy-trinh.json`` (the chain: steps, their outcomes and lists),
``danh-sach.csv`` (who entered or left the planning list through this
process), one folder per vote step with that conference's locked files (both
minutes as DOCX and PDF, the result as XLSX, CSV and JSON), the uploaded
letters, every step's drafts (``du-thao/``, :mod:`voting.drafts`) and the SHA-256
manifest of :mod:`voting.minutes.dossier`.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import sqlalchemy as sa

from voting.clock import to_local
from voting.drafts.render import FORMATS, drafts_of, find_draft, render, split_name
from voting.drafts.wording import Wording
from voting.errors import DomainError
from voting.extensions import db
from voting.minutes.dossier import DossierFile, dossier_zip
from voting.planning.models import Attachment, Nominee, PlanningEntry, Process
from voting.planning.steps import step_definition
from voting.procedure.ruleset import Ruleset
from voting.validation import csv_cell


def _person(n: Nominee, agree: int | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": n.name,
        "birth_year": n.birth_year,
        "post": n.post,
        "agency": n.agency,
        "position": n.position.name,
        "origin": n.origin,
    }
    if agree is not None:
        doc["agree"] = agree
    if n.consult_json not in ("", "{}"):
        doc["consultation"] = n.consult
    return doc


def process_document(process: Process, ruleset: Ruleset) -> dict[str, Any]:
    """The whole chain as data: what each step recorded and whom it carried on."""
    steps = []
    for row in process.steps:
        definition = step_definition(process, row, ruleset)
        conference = row.conference
        steps.append(
            {
                "step": row.step,
                "title": definition.title["vi"],
                "kind": definition.kind,
                "rule": definition.rule,
                "responsible": definition.sitters_vi,
                "output": definition.output_vi,
                "status": row.status,
                "due_on": row.due_on.isoformat() if row.due_on else None,
                "done_at": row.done_dt.isoformat(timespec="seconds") + "Z" if row.done_dt else None,
                "outcome": row.outcome,
                "conference": (
                    {
                        "id": conference.public_id,
                        "title": conference.title,
                        "held_on": conference.held_on.isoformat(),
                        "status": conference.status,
                        "result_sha256": conference.result_sha256,
                    }
                    if conference
                    else None
                ),
                "carried": [
                    _person(e.nominee, e.agree) for e in row.entries if e.kind == "carried"
                ],
                "proposed_removal": [
                    _person(e.nominee, e.agree) for e in row.entries if e.kind == "removal"
                ],
            }
        )
    return {
        "format": "voting.process/1",
        "process": {
            "id": process.public_id,
            "title": process.title,
            "unit": process.unit.name,
            "level": process.level,
            "flow": process.flow,
            "department": process.department,
            "period": process.period,
            "status": process.status,
            "ruleset": process.ruleset_ref,
            "positions": [{"name": p.name, "quota": p.quota} for p in process.positions],
        },
        "steps": steps,
    }


def list_changes_csv(process: Process) -> bytes:
    """Who entered or left the planning list through this process (UTF-8 with BOM)."""
    entries = db.session.scalars(
        sa.select(PlanningEntry)
        .where(
            sa.or_(
                PlanningEntry.entered_process_id == process.id,
                PlanningEntry.left_process_id == process.id,
            )
        )
        .order_by(PlanningEntry.position_name, PlanningEntry.id)
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Chức danh", "Họ và tên", "Năm sinh", "Chức vụ", "Đơn vị", "Thay đổi", "Quyết định"]
    )
    for e in entries:
        person = [e.position_name, e.name, e.birth_year or "", e.post, e.agency]
        # csv_cell: a name such as '+1+2' would be evaluated when the file is opened.
        if e.left_process_id == process.id:
            writer.writerow([csv_cell(c) for c in [*person, "Đưa ra", e.left_decision]])
        if e.entered_process_id == process.id:
            writer.writerow([csv_cell(c) for c in [*person, "Đưa vào", e.entered_decision]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def draft_files(process: Process, ruleset: Ruleset, wording: Wording) -> list[DossierFile]:
    """Every step's drafts, DOCX and PDF, under ``du-thao/``."""
    files = []
    for found in drafts_of(process, ruleset, wording):
        for fmt in FORMATS:
            name, data, _mimetype = render(process, found, fmt, ruleset, wording)
            files.append(DossierFile(f"du-thao/{name}", data))
    return files


def draft_file(
    process: Process, filename: str, ruleset: Ruleset, wording: Wording
) -> tuple[str, bytes, str]:
    """(file name, bytes, media type) of one draft named as it downloads; else a 404."""
    parts = split_name(filename)
    found = find_draft(process, ruleset, wording, parts[0]) if parts else None
    if parts is None or found is None:
        raise DomainError("draft_not_found", "Not found.", 404)
    return render(process, found, parts[1], ruleset, wording)


def process_dossier(
    process: Process, ruleset: Ruleset, wording: Wording | None = None
) -> tuple[bytes, str]:
    """(ZIP bytes, file name) of the process dossier (with the drafts, given their wording)."""
    from voting.minutes.files import dossier_files

    files = [
        DossierFile(
            "quy-trinh.json",
            (
                json.dumps(
                    process_document(process, ruleset), ensure_ascii=False, indent=2, sort_keys=True
                )
                + "\n"
            ).encode(),
        ),
        DossierFile("danh-sach.csv", list_changes_csv(process)),
    ]
    verified = True
    for row in process.steps:
        conference = row.conference
        if conference is not None and conference.is_locked and conference.result_json:
            step_files, _about, problems = dossier_files(conference)
            verified = verified and not problems
            files += [DossierFile(f"{row.step}/{f.name}", f.data) for f in step_files]
    names = {n.id: n.name for n in process.nominees}
    for a in db.session.scalars(
        sa.select(Attachment).where(Attachment.process_id == process.id).order_by(Attachment.id)
    ):
        who = names.get(a.nominee_id or 0, "")
        files.append(DossierFile(f"{a.step}/van-ban/{a.id}-{who}-{a.filename}", a.data))
    if wording is not None:
        files += draft_files(process, ruleset, wording)
    last = max((r.done_dt for r in process.steps if r.done_dt), default=process.created_dt)
    local = to_local(last)  # the room's clock, as the step dossiers are dated
    about = {
        "process": process.public_id,
        "title": process.title,
        "flow": f"{process.level}/{process.flow}",
        "status": process.status,
        "verified": verified,
    }
    folder = f"ho-so-quy-trinh-{process.public_id}"
    return dossier_zip(folder, files, about, local), f"{folder}.zip"
