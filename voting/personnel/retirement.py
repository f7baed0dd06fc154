"""Retirement month under Nghị định 135/2020/NĐ-CP, and months of service left.

From 2021 the normal retirement age rises each January: men from 60 years 3
months by 3 months a year to 62, women from 55 years 4 months by 4 months a
year to 60. Which age applies depends on the year in which it is reached, so
the retirement month is found by stepping month by month from the birth month
until the age reached meets the requirement of that month's year — the
calculation people get wrong by hand. Before 2021 the Labour Code 2012 applied
(60 and 55). Months are counted as integers (year * 12 + month - 1); no floats,
no day arithmetic. No Flask import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SEXES = ("male", "female")


@dataclass(frozen=True)
class Schedule:
    """One sex's retirement age, in months, as the ruleset gives it."""

    #: The age before the reform (Labour Code 2012).
    before_months: int
    #: The age in the first year of the reform, and its yearly rise, and its end.
    start_months: int
    step_months: int
    final_months: int

    def required(self, year: int, from_year: int) -> int:
        """The retirement age (months) for someone who reaches it in ``year``."""
        if year < from_year:
            return self.before_months
        return min(self.start_months + self.step_months * (year - from_year), self.final_months)


#: Nghị định 135/2020/NĐ-CP, Điều 4 (the ruleset's [retirement] table ships these values).
ND135_FROM_YEAR = 2021
ND135 = {
    "male": Schedule(before_months=720, start_months=723, step_months=3, final_months=744),
    "female": Schedule(before_months=660, start_months=664, step_months=4, final_months=720),
}


@dataclass(frozen=True)
class Month:
    """A calendar month; ordered and subtractable as whole months."""

    year: int
    month: int

    @classmethod
    def of(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    @classmethod
    def from_date(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def index(self) -> int:
        """Months since year 0: the inverse of :meth:`of`."""
        return self.year * 12 + self.month - 1

    def __str__(self) -> str:
        return f"{self.month:02d}/{self.year}"


def retirement_month(
    birth: Month,
    sex: str,
    schedules: dict[str, Schedule] | None = None,
    from_year: int = ND135_FROM_YEAR,
) -> tuple[Month, int]:
    """(the month the retirement age is reached, that age in months)."""
    if sex not in SEXES:
        raise ValueError(f"sex must be one of {SEXES}, got {sex!r}")
    if not 1 <= birth.month <= 12:
        raise ValueError(f"month must be 1..12, got {birth.month}")
    schedule = (schedules or ND135)[sex]
    # The requirement never falls below the smallest value, so start there.
    age = min(schedule.before_months, schedule.start_months)
    while True:
        reached = Month.of(birth.index + age)
        if age >= schedule.required(reached.year, from_year):
            return reached, age
        age += 1


def months_left(retirement: Month, reference: date) -> int:
    """Whole months of service from the reference date's month to the retirement month."""
    return retirement.index - Month.from_date(reference).index


def age_text(months: int) -> str:
    """'60 năm 6 tháng' (as the minutes and the register show an age)."""
    years, rest = divmod(months, 12)
    return f"{years} năm" + (f" {rest} tháng" if rest else "")


def schedules(retirement: dict) -> tuple[dict[str, Schedule], int]:
    """The ruleset's [retirement] table as schedules and the reform's first year."""
    found = {sex: Schedule(**retirement[sex]) for sex in SEXES if sex in retirement}
    return (found or dict(ND135)), int(retirement.get("from_year", ND135_FROM_YEAR))
