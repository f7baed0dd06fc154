"""A ready demo conference, so a new user can vote from a phone within a minute."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from voting.auth.models import User
from voting.auth.operations import create_user
from voting.conferences.models import Conference
from voting.conferences.operations import create_conference, set_attendance
from voting.conferences.rules import current_ruleset
from voting.extensions import db

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


def load_demo() -> Conference:
    chair = db.session.scalar(sa.select(User).where(User.username == "chutri"))
    if chair is None:
        chair = create_user("chutri", "chutri123", "chair", "Nguyễn Văn Vũ")
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
    db.session.commit()
    return conference
