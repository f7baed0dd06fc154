"""Retirement month under Nghị định 135/2020: checked examples, year boundaries, properties.

The expected months are the month the age is *reached* (procedure.md's convention);
the decree's own annex lists the pension month, one month later.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voting.personnel.retirement import ND135, Month, age_text, months_left, retirement_month

CASES = [
    # procedure.md's checked examples
    ("male", (1961, 10), (2022, 4), 726),
    ("female", (1966, 9), (2022, 5), 668),
    ("male", (1970, 5), (2032, 5), 744),
    # Nghị định 135, Phụ lục I (pension month minus one)
    ("male", (1961, 1), (2021, 4), 723),
    ("male", (1961, 9), (2021, 12), 723),  # reached in 2021: 60y3m suffices
    ("male", (1962, 1), (2022, 7), 726),
    ("male", (1962, 6), (2022, 12), 726),
    ("male", (1962, 7), (2023, 4), 729),  # 60y6m would land in 2023, which asks 60y9m
    ("female", (1966, 1), (2021, 5), 664),
    ("female", (1966, 8), (2021, 12), 664),
    ("female", (1967, 4), (2022, 12), 668),
    ("female", (1967, 5), (2023, 5), 672),
    # the end of the rise: men 62 from 2028, women 60 from 2035
    ("male", (1966, 1), (2027, 10), 741),  # 61y9m, reached in 2027
    ("male", (1966, 3), (2027, 12), 741),
    ("male", (1966, 4), (2028, 4), 744),  # 61y9m would land in 2028, which asks 62
    ("male", (1985, 12), (2047, 12), 744),
    ("female", (1975, 1), (2034, 9), 716),
    ("female", (1975, 5), (2035, 5), 720),
    ("female", (1985, 6), (2045, 6), 720),
    # before 2021 the Labour Code 2012 applied: 60 and 55
    ("male", (1955, 3), (2015, 3), 720),
    ("male", (1960, 12), (2020, 12), 720),
    ("female", (1965, 12), (2020, 12), 660),
]


@pytest.mark.parametrize(("sex", "born", "retires", "age"), CASES)
def test_checked_retirement_months(
    sex: str, born: tuple[int, int], retires: tuple[int, int], age: int
) -> None:
    month, months = retirement_month(Month(*born), sex)
    assert (month.year, month.month, months) == (*retires, age)


def oracle(born: Month, sex: str) -> int:
    """Year by year instead of month by month: the earliest year whose own age is reached in it."""
    s = ND135[sex]
    best = None
    for year in range(born.year + 50, born.year + 70):
        need = s.required(year, 2021)
        reached = max(born.index + need, year * 12)  # not before January of that year
        if reached // 12 == year and (best is None or reached < best):
            best = reached
    assert best is not None
    return best


@given(
    year=st.integers(min_value=1955, max_value=1985),
    month=st.integers(min_value=1, max_value=12),
    sex=st.sampled_from(["male", "female"]),
)
def test_retirement_month_properties(year: int, month: int, sex: str) -> None:
    born = Month(year, month)
    reached, age = retirement_month(born, sex)
    s = ND135[sex]
    assert reached.index == born.index + age
    assert reached.index == oracle(born, sex)
    if reached.year >= 2021:
        # Never before the 2021 requirement, never after the final one.
        assert s.start_months <= age <= s.final_months
    else:
        assert age == s.before_months


def test_months_left_and_age_text() -> None:
    reached, _ = retirement_month(Month(1970, 5), "male")  # 05/2032
    assert months_left(reached, date(2026, 11, 23)) == 66
    assert months_left(reached, date(2027, 6, 1)) == 59  # under one term (60 months)
    assert age_text(726) == "60 năm 6 tháng" and age_text(744) == "62 năm"
    with pytest.raises(ValueError):
        retirement_month(Month(1970, 13), "male")
    with pytest.raises(ValueError):
        retirement_month(Month(1970, 5), "other")
