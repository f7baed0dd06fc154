"""Who may be planned: flags with their reason and source, computed from the register.

Each flag names why (its ``code``), where the fact comes from (``source``: age,
discipline, status, dossier) and whether it is an automatic-exit condition of
QT.NB.03 (``exit``: past the planning age, disciplined at reprimand or above,
deceased) or a warning. Flags never drop anyone: the chair sees them and
decides. No Flask import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from voting.personnel.retirement import Month, months_left, retirement_month, schedules
from voting.procedure.ruleset import Ruleset


class DisciplineFacts(Protocol):
    form: str
    decided_on: date
    effect_until: date | None

    def in_effect(self, on: date) -> bool: ...


class PersonFacts(Protocol):
    birth_year: int | None
    birth_month: int | None
    sex: str | None
    status: str
    dossier_complete: bool | None
    disciplines: list[Any]


@dataclass(frozen=True)
class Flag:
    code: str
    source: str
    exit: bool
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def bars(self) -> bool:
        """A reason not to plan the person (the chair must decide), not a mere warning."""
        return self.exit or self.code in ("not-serving", "dossier")


@dataclass(frozen=True)
class AgeFacts:
    retires: Month
    age_months: int
    months_left: int
    #: The birth month was missing and January was assumed (the earliest retirement).
    month_assumed: bool


def age_facts(person: PersonFacts, ruleset: Ruleset, reference: date) -> AgeFacts | None:
    if person.birth_year is None or person.sex not in ("male", "female"):
        return None
    table, from_year = schedules(ruleset.retirement)
    born = Month(person.birth_year, person.birth_month or 1)
    retires, age = retirement_month(born, person.sex, table, from_year)
    return AgeFacts(retires, age, months_left(retires, reference), person.birth_month is None)


def flags(person: PersonFacts, ruleset: Ruleset, reference: date) -> list[Flag]:
    """Every reason this person may not be planned at the reference date."""
    rules = ruleset.eligibility
    found: list[Flag] = []
    facts = age_facts(person, ruleset, reference)
    if facts is None:
        found.append(Flag("age-unknown", "age", False))
    else:
        params = {"retires": str(facts.retires), "left": facts.months_left}
        if facts.months_left < rules["min_months_left"]:
            found.append(
                Flag("over-age", "age", True, {**params, "needed": rules["min_months_left"]})
            )
        elif facts.months_left < rules["aim_months_left"]:
            found.append(
                Flag("short-of-aim", "age", False, {**params, "aim": rules["aim_months_left"]})
            )
        if facts.month_assumed:
            found.append(Flag("birth-month-unknown", "age", False))
    forms = set(rules["discipline_forms"])
    for d in person.disciplines:
        if d.form in forms and d.in_effect(reference):
            until = d.effect_until.strftime("%d/%m/%Y") if d.effect_until else "—"
            found.append(Flag("discipline", "discipline", True, {"form": d.form, "until": until}))
    if person.status == "deceased":
        found.append(Flag("deceased", "status", True))
    elif person.status != "serving":
        found.append(Flag("not-serving", "status", False, {"status": person.status}))
    if person.dossier_complete is False:
        found.append(Flag("dossier", "dossier", False))
    return found


def exits(person: PersonFacts, ruleset: Ruleset, reference: date) -> list[Flag]:
    """The automatic-exit conditions this person meets (no ballot needed)."""
    return [f for f in flags(person, ruleset, reference) if f.exit]
