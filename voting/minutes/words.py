"""Counts and dates written as Vietnamese minutes write them: "09 (chín) người",
"ngày 01 tháng 12 năm 2026", "14 giờ 05 phút ngày 01/12/2026" (the room's clock)."""

from __future__ import annotations

from datetime import date, datetime

from voting.clock import DEFAULT_ZONE, to_local

DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def _below_hundred(n: int, in_larger: bool) -> str:
    tens, unit = divmod(n, 10)
    if tens == 0:
        return ("linh " + DIGITS[unit]) if in_larger and unit else DIGITS[unit]
    if tens == 1:
        word = "mười"
        if unit == 5:
            return word + " lăm"
        return word + (" " + DIGITS[unit] if unit else "")
    word = DIGITS[tens] + " mươi"
    if unit == 0:
        return word
    if unit == 1:
        return word + " mốt"
    if unit == 4:
        return word + " tư"
    if unit == 5:
        return word + " lăm"
    return word + " " + DIGITS[unit]


def number_in_words(n: int) -> str:
    """Vietnamese words for 0 ≤ n < 1,000,000 (enough for any conference)."""
    if n < 0:
        raise ValueError("negative")
    if n < 100:
        return _below_hundred(n, False)
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = DIGITS[hundreds] + " trăm"
        return head if rest == 0 else f"{head} {_below_hundred(rest, True)}"
    thousands, rest = divmod(n, 1000)
    head = number_in_words(thousands) + " nghìn"
    if rest == 0:
        return head
    if rest < 100:
        return f"{head} không trăm {_below_hundred(rest, True)}"
    return f"{head} {number_in_words(rest)}"


def count_in_words(n: int | None) -> str:
    """'09 (chín)': two digits at least, then the words in brackets."""
    n = n or 0
    return f"{n:02d} ({number_in_words(n)})"


def dated_line(locality: str, iso_day: str) -> str:
    """'Kiên Giang, ngày 23 tháng 5 năm 2024' (Nghị định 30/2020 style)."""
    year, month, day = (int(part) for part in iso_day[:10].split("-"))
    prefix = f"{locality}, " if locality else ""
    # Nghị định 30: days below 10 and months below 3 take a leading zero.
    day_text = f"{day:02d}"
    month_text = f"{month:02d}" if month < 3 else str(month)
    return f"{prefix}ngày {day_text} tháng {month_text} năm {year}"


def _local(iso_utc: str, tz: str) -> datetime:
    """A stored moment ("2026-12-01T19:30:00Z", UTC) on the room's clock."""
    moment = datetime.fromisoformat(iso_utc.removesuffix("Z"))
    return to_local(moment, tz)


def short_date(day: date) -> str:
    """'02/12/2026': the numeric form the minutes use inside a sentence."""
    return f"{day:%d/%m/%Y}"


def long_date(day: date) -> str:
    """'ngày 02 tháng 12 năm 2026' (Nghị định 30's leading zeros)."""
    return dated_line("", day.isoformat())


def clock_time(iso_utc: str | None, tz: str = DEFAULT_ZONE) -> str:
    """'14 giờ 05 phút ngày 23/11/2026' in the room's time zone."""
    if not iso_utc:
        return "…"
    local = _local(iso_utc, tz)
    return f"{local:%H} giờ {local:%M} phút ngày {short_date(local.date())}"


def local_day(iso_utc: str | None, tz: str = DEFAULT_ZONE) -> date | None:
    """The room's calendar day of a stored moment (None: no moment)."""
    return _local(iso_utc, tz).date() if iso_utc else None


def local_moment(iso_utc: str | None, tz: str = DEFAULT_ZONE) -> datetime | None:
    """A stored moment on the room's wall clock, naive (what a spreadsheet cell holds)."""
    return _local(iso_utc, tz).replace(tzinfo=None) if iso_utc else None


def day_note(day: date, held_on: date) -> str:
    """How a moment's day stands to the conference's: '' (same), or said in words."""
    gap = (day - held_on).days
    if gap == 1:
        return " (ngày hôm sau)"
    if gap == -1:
        return " (ngày hôm trước)"
    return ""


def time_on(
    iso_utc: str | None, held_on: str, tz: str = DEFAULT_ZONE, *, long: bool = False
) -> str:
    """A moment of the conference, relative to the day the minutes are dated.

    On the conference's own (local) day only the clock time: the date is stated once,
    at the top. On another day the date too, and whether it is the day after or before,
    so a vote that ran past midnight (or a mistyped conference date) reads as it was.
    ``long``: the date as 'ngày 02 tháng 12 năm 2026' instead of '02/12/2026'.
    """
    if not iso_utc:
        return "…"
    local = _local(iso_utc, tz)
    clock = f"{local:%H} giờ {local:%M} phút"
    day, conference_day = local.date(), date.fromisoformat(held_on[:10])
    if day == conference_day:
        return clock
    written = long_date(day) if long else f"ngày {short_date(day)}"
    return f"{clock} {written}{day_note(day, conference_day)}"
