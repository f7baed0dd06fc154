"""How one step's result becomes the next step's input: plain functions, no Flask.

Who sits in a step's conference (the ruleset's role tags matched in the
process's scope), who a voter may introduce at a discovery step, and which
candidates of a locked decision are carried on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from voting.conferences.document import DecisionResult
from voting.procedure.ruleset import EVERYONE, Step


class RegisterMember(Protocol):
    """What the chain reads of a register member."""

    id: int
    department: str

    @property
    def role_tags(self) -> set[str]: ...

    @property
    def serving(self) -> bool: ...


def in_scope(person: RegisterMember, scope: str, department: str) -> bool:
    """At phòng level only the phòng's own people count; at Cục level, everyone."""
    return scope != "department" or person.department == department


def holds_any(person: RegisterMember, roles: Iterable[str]) -> bool:
    wanted = set(roles)
    return EVERYONE in wanted or bool(person.role_tags & wanted)


def holds_post(post: str, position: str) -> bool:
    """Whether someone's current post is the planned position itself.

    "Trưởng phòng Tổ chức cán bộ" holds "Trưởng phòng"; "Phó Trưởng phòng" does not.
    Nobody is planned for the post they already hold.
    """
    held, wanted = " ".join(post.split()).casefold(), " ".join(position.split()).casefold()
    return bool(wanted) and (held == wanted or held.startswith(wanted + " "))


def roster(
    step: Step, people: Sequence[RegisterMember], scope: str, department: str
) -> list[RegisterMember]:
    """The people summoned to a step's conference, in register order."""
    return [
        p
        for p in people
        if p.serving and in_scope(p, scope, department) and holds_any(p, step.sitters)
    ]


def write_in_pool(
    pool_roles: Sequence[str],
    people: Sequence[RegisterMember],
    scope: str,
    department: str,
    listed: set[int],
) -> list[RegisterMember]:
    """Who a voter may introduce for a position: eligible by role, not already listed."""
    return [
        p
        for p in people
        if p.serving
        and p.id not in listed
        and in_scope(p, scope, department)
        and holds_any(p, pool_roles)
    ]


@dataclass(frozen=True)
class Outcome:
    """One ballot line's result, as the next step needs it."""

    position_key: str
    candidate_key: str
    agree: int
    #: Carried on (passes, or selected for a ranked rule); for a removal rule,
    #: proposed for removal.
    carried: bool


def outcomes(decision: DecisionResult | Mapping[str, Any], ranked: bool) -> list[Outcome]:
    """Each candidate of a locked decision and whether it moves on.

    ``decision`` is the locked result's (``ResultDocument.decision``, or its JSON).
    A ranked rule (the final vote) carries only those selected down to the quota,
    after the head of unit's decision on a tie; the others carry whoever passes.
    """
    if isinstance(decision, DecisionResult):
        return [
            Outcome(position.id, c.id, c.agree, c.selected if ranked else c.passes)
            for position in decision.positions
            for c in position.candidates
        ]
    # The decision's JSON (or the part of it a caller kept): read by key.
    return [
        Outcome(p["id"], c["id"], int(c["agree"]), bool(c["selected"] if ranked else c["passes"]))
        for p in decision["positions"]
        for c in p["candidates"]
    ]
