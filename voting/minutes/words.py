"""Counts written as Vietnamese minutes write them: "09 (chín) người"."""

from __future__ import annotations

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


def clock_time(iso_utc: str | None, tz: str = "Asia/Ho_Chi_Minh") -> str:
    """'14 giờ 05 phút ngày 23/11/2026' in the room's time zone."""
    if not iso_utc:
        return "…"
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    moment = datetime.fromisoformat(iso_utc.removesuffix("Z")).replace(tzinfo=UTC)
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local:%H} giờ {local:%M} phút ngày {local:%d/%m/%Y}"
