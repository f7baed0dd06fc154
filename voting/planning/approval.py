"""What the approval step checks before it writes the planning list. No Flask import.

The decision is dated no later than today; it never enters someone a second time
for a position they already hold an active entry for; the people already planned
count against each position's quota; and no position that had people may vanish
without the chair ending it (see :mod:`voting.planning.stalled`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from voting.clock import local_today
from voting.errors import DomainError
from voting.planning.models import Nominee, Process, ProcessStep
from voting.planning.quota import already_planned, quota_lines
from voting.procedure.ruleset import Ruleset
from voting.validation import invalid_field


def check_date(signed_on: date, field: str = "signed_on") -> None:
    if signed_on > local_today():
        raise invalid_field(field, "The decision date cannot be in the future.")


def check_nothing_lost(process: Process, row: ProcessStep, ruleset: Ruleset) -> None:
    from voting.planning.stalled import gaps  # stalled builds on the operations

    lost = gaps(process, row, ruleset)
    if lost:
        raise DomainError(
            "position_without_people",
            "Nobody is left for %(positions)s: end that position with nobody planned, "
            "or hold the previous vote again.",
            409,
            positions=", ".join(g.position.name for g in lost),
        )


def check_entries(process: Process, entering: list[Nominee], leaving: Iterable[int]) -> None:
    """No second active entry for one person and position; the quota counts everyone."""
    twice = already_planned(process, entering)
    if twice:
        raise DomainError(
            "already_planned",
            "Already in the planning list for that position (their entry stays): %(names)s.",
            409,
            names=", ".join(f"{n.name} ({n.position.name})" for n, _entry in twice),
        )
    over = [line for line in quota_lines(process, entering, leaving) if line.over]
    if over:
        line = over[0]
        raise DomainError(
            "over_quota",
            "%(position)s would hold %(total)s people (%(staying)s already planned, "
            "%(entering)s approved now) for a quota of %(quota)s.",
            409,
            position=line.position,
            total=line.total,
            staying=line.staying,
            entering=line.entering,
            quota=line.quota,
        )
