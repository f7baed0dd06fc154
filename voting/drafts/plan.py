"""Kế hoạch triển khai công tác quy hoạch: legal bases, purpose, positions, the timeline.

The bases are the ruleset's own citations; the timeline is the process's steps with
who sits (is responsible) and each step's due date as the chair set it.
"""

from __future__ import annotations

from voting.drafts import facts
from voting.drafts.wording import Wording, fill
from voting.minutes.blocks import Block, ResultTable, Text, Title
from voting.planning.models import Process, ProcessStep
from voting.procedure.ruleset import Ruleset

STEP_WIDTHS_MM = (12.0, 13.0, 48.0, 42.0, 22.0, 28.0)
STEP_ALIGNS = ("center", "center", "left", "left", "center", "left")


def _timeline(process: Process, ruleset: Ruleset, no_due: str) -> tuple[tuple[str, ...], ...]:
    rows = []
    for i, row in enumerate(process.steps, start=1):
        step = facts.step_of(process, ruleset, row)
        due = facts.day_text(row.due_on, no_due)
        rows.append((str(i), row.step, step.title["vi"], step.sitters_vi, due, step.output_vi))
    return tuple(rows)


def plan_blocks(
    process: Process, row: ProcessStep, ruleset: Ruleset, wording: Wording
) -> list[Block]:
    doc = wording.plan
    vals = facts.values(process, ruleset, wording, doc)
    day = facts.step_day(process, row, ruleset) if row.is_done else None
    citations = [ruleset.name["vi"], *ruleset.citations]
    out: list[Block] = [
        facts.header(process, doc, wording, vals, on=day),
        Title(doc.title, tuple(fill(line, vals) for line in doc.subtitle)),
        Text(fill(doc.bases_intro, vals), "plain"),
        *(Text(fill(doc.basis, {**vals, "citation": c}), "item") for c in citations),
        Text(fill(doc.lead, vals)),
        Text(fill(doc.purpose_heading, vals), "heading"),
        *(Text(fill(p, vals)) for p in doc.purpose),
        Text(fill(doc.positions_heading, vals), "heading"),
        *(
            Text(fill(doc.position_line, {**vals, "position": p.name, "quota": p.quota}), "item")
            for p in process.positions
        ),
        Text(fill(doc.steps_heading, vals), "heading"),
        Text(fill(doc.steps_intro, vals)),
        ResultTable(
            tuple(doc.step_heads),
            _timeline(process, ruleset, doc.no_due),
            STEP_WIDTHS_MM,
            STEP_ALIGNS,
        ),
        Text(fill(doc.organisation_heading, vals), "heading"),
        *(Text(fill(p, vals)) for p in doc.organisation),
        facts.signoff(process, doc, wording, vals),
    ]
    return out
