"""A vote step held again for some positions: which lines the new round votes on.

When a vote carried nobody for a position, the chair may hold that step again with
a new conference (see :mod:`voting.planning.stalled`). The step's record then names
the positions of the new round (``outcome["repeat"]``); the people the first round
carried for the other positions stay carried. No Flask import.
"""

from __future__ import annotations

from typing import Any

from voting.planning.models import Nominee, ProcessStep


def repeated_positions(row: ProcessStep) -> set[int] | None:
    """The positions a new round of this step votes on; None outside a repeat."""
    repeat = row.outcome.get("repeat")
    if not repeat:
        return None
    return {int(p) for p in repeat.get("positions", [])}


def only_repeated(
    row: ProcessStep, lines: list[tuple[Any, list[Any]]]
) -> list[tuple[Any, list[Any]]]:
    """The ballot lines of a new round: its positions only (all lines otherwise)."""
    wanted = repeated_positions(row)
    if wanted is None:
        return lines
    return [(position, people) for position, people in lines if position.id in wanted]


def kept_from_earlier(row: ProcessStep) -> list[tuple[Nominee, int | None]]:
    """Who an earlier round carried for the positions not voted on again."""
    wanted = repeated_positions(row)
    if wanted is None:
        return []
    return [
        (e.nominee, e.agree)
        for e in row.entries
        if e.kind == "carried" and e.nominee.position_id not in wanted
    ]
