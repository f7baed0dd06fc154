"""A result document of any length, built by hand (no app), for the minutes' page tests.

The shape is a locked result document's (voting.conferences.results.result_document):
``positions`` positions of ``candidates`` each, ``remarks`` opinions at the meeting and
``absent`` people absent, so the page breaks can be made to fall anywhere.
"""

from __future__ import annotations

from typing import Any

from voting.minutes.layout import Block, Note, minutes_blocks
from voting.minutes.report import minutes_view

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi"]
GIVEN = ["Văn An", "Thị Bích", "Hoàng Phúc", "Ngọc Ánh", "Minh Trí", "Thị Hạnh", "Quốc Bảo"]


def person_name(i: int) -> str:
    return f"{SURNAMES[i % len(SURNAMES)]} {GIVEN[i % len(GIVEN)]} {i + 1}"


def long_document(
    *,
    positions: int = 2,
    candidates: int = 3,
    remarks: int = 0,
    absent: int = 1,
    summoned: int = 20,
    held_on: str = "2026-11-23",
    opened_at: str = "2026-11-23T01:30:00Z",
    ranked: bool = False,
    quota: int = 2,
) -> dict[str, Any]:
    present = summoned - absent
    people = [
        {
            "name": person_name(1000 + i),
            "title": "Trưởng phòng Tổ chức cán bộ" if i % 2 else "Phó Chánh Văn phòng",
            "group": "",
            "present": i >= absent,
            "absence_reason": "Đi công tác" if i < absent and i % 2 else "",
            "committee_role": "head" if i == absent else "member" if i == absent + 1 else None,
            **({"entered_paper": False} if i in (absent, absent + 1) else {}),
        }
        for i in range(summoned)
    ]
    doc_positions, decided = [], []
    for p in range(positions):
        pid = f"p{p + 1}"
        cands = [
            {
                "id": f"c{c + 1}",
                "name": person_name(p * 50 + c),
                "birth_year": 1975 + c % 12,
                "post": "Phó Trưởng phòng Nghiệp vụ và Tổ chức thi hành án",
                "unit": "Cục Thi hành án dân sự tỉnh Kiên Giang",
            }
            for c in range(candidates)
        ]
        doc_positions.append(
            {"id": pid, "name": f"Phó Trưởng phòng {p + 1}", "quota": quota, "candidates": cands}
        )
        rows = []
        for c in range(candidates):
            agree = max(present - 3 * c - p, 0)
            rows.append(
                {
                    "id": f"c{c + 1}",
                    "agree": agree,
                    "disagree": present - agree,
                    "percent": f"{agree * 100 / present:.2f}",
                    "passes": agree * 2 > present,
                    "selected": agree * 2 > present and (not ranked or c < quota),
                }
            )
        decided.append(
            {
                "id": pid,
                "quota": quota,
                "candidates": rows,
                "needs_head_decision": False,
                "tied": [],
                "open_seats": 0,
                "head_decision": None,
            }
        )
    rule = {
        "base": "present",
        "blank_valid": True,
        "cap_at_quota": True,
        "citation": "QT.NB.03, bước B5",
        "comparison": ">",
        "id": "select-50-present",
        "label": {"en": "Select", "vi": "Lựa chọn nhân sự quy hoạch (trên 50% số người có mặt)"},
        "ranked": ranked,
        "removal": False,
        "sentence": {
            "en": "Passes with more than half",
            "vi": "Đạt khi số phiếu đồng ý trên 50% so với tổng số người có mặt",
        },
        "threshold": "1/2",
    }
    opinion = (
        "Đồng chí {} phát biểu: thống nhất với danh sách giới thiệu, đề nghị Thủ trưởng "
        "đơn vị quan tâm bồi dưỡng, đào tạo cán bộ trẻ, cán bộ nữ trong diện quy hoạch, "
        "bảo đảm cơ cấu ba độ tuổi theo hướng dẫn của cấp trên."
    )
    return {
        "format": "voting.result/1",
        "conference": {
            "id": "LONGTEST",
            "title": "Hội nghị lựa chọn nhân sự quy hoạch chức danh Phó Trưởng phòng",
            "parent_body": "Tổng cục Thi hành án dân sự",
            "unit": "Cục Thi hành án dân sự tỉnh Kiên Giang",
            "level": "cuc",
            "flow": "term",
            "step": "B5",
            "ruleset": "qtnb03@2024-05-23",
            "held_on": held_on,
            "place": "Hội trường Cục",
            "locality": "Kiên Giang",
            "chair": "Nguyễn Văn Vũ",
            "secretary": "Phạm Thị Yến",
            "head_title": "Cục trưởng",
            "opened_at": opened_at,
            "closed_at": "2026-11-23T02:10:00Z",
            "locked_at": "2026-11-23T02:20:00Z",
            "record": {
                "agenda": "Thông qua quy trình.\nBỏ phiếu lựa chọn nhân sự quy hoạch.",
                "remarks": "\n".join(opinion.format(person_name(i)) for i in range(remarks)),
                "ended_at": "16:30",
                "copies": 3,
            },
        },
        "rule": rule,
        "attendance": {"summoned": summoned, "present": present, "people": people},
        "tokens": {"issued": present, "voided": 0, "paper": 0},
        "returned": {"paper": 0, "booth": 0, "phone": present},
        "positions": doc_positions,
        "head_decision": None,
        "receipts": [],
        "decide_input": {
            "ballots": [],
            "positions": [
                {"id": p["id"], "quota": quota, "candidates": [c["id"] for c in p["candidates"]]}
                for p in doc_positions
            ],
            "present": present,
            "summoned": summoned,
            "rule": rule["id"],
        },
        "decision": {
            "ballots": {"received": present, "valid": present, "invalid": 0},
            "base": "present",
            "base_count": present,
            "comparison": ">",
            "needs_head_decision": False,
            "positions": decided,
            "present": present,
            "summoned": summoned,
            "rule": rule["id"],
            "threshold": "1/2",
            "votes_needed": present // 2 + 1,
        },
    }


def long_blocks(kind: str, *, notes: int = 0, **kw: Any) -> list[Block]:
    view = minutes_view(long_document(**kw))
    return minutes_blocks(
        kind,
        view,
        digest="ab" * 32,
        chain_head="1a2b 3c4d 5e6f 7a8b",
        flow_label="quy hoạch nhiệm kỳ",
        level_label="cấp Cục",
        notes=[
            Note(f"14 giờ {i:02d} phút ngày 24/11/2026", "Phạm Thị Yến", "Bổ sung ý kiến. " * 12)
            for i in range(notes)
        ],
    )
