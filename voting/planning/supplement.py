"""What a conference's minutes need from its process: the supplement list it approved.

The annual review's first conference (annual-local B1) votes on removals *and*
approves the supplement list the later conferences vote on. That list is planning
data (the step's outgoing list), not part of the ballot, so the minutes read it here.
No Flask import.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from voting.extensions import db
from voting.planning.models import ProcessStep
from voting.procedure.ruleset import Ruleset


def supplement_list(conference: Any, ruleset: Ruleset) -> list[dict[str, Any]] | None:
    """The supplement list approved at this conference, in list order; None when the
    conference's step approves no list (every step but the annual review's first)."""
    if conference is None or conference.id is None:
        return None
    row = db.session.scalar(
        sa.select(ProcessStep).where(ProcessStep.conference_id == conference.id)
    )
    if row is None:
        return None
    process = row.process
    definition = ruleset.step(process.level, process.flow, row.step)
    if definition is None or not definition.records_list:
        return None
    order = {p.id: p.seq for p in process.positions}
    lines = [e.nominee for e in row.entries if e.kind == "carried"]
    lines.sort(key=lambda n: (order.get(n.position_id, 0), n.id))
    return [
        {
            "position": n.position.name,
            "name": n.name,
            "birth_year": n.birth_year,
            "post": n.post,
            "unit": n.agency,
        }
        for n in lines
    ]
