"""Structure checks of a proposed or approved planning list: warnings with the numbers.

Per position at most its quota; one person in at most N positions at the same
level; the shares of young (under the ruleset's age at the reference date),
women and ethnic-minority cadres against the targets. Shares are exact
fractions; percentages are for display only. Never blocking. No Flask import.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from voting.procedure.ruleset import Ruleset
from voting.tally.decision import percent_half_up


@dataclass(frozen=True)
class ListedPerson:
    """One line of a list: a person planned for a position."""

    key: str
    name: str
    position: str
    birth_year: int | None = None
    birth_month: int | None = None
    sex: str | None = None
    ethnicity: str = ""


@dataclass(frozen=True)
class Warning:
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Share:
    count: int
    total: int
    percent: str
    #: The target share, or None where the rules give no number.
    target: Fraction | None

    @property
    def below(self) -> bool:
        # count/total < target, as integers
        return self.target is not None and self.count * self.target.denominator < (
            self.target.numerator * self.total
        )


@dataclass(frozen=True)
class Structure:
    people: int
    young: Share
    women: Share
    minority: Share
    unknown_age: int
    warnings: tuple[Warning, ...]


def _age_on(p: ListedPerson, reference: date) -> int | None:
    if p.birth_year is None:
        return None
    age = reference.year - p.birth_year
    # Without a birth month the person counts as born in January (never younger than true).
    if reference.month < (p.birth_month or 1):
        age -= 1
    return age


def _share(count: int, total: int, target: Fraction | None) -> Share:
    return Share(count, total, percent_half_up(count, total) if total else "0.00", target)


def _over_quota(people: list[ListedPerson], quotas: dict[str, int], default: int) -> list[Warning]:
    per_position = Counter(p.position for p in people)
    warnings = []
    for position, count in per_position.items():
        quota = quotas.get(position, default)
        if count > quota:
            warnings.append(
                Warning("over-quota", {"position": position, "count": count, "quota": quota})
            )
    return warnings


def _too_many_positions(people: list[ListedPerson], cap: int) -> list[Warning]:
    positions_of: dict[str, set[str]] = {}
    names = {}
    for p in people:
        positions_of.setdefault(p.key, set()).add(p.position)
        names[p.key] = p.name
    return [
        Warning("too-many-positions", {"name": names[key], "count": len(positions), "cap": cap})
        for key, positions in positions_of.items()
        if len(positions) > cap
    ]


def _shares(people: list[ListedPerson], rules: dict[str, Any], reference: date) -> Structure:
    """The shares of the distinct people of a list (one person in two positions counts once)."""
    distinct = {p.key: p for p in people}.values()
    total = len(distinct)
    ages = [_age_on(p, reference) for p in distinct]
    young = sum(1 for a in ages if a is not None and a < rules["young_under_age"])
    women = sum(1 for p in distinct if p.sex == "female")
    minority = sum(
        1 for p in distinct if p.ethnicity and p.ethnicity != rules["majority_ethnicity"]
    )
    return Structure(
        people=total,
        young=_share(young, total, rules["young_share"]),
        women=_share(women, total, rules["women_share"]),
        minority=_share(minority, total, None),
        unknown_age=sum(1 for a in ages if a is None),
        warnings=(),
    )


def check(
    people: list[ListedPerson], quotas: dict[str, int], ruleset: Ruleset, reference: date
) -> Structure:
    rules = ruleset.structure
    warnings = _over_quota(people, quotas, ruleset.max_quota)
    warnings += _too_many_positions(people, rules["max_positions_per_person"])
    structure = _shares(people, rules, reference)
    if structure.people:
        if structure.young.below:
            warnings.append(Warning("young-below-target", {"under": rules["young_under_age"]}))
        if structure.women.below:
            warnings.append(Warning("women-below-target", {}))
    return Structure(**{**structure.__dict__, "warnings": tuple(warnings)})


def person_of(line: Any, position: str, member: Any = None) -> ListedPerson:
    """A list line (a nominee or a planning entry), completed from the register when linked."""
    return ListedPerson(
        key=f"m{member.id}" if member is not None else f"n:{line.name.casefold()}",
        name=line.name,
        position=position,
        birth_year=(member.birth_year if member is not None else None) or line.birth_year,
        # Someone from another agency: what the process recorded of them.
        birth_month=member.birth_month if member is not None else line.birth_month,
        sex=member.sex if member is not None else line.sex,
        ethnicity=member.ethnicity if member is not None else "",
    )
