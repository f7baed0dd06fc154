"""A ready demo: a conference to vote in within a minute, and a unit to plan with.

The unit's register (people, divisions, role tags), last year's approved
Cục-level planning list (so an annual review has someone to vote on removing),
and a phòng-level next-term process waiting at its first step.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from voting.auth.models import User
from voting.auth.operations import create_user
from voting.conferences.attendance import set_attendance
from voting.conferences.models import Conference
from voting.conferences.operations import create_conference
from voting.conferences.rules import current_ruleset
from voting.effects import transaction
from voting.extensions import db
from voting.personnel.models import Unit
from voting.personnel.operations import add_discipline, add_members, create_unit, parse_register
from voting.planning.models import PlanningEntry, Process
from voting.planning.processes import create_process
from voting.planning.records import approve_list, record_source_list
from voting.planning.steps import incoming
from voting.procedure.ruleset import Ruleset

DEMO_TITLE = "Hội nghị cán bộ chủ chốt giới thiệu nguồn quy hoạch Phó Cục trưởng (demo)"

PEOPLE = [
    ("Nguyễn Văn Vũ", "Cục trưởng", "Lãnh đạo Cục"),
    ("Phạm Thị Yến", "Trưởng phòng Tổ chức cán bộ", "Trưởng phòng"),
    ("Lê Văn Hùng", "Phó Cục trưởng", "Lãnh đạo Cục"),
    ("Trần Thị Mai", "Phó Cục trưởng", "Lãnh đạo Cục"),
    ("Đỗ Minh Quân", "Chánh Văn phòng", "Trưởng phòng"),
    ("Huỳnh Thị Lan", "Trưởng phòng Nghiệp vụ", "Trưởng phòng"),
    ("Võ Quốc Bảo", "Chi cục trưởng Chi cục THADS TP Rạch Giá", "Chi cục trưởng"),
]

CANDIDATES = [
    ("Lê Thị Phương Tâm", 1982, "Phó Trưởng phòng Tổ chức cán bộ"),
    ("Nguyễn Hoàng Phúc", 1979, "Trưởng phòng Kiểm tra"),
    ("Trương Ngọc Ánh", 1985, "Phó Chánh Văn phòng"),
]


UNIT = "Cục Thi hành án dân sự tỉnh Kiên Giang"
PROCESS_TITLE = "Quy hoạch lãnh đạo Phòng Tổ chức cán bộ nhiệm kỳ 2026–2031 (demo)"

#: name; year of birth; sex; post; division; role tags — as a secretary pastes it.
REGISTER = """
Nguyễn Văn Vũ; 1968; Nam; Cục trưởng; ; cuc-leader party-standing
Lê Văn Hùng; 1972; Nam; Phó Cục trưởng; ; cuc-leader party-standing
Trần Thị Mai; 1975; Nữ; Phó Cục trưởng; ; cuc-leader
Phạm Thị Yến; 1978; Nữ; Trưởng phòng; Phòng Tổ chức cán bộ; phong-head party-committee
Lê Thị Phương Tâm; 1982; Nữ; Phó Trưởng phòng; Phòng Tổ chức cán bộ; phong-deputy mass-org-head
Đặng Văn Khoa; 1988; Nam; Chuyên viên; Phòng Tổ chức cán bộ;
Ngô Thị Hạnh; 1990; Nữ; Chuyên viên; Phòng Tổ chức cán bộ;
Bùi Minh Trí; 1986; Nam; Chuyên viên; Phòng Tổ chức cán bộ;
Đỗ Minh Quân; 1976; Nam; Chánh Văn phòng; Văn phòng; phong-head
Trương Ngọc Ánh; 1985; Nữ; Phó Chánh Văn phòng; Văn phòng; phong-deputy
Huỳnh Thị Lan; 1977; Nữ; Trưởng phòng Nghiệp vụ; Phòng Nghiệp vụ; phong-head mass-org-head
Nguyễn Hoàng Phúc; 1979; Nam; Phó Trưởng phòng Nghiệp vụ; Phòng Nghiệp vụ; phong-deputy
Võ Quốc Bảo; 1974; Nam; Chi cục trưởng; Chi cục THADS TP Rạch Giá; chi-cuc-head
Lâm Thị Thu; 1983; Nữ; Phó Chi cục trưởng; Chi cục THADS TP Rạch Giá; chi-cuc-deputy
"""

#: Demo-only people: one past the planning age, one under discipline (issue 9's flags).
EXTRA = """
Trần Văn Thành; 03/1966; Nam; Phó Trưởng phòng Kiểm tra; Phòng Kiểm tra; phong-deputy
Mai Thị Hoa; 08/1984; Nữ; Trưởng phòng Kiểm tra; Phòng Kiểm tra; phong-head
Lý Văn Tài; 05/1991; Nam; Chuyên viên; Phòng Kiểm tra;
"""
OVER_AGE, DISCIPLINED = "Trần Văn Thành", "Mai Thị Hoa"
CUC_PROCESS_TITLE = "Quy hoạch Lãnh đạo Cục nhiệm kỳ 2026–2031 (demo)"

#: Last year's approved Cục-level list: (position, name).
APPROVED_2025 = [
    ("Cục trưởng", "Lê Văn Hùng"),
    ("Phó Cục trưởng", "Phạm Thị Yến"),
    ("Phó Cục trưởng", OVER_AGE),
    ("Phó Cục trưởng", DISCIPLINED),
]


def load_demo_unit(chair: User) -> Unit:
    """The register, last year's approved list and a process at B1 (once)."""
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == UNIT))
    if unit is not None:
        return unit
    ruleset = current_ruleset()
    unit = create_unit(
        {"name": UNIT, "parent_body": "Tổng cục Thi hành án dân sự", "locality": "Kiên Giang"}
    )
    rows = parse_register(REGISTER + EXTRA)
    members = {m.name: m for m in add_members(unit, rows, ruleset)}
    today = date.today()
    add_discipline(
        members[DISCIPLINED],
        {
            "form": "khiển trách",
            "decided_on": (today - timedelta(days=150)).isoformat(),
            "effect_until": (today + timedelta(days=215)).isoformat(),
            "decision": "Quyết định kỷ luật số 07/QĐ-CTHADS",
        },
        ruleset,
    )
    for position, name in APPROVED_2025:
        m = members[name]
        db.session.add(
            PlanningEntry(
                unit_id=unit.id,
                level="cuc",
                position_name=position,
                member_id=m.id,
                name=m.name,
                birth_year=m.birth_year,
                post=m.post,
                agency=m.department or UNIT,
                period="2026–2031",
                entered_on=date(2025, 12, 15),
                entered_decision="25/QĐ-TCTHADS ngày 15/12/2025 (Tổng cục trưởng)",
            )
        )
    # A Cục-level process at B3: its list holds the two flagged people.
    cuc = _term_process(
        chair,
        ruleset,
        {"unit_id": unit.id, "level": "cuc"},
        CUC_PROCESS_TITLE,
        {"Cục trưởng": 1, "Phó Cục trưởng": 3},
    )
    head, deputy = (p.id for p in cuc.positions)
    picks = [(head, "Lê Văn Hùng")] + [
        (deputy, n) for n in ("Phạm Thị Yến", "Nguyễn Hoàng Phúc", OVER_AGE, DISCIPLINED)
    ]
    record_source_list(
        cuc,
        cuc.steps[0],
        {
            "plan": "Kế hoạch số 01/KH-CTHADS triển khai công tác quy hoạch Lãnh đạo Cục",
            "drafted_on": today.isoformat(),
            "nominees": [{"position": pos, "member_id": members[n].id} for pos, n in picks],
        },
        ruleset,
    )
    approve_list(
        cuc,
        cuc.steps[1],
        {
            "meeting_on": today.isoformat(),
            "conclusion": "Thống nhất thông qua kế hoạch và danh sách nguồn",
            "approved": [n.id for n in incoming(cuc, cuc.steps[1])],
        },
        ruleset,
    )
    _term_process(
        chair,
        ruleset,
        {"unit_id": unit.id, "level": "phong", "department": "Phòng Tổ chức cán bộ"},
        PROCESS_TITLE,
        {"Trưởng phòng": 1, "Phó Trưởng phòng": 2},
    )
    db.session.flush()
    return unit


def _term_process(
    chair: User, ruleset: Ruleset, where: dict[str, Any], title: str, quotas: dict[str, int]
) -> Process:
    """A 2026–2031 term process at ``where`` (unit, level, department) with these quotas."""
    return create_process(
        chair,
        {
            **where,
            "flow": "term",
            "period": "2026–2031",
            "title": title,
            "positions": [{"name": name, "quota": quota} for name, quota in quotas.items()],
        },
        ruleset,
    )


def load_demo() -> Conference:
    """The demo chair, unit and conference, committed once (loaded again: the same)."""
    with transaction():
        return _load_demo()


def _load_demo() -> Conference:
    chair = db.session.scalar(sa.select(User).where(User.username == "chutri"))
    if chair is None:
        chair = create_user("chutri", "chutri123", "chair", "Nguyễn Văn Vũ")
    load_demo_unit(chair)
    existing = db.session.scalar(
        sa.select(Conference).where(Conference.title == DEMO_TITLE, Conference.status == "draft")
    )
    if existing:
        return existing
    conference = create_conference(
        chair,
        {
            "level": "cuc",
            "flow": "term",
            "step": "B3",
            "title": DEMO_TITLE,
            "held_on": date.today().isoformat(),
            "place": "Hội trường Cục THADS tỉnh Kiên Giang",
            "locality": "Kiên Giang",
            "parent_body": "Tổng cục Thi hành án dân sự",
            "unit_name": "Cục Thi hành án dân sự tỉnh Kiên Giang",
            "chair_name": "Nguyễn Văn Vũ",
            "secretary_name": "Phạm Thị Yến",
            "people": [
                {
                    "name": n,
                    "title": t,
                    "group": g,
                    "committee_role": "head" if i == 4 else "member" if i == 5 else None,
                }
                for i, (n, t, g) in enumerate(PEOPLE)
            ],
            "positions": [
                {
                    "name": "Phó Cục trưởng",
                    "quota": 2,
                    "candidates": [
                        {"name": n, "birth_year": y, "post": p, "unit": "Cục THADS tỉnh Kiên Giang"}
                        for n, y, p in CANDIDATES
                    ],
                }
            ],
        },
        current_ruleset(),
    )
    set_attendance(conference, [{"person_id": p.id, "present": True} for p in conference.people])
    return conference
