"""Vietnamese number words for the minutes' "09 (chín) người", checked from 0 to 1,000."""

from __future__ import annotations

from datetime import date

import pytest

from voting.minutes.words import (
    clock_time,
    count_in_words,
    dated_line,
    local_day,
    long_date,
    number_in_words,
    short_date,
    time_on,
)

PINNED = {
    0: "không",
    1: "một",
    4: "bốn",
    5: "năm",
    9: "chín",
    10: "mười",
    11: "mười một",  # never "mười mốt"
    14: "mười bốn",  # never "mười tư"
    15: "mười lăm",
    19: "mười chín",
    20: "hai mươi",
    21: "hai mươi mốt",
    24: "hai mươi tư",
    25: "hai mươi lăm",
    30: "ba mươi",
    41: "bốn mươi mốt",
    44: "bốn mươi tư",
    55: "năm mươi lăm",
    99: "chín mươi chín",
    100: "một trăm",
    101: "một trăm linh một",  # never "mốt" after "linh"
    104: "một trăm linh bốn",  # never "tư" after "linh"
    105: "một trăm linh năm",  # never "lăm" after "linh"
    110: "một trăm mười",
    111: "một trăm mười một",
    115: "một trăm mười lăm",
    120: "một trăm hai mươi",
    121: "một trăm hai mươi mốt",
    205: "hai trăm linh năm",
    315: "ba trăm mười lăm",
    444: "bốn trăm bốn mươi tư",
    555: "năm trăm năm mươi lăm",
    909: "chín trăm linh chín",
    999: "chín trăm chín mươi chín",
    1000: "một nghìn",
}

DIGIT = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def oracle(n: int) -> str:
    """An independent statement of the rules, digit by digit."""
    if n == 1000:
        return "một nghìn"
    hundreds, tens, unit = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds:
        words += [DIGIT[hundreds], "trăm"]
    if tens == 0:
        if unit == 0:
            return " ".join(words) or "không"
        if hundreds:
            words.append("linh")
        words.append(DIGIT[unit])
        return " ".join(words)
    words += ["mười"] if tens == 1 else [DIGIT[tens], "mươi"]
    if unit == 1 and tens >= 2:
        words.append("mốt")
    elif unit == 4 and tens >= 2:
        words.append("tư")
    elif unit == 5:
        words.append("lăm")
    elif unit:
        words.append(DIGIT[unit])
    return " ".join(words)


@pytest.mark.parametrize(("n", "words"), sorted(PINNED.items()))
def test_pinned_numbers(n: int, words: str) -> None:
    assert number_in_words(n) == words


def test_every_number_from_0_to_1000_follows_the_rules() -> None:
    wrong = {n: number_in_words(n) for n in range(1001) if number_in_words(n) != oracle(n)}
    assert wrong == {}


def test_the_oracle_agrees_with_the_pinned_table() -> None:
    assert {n: oracle(n) for n in PINNED} == PINNED


def test_larger_counts_for_congress_sized_sessions() -> None:
    assert number_in_words(1005) == "một nghìn không trăm linh năm"
    assert number_in_words(1021) == "một nghìn không trăm hai mươi mốt"
    assert number_in_words(2500) == "hai nghìn năm trăm"
    assert number_in_words(20000) == "hai mươi nghìn"


def test_counts_are_written_as_minutes_write_them() -> None:
    assert count_in_words(9) == "09 (chín)"
    assert count_in_words(0) == "00 (không)"
    assert count_in_words(None) == "00 (không)"
    assert count_in_words(21) == "21 (hai mươi mốt)"
    assert count_in_words(105) == "105 (một trăm linh năm)"
    with pytest.raises(ValueError):
        number_in_words(-1)


def test_dated_line_follows_nghi_dinh_30() -> None:
    assert dated_line("Kiên Giang", "2024-05-23") == "Kiên Giang, ngày 23 tháng 5 năm 2024"
    # Days below 10 and months below 3 take a leading zero.
    assert dated_line("Hà Nội", "2026-02-05") == "Hà Nội, ngày 05 tháng 02 năm 2026"
    assert dated_line("", "2026-11-23") == "ngày 23 tháng 11 năm 2026"


def test_times_are_on_the_rooms_clock_near_midnight() -> None:
    # 17:30 UTC on 30 November is 00:30 on 1 December in Hà Nội.
    assert clock_time("2026-11-30T17:30:00Z") == "00 giờ 30 phút ngày 01/12/2026"
    assert local_day("2026-11-30T17:30:00Z") == date(2026, 12, 1)
    assert local_day("2026-11-30T16:59:59Z") == date(2026, 11, 30)
    assert local_day(None) is None
    assert clock_time("2026-11-30T17:30:00Z", "UTC") == "17 giờ 30 phút ngày 30/11/2026"


def test_a_time_on_the_conference_day_gives_no_date_another_day_says_which() -> None:
    opened = "2026-11-30T17:30:00Z"
    assert time_on(opened, "2026-12-01") == "00 giờ 30 phút"
    assert time_on(opened, "2026-11-30") == "00 giờ 30 phút ngày 01/12/2026 (ngày hôm sau)"
    assert time_on(opened, "2026-11-30", long=True) == (
        "00 giờ 30 phút ngày 01 tháng 12 năm 2026 (ngày hôm sau)"
    )
    assert time_on(opened, "2026-12-02") == "00 giờ 30 phút ngày 01/12/2026 (ngày hôm trước)"
    assert time_on(opened, "2026-11-20") == "00 giờ 30 phút ngày 01/12/2026"
    assert time_on(None, "2026-12-01") == "…"


def test_dates_in_both_vietnamese_forms() -> None:
    assert long_date(date(2026, 12, 1)) == "ngày 01 tháng 12 năm 2026"
    assert long_date(date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert short_date(date(2026, 12, 1)) == "01/12/2026"
