"""External flow B3: consulting each candidate's home agency, then who goes on.

Each external candidate is met and their agency's opinion recorded, with the
dossier checklist and the scanned letters; the step closes by naming who
proceeds to the final vote, each of whom must have been met.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from voting.errors import DomainError
from voting.extensions import db
from voting.planning.models import Attachment, Nominee, Process, ProcessStep
from voting.planning.steps import (
    audit_process,
    finish,
    ids,
    incoming,
    require_current,
    set_outgoing,
    step_definition,
)
from voting.procedure.ruleset import Ruleset
from voting.validation import field_date, field_text, invalid_field

#: Largest uploaded file (a scanned letter); bigger ones belong in the archive system.
MAX_UPLOAD = 5 * 1024 * 1024
UPLOAD_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}


def _attach(
    process: Process, row: ProcessStep, nominee: Nominee, upload: tuple[str, str, bytes]
) -> dict[str, Any]:
    """Keep one uploaded opinion letter; what the consultation record lists of it."""
    filename, content_type, payload = upload
    if content_type not in UPLOAD_TYPES:
        raise invalid_field("opinion_file", "Upload a PDF, DOCX, JPEG or PNG file.")
    if not payload or len(payload) > MAX_UPLOAD:
        raise invalid_field("opinion_file", "The file is empty or larger than 5 MB.")
    digest = hashlib.sha256(payload).hexdigest()
    safe = "".join(ch for ch in filename if ch.isalnum() or ch in "._- ")[:100] or "file"
    attachment = Attachment(
        process_id=process.id,
        nominee_id=nominee.id,
        step=row.step,
        filename=safe,
        content_type=content_type,
        sha256=digest,
        data=payload,
    )
    db.session.add(attachment)
    db.session.flush()
    return {"id": attachment.id, "name": safe, "sha256": digest}


def record_consultation(
    process: Process,
    row: ProcessStep,
    nominee_id: Any,
    data: dict[str, Any],
    ruleset: Ruleset,
    upload: tuple[str, str, bytes] | None = None,
) -> Nominee:
    """One external candidate: the meeting, the home agency's opinion, the dossier."""
    definition = step_definition(process, row, ruleset)
    require_current(row, "consult", definition=definition)
    nominee = next((n for n in incoming(process, row) if str(n.id) == str(nominee_id)), None)
    if nominee is None:
        raise invalid_field("nominee", "This person is not on the list of this step.")
    items = data.get("dossier", [])
    if not isinstance(items, list) or any(i not in ruleset.dossier_items_vi for i in items):
        raise invalid_field("dossier", "Tick items of the dossier checklist only.")
    record = {
        "met_on": field_date(data, "met_on").isoformat(),  # type: ignore[union-attr]
        "letter": field_text(data, "letter"),
        "opinion": field_text(data, "opinion", limit=2000),
        "dossier": [i for i in ruleset.dossier_items_vi if i in items],
        "attachments": nominee.consult.get("attachments", []),
    }
    if upload is not None:
        record["attachments"] = [*record["attachments"], _attach(process, row, nominee, upload)]
    nominee.consult_json = json.dumps(record, ensure_ascii=False)
    db.session.flush()
    audit_process(
        "step.recorded",
        process,
        {
            "step": row.step,
            "kind": "consult",
            "nominee": nominee.name,
            "files": len(record["attachments"]),
        },
    )
    return nominee


def finish_consultation(
    process: Process, row: ProcessStep, data: dict[str, Any], ruleset: Ruleset
) -> None:
    """Close the consultation: who goes on to the final vote (each must have been met)."""
    definition = step_definition(process, row, ruleset)
    require_current(row, "consult", definition=definition)
    chosen = ids(data.get("proceed", []), "proceed")
    candidates = {n.id: n for n in incoming(process, row)}
    if not chosen <= candidates.keys():
        raise invalid_field("proceed", "Only people on the list of this step can go on.")
    missing = [
        candidates[i].name for i in sorted(chosen) if not candidates[i].consult.get("met_on")
    ]
    if missing:
        raise DomainError(
            "consultation_missing",
            "Record the consultation of %(names)s first.",
            409,
            names=", ".join(missing),
        )
    row.outcome_json = json.dumps(
        {"summary": field_text(data, "summary", limit=2000)}, ensure_ascii=False
    )
    set_outgoing(row, [n for n in candidates.values() if n.id in chosen])
    audit_process(
        "step.recorded", process, {"step": row.step, "kind": "consult", "proceed": len(chosen)}
    )
    finish(process, row)
