"""Quyết định phê duyệt quy hoạch, with the approved list as its annex (A4 landscape).

Before the decision is recorded, the draft approves the people the last vote
proposed and leaves the number and the date blank; once recorded, it states the
decision's number, date, signer and the people it entered and removed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from voting.drafts import facts
from voting.drafts.people import people_tables
from voting.drafts.wording import Wording, fill
from voting.extensions import db
from voting.minutes.blocks import Block, Section, Text, Title
from voting.planning.models import Nominee, PlanningEntry, Process, ProcessStep
from voting.planning.steps import incoming, outgoing, removal_proposals
from voting.procedure.ruleset import Ruleset


def _removed(process: Process, row: ProcessStep) -> list[Nominee]:
    """Who leaves the list: as decided once recorded, else everyone proposed."""
    proposals = removal_proposals(process)
    if not row.is_done:
        return proposals
    return [
        n
        for n in proposals
        if (entry := db.session.get(PlanningEntry, n.planning_entry_id or 0)) is not None
        and entry.left_process_id == process.id
    ]


def _last_vote(process: Process, row: ProcessStep, ruleset: Ruleset) -> ProcessStep | None:
    for earlier in reversed(process.steps[: row.seq - 1]):
        votes = facts.step_votes(process, earlier, ruleset)
        if votes and not any(v.removal for v in votes.values()):
            return earlier
    return None


def _bases(
    process: Process, row: ProcessStep, ruleset: Ruleset, wording: Wording, vals: dict
) -> list[Block]:
    doc = wording.decision
    out: list[Block] = [Text(fill(doc.basis, {**vals, "citation": c})) for c in ruleset.citations]
    last = _last_vote(process, row, ruleset)
    if last is not None:
        basis = {
            **vals,
            "step": last.step,
            "title": facts.step_of(process, ruleset, last).title["vi"],
            "date": facts.day_text(facts.step_day(process, last, ruleset)),
        }
        out.append(Text(fill(doc.result_basis, basis)))
    out.append(Text(fill(doc.proposal_basis, vals)))
    return out


def decision_blocks(
    process: Process, row: ProcessStep, ruleset: Ruleset, wording: Wording
) -> list[Block]:
    doc = wording.decision
    vals: dict[str, Any] = facts.values(process, ruleset, wording, doc)
    recorded = row.outcome.get("decision") or {}
    approved = outgoing(row) if row.is_done else incoming(process, row)
    removed = _removed(process, row)
    vals["count"] = len(approved)
    signed = date.fromisoformat(recorded["signed_on"]) if recorded.get("signed_on") else None
    vals["number"] = recorded.get("number") or fill(doc.annex_blank_number, vals)
    vals["date"] = facts.day_text(signed, fill(doc.annex_blank_date, vals))
    last = _last_vote(process, row, ruleset)
    votes = facts.step_votes(process, last, ruleset) if last is not None else {}
    out: list[Block] = [
        facts.header(process, doc, wording, vals, number=recorded.get("number", ""), on=signed),
        Title(doc.title, tuple(fill(line, vals) for line in doc.subtitle)),
        Text(fill(doc.issuer_line, vals).upper(), "center", bold=True),
        *_bases(process, row, ruleset, wording, vals),
        Text(fill(doc.decides, vals), "center", bold=True),
        Text(fill(doc.article_approve, vals)),
    ]
    if removed:
        names = ", ".join(f"{n.name} ({n.position.name})" for n in removed)
        out.append(Text(fill(doc.article_remove, {**vals, "count": len(removed), "names": names})))
    out += [
        Text(fill(doc.article_effect, vals)),
        Text(fill(doc.article_duty, vals)),
        facts.signoff(process, doc, wording, vals, recorded.get("signer", "")),
        Section(landscape=True),
        Title(doc.annex_title, tuple(fill(line, vals) for line in doc.annex_subtitle)),
        *people_tables(wording.people, process, approved, votes, vals),
    ]
    return out
