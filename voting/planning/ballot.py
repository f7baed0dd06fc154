"""Who stands on a vote step's ballot and how its lines name the process's people.

The ballot of a vote step is the incoming list (a removal vote: the planning list
as it stands), less the flagged people the chair drops, plus — at a discovery
step — the register members a voter may introduce. Each ballot line is linked
(``BallotLink``) to the nominee or member it names, so the locked result can be
carried back into the process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from voting.errors import DomainError
from voting.extensions import db
from voting.personnel.eligibility import Flag
from voting.personnel.models import Member
from voting.planning import chain
from voting.planning.models import BallotLink, Nominee, Process, ProcessPosition, ProcessStep
from voting.planning.quota import current_list
from voting.planning.steps import incoming, step_definition
from voting.procedure.ruleset import Ruleset, Step
from voting.validation import invalid_field

Lines = list[tuple[ProcessPosition, list[Any]]]


def _sitting_holders(process: Process) -> list[Any]:
    """The planning list as it stands, as nominees of this process (a removal vote's)."""
    people: list[Any] = []
    for entry in current_list(process):
        position = next((p for p in process.positions if p.name == entry.position_name), None)
        if position is None:
            continue
        nominee = Nominee(
            process=process,
            position=position,
            member_id=entry.member_id,
            planning_entry_id=entry.id,
            origin="current",
            name=entry.name,
            birth_year=entry.birth_year,
            post=entry.post,
            agency=entry.agency,
        )
        db.session.add(nominee)
        people.append(nominee)
    db.session.flush()
    return people


def ballot_people(
    process: Process, row: ProcessStep, ruleset: Ruleset, *, persist: bool = True
) -> Lines:
    """Who stands on this step's ballot, per position (removal: the current list).

    With ``persist`` False (a preview) nothing is written: a removal vote's
    people are shown from the planning list as it stands.
    """
    definition = step_definition(process, row, ruleset)
    rule = ruleset.rule(definition.rule) if definition.rule else None
    people: list[Any]
    if rule is not None and rule.removal:
        people = [n for n in process.nominees if n.origin == "current"]
        if not people and not persist:
            entries = current_list(process)
            return [
                (p, [e for e in entries if e.position_name == p.name]) for p in process.positions
            ]
        if not people:
            people = _sitting_holders(process)
    else:
        people = incoming(process, row)
    return [(p, [n for n in people if n.position_id == p.id]) for p in process.positions]


def default_roster(process: Process, definition: Step, ruleset: Ruleset) -> list[Member]:
    level = ruleset.levels[process.level]
    return chain.roster(definition, process.unit.members, level["scope"], process.department)  # type: ignore[return-value]


def review_flags(
    lines: Lines, flags_for: Callable[[Any], list[Flag]], decisions: Any
) -> tuple[Lines, list[dict[str, Any]]]:
    """Keep or drop each person whose flags bar planning, as the chair decided.

    Flagged people are never dropped silently: without a decision for each one,
    nothing happens (``flags_undecided``). Returns the kept lines and the review.
    """
    if not isinstance(decisions, dict):
        raise invalid_field("flag_decisions", "Decide keep or drop for each flagged person.")
    review: list[dict[str, Any]] = []
    undecided: list[str] = []
    kept_lines: Lines = []
    for position, nominees in lines:
        kept = []
        for n in nominees:
            found = [f for f in flags_for(n) if f.bars]
            choice = decisions.get(str(n.id)) if found else "keep"
            if choice not in ("keep", "drop"):
                undecided.append(n.name)
                continue
            if found:
                review.append(
                    {
                        "name": n.name,
                        "position": position.name,
                        "flags": [f.code for f in found],
                        "decision": choice,
                    }
                )
            if choice == "keep":
                kept.append(n)
        kept_lines.append((position, kept))
    if undecided:
        raise DomainError(
            "flags_undecided",
            "Decide for each flagged person whether they stay on the ballot: %(names)s.",
            409,
            names=", ".join(undecided),
        )
    return kept_lines, review


def ballot_lines(
    lines: Lines, pool_of: Callable[[ProcessPosition, list[Any]], list[Member]]
) -> tuple[list[dict[str, Any]], list[BallotLink]]:
    """The conference's positions (p1, p2 … c1, c2 …) and which nominee or member each names.

    ``pool_of(position, nominees)`` gives the people a voter may introduce for that position
    (none outside a discovery step).
    """
    positions: list[dict[str, Any]] = []
    links: list[BallotLink] = []
    for position, nominees in lines:
        if not nominees:
            continue
        pkey = f"p{len(positions) + 1}"
        # (ballot line, what it names): the listed nominees, then the write-in pool.
        entries: list[tuple[dict[str, Any], dict[str, int]]] = [
            (
                {"name": n.name, "birth_year": n.birth_year, "post": n.post, "unit": n.agency},
                {"nominee_id": n.id},
            )
            for n in nominees
        ]
        entries += [
            (
                {
                    "name": m.name,
                    "birth_year": m.birth_year,
                    "post": m.post,
                    "unit": m.department,
                    "write_in": True,
                },
                {"member_id": m.id},
            )
            for m in pool_of(position, nominees)
        ]
        links += [
            BallotLink(position_id=position.id, position_key=pkey, candidate_key=f"c{i}", **names)
            for i, (_line, names) in enumerate(entries, start=1)
        ]
        positions.append(
            {
                "name": position.name,
                "quota": position.quota,
                "candidates": [line for line, _names in entries],
            }
        )
    return positions, links
