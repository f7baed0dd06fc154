"""The two minutes as a list of neutral blocks, rendered by ``docx.py`` and ``pdf.py``.

Every Vietnamese sentence of the filed minutes is written here once, from the minutes
view (``view.minutes_view``), so the DOCX and the PDF can never disagree. The wording
follows templates/minutes/{counting,conference,_results_vi}.html. The blocks are in
``blocks.py``, the results table's cells and sentences in ``tables.py``. No Flask import.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from voting.conferences.document import ConferenceInfo, DecisionResult, ResultDocument
from voting.minutes.blocks import (
    CHAIN_HEAD_LABEL,
    Bar,
    Block,
    Chart,
    Digest,
    Header,
    Minutes,
    Note,
    ResultTable,
    Signatures,
    Text,
    Title,
    keeps_with_next,
)
from voting.minutes.tables import (
    NO_REASON,
    absence_text,
    base_phrase,
    chart_of,
    percent_text,
    result_heads,
    result_row,
    seats_sentence,
    threshold_phrase,
    tie_sentence,
    unfilled_seats,
    verdict,
)
from voting.minutes.view import MinutesView, PersonView
from voting.minutes.words import count_in_words, dated_line, local_day, long_date, time_on

if TYPE_CHECKING:  # planning data, read by files.py; the layout stays a plain function
    from voting.planning.supplement import SupplementLine

# What the pages, renderers and tests have always imported from here.
__all__ = [
    "CHAIN_HEAD_LABEL",
    "NO_REASON",
    "Bar",
    "Block",
    "Chart",
    "Digest",
    "Note",
    "Signatures",
    "Text",
    "Title",
    "base_phrase",
    "chart_of",
    "keeps_with_next",
    "minutes_blocks",
    "percent_text",
    "seats_sentence",
    "threshold_phrase",
    "tie_sentence",
    "unfilled_seats",
    "verdict",
]

KINDS = ("counting", "conference")
FILE_PREFIX = {"counting": "bien-ban-kiem-phieu", "conference": "bien-ban-hoi-nghi"}
TITLES = {"counting": "Biên bản kiểm phiếu", "conference": "Biên bản hội nghị"}


def _person(p: PersonView) -> str:
    return p["name"] + (f", {p['title']}" if p["title"] else "")


def comrade(p: PersonView) -> str:
    """'Đồng chí Võ Văn Tùng, Chi cục trưởng': how such minutes name a member."""
    return f"Đồng chí {_person(p)}"


def _results(out: Minutes, m: MinutesView) -> None:
    rule = m["doc"].rule
    heads = result_heads(m["decision"].base)
    for index, p in enumerate(m["positions"], start=1):
        line = f"{index}. Chức danh {p['name']}"
        if p["quota"]:
            line += f" (số lượng quy hoạch: {count_in_words(p['quota'])} người)"
        out.add(Text(line, "heading"))
        out.add(ResultTable(heads, tuple(result_row(rule, p, row) for row in p["rows"])))
        if p["unvoted_write_ins"]:
            out.add(
                Text(
                    f"Ngoài danh sách, người bỏ phiếu có thể giới thiệu thêm "
                    f"{p['unvoted_write_ins']} người khác của đơn vị không có tên trong bảng: "
                    "không ai trong số đó nhận được phiếu đồng ý."
                )
            )
        if p["rows"]:
            out.add(chart_of(m, p))
        tie = tie_sentence(p, m["head"])
        if tie:
            out.add(Text(tie))
        seats = seats_sentence(rule, p)
        if seats:
            out.add(Text(seats))


SPOILT_PHRASES = {"written-in": "ghi thêm tên", "defaced": "tẩy xóa, rách, đánh dấu riêng"}


def _over_quota(quotas: dict[str, int | None], ballot: dict[str, list[str]]) -> bool:
    return any(len(c) > (quotas.get(p) or len(c)) for p, c in ballot.items())


def invalid_reasons(doc: ResultDocument) -> dict[str, int]:
    """Why the invalid ballots are invalid, read from the ballots themselves."""
    quotas = {p.id: p.quota for p in doc.decide_input.positions}
    found: dict[str, int] = {}
    for ballot in doc.decide_input.ballots:
        if "spoilt" in ballot:
            for reason in ballot["spoilt"]:
                found[reason] = found.get(reason, 0) + 1
        elif doc.rule.cap_at_quota and _over_quota(quotas, ballot):
            found["over-quota"] = found.get("over-quota", 0) + 1
    return found


def reconciliation(doc: ResultDocument, d: DecisionResult) -> list[str]:
    """Issued, returned, valid and invalid, reconciled (with paper and booth where used)."""
    tokens, returned = doc.tokens, doc.returned
    paper, booth = tokens.paper, returned.booth
    handed_out = tokens.issued - tokens.voided
    handed = f"Số phiếu phát ra: {count_in_words(handed_out)} phiếu"
    if paper:
        handed += (
            f", gồm {count_in_words(handed_out - paper)} phiếu điện tử và "
            f"{count_in_words(paper)} phiếu giấy"
        )
    if tokens.voided:
        handed += f" (đã hủy và cấp lại {count_in_words(tokens.voided)} phiếu)"
    received = d.ballots.received
    back = f"Số phiếu thu về: {count_in_words(received)} phiếu"
    if paper or booth:
        parts = [f"bỏ phiếu trên điện thoại {count_in_words(returned.phone)}"]
        if booth:
            parts.append(f"tại máy bỏ phiếu riêng {count_in_words(booth)}")
        if paper:
            parts.append(f"phiếu giấy {count_in_words(returned.paper)}")
        back += f" ({'; '.join(parts)})"
    lines = [handed + ".", back + "."]
    unreturned = handed_out - received
    if unreturned:
        missing = f"Số phiếu không thu về: {count_in_words(unreturned)} phiếu"
        paper_missing = paper - returned.paper
        if paper and paper_missing:
            missing += f" (trong đó phiếu giấy: {count_in_words(paper_missing)} phiếu)"
        lines.append(missing + ".")
    invalid = f"Số phiếu hợp lệ: {count_in_words(d.ballots.valid)} phiếu; số phiếu không "
    invalid += f"hợp lệ: {count_in_words(d.ballots.invalid)} phiếu"
    reasons = invalid_reasons(doc)
    if reasons:
        phrases = {"over-quota": "đồng ý quá số lượng", **SPOILT_PHRASES}
        invalid += (
            " ("
            + "; ".join(
                f"{phrases.get(k, k)}: {count_in_words(v)}" for k, v in sorted(reasons.items())
            )
            + ")"
        )
    lines.append(invalid + ".")
    return lines


def _conclusion(out: Minutes, m: MinutesView) -> None:
    rule = m["doc"].rule
    for p in m["positions"]:
        names = ", ".join(p["selected_names"]) or "không có"
        if rule.removal:
            tail = "đề xuất đưa ra khỏi quy hoạch"
        elif rule.ranked:
            tail = (
                "được lựa chọn"
                if out.kind == "counting"
                else "danh sách đề nghị phê duyệt quy hoạch"
            )
        elif out.kind == "counting":
            tail = "đạt tỷ lệ, được giới thiệu ở bước sau"
        else:
            tail = "danh sách giới thiệu ở bước sau"
        missing = unfilled_seats(rule, p)
        rest = f"; còn {count_in_words(missing)} chỗ chưa có người" if missing else ""
        out.add(Text(f"Chức danh {p['name']}: {tail}: {names}{rest}."))


def _ending(out: Minutes, conf: ConferenceInfo, tz: str) -> None:
    """The closing time and the copies: the secretary's fields, locked with the result."""
    record = conf.record
    day = conf.held_on
    ending = f"Hội nghị kết thúc bỏ phiếu lúc {time_on(conf.closed_at, day, tz)}"
    if conf.locked_at:
        ending += f"; kết quả được khóa lúc {time_on(conf.locked_at, day, tz)}"
    out.add(Text(ending + "."))
    ended = record.ended_at  # "16:30", the room's clock
    if ended:
        hours, minutes = ended.split(":")
        out.add(Text(f"Hội nghị kết thúc lúc {hours} giờ {minutes} phút cùng ngày."))
    copies = record.copies
    if copies:
        out.add(
            Text(
                f"{TITLES[out.kind]} được lập thành {count_in_words(copies)} bản, "
                "có giá trị như nhau, các thành viên đã nhất trí thông qua."
            )
        )


def _seated(m: MinutesView, role: str | None = None) -> list[PersonView]:
    """The committee members present (with ``role``, head or member): only they count."""
    roles = (role,) if role else ("head", "member")
    return [
        p
        for r in roles
        for p in m["committee_head" if r == "head" else "committee_members"]
        if p["present"] is not False
    ]


def _on_ballot(m: MinutesView) -> set[str]:
    return {" ".join(c.name.split()).casefold() for p in m["doc"].positions for c in p.candidates}


def committee_notes(m: MinutesView) -> list[str]:
    """The chair's recorded reasons for keeping flagged committee members."""
    on_ballot = _on_ballot(m)
    lines = []
    for p in m["committee_head"] + m["committee_members"]:
        note = p["committee_note"]
        problems = []
        if p["present"] is False:
            problems.append("vắng mặt, không tham gia kiểm phiếu")
        if " ".join(p["name"].split()).casefold() in on_ballot:
            problems.append("có tên trong danh sách bầu")
        if problems:
            reason = f"; lý do chủ tọa giữ: {note}" if note else ""
            lines.append(
                f"Ghi chú: Đồng chí {p['name']} (Ban kiểm phiếu) {', '.join(problems)}{reason}."
            )
    return lines


def entered_paper_line(m: MinutesView) -> str:
    """Who entered the paper ballots (the members, never which ballot)."""
    if not m["doc"].tokens.paper:
        return ""
    names = [p["name"] for p in m["committee_head"] + m["committee_members"] if p["entered_paper"]]
    if not names:
        return "Phiếu bầu giấy: chưa thành viên nào nhập."
    return (
        "Phiếu bầu giấy do các thành viên Ban kiểm phiếu nhập (mỗi phiếu hai lần): "
        f"{', '.join(names)}."
    )


def _committee(out: Minutes, m: MinutesView) -> tuple[list[PersonView], list[PersonView]]:
    """The counting committee as the counting minutes list it; (head, members) present."""
    rule = m["doc"].rule
    head, members = _seated(m, "head"), _seated(m, "member")
    lines = [f"{comrade(p)} — Trưởng ban;" for p in head]
    lines += [f"{comrade(p)} — Thành viên;" for p in members]
    for i, line in enumerate(lines, start=1):
        out.add(Text(f"{i}. {line}", "item"))
    if lines:
        out.add(Text(f"đã tiến hành kiểm phiếu {rule.label.vi.lower()}.", "plain"))
    else:
        # Never a blank list to fill in by hand: say plainly that nobody was named.
        out.add(
            Text(
                "Hội nghị không chọn Ban kiểm phiếu; kết quả "
                f"{rule.label.vi.lower()} do hệ thống kiểm.",
                "warning",
            )
        )
    for line in committee_notes(m):
        out.add(Text(line, "warning"))
    entered = entered_paper_line(m)
    if entered:
        out.add(Text(entered))
    return head, members


def _counting(out: Minutes, m: MinutesView, labels: dict[str, str], tz: str) -> None:
    doc, d = m["doc"], m["decision"]
    conf = doc.conference
    out.add(
        Title(
            "Biên bản kiểm phiếu",
            (conf.title, f"(Bước {conf.step}, {labels['flow']} — {labels['level']})"),
        ),
        Text(
            f"Hôm nay, {dated_line('', conf.held_on)}, tại {conf.place or '…'}"
            + (", Ban kiểm phiếu gồm:" if _seated(m) else ".")
        ),
    )
    head, members = _committee(out, m)

    out.add(Text("I. Nguyên tắc", "heading"))
    out.add(
        Text(
            f"{doc.rule.sentence.vi} (tỷ lệ tính trên {base_phrase(d.base)}: "
            f"{count_in_words(d.base_count)} người; số phiếu đồng ý cần đạt: "
            f"{count_in_words(d.votes_needed)} phiếu). Căn cứ: {doc.rule.citation}."
        )
    )

    out.add(Text("II. Số phiếu", "heading"))
    for line in (
        f"Tổng số người được triệu tập: {count_in_words(doc.attendance.summoned)} "
        f"người; có mặt: {count_in_words(doc.attendance.present)} người; vắng mặt: "
        f"{count_in_words(len(m['absent']))} người.",
        *reconciliation(doc, d),
    ):
        out.add(Text(f"- {line}", "item"))

    out.add(Text("III. Kết quả", "heading"))
    _results(out, m)

    out.add(Text("IV. Kết luận", "heading"))
    _conclusion(out, m)
    day = conf.held_on
    out.add(
        Text(
            f"Thời gian mở phiếu: {time_on(conf.opened_at, day, tz)}; kết thúc bỏ "
            f"phiếu: {time_on(conf.closed_at, day, tz)}"
            + (f"; khóa kết quả: {time_on(conf.locked_at, day, tz)}" if conf.locked_at else "")
            + "."
        )
    )
    copies = conf.record.copies
    if copies:
        out.add(Text(f"Biên bản kiểm phiếu được lập thành {count_in_words(copies)} bản."))
    if head or members:
        # Only those present sign: an absent member counted nothing.
        out.add(
            Signatures(
                ("Thành viên Ban kiểm phiếu", tuple(p["name"] for p in members)),
                ("Trưởng Ban kiểm phiếu", tuple(p["name"] for p in head)),
            )
        )


def opening_time(conf: ConferenceInfo, tz: str) -> str:
    """The conference minutes' 'Thời gian' line: the date stated once when the vote
    opened on the conference's own (local) day; else both days, each in full."""
    day = conf.held_on
    held = long_date(date.fromisoformat(day[:10]))
    opened_on = local_day(conf.opened_at, tz)
    opened = time_on(conf.opened_at, day, tz, long=True)
    if opened_on is None or opened_on == date.fromisoformat(day[:10]):
        return f"Thời gian: bắt đầu bỏ phiếu lúc {opened}, {held}."
    return f"Thời gian: hội nghị {held}; bắt đầu bỏ phiếu lúc {opened}."


def _lines(out: Minutes, text: str) -> None:
    """A free field of the record, one paragraph a non-empty line."""
    for line in text.splitlines():
        if line.strip():
            out.add(Text(line.strip()))


SUPPLEMENT_WIDTHS_MM = (12.0, 45.0, 17.0, 56.0, 35.0)
SUPPLEMENT_ALIGNS = ("center", "left", "center", "left", "left")


def _supplement(out: Minutes, lines: Sequence[SupplementLine]) -> None:
    """The annual review's first conference also approves who is proposed to be added."""
    if not lines:
        out.add(Text("Hội nghị không bổ sung nhân sự vào danh sách quy hoạch."))
        return
    out.add(
        Text(
            "Hội nghị thông qua danh sách nhân sự đề xuất bổ sung quy hoạch gồm "
            f"{count_in_words(len(lines))} người, để giới thiệu ở bước sau:"
        ),
        ResultTable(
            heads=("STT", "Họ và tên", "Năm sinh", "Chức vụ, đơn vị công tác", "Chức danh"),
            rows=tuple(
                (
                    str(i),
                    line.name,
                    str(line.birth_year or ""),
                    ", ".join(x for x in (line.post, line.unit) if x),
                    line.position,
                )
                for i, line in enumerate(lines, 1)
            ),
            widths_mm=SUPPLEMENT_WIDTHS_MM,
            aligns=SUPPLEMENT_ALIGNS,
        ),
    )


def _conference(
    out: Minutes,
    m: MinutesView,
    labels: dict[str, str],
    tz: str,
    supplement: Sequence[SupplementLine] | None,
) -> None:
    doc, d = m["doc"], m["decision"]
    conf, record = doc.conference, doc.conference.record
    out.add(
        Title("Biên bản hội nghị", (conf.title,)),
        Text(opening_time(conf, tz)),
        Text(f"Địa điểm: {conf.place or '…'}."),
        Text(f"Chủ trì: {conf.chair or '…'}. Thư ký: {conf.secretary or '…'}."),
        Text("I. Thành phần", "heading"),
        Text(
            f"Tổng số người được triệu tập: {count_in_words(doc.attendance.summoned)} "
            f"người; có mặt: {count_in_words(doc.attendance.present)} người; vắng mặt: "
            f"{count_in_words(len(m['absent']))} người" + (":" if m["absent"] else ".")
        ),
    )
    for p in m["absent"]:
        out.add(Text(f"- {comrade(p)} — {absence_text(p)};", "item"))

    out.add(Text("II. Nội dung", "heading"))
    _lines(out, record.agenda)
    out.add(
        Text(
            f"Thực hiện Quy trình QT.NB.03, bước {conf.step} ({labels['flow']}, "
            f"{labels['level']}), hội nghị tiến hành {doc.rule.label.vi.lower()} "
            "bằng phiếu kín."
        ),
        Text(f"Nguyên tắc: {doc.rule.sentence.vi}."),
    )
    committee = [f"{p['name']} (Trưởng ban)" for p in _seated(m, "head")]
    committee += [p["name"] for p in _seated(m, "member")]
    if committee:
        out.add(Text(f"Hội nghị đã thống nhất Ban kiểm phiếu gồm: {', '.join(committee)}."))
    else:
        out.add(Text("Hội nghị không chọn Ban kiểm phiếu.", "warning"))

    out.add(Text("III. Kết quả bỏ phiếu", "heading"))
    tokens = doc.tokens
    out.add(
        Text(
            f"Số phiếu phát ra: {count_in_words(tokens.issued - tokens.voided)}; thu về: "
            f"{count_in_words(d.ballots.received)}; hợp lệ: "
            f"{count_in_words(d.ballots.valid)}; không hợp lệ: "
            f"{count_in_words(d.ballots.invalid)} (chi tiết tại Biên bản kiểm phiếu "
            "kèm theo)."
        )
    )
    _results(out, m)
    if record.remarks:
        out.add(Text("Ý kiến tại hội nghị:", "plain", bold=True))
        _lines(out, record.remarks)

    out.add(Text("IV. Kết luận", "heading"))
    _conclusion(out, m)
    if supplement is not None:
        _supplement(out, supplement)
    _ending(out, conf, tz)
    out.add(
        Signatures(
            ("Thư ký", (conf.secretary or "",)),
            ("Chủ trì", (conf.chair or "",)),
        )
    )


def minutes_blocks(
    kind: str,
    m: MinutesView,
    *,
    digest: str | None,
    flow_label: str,
    level_label: str,
    tz: str = "Asia/Ho_Chi_Minh",
    problems: list[str] | None = None,
    notes: list[Note] | None = None,
    chain_head: str | None = None,
    supplement: Sequence[SupplementLine] | None = None,
) -> list[Block]:
    """Biên bản kiểm phiếu (``counting``) or biên bản hội nghị (``conference``).

    ``m`` is ``minutes_view(current_result(conference))``; ``digest`` the locked
    result's SHA-256 (None before lock: the document then says it is a preview).
    ``notes`` are the dated notes appended after lock; they follow the signatures,
    outside the signed text. ``chain_head`` the audit chain's head at lock, short form.
    ``supplement`` the supplement list the conference approved (annual review's B1 only).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown minutes kind {kind!r}")
    conf = m["doc"].conference
    out = Minutes(kind)
    out.add(
        Header(
            (conf.parent_body or "").upper(),
            (conf.unit or "").upper(),
            dated_line(conf.locality, conf.held_on),
        )
    )
    if not digest:
        out.add(Text("BẢN XEM TRƯỚC: kết quả chưa được khóa.", "warning"))
    if problems:
        out.add(Text(f"Kiểm tra toàn vẹn không đạt: {'; '.join(problems)}", "warning"))
    labels = {"flow": flow_label, "level": level_label}
    if kind == "counting":
        _counting(out, m, labels, tz)
    else:
        _conference(out, m, labels, tz, supplement)
    if digest:
        out.add(Digest(digest, chain_head or ""))
    if notes:
        out.add(Text("Ghi chú bổ sung sau khi khóa kết quả", "heading"))
        for note in notes:
            out.add(Text(f"- {note.written} ({note.author}): {note.text}", "item"))
    return out.blocks
