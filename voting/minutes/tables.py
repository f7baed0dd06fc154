"""The results table's cells and the sentences around it, as the minutes write them.

Shared by the minutes (``layout.py``) and the spreadsheets (``sheets.py``), so a
verdict, a tie or an empty seat is worded once. Read from the minutes' view
(``view.minutes_view``) and the typed result document. No Flask import.
"""

from __future__ import annotations

from voting.conferences.document import HeadDecision, RuleInfo
from voting.minutes.blocks import Bar, Chart
from voting.minutes.view import MinutesView, PersonView, PositionView, Row
from voting.minutes.words import count_in_words

#: What the minutes print for an absence recorded without a reason. Not "không có lý
#: do" (an unexcused absence, which counts against a cadre) nor "không rõ lý do" (which
#: insinuates): the chair simply did not write one down, and that is all the record says.
NO_REASON = "chưa ghi lý do"


def base_phrase(base: str) -> str:
    return "số người có mặt" if base == "present" else "tổng số người được triệu tập"


def percent_text(value: str) -> str:
    """'42.86' → '42,86' (the minutes are Vietnamese)."""
    return str(value).replace(".", ",")


def threshold_phrase(threshold: str, comparison: str) -> str:
    """'1/2', '>' → 'trên 50%'; '3/10', '>=' → 'từ 30% trở lên'."""
    numerator, denominator = (int(part) for part in threshold.split("/"))
    hundredths = numerator * 10000 // denominator
    whole, rest = divmod(hundredths, 100)
    value = f"{whole}" if rest == 0 else f"{whole},{rest:02d}"
    return f"trên {value}%" if comparison == ">" else f"từ {value}% trở lên"


def verdict(rule: RuleInfo, position: PositionView, row: Row) -> str:
    """The 'Kết quả' cell, worded as the screen's (minutes/_results_table.html's
    "Proposed for removal" / "Not proposed" in Vietnamese)."""
    if rule.removal:
        return "Đề xuất đưa ra khỏi quy hoạch" if row["passes"] else "Không đề xuất"
    text = "Đạt" if row["passes"] else "Không đạt"
    if rule.ranked and row["selected"]:
        text += "; được lựa chọn"
    if row["tied"] and position["needs_head_decision"]:
        text += "; bằng phiếu"
    return text


def tie_sentence(position: PositionView, head: HeadDecision | None) -> str | None:
    if not position["tied_names"]:
        return None
    text = (
        f"Có {count_in_words(len(position['tied_names']))} người bằng phiếu ở vị trí cuối cùng "
        f"({', '.join(position['tied_names'])}) cho {count_in_words(position['open_seats'])} "
        "vị trí còn lại."
    )
    if position["head_choice_names"]:
        chosen = ", ".join(position["head_choice_names"])
        decided_by = head.decided_by if head else ""
        return f"{text} {decided_by} đã xem xét, quyết định lựa chọn: {chosen}."
    return f"{text} Chờ Thủ trưởng đơn vị xem xét, quyết định."


def unfilled_seats(rule: RuleInfo, position: PositionView) -> int:
    """Planning seats nobody fills: the quota less those selected and those a pending
    tie will fill (a tie waiting for the head is not a vacancy)."""
    quota = position["quota"]
    if not quota or rule.removal:
        return 0
    pending = position["open_seats"] if position["needs_head_decision"] else 0
    return max(quota - len(position["selected_names"]) - pending, 0)


def seats_sentence(rule: RuleInfo, position: PositionView) -> str | None:
    """'Số lượng quy hoạch 02 (hai) người, có 01 (một) người đạt; còn 01 (một) chỗ chưa
    có người.' when the result leaves a seat empty; None when every seat is filled."""
    missing = unfilled_seats(rule, position)
    if not missing:
        return None
    filled = len(position["selected_names"])
    verb = "được lựa chọn" if rule.ranked else "đạt"
    who = f"có {count_in_words(filled)} người {verb}" if filled else f"không có người nào {verb}"
    return (
        f"Số lượng quy hoạch {count_in_words(position['quota'] or 0)} người, {who}; "
        f"còn {count_in_words(missing)} chỗ chưa có người."
    )


def absence_text(person: PersonView) -> str:
    """'lý do vắng mặt: Đi công tác' or 'vắng mặt (chưa ghi lý do)'."""
    reason = (person["absence_reason"] or "").strip()
    return f"lý do vắng mặt: {reason}" if reason else f"vắng mặt ({NO_REASON})"


def result_heads(base: str) -> tuple[str, ...]:
    return (
        "STT",
        "Họ và tên",
        "Chức vụ/đơn vị",
        "Số phiếu đồng ý",
        f"Tỷ lệ % so với {base_phrase(base)}",
        "Kết quả",
    )


def result_row(rule: RuleInfo, position: PositionView, row: Row) -> tuple[str, ...]:
    name = row["name"] + (f" ({row['birth_year']})" if row["birth_year"] else "")
    if row["write_in"]:
        name += " — được giới thiệu thêm"
    post = ", ".join(part for part in (row["post"], row["unit"]) if part)
    return (
        str(row["rank"]),
        name,
        post,
        str(row["agree"]),
        f"{percent_text(row['percent'])}%",
        verdict(rule, position, row),
    )


def chart_of(m: MinutesView, position: PositionView) -> Chart:
    d = m["decision"]
    return Chart(
        title=f"Tỷ lệ phiếu đồng ý — {position['name']}",
        bars=tuple(Bar(r["name"], str(r["percent"]), bool(r["passes"])) for r in position["rows"]),
        threshold=d.threshold,
        comparison=d.comparison,
        base_label=f"so với {base_phrase(d.base)}",
    )
