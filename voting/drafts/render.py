"""Which drafts a process has, and each one as DOCX or PDF bytes. No Flask import.

A step has a draft of each document its output (the ruleset's ``output_vi``) names
by the wording's ``applies`` words; the plan is drafted once, at the first such
step. A draft is named ``<step>-<file>`` ("B5-to-trinh"), and downloads as
``<name>.docx`` or ``<name>.pdf``. The files are dated at the process's last
recorded step, so the same process state always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from voting.drafts import decision, letter, people, plan, submission
from voting.drafts.facts import moment
from voting.drafts.wording import Wording
from voting.minutes.blocks import Block
from voting.minutes.writers import minutes_docx, minutes_pdf
from voting.planning.models import Process, ProcessStep
from voting.planning.steps import step_definition
from voting.procedure.ruleset import Ruleset

Builder = Callable[[Process, ProcessStep, Ruleset, Wording], list[Block]]
BUILDERS: dict[str, Builder] = {
    "plan": plan.plan_blocks,
    "people": people.list_blocks,
    "letter": letter.letter_blocks,
    "submission": submission.submission_blocks,
    "decision": decision.decision_blocks,
}
#: Only documents drafted once per process, whichever steps name them.
ONCE = ("plan",)
FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class Draft:
    name: str
    kind: str
    step: str
    #: The document's own title ("Tờ trình"), as the wording writes it.
    title: str


def drafts_of(process: Process, ruleset: Ruleset, wording: Wording) -> list[Draft]:
    """Every draft of the process, step by step."""
    found: list[Draft] = []
    for row in process.steps:
        output = step_definition(process, row, ruleset).output_vi.casefold()
        for kind, doc in wording.documents().items():
            if kind in ONCE and any(d.kind == kind for d in found):
                continue
            if any(word.casefold() in output for word in doc.applies):
                found.append(Draft(f"{row.step}-{doc.file}", kind, row.step, doc.title))
    return found


def find_draft(process: Process, ruleset: Ruleset, wording: Wording, name: str) -> Draft | None:
    return next((d for d in drafts_of(process, ruleset, wording) if d.name == name), None)


def draft_blocks(process: Process, draft: Draft, ruleset: Ruleset, wording: Wording) -> list[Block]:
    row = next(r for r in process.steps if r.step == draft.step)
    return BUILDERS[draft.kind](process, row, ruleset, wording)


def render(
    process: Process, draft: Draft, fmt: str, ruleset: Ruleset, wording: Wording
) -> tuple[str, bytes, str]:
    """(file name, bytes, media type) of one draft in one format ("docx" or "pdf")."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown draft format {fmt!r}")
    blocks = draft_blocks(process, draft, ruleset, wording)
    writer = minutes_docx if fmt == "docx" else minutes_pdf
    data = writer(blocks, stamp=moment(process), title=draft.title)
    return f"{draft.name}.{fmt}", data, FORMATS[fmt]


def split_name(filename: str) -> tuple[str, str] | None:
    """'B5-to-trinh.pdf' -> ('B5-to-trinh', 'pdf'); None for anything else."""
    stem, dot, fmt = filename.rpartition(".")
    if not dot or fmt not in FORMATS or not stem:
        return None
    return stem, fmt
