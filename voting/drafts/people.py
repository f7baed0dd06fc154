"""Danh sách trích ngang: a step's outgoing list on A4 landscape, grouped by position.

The columns are the wording's (the register's fields); at a vote step each line notes
the person's agree votes against the rule's base, as the locked decision states them.
"""

from __future__ import annotations

from voting.drafts import facts
from voting.drafts.wording import People, Wording, fill
from voting.minutes.blocks import Block, ResultTable, Section, Text, Title
from voting.planning.models import Nominee, Process, ProcessStep
from voting.planning.steps import outgoing
from voting.procedure.ruleset import Ruleset


def _cell(doc: People, field: str, index: int, person: facts.ListLine, note: str) -> str:
    if field == "index":
        return str(index)
    if field == "sex":
        return {"male": doc.male, "female": doc.female}.get(person.sex or "", "")
    if field == "note":
        return note
    return str(getattr(person, field))


def _note(doc: People, vote: facts.VoteFact | None) -> str:
    if vote is None:
        return ""
    return fill(
        doc.note_vote,
        {
            "agree": vote.agree,
            "base_count": vote.base_count,
            "percent": vote.percent,
            "base": vote.base,
        },
    )


def people_tables(
    doc: People,
    process: Process,
    nominees: list[Nominee],
    votes: dict[int, facts.VoteFact],
    vals: dict[str, object],
) -> list[Block]:
    """Per position (in the process's order), a heading and its people's table."""
    out: list[Block] = []
    heads = tuple(c.head for c in doc.columns)
    widths = tuple(c.width_mm for c in doc.columns)
    aligns = tuple(c.align for c in doc.columns)
    for number, position in enumerate(process.positions, start=1):
        people = [n for n in nominees if n.position_id == position.id]
        heading = {**vals, "index": number, "position": position.name, "quota": position.quota}
        out.append(Text(fill(doc.position_heading, heading), "heading"))
        if not people:
            out.append(Text(doc.nobody, "plain"))
            continue
        rows = tuple(
            tuple(
                _cell(doc, c.field, i, facts.person_facts(n), _note(doc, votes.get(n.id)))
                for c in doc.columns
            )
            for i, n in enumerate(people, start=1)
        )
        out.append(ResultTable(heads, rows, widths, aligns, size=doc.size))
    return out


def _stage(doc: People, process: Process, row: ProcessStep, ruleset: Ruleset) -> str:
    kind = facts.step_of(process, ruleset, row).kind
    if kind == "vote" and not facts.step_of(process, ruleset, row).records_list:
        return fill(doc.stage_vote, {"step": row.step})
    return {
        "approve-list": doc.stage_approved,
        "consult": doc.stage_consulted,
    }.get(kind, doc.stage_source)


def list_blocks(
    process: Process, row: ProcessStep, ruleset: Ruleset, wording: Wording
) -> list[Block]:
    doc = wording.people
    vals = facts.values(process, ruleset, wording, doc)
    day = facts.step_day(process, row, ruleset)
    votes = facts.step_votes(process, row, ruleset)
    carried = outgoing(row)
    vals["count"] = len(carried)

    def title(stage: str) -> Title:
        lines = [fill(line, {**vals, "stage": stage}) for line in doc.subtitle]
        return Title(doc.title, tuple(lines))

    out: list[Block] = [
        Section(landscape=True),
        facts.header(process, doc, wording, vals, on=day),
        title(_stage(doc, process, row, ruleset)),
        *people_tables(doc, process, carried, votes, vals),
    ]
    removal = outgoing(row, "removal")
    if removal or (votes and any(v.removal for v in votes.values())):
        out += [title(doc.stage_removal), *people_tables(doc, process, removal, votes, vals)]
    out.append(facts.signoff(process, doc, wording, vals))
    return out
