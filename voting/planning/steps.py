"""The chain of steps every kind of step shares: which step is current, its lists.

Steps run in the ruleset's order: only the current step can be recorded, and a
done step never changes. Each step ends with its outgoing list (``StepEntry``
rows of kind "carried"), which is exactly the next step's incoming list — so a
candidate who fails a vote can never reach a later ballot. Like the conference
operations, the planning operations flush; the request handler commits once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from voting import audit
from voting.auth.models import utcnow
from voting.errors import DomainError
from voting.extensions import db
from voting.personnel.eligibility import Flag, flags
from voting.personnel.models import Member
from voting.planning.models import Nominee, Process, ProcessPosition, ProcessStep, StepEntry
from voting.procedure.ruleset import Ruleset, Step
from voting.validation import invalid_field, whole_number

MAX_NOMINEES = 200
#: Above any row id the database hands out (a 64-bit integer column).
MAX_ID = 2**63 - 1


def ids(value: Any, field: str) -> set[int]:
    """A list of row ids from a form or a JSON body (digits in a string count)."""
    if not isinstance(value, list):
        raise invalid_field(field, "This must be a list.")
    return {whole_number(v, field, 0, MAX_ID, "This must be a list of ids.") for v in value}


def position_of(process: Process, raw: Any, field: str) -> ProcessPosition:
    for p in process.positions:
        if raw in (p.id, str(p.id)):
            return p
    raise invalid_field(field, "No such position in this process.")


def audit_process(
    action: str, process: Process, details: dict[str, Any], conference: Any = None
) -> None:
    """An audit record about this process."""
    audit.record(action, {"process": process.public_id, **details}, conference=conference)


def step_definition(process: Process, row: ProcessStep, ruleset: Ruleset) -> Step:
    found = ruleset.step(process.level, process.flow, row.step)
    if found is None:  # the ruleset lost a step this process started with
        raise DomainError("unknown_step", "The ruleset no longer has this step.", 409)
    return found


def find_process(public_id: object) -> Process | None:
    if not isinstance(public_id, str) or not 1 <= len(public_id) <= 32:
        return None
    return db.session.scalar(sa.select(Process).where(Process.public_id == public_id))


def previous_step(process: Process, row: ProcessStep) -> ProcessStep | None:
    return process.steps[row.seq - 2] if row.seq > 1 else None


def incoming(process: Process, row: ProcessStep) -> list[Nominee]:
    """The nominees this step starts from: the previous step's outgoing list."""
    before = previous_step(process, row)
    if before is None:
        return []
    return [e.nominee for e in before.entries if e.kind == "carried"]


def outgoing(row: ProcessStep, kind: str = "carried") -> list[Nominee]:
    return [e.nominee for e in row.entries if e.kind == kind]


def removal_proposals(process: Process) -> list[Nominee]:
    """Everyone a removal vote of this process proposed to take off the list."""
    return [e.nominee for s in process.steps for e in s.entries if e.kind == "removal"]


def member_nominee(process: Process, position_id: int, member: Member, origin: str) -> Nominee:
    """A register member considered for a position (from the source list or a write-in)."""
    return Nominee(
        process=process,
        position_id=position_id,
        member_id=member.id,
        origin=origin,
        name=member.name,
        birth_year=member.birth_year,
        post=member.post,
        agency=member.department or process.unit.name,
    )


def require_current(row: ProcessStep, *kinds: str, definition: Step) -> None:
    if row.status == "done":
        raise DomainError("step_done", "This step is done; its record can no longer change.", 409)
    if row.status != "current":
        raise DomainError("step_not_current", "Finish the earlier steps first.", 409)
    if definition.kind not in kinds and not ("source-list" in kinds and definition.records_list):
        raise DomainError("wrong_step_kind", "This step does not record that.", 409)


def finish(process: Process, row: ProcessStep) -> None:
    """The step is done; the next one becomes current."""
    row.status = "done"
    row.done_dt = utcnow()
    following = process.steps[row.seq] if row.seq < len(process.steps) else None
    if following is not None and following.status == "pending":
        following.status = "current"
    db.session.flush()


def set_outgoing(row: ProcessStep, nominees: list[Nominee], kind: str = "carried") -> None:
    row.entries = [e for e in row.entries if e.kind != kind]
    db.session.flush()
    for n in nominees:
        row.entries.append(StepEntry(nominee=n, kind=kind))
    db.session.flush()


def reference_date(process: Process) -> date:
    """The date service left is counted from: the unit's reference date, else today."""
    return process.unit.reference_on or date.today()


def flags_of(process: Process, ruleset: Ruleset) -> dict[int, list[Flag]]:
    """Eligibility flags of every register member of the process's unit, by member id."""
    on = reference_date(process)
    return {m.id: flags(m, ruleset, on) for m in process.unit.members}
