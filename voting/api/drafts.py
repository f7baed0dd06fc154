"""GET /api/v1/processes/<id>/drafts/<name>.<docx|pdf>: a step's document drafted from
the process, the same file the process page and the dossier give."""

from __future__ import annotations

from flask import Response

from voting.api.routes import _login_required, blueprint
from voting.conferences.rules import current_ruleset
from voting.drafts.current import current_wording
from voting.planning.dossier import draft_file
from voting.planning.routes import process_for
from voting.views import download


@blueprint.get("/processes/<process_id>/drafts/<draft>")
def get_draft(process_id: str, draft: str) -> Response:
    _login_required()
    process = process_for(process_id)
    name, data, mimetype = draft_file(process, draft, current_ruleset(), current_wording())
    return download(data, mimetype, name)
