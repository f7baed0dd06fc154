"""Tờ trình: the people proposed, each with the chain of their results, and the structure.

For each person: at every vote step, the agree votes, their percentage and the base
(people present or summoned) as the locked decision states them. The structure
figures are the list's (women, young, ethnic minorities), from the same check the
process page shows.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from voting.drafts import facts
from voting.drafts.wording import Submission, Wording, fill
from voting.minutes.blocks import Block, ResultTable, Text, Title
from voting.planning.lists import list_structure
from voting.planning.models import Nominee, Process, ProcessStep
from voting.planning.steps import incoming, removal_proposals
from voting.procedure.ruleset import Ruleset

PEOPLE_WIDTHS_MM = (11.0, 42.0, 20.0, 57.0, 35.0)
PEOPLE_ALIGNS = ("center", "left", "center", "left", "left")


def target_text(share: Fraction) -> str:
    """15/100 -> '15' (a percentage, exact; a fraction of a percent with a comma)."""
    percent = share * 100
    if percent.denominator == 1:
        return str(percent.numerator)
    hundredths = percent.numerator * 100 // percent.denominator
    return f"{hundredths // 100},{hundredths % 100:02d}"


def chain(
    process: Process, before: ProcessStep, ruleset: Ruleset
) -> dict[int, list[facts.VoteFact]]:
    """Every nominee's results at the vote steps before ``before``, in step order."""
    found: dict[int, list[facts.VoteFact]] = {}
    for row in process.steps[: before.seq - 1]:
        for nominee_id, vote in facts.step_votes(process, row, ruleset).items():
            found.setdefault(nominee_id, []).append(vote)
    return found


def _verdict(doc: Submission, vote: facts.VoteFact) -> str:
    if not vote.passes:
        return doc.fails
    return doc.selected if vote.ranked and vote.selected else doc.passes


def _vote_values(vote: facts.VoteFact) -> dict[str, Any]:
    return {
        "step": vote.step,
        "title": vote.title,
        "date": facts.day_text(vote.held_on),
        "agree": vote.agree,
        "base_count": vote.base_count,
        "percent": vote.percent,
        "base": vote.base,
    }


def _people(
    doc: Submission,
    proposed: list[Nominee],
    votes: dict[int, list[facts.VoteFact]],
    vals: dict[str, Any],
) -> list[Block]:
    rows = []
    lines: list[Block] = []
    for i, n in enumerate(proposed, start=1):
        person = facts.person_facts(n)
        rows.append((str(i), n.name, person.birth, person.post_unit, person.position))
        who = {**vals, "index": i, "name": n.name, "birth": person.birth or "…"}
        who |= {"post_unit": person.post_unit, "position": person.position}
        lines.append(Text(fill(doc.person, who), "plain", bold=True))
        for vote in votes.get(n.id, []):
            if vote.removal:
                continue
            each = {**vals, **_vote_values(vote), "verdict": _verdict(doc, vote)}
            lines.append(Text(fill(doc.vote, each), "item"))
    table = ResultTable(tuple(doc.people_heads), tuple(rows), PEOPLE_WIDTHS_MM, PEOPLE_ALIGNS)
    return [Text(fill(doc.people_intro, vals), "plain"), table, *lines]


def _structure(
    doc: Submission, process: Process, proposed: list[Nominee], ruleset: Ruleset, vals: dict
) -> list[Block]:
    s = list_structure(process, proposed, ruleset)
    rules = ruleset.structure
    figures = {
        **vals,
        "total": s.people,
        "women": s.women.count,
        "women_percent": s.women.percent.replace(".", ","),
        "young": s.young.count,
        "young_age": rules["young_under_age"],
        "young_percent": s.young.percent.replace(".", ","),
        "minority": s.minority.count,
        "minority_percent": s.minority.percent.replace(".", ","),
        "women_target": target_text(rules["women_share"]),
        "young_target": target_text(rules["young_share"]),
    }
    return [
        Text(fill(doc.structure_heading, vals), "heading"),
        Text(fill(doc.structure, figures)),
        Text(fill(doc.structure_targets, figures)),
    ]


def _removals(
    doc: Submission,
    process: Process,
    votes: dict[int, list[facts.VoteFact]],
    vals: dict[str, Any],
) -> list[Block]:
    proposals = removal_proposals(process)
    if not proposals:
        return []
    out: list[Block] = [Text(fill(doc.removal_heading, vals), "heading")]
    for n in proposals:
        for vote in (v for v in votes.get(n.id, []) if v.removal):
            each = {**vals, **_vote_values(vote), "name": n.name, "position": n.position.name}
            out.append(Text(fill(doc.removal, each), "item"))
    return out


def _steps(
    doc: Submission, process: Process, row: ProcessStep, ruleset: Ruleset, vals: dict
) -> list[Block]:
    out: list[Block] = [Text(fill(doc.steps_heading, vals), "heading")]
    for earlier in process.steps[: row.seq - 1]:
        day = facts.step_day(process, earlier, ruleset) if earlier.is_done else None
        when = fill(doc.step_held, {**vals, "date": facts.day_text(day)}) if day else None
        line = {
            **vals,
            "step": earlier.step,
            "title": facts.step_of(process, ruleset, earlier).title["vi"],
            "when": when or doc.step_pending,
        }
        out.append(Text(fill(doc.step_line, line), "item"))
    return out


def submission_blocks(
    process: Process, row: ProcessStep, ruleset: Ruleset, wording: Wording
) -> list[Block]:
    doc = wording.submission
    vals = facts.values(process, ruleset, wording, doc)
    proposed = incoming(process, row)
    vals["count"] = len(proposed)
    recorded = row.outcome.get("submission") or {}
    signed = date.fromisoformat(recorded["signed_on"]) if recorded.get("signed_on") else None
    votes = chain(process, row, ruleset)
    return [
        facts.header(process, doc, wording, vals, number=recorded.get("number", ""), on=signed),
        Title(doc.title, tuple(fill(line, vals) for line in doc.subtitle)),
        Text(fill(doc.addressee, vals), "center"),
        *(Text(fill(doc.basis, {**vals, "citation": c})) for c in ruleset.citations),
        Text(fill(doc.lead, vals)),
        *_steps(doc, process, row, ruleset, vals),
        Text(fill(doc.people_heading, vals), "heading"),
        *_people(doc, proposed, votes, vals),
        *_structure(doc, process, proposed, ruleset, vals),
        *_removals(doc, process, votes, vals),
        Text(fill(doc.request_heading, vals), "heading"),
        Text(fill(doc.request, vals)),
        facts.signoff(process, doc, wording, vals, recorded.get("signer", "")),
    ]
