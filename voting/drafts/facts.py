"""What the drafts read of a process: its issuer, its people, its votes. No Flask import.

Percentages are the locked decision's own (``percent_half_up`` at the tally), only
written with a decimal comma as the minutes write them: a draft never rounds again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from voting.conferences.results import locked_result
from voting.drafts.wording import Common, Document, Issue, Wording, fill
from voting.extensions import db
from voting.minutes.blocks import Header, Signoff
from voting.minutes.tables import base_phrase, percent_text
from voting.minutes.words import dated_line, short_date
from voting.planning.models import BallotLink, Nominee, Process, ProcessStep
from voting.planning.steps import step_definition
from voting.procedure.ruleset import Ruleset, Step


@dataclass(frozen=True)
class VoteFact:
    """One person's result at one vote step, as the locked decision states it."""

    step: str
    title: str
    held_on: date
    agree: int
    base_count: int
    #: "số người có mặt" / "tổng số người được triệu tập": the rule's base, worded.
    base: str
    #: "72,73": the decision's percentage with a decimal comma.
    percent: str
    passes: bool
    selected: bool
    ranked: bool
    removal: bool


@dataclass(frozen=True)
class ListLine:
    """A list line: the register's fields, or what was recorded of someone from outside."""

    name: str
    birth: str
    sex: str | None
    ethnicity: str
    post_unit: str
    qualification: str
    political_theory: str
    position: str


def initials(name: str) -> str:
    """'Phòng Tổ chức cán bộ' -> 'TCCB', 'Văn phòng' -> 'VP': a phòng's ký hiệu."""
    words = name.split()
    if len(words) > 1 and words[0].casefold() == "phòng":
        words = words[1:]
    return "".join(w[0].upper() for w in words if w[0].isalpha())


def birth_text(year: int | None, month: int | None) -> str:
    if year is None:
        return ""
    return f"{month:02d}/{year}" if month else str(year)


def person_facts(n: Nominee) -> ListLine:
    member = n.member
    year = (member.birth_year if member else None) or n.birth_year
    month = member.birth_month if member else n.birth_month
    post, agency = n.post, n.agency
    post_unit = post if not agency or agency.casefold() in post.casefold() else f"{post}, {agency}"
    return ListLine(
        name=n.name,
        birth=birth_text(year, month),
        sex=member.sex if member else n.sex,
        ethnicity=member.ethnicity if member else "",
        post_unit=post_unit.strip(", "),
        qualification=member.qualification if member else "",
        political_theory=member.political_theory if member else "",
        position=n.position.name,
    )


def level_issue(process: Process, doc: Document) -> Issue:
    return doc.levels["phong" if process.level == "phong" else "cuc"]


def issuer(process: Process, issue: Issue, common: Common) -> tuple[str, str, str]:
    """(the body above, the issuing body, its ký hiệu) for who issues the document."""
    unit = process.unit
    if issue.issuer == "department" and process.department:
        return unit.name, process.department, initials(process.department)
    if issue.issuer == "parent":
        return common.grandparent_body, unit.parent_body or unit.name, common.parent_code
    return unit.parent_body, unit.name, common.unit_code


def positions_text(process: Process, common: Common) -> str:
    names = ", ".join(p.name for p in process.positions)
    if process.department:
        return fill(common.positions_in_department, {"positions": names, **_base(process)})
    return names


def _base(process: Process) -> dict[str, str]:
    return {"department": process.department, "period": process.period}


def values(process: Process, ruleset: Ruleset, wording: Wording, doc: Document) -> dict[str, Any]:
    """The process's placeholders for one document (its issuer and head by level)."""
    common = wording.common
    issue = level_issue(process, doc)
    _parent, body, code = issuer(process, issue, common)
    unit = process.unit
    annual = process.flow != "term"
    base = {
        **_base(process),
        "unit": unit.name,
        "parent_body": unit.parent_body,
        "locality": unit.locality,
        "year": process.period[:4] if process.period[:4].isdigit() else "",
        "procedure": ruleset.name["vi"],
        "flow": ruleset.flows[process.flow]["vi"].lower().replace("—", "-"),
        "head": issue.head,
        "issuer": body,
        "code": f"{doc.code}-{code}",
        "count": "",
    }
    base["period_label"] = fill(common.period_annual if annual else common.period_term, base)
    base["positions"] = positions_text(process, common)
    approver = common.approver_phong if process.level == "phong" else common.approver_cuc
    base["approver"] = fill(approver, base)
    return base


def header(
    process: Process,
    doc: Document,
    wording: Wording,
    vals: dict[str, Any],
    *,
    number: str = "",
    on: date | None = None,
    subject: str = "",
) -> Header:
    """Nghị định 30's header: the number and the date left blank unless recorded."""
    common = wording.common
    parent, body, _code = issuer(process, level_issue(process, doc), common)
    numbered = fill(common.numbered, {"number": number}) if number else fill(common.number, vals)
    dated = dated_line(process.unit.locality, on.isoformat()) if on else fill(common.undated, vals)
    return Header(parent.upper(), body.upper(), dated, number=numbered, subject=subject)


def signoff(
    process: Process, doc: Document, wording: Wording, vals: dict[str, Any], signer: str = ""
) -> Signoff:
    issue = level_issue(process, doc)
    return Signoff(
        recipients=tuple(fill(line, vals) for line in doc.recipients),
        authority=tuple(fill(line, vals) for line in issue.authority),
        signer=signer,
        recipients_heading=wording.common.recipients_heading,
    )


def _nominee_of(process: Process, link: BallotLink) -> int | None:
    if link.nominee_id is not None:
        return link.nominee_id
    # A write-in who passed joined the process as a nominee of the same member.
    return next(
        (
            n.id
            for n in process.nominees
            if n.member_id == link.member_id and n.position_id == link.position_id
        ),
        None,
    )


def step_votes(process: Process, row: ProcessStep, ruleset: Ruleset) -> dict[int, VoteFact]:
    """Each nominee's result at a vote step whose result is locked, by nominee id."""
    conference = row.conference
    if conference is None or not conference.is_locked or not conference.result_json:
        return {}
    result = locked_result(conference)
    definition = step_definition(process, row, ruleset)
    links = {
        (link.position_key, link.candidate_key): link
        for link in db.session.scalars(sa.select(BallotLink).where(BallotLink.step_id == row.id))
    }
    decision = result.decision
    out: dict[int, VoteFact] = {}
    for position in decision.positions:
        for c in position.candidates:
            link = links.get((position.id, c.id))
            nominee_id = _nominee_of(process, link) if link is not None else None
            if nominee_id is None:
                continue
            out[nominee_id] = VoteFact(
                step=row.step,
                title=definition.title["vi"],
                held_on=conference.held_on,
                agree=c.agree,
                base_count=decision.base_count,
                base=base_phrase(decision.base),
                percent=percent_text(c.percent),
                passes=c.passes,
                selected=c.selected,
                ranked=result.rule.ranked,
                removal=result.rule.removal,
            )
    return out


def step_day(process: Process, row: ProcessStep, ruleset: Ruleset) -> date | None:
    """When a step was held or recorded: its conference, its meeting, its draft."""
    if row.conference is not None:
        return row.conference.held_on
    outcome = row.outcome
    for key in ("meeting_on", "drafted_on"):
        if outcome.get(key):
            return date.fromisoformat(outcome[key])
    for key in ("decision", "submission"):
        if isinstance(outcome.get(key), dict) and outcome[key].get("signed_on"):
            return date.fromisoformat(outcome[key]["signed_on"])
    return row.done_dt.date() if row.done_dt else None


def step_of(process: Process, ruleset: Ruleset, row: ProcessStep) -> Step:
    return step_definition(process, row, ruleset)


def moment(process: Process) -> datetime:
    """The drafts' file date: the process's last recorded step (as the dossier's)."""
    return max((r.done_dt for r in process.steps if r.done_dt), default=process.created_dt)


def day_text(day: date | None, blank: str = "…") -> str:
    return short_date(day) if day else blank
