"""The shared field readers: what they take, what they refuse, and how they say it."""

from __future__ import annotations

from typing import Any

import pytest

from voting.errors import DomainError
from voting.validation import field_int, whole_number


def refusal(call: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == "invalid_field"
    assert caught.value.status == 422
    return caught.value


@pytest.mark.parametrize(("raw", "expected"), [(1, 1), (9, 9), ("5", 5), (" 7 ", 7)])
def test_whole_numbers_in_range_are_taken_from_ints_and_digit_strings(
    raw: Any, expected: int
) -> None:
    assert whole_number(raw, "quota", 1, 9) == expected


@pytest.mark.parametrize("raw", [0, 10, -1, True, False, "1.5", "", "x", None, 2.0, "٣", "²"])
def test_anything_else_is_refused_naming_the_field_and_the_range(raw: Any) -> None:
    error = refusal(lambda: whole_number(raw, "positions[2].quota", 1, 9))
    assert error.params["field"] == "positions[2].quota"
    assert (error.params["low"], error.params["high"]) == (1, 9)


def test_a_callers_message_and_parameters_are_kept() -> None:
    error = refusal(lambda: whole_number(21, "copies", 1, 20, "Too many copies.", maximum=20))
    assert error.message == "Too many copies."
    assert error.params["maximum"] == 20


def test_field_int_reads_the_field_and_prefixes_the_row() -> None:
    assert field_int({"quota": "3"}, "quota", low=1, high=5) == 3
    error = refusal(lambda: field_int({"quota": 6}, "quota", low=1, high=5, where="rows[0]"))
    assert error.params["field"] == "rows[0].quota"


@pytest.mark.parametrize("data", [{}, {"copies": None}, {"copies": ""}])
def test_a_blank_optional_field_is_none_and_a_blank_required_one_is_refused(
    data: dict[str, Any],
) -> None:
    assert field_int(data, "copies", low=1, high=20, required=False) is None
    refusal(lambda: field_int(data, "copies", low=1, high=20))
