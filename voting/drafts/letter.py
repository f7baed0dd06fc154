"""Văn bản lấy ý kiến: to each external candidate's current agency, one page each.

The candidates are those the consultation step starts from; the deadline is the
step's due date; the dossier asked for is the ruleset's checklist.
"""

from __future__ import annotations

from datetime import date

from voting.drafts import facts
from voting.drafts.wording import Wording, fill
from voting.minutes.blocks import Block, Section, Text
from voting.planning.models import Nominee, Process, ProcessStep
from voting.planning.steps import incoming
from voting.procedure.ruleset import Ruleset


def _one(
    process: Process, nominee: Nominee, ruleset: Ruleset, wording: Wording, base: dict[str, object]
) -> list[Block]:
    doc = wording.letter
    person = facts.person_facts(nominee)
    vals = {
        **base,
        "name": nominee.name,
        "birth": person.birth or "…",
        "post": nominee.post,
        "agency": nominee.agency or "…",
        "position": nominee.position.name,
    }
    met = nominee.consult.get("met_on")
    return [
        facts.header(
            process,
            doc,
            wording,
            vals,
            on=date.fromisoformat(met) if met else None,
            subject=fill(doc.subject, vals),
        ),
        Text(fill(doc.addressee, vals), "center"),
        *(Text(fill(p, vals)) for p in doc.body),
        *(
            Text(fill(doc.dossier_item, {**vals, "item": item}), "item")
            for item in ruleset.dossier_items_vi
        ),
        *(Text(fill(p, vals)) for p in doc.closing),
        facts.signoff(process, doc, wording, vals),
    ]


def letter_blocks(
    process: Process, row: ProcessStep, ruleset: Ruleset, wording: Wording
) -> list[Block]:
    doc = wording.letter
    vals = facts.values(process, ruleset, wording, doc)
    vals["deadline"] = facts.day_text(row.due_on, doc.no_deadline)
    out: list[Block] = []
    for nominee in incoming(process, row):
        if out:
            out.append(Section(landscape=False))
        out += _one(process, nominee, ruleset, wording, vals)
    if not out:  # nobody to consult yet: one letter to fill in
        out = [
            facts.header(process, doc, wording, vals, subject=fill(doc.subject, vals)),
            Text(fill(doc.addressee, {**vals, "agency": "…"}), "center"),
            facts.signoff(process, doc, wording, vals),
        ]
    return out
