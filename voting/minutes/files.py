"""The files of a conference's minutes and result, as every download and the dossier give them.

A locked result's files are dated at the lock (on the room's clock), so a download is
the dossier's file byte for byte; the pages, the downloads and the planning dossier
all take them from here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from voting.audit.verify import fingerprint, lock_head
from voting.clock import room_zone_name, to_local
from voting.conferences.models import Conference
from voting.conferences.results import verify_locked
from voting.conferences.rules import current_ruleset
from voting.errors import DomainError
from voting.minutes.dossier import DossierFile
from voting.minutes.layout import FILE_PREFIX, KINDS, minutes_blocks
from voting.minutes.record import dated_notes
from voting.minutes.report import conference_document, minutes_view
from voting.minutes.sheets import results_csv, results_xlsx
from voting.minutes.view import MinutesView
from voting.minutes.writers import minutes_docx, minutes_pdf
from voting.planning.supplement import supplement_list


def file_stamp(conference: Conference) -> datetime | None:
    """The moment a minutes file is dated: the lock's, on the room's clock, so every
    download of a locked result is the dossier's file byte for byte. None before lock
    (a preview is dated when it is made)."""
    if conference.is_locked and conference.locked_dt:
        return to_local(conference.locked_dt)
    return None


def file_blocks(
    conference: Conference, kind: str, problems: list[str], view: MinutesView | None = None
) -> list:
    """The blocks of one minutes (``kind``), as the page, the DOCX and the PDF draw them."""
    view = view or minutes_view(conference_document(conference))
    conf = view["doc"].conference
    ruleset = current_ruleset()
    return minutes_blocks(
        kind,
        view,
        digest=conference.result_sha256 if conference.is_locked else None,
        chain_head=fingerprint(lock_head(conference.id) or "") if conference.is_locked else None,
        flow_label=ruleset.flows[conf.flow]["vi"],
        level_label=ruleset.levels[conf.level]["label"]["vi"],
        tz=room_zone_name(),
        problems=problems,
        notes=dated_notes(conference, room_zone_name()),
        supplement=supplement_list(conference, ruleset) if kind == "conference" else None,
    )


def dossier_files(conference: Conference) -> tuple[list[DossierFile], dict[str, Any], list[str]]:
    """The locked step's files (both minutes as DOCX and PDF, the result three ways)."""
    locked = conference.result_json
    if locked is None:
        raise DomainError("result_not_locked", "Lock the conference's result first.", 409)
    problems = verify_locked(conference)
    view = minutes_view(conference_document(conference))
    digest = conference.result_sha256
    files = []
    stamp = file_stamp(conference)
    for kind in KINDS:
        blocks = file_blocks(conference, kind, problems, view)  # one parse of the locked JSON
        files.append(DossierFile(f"{FILE_PREFIX[kind]}.docx", minutes_docx(blocks, stamp=stamp)))
        files.append(DossierFile(f"{FILE_PREFIX[kind]}.pdf", minutes_pdf(blocks, stamp=stamp)))
    files += [
        DossierFile(
            "ket-qua.xlsx", results_xlsx(view, digest=digest, tz=room_zone_name(), stamp=stamp)
        ),
        DossierFile("ket-qua.csv", results_csv(view, digest=digest, tz=room_zone_name())),
        DossierFile("ket-qua.json", locked.encode()),
    ]
    about = {
        "conference": conference.public_id,
        "title": conference.title,
        "step": f"{conference.level}/{conference.flow}/{conference.step}",
        "held_on": conference.held_on.isoformat(),
        "result_sha256": digest,
        "verified": not problems,
    }
    return files, about, problems
