"""The two minutes as a list of neutral blocks, rendered by ``docx.py`` and ``pdf.py``.

Every Vietnamese sentence of the filed minutes is written here once, from the minutes
view (``report.minutes_view``), so the DOCX and the PDF can never disagree. The wording
follows templates/minutes/{counting,conference,_results_vi}.html. No Flask import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any, ClassVar, Literal

from voting.minutes.words import count_in_words, dated_line, local_day, long_date, time_on

KINDS = ("counting", "conference")
FILE_PREFIX = {"counting": "bien-ban-kiem-phieu", "conference": "bien-ban-hoi-nghi"}
TITLES = {"counting": "Biên bản kiểm phiếu", "conference": "Biên bản hội nghị"}

# Results table: widths in millimetres (165 mm of text width) and alignment per column.
RESULT_WIDTHS_MM = (13.0, 46.0, 38.0, 19.0, 26.0, 23.0)
RESULT_ALIGNS = ("center", "left", "left", "center", "center", "center")


@dataclass(frozen=True)
class Header:
    """The Nghị định 30 two-column header and the dated line under the motto."""

    block: ClassVar[str] = "header"  # what templates switch on

    parent_body: str
    unit: str
    dated: str


@dataclass(frozen=True)
class Title:
    block: ClassVar[str] = "title"  # what templates switch on
    text: str
    subtitle: tuple[str, ...]


TextKind = Literal["body", "heading", "item", "warning", "plain"]


@dataclass(frozen=True)
class Text:
    """``body``: justified, first-line indent; ``heading``: bold section head;
    ``item``: an indented list line; ``warning``: bold red; ``plain``: left, no indent."""

    block: ClassVar[str] = "text"  # what templates switch on

    text: str
    kind: TextKind = "body"
    bold: bool = False


@dataclass(frozen=True)
class ResultTable:
    block: ClassVar[str] = "table"  # what templates switch on
    heads: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths_mm: tuple[float, ...] = RESULT_WIDTHS_MM
    aligns: tuple[str, ...] = RESULT_ALIGNS


@dataclass(frozen=True)
class Bar:
    label: str
    percent: str  # "42.86", as the decision states it
    passes: bool


@dataclass(frozen=True)
class Chart:
    """Agree percentage per candidate against the rule's threshold line."""

    block: ClassVar[str] = "chart"  # what templates switch on

    title: str
    bars: tuple[Bar, ...]
    threshold: str  # "1/2": the rule's exact fraction
    comparison: str  # ">=" or ">"
    base_label: str
    #: The threshold line's caption; empty: the minutes' Vietnamese wording.
    threshold_text: str = ""


@dataclass(frozen=True)
class Signatures:
    block: ClassVar[str] = "signatures"  # what templates switch on
    left: tuple[str, tuple[str, ...]]
    right: tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class Digest:
    block: ClassVar[str] = "digest"  # what templates switch on
    digest: str
    #: The audit chain's head at lock, short form (voting.audit.verify.fingerprint): on
    #: paper it lets ``voting audit verify --expect`` catch a chain rebuilt or cut back.
    chain_head: str = ""


#: The line the renderers print before the chain head.
CHAIN_HEAD_LABEL = "Mã kiểm tra nhật ký kiểm toán khi khóa: "


Block = Header | Title | Text | ResultTable | Chart | Signatures | Digest


def keeps_with_next(blocks: list[Block]) -> list[bool]:
    """Per block, whether it must share a page with the block after it.

    A heading, or a line announcing what follows (it ends in ':'), goes with the start
    of what it introduces: it never ends a page. The last text before the signatures
    goes with them, and they with the digest that ties the paper to the dossier: a
    signature block never stands alone on a page. All three renderers follow this
    (PDF by measuring, DOCX by "keep with next", HTML by CSS break rules).
    """
    keeps = [_keeps(block, following) for block, following in pairwise(blocks)]
    return [*keeps, False] if blocks else []


def _keeps(block: Block, following: Block) -> bool:
    if isinstance(block, Text):
        announces = block.kind == "heading" or block.text.rstrip().endswith(":")
        return announces or isinstance(following, Signatures)
    return isinstance(block, Signatures) and isinstance(following, Digest)


@dataclass(frozen=True)
class Note:
    """A dated note the secretary appended after lock."""

    written: str  # "14 giờ 05 phút ngày 23/11/2026"
    author: str
    text: str


@dataclass
class Minutes:
    kind: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)


# --- Sentences shared with the spreadsheets ---------------------------------------------


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


def verdict(rule: dict[str, Any], position: dict[str, Any], row: dict[str, Any]) -> str:
    """The 'Kết quả' cell, worded as in _results_vi.html."""
    if rule.get("removal"):
        return "Đề xuất đưa ra khỏi quy hoạch" if row["passes"] else "Không"
    text = "Đạt" if row["passes"] else "Không đạt"
    if rule.get("ranked") and row["selected"]:
        text += "; được lựa chọn"
    if row["tied"] and position["needs_head_decision"]:
        text += "; bằng phiếu"
    return text


def tie_sentence(position: dict[str, Any], head: dict[str, Any]) -> str | None:
    if not position["tied_names"]:
        return None
    text = (
        f"Có {count_in_words(len(position['tied_names']))} người bằng phiếu ở vị trí cuối cùng "
        f"({', '.join(position['tied_names'])}) cho {count_in_words(position['open_seats'])} "
        "vị trí còn lại."
    )
    if position["head_choice_names"]:
        chosen = ", ".join(position["head_choice_names"])
        return f"{text} {head.get('decided_by', '')} đã xem xét, quyết định lựa chọn: {chosen}."
    return f"{text} Chờ Thủ trưởng đơn vị xem xét, quyết định."


def unfilled_seats(rule: dict[str, Any], position: dict[str, Any]) -> int:
    """Planning seats nobody fills: the quota less those selected and those a pending
    tie will fill (a tie waiting for the head is not a vacancy)."""
    quota = position.get("quota")
    if not quota or rule.get("removal"):
        return 0
    pending = position["open_seats"] if position["needs_head_decision"] else 0
    return max(quota - len(position["selected_names"]) - pending, 0)


def seats_sentence(rule: dict[str, Any], position: dict[str, Any]) -> str | None:
    """'Số lượng quy hoạch 02 (hai) người, có 01 (một) người đạt; còn 01 (một) chỗ chưa
    có người.' when the result leaves a seat empty; None when every seat is filled."""
    missing = unfilled_seats(rule, position)
    if not missing:
        return None
    filled = len(position["selected_names"])
    verb = "được lựa chọn" if rule.get("ranked") else "đạt"
    who = f"có {count_in_words(filled)} người {verb}" if filled else f"không có người nào {verb}"
    return (
        f"Số lượng quy hoạch {count_in_words(position['quota'])} người, {who}; "
        f"còn {count_in_words(missing)} chỗ chưa có người."
    )


#: What the minutes print for an absence recorded without a reason. Not "không có lý
#: do" (an unexcused absence, which counts against a cadre) nor "không rõ lý do" (which
#: insinuates): the chair simply did not write one down, and that is all the record says.
NO_REASON = "chưa ghi lý do"


def absence_text(person: dict[str, Any]) -> str:
    """'lý do vắng mặt: Đi công tác' or 'vắng mặt (chưa ghi lý do)'."""
    reason = (person.get("absence_reason") or "").strip()
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


def result_row(rule: dict[str, Any], position: dict[str, Any], row: dict[str, Any]) -> tuple:
    name = row["name"] + (f" ({row['birth_year']})" if row.get("birth_year") else "")
    if row.get("write_in"):
        name += " — được giới thiệu thêm"
    post = ", ".join(part for part in (row.get("post"), row.get("unit")) if part)
    return (
        str(row["rank"]),
        name,
        post,
        str(row["agree"]),
        f"{percent_text(row['percent'])}%",
        verdict(rule, position, row),
    )


def chart_of(m: dict[str, Any], position: dict[str, Any]) -> Chart:
    d = m["decision"]
    return Chart(
        title=f"Tỷ lệ phiếu đồng ý — {position['name']}",
        bars=tuple(Bar(r["name"], str(r["percent"]), bool(r["passes"])) for r in position["rows"]),
        threshold=d["threshold"],
        comparison=d["comparison"],
        base_label=f"so với {base_phrase(d['base'])}",
    )


# --- Parts --------------------------------------------------------------------------------


def _person(p: dict[str, Any]) -> str:
    return p["name"] + (f", {p['title']}" if p.get("title") else "")


def comrade(p: dict[str, Any]) -> str:
    """'Đồng chí Võ Văn Tùng, Chi cục trưởng': how such minutes name a member."""
    return f"Đồng chí {_person(p)}"


def _results(out: Minutes, m: dict[str, Any]) -> None:
    rule = m["doc"]["rule"]
    heads = result_heads(m["decision"]["base"])
    for index, p in enumerate(m["positions"], start=1):
        line = f"{index}. Chức danh {p['name']}"
        if p["quota"]:
            line += f" (số lượng quy hoạch: {count_in_words(p['quota'])} người)"
        out.add(Text(line, "heading"))
        out.add(ResultTable(heads, tuple(result_row(rule, p, row) for row in p["rows"])))
        if p.get("unvoted_write_ins"):
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


def invalid_reasons(doc: dict[str, Any]) -> dict[str, int]:
    """Why the invalid ballots are invalid, read from the ballots themselves."""
    quotas = {p["id"]: p["quota"] for p in doc["decide_input"]["positions"]}
    caps = doc["rule"]["cap_at_quota"]
    found: dict[str, int] = {}
    for ballot in doc["decide_input"]["ballots"]:
        if "spoilt" in ballot:
            for reason in ballot["spoilt"]:
                found[reason] = found.get(reason, 0) + 1
        elif caps and any(len(c) > quotas.get(p, len(c)) for p, c in ballot.items()):
            found["over-quota"] = found.get("over-quota", 0) + 1
    return found


def reconciliation(doc: dict[str, Any], d: dict[str, Any]) -> list[str]:
    """Issued, returned, valid and invalid, reconciled (with paper and booth where used)."""
    tokens = doc["tokens"]
    returned = doc.get("returned") or {}
    paper, booth = tokens.get("paper", 0), returned.get("booth", 0)
    handed_out = tokens["issued"] - tokens["voided"]
    handed = f"Số phiếu phát ra: {count_in_words(handed_out)} phiếu"
    if paper:
        handed += (
            f", gồm {count_in_words(handed_out - paper)} phiếu điện tử và "
            f"{count_in_words(paper)} phiếu giấy"
        )
    if tokens["voided"]:
        handed += f" (đã hủy và cấp lại {count_in_words(tokens['voided'])} phiếu)"
    received = d["ballots"]["received"]
    back = f"Số phiếu thu về: {count_in_words(received)} phiếu"
    if paper or booth:
        parts = [f"bỏ phiếu trên điện thoại {count_in_words(returned.get('phone', 0))}"]
        if booth:
            parts.append(f"tại máy bỏ phiếu riêng {count_in_words(booth)}")
        if paper:
            parts.append(f"phiếu giấy {count_in_words(returned.get('paper', 0))}")
        back += f" ({'; '.join(parts)})"
    lines = [handed + ".", back + "."]
    unreturned = handed_out - received
    if unreturned:
        missing = f"Số phiếu không thu về: {count_in_words(unreturned)} phiếu"
        paper_missing = paper - returned.get("paper", 0)
        if paper and paper_missing:
            missing += f" (trong đó phiếu giấy: {count_in_words(paper_missing)} phiếu)"
        lines.append(missing + ".")
    invalid = f"Số phiếu hợp lệ: {count_in_words(d['ballots']['valid'])} phiếu; số phiếu không "
    invalid += f"hợp lệ: {count_in_words(d['ballots']['invalid'])} phiếu"
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


def _conclusion(out: Minutes, m: dict[str, Any]) -> None:
    rule = m["doc"]["rule"]
    for p in m["positions"]:
        names = ", ".join(p["selected_names"]) or "không có"
        if rule.get("removal"):
            tail = "đề xuất đưa ra khỏi quy hoạch"
        elif rule.get("ranked"):
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


def _record(conf: dict[str, Any]) -> dict[str, Any]:
    return conf.get("record") or {}


def _ending(out: Minutes, conf: dict[str, Any], tz: str) -> None:
    """The closing time and the copies: the secretary's fields, locked with the result."""
    record = _record(conf)
    day = conf["held_on"]
    ending = f"Hội nghị kết thúc bỏ phiếu lúc {time_on(conf.get('closed_at'), day, tz)}"
    if conf.get("locked_at"):
        ending += f"; kết quả được khóa lúc {time_on(conf['locked_at'], day, tz)}"
    out.add(Text(ending + "."))
    ended = record.get("ended_at")  # "16:30", the room's clock
    if ended:
        hours, minutes = ended.split(":")
        out.add(Text(f"Hội nghị kết thúc lúc {hours} giờ {minutes} phút cùng ngày."))
    copies = record.get("copies")
    if copies:
        out.add(
            Text(
                f"{TITLES[out.kind]} được lập thành {count_in_words(copies)} bản, "
                "có giá trị như nhau, các thành viên đã nhất trí thông qua."
            )
        )


def _seated(m: dict[str, Any], role: str | None = None) -> list[dict[str, Any]]:
    """The committee members present (with ``role``, head or member): only they count."""
    roles = (role,) if role else ("head", "member")
    return [
        p
        for r in roles
        for p in m["committee_head" if r == "head" else "committee_members"]
        if p.get("present") is not False
    ]


def _on_ballot(m: dict[str, Any]) -> set[str]:
    return {
        " ".join(c["name"].split()).casefold()
        for p in m["doc"].get("positions", [])
        for c in p.get("candidates", [])
    }


def committee_notes(m: dict[str, Any]) -> list[str]:
    """The chair's recorded reasons for keeping flagged committee members."""
    on_ballot = _on_ballot(m)
    lines = []
    for p in m["committee_head"] + m["committee_members"]:
        note = p.get("committee_note")
        problems = []
        if p.get("present") is False:
            problems.append("vắng mặt, không tham gia kiểm phiếu")
        if " ".join(p["name"].split()).casefold() in on_ballot:
            problems.append("có tên trong danh sách bầu")
        if problems:
            reason = f"; lý do chủ tọa giữ: {note}" if note else ""
            lines.append(
                f"Ghi chú: Đồng chí {p['name']} (Ban kiểm phiếu) {', '.join(problems)}{reason}."
            )
    return lines


def entered_paper_line(m: dict[str, Any]) -> str:
    """Who entered the paper ballots (the members, never which ballot)."""
    if not m["doc"].get("tokens", {}).get("paper"):
        return ""
    names = [
        p["name"] for p in m["committee_head"] + m["committee_members"] if p.get("entered_paper")
    ]
    if not names:
        return "Phiếu bầu giấy: chưa thành viên nào nhập."
    return (
        "Phiếu bầu giấy do các thành viên Ban kiểm phiếu nhập (mỗi phiếu hai lần): "
        f"{', '.join(names)}."
    )


def _counting(out: Minutes, m: dict[str, Any], labels: dict[str, str], tz: str) -> None:
    doc, conf, d = m["doc"], m["doc"]["conference"], m["decision"]
    out.add(
        Title(
            "Biên bản kiểm phiếu",
            (conf["title"], f"(Bước {conf['step']}, {labels['flow']} — {labels['level']})"),
        ),
        Text(
            f"Hôm nay, {dated_line('', conf['held_on'])}, tại {conf.get('place') or '…'}"
            + (", Ban kiểm phiếu gồm:" if _seated(m) else ".")
        ),
    )
    head, members = _seated(m, "head"), _seated(m, "member")
    lines = [f"{comrade(p)} — Trưởng ban;" for p in head]
    lines += [f"{comrade(p)} — Thành viên;" for p in members]
    for i, line in enumerate(lines, start=1):
        out.add(Text(f"{i}. {line}", "item"))
    if lines:
        out.add(Text(f"đã tiến hành kiểm phiếu {doc['rule']['label']['vi'].lower()}.", "plain"))
    else:
        # Never a blank list to fill in by hand: say plainly that nobody was named.
        out.add(
            Text(
                "Hội nghị không chọn Ban kiểm phiếu; kết quả "
                f"{doc['rule']['label']['vi'].lower()} do hệ thống kiểm.",
                "warning",
            )
        )
    for line in committee_notes(m):
        out.add(Text(line, "warning"))
    entered = entered_paper_line(m)
    if entered:
        out.add(Text(entered))

    out.add(Text("I. Nguyên tắc", "heading"))
    out.add(
        Text(
            f"{doc['rule']['sentence']['vi']} (tỷ lệ tính trên {base_phrase(d['base'])}: "
            f"{count_in_words(d['base_count'])} người; số phiếu đồng ý cần đạt: "
            f"{count_in_words(d['votes_needed'])} phiếu). Căn cứ: {doc['rule']['citation']}."
        )
    )

    out.add(Text("II. Số phiếu", "heading"))
    for line in (
        f"Tổng số người được triệu tập: {count_in_words(doc['attendance']['summoned'])} "
        f"người; có mặt: {count_in_words(doc['attendance']['present'])} người; vắng mặt: "
        f"{count_in_words(len(m['absent']))} người.",
        *reconciliation(doc, d),
    ):
        out.add(Text(f"- {line}", "item"))

    out.add(Text("III. Kết quả", "heading"))
    _results(out, m)

    out.add(Text("IV. Kết luận", "heading"))
    _conclusion(out, m)
    day = conf["held_on"]
    out.add(
        Text(
            f"Thời gian mở phiếu: {time_on(conf.get('opened_at'), day, tz)}; kết thúc bỏ "
            f"phiếu: {time_on(conf.get('closed_at'), day, tz)}"
            + (
                f"; khóa kết quả: {time_on(conf['locked_at'], day, tz)}"
                if conf.get("locked_at")
                else ""
            )
            + "."
        )
    )
    copies = _record(conf).get("copies")
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


def opening_time(conf: dict[str, Any], tz: str) -> str:
    """The conference minutes' 'Thời gian' line: the date stated once when the vote
    opened on the conference's own (local) day; else both days, each in full."""
    day = conf["held_on"]
    held = long_date(date.fromisoformat(day[:10]))
    opened_on = local_day(conf.get("opened_at"), tz)
    opened = time_on(conf.get("opened_at"), day, tz, long=True)
    if opened_on is None or opened_on == date.fromisoformat(day[:10]):
        return f"Thời gian: bắt đầu bỏ phiếu lúc {opened}, {held}."
    return f"Thời gian: hội nghị {held}; bắt đầu bỏ phiếu lúc {opened}."


def _conference(out: Minutes, m: dict[str, Any], labels: dict[str, str], tz: str) -> None:
    doc, conf, d = m["doc"], m["doc"]["conference"], m["decision"]
    record = _record(conf)
    out.add(
        Title("Biên bản hội nghị", (conf["title"],)),
        Text(opening_time(conf, tz)),
        Text(f"Địa điểm: {conf.get('place') or '…'}."),
        Text(f"Chủ trì: {conf.get('chair') or '…'}. Thư ký: {conf.get('secretary') or '…'}."),
        Text("I. Thành phần", "heading"),
        Text(
            f"Tổng số người được triệu tập: {count_in_words(doc['attendance']['summoned'])} "
            f"người; có mặt: {count_in_words(doc['attendance']['present'])} người; vắng mặt: "
            f"{count_in_words(len(m['absent']))} người" + (":" if m["absent"] else ".")
        ),
    )
    for p in m["absent"]:
        out.add(Text(f"- {comrade(p)} — {absence_text(p)};", "item"))

    out.add(Text("II. Nội dung", "heading"))
    if record.get("agenda"):
        for line in record["agenda"].splitlines():
            if line.strip():
                out.add(Text(line.strip()))
    out.add(
        Text(
            f"Thực hiện Quy trình QT.NB.03, bước {conf['step']} ({labels['flow']}, "
            f"{labels['level']}), hội nghị tiến hành {doc['rule']['label']['vi'].lower()} "
            "bằng phiếu kín."
        ),
        Text(f"Nguyên tắc: {doc['rule']['sentence']['vi']}."),
    )
    committee = [f"{p['name']} (Trưởng ban)" for p in _seated(m, "head")]
    committee += [p["name"] for p in _seated(m, "member")]
    if committee:
        out.add(Text(f"Hội nghị đã thống nhất Ban kiểm phiếu gồm: {', '.join(committee)}."))
    else:
        out.add(Text("Hội nghị không chọn Ban kiểm phiếu.", "warning"))

    out.add(Text("III. Kết quả bỏ phiếu", "heading"))
    tokens = doc["tokens"]
    out.add(
        Text(
            f"Số phiếu phát ra: {count_in_words(tokens['issued'] - tokens['voided'])}; thu về: "
            f"{count_in_words(d['ballots']['received'])}; hợp lệ: "
            f"{count_in_words(d['ballots']['valid'])}; không hợp lệ: "
            f"{count_in_words(d['ballots']['invalid'])} (chi tiết tại Biên bản kiểm phiếu "
            "kèm theo)."
        )
    )
    _results(out, m)
    if record.get("remarks"):
        out.add(Text("Ý kiến tại hội nghị:", "plain", bold=True))
        for line in record["remarks"].splitlines():
            if line.strip():
                out.add(Text(line.strip()))

    out.add(Text("IV. Kết luận", "heading"))
    _conclusion(out, m)
    _ending(out, conf, tz)
    out.add(
        Signatures(
            ("Thư ký", (conf.get("secretary") or "",)),
            ("Chủ trì", (conf.get("chair") or "",)),
        )
    )


def minutes_blocks(
    kind: str,
    m: dict[str, Any],
    *,
    digest: str | None,
    flow_label: str,
    level_label: str,
    tz: str = "Asia/Ho_Chi_Minh",
    problems: list[str] | None = None,
    notes: list[Note] | None = None,
    chain_head: str | None = None,
) -> list[Block]:
    """Biên bản kiểm phiếu (``counting``) or biên bản hội nghị (``conference``).

    ``m`` is ``minutes_view(conference_document(conference))``; ``digest`` the locked
    result's SHA-256 (None before lock: the document then says it is a preview).
    ``notes`` are the dated notes appended after lock; they follow the signatures,
    outside the signed text. ``chain_head`` the audit chain's head at lock, short form.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown minutes kind {kind!r}")
    conf = m["doc"]["conference"]
    out = Minutes(kind)
    out.add(
        Header(
            (conf.get("parent_body") or "").upper(),
            (conf.get("unit") or "").upper(),
            dated_line(conf.get("locality", ""), conf["held_on"]),
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
        _conference(out, m, labels, tz)
    if digest:
        out.add(Digest(digest, chain_head or ""))
    if notes:
        out.add(Text("Ghi chú bổ sung sau khi khóa kết quả", "heading"))
        for note in notes:
            out.add(Text(f"- {note.written} ({note.author}): {note.text}", "item"))
    return out.blocks
