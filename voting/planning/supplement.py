"""What a conference's minutes need from its process: the supplement list it approved.

The annual review's first conference (annual-local B1) votes on removals *and*
approves the supplement list the later conferences vote on. That list is planning
data (the step's outgoing list), not part of the ballot, so the minutes read it here.
It cannot change once the ballot has opened (``records.record_source_list``), so the
minutes of a locked conference print the same list every time. No Flask import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from voting.extensions import db
from voting.planning.models import ProcessStep
from voting.procedure.ruleset import Ruleset


@dataclass(frozen=True)
class SupplementLine:
    """One person on the supplement list, as the minutes print them."""

    position: str
    name: str
    birth_year: int | None
    post: str
    unit: str


def supplement_list(conference: Any, ruleset: Ruleset) -> list[SupplementLine] | None:
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
        SupplementLine(
            position=n.position.name,
            name=n.name,
            birth_year=n.birth_year,
            post=n.post or "",
            unit=n.agency or "",
        )
        for n in lines
    ]
