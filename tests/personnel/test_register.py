"""The register: pasted people, roles from the ruleset, a bad row refuses the whole paste."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from voting.conferences.rules import current_ruleset
from voting.errors import DomainError
from voting.extensions import db
from voting.personnel.models import Member
from voting.personnel.operations import add_members, create_unit, parse_register, update_member


def test_paste_reads_every_column(app: Flask) -> None:
    rows = parse_register(
        "Phạm Thị Yến\t1978\tNữ\tTrưởng phòng\tPhòng Tổ chức cán bộ\tphong-head party-committee\n"
        "# a comment line\n\nĐặng Văn Khoa; 1988; Nam; Chuyên viên; Phòng Tổ chức cán bộ\n"
    )
    with app.app_context():
        unit = create_unit({"name": "Cục THADS tỉnh Kiên Giang"})
        yen, khoa = add_members(unit, rows, current_ruleset())
        db.session.commit()
        assert (yen.name, yen.birth_year, yen.sex, yen.department) == (
            "Phạm Thị Yến",
            1978,
            "female",
            "Phòng Tổ chức cán bộ",
        )
        assert yen.role_tags == {"phong-head", "party-committee"}
        assert (khoa.sex, khoa.roles, khoa.seq) == ("male", "", 2)
        (m,) = add_members(unit, parse_register("Lê Văn Hùng; 10/1961; Nam"), current_ruleset())
        assert (m.birth_year, m.birth_month) == (1961, 10)
        assert unit.departments() == ["Phòng Tổ chức cán bộ"]


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("Lê Văn A; 1850", "members[1].birth_year"),
        ("Lê Văn A; 1980; Khác", "members[1].sex"),
        ("Lê Văn A; 1980; Nam; ; ; tong-cuc-leader", "members[1].roles"),
        ("; 1980", "members[1].name"),
    ],
)
def test_a_bad_row_refuses_the_whole_paste(app: Flask, line: str, field: str) -> None:
    with app.app_context():
        unit = create_unit({"name": "Cục THADS tỉnh Kiên Giang"})
        db.session.commit()
        rows = parse_register("Phạm Thị Yến; 1978; Nữ\n" + line)
        with pytest.raises(DomainError) as info:
            add_members(unit, rows, current_ruleset())
        db.session.rollback()
        assert info.value.code == "invalid_rows"
        assert info.value.params["rows"] == [
            {"row": 2, "field": field, "message": info.value.params["rows"][0]["message"]}
        ]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0


def test_every_bad_row_is_reported_and_none_imported(app: Flask) -> None:
    with app.app_context():
        unit = create_unit({"name": "Cục THADS tỉnh Kiên Giang"})
        db.session.commit()
        rows = parse_register(
            "Phạm Thị Yến; 13/1978; Nữ\nLê Văn A; 1980\nTrần B; 1985; X\nĐỗ C; 1990; Nam; ; ; vua"
        )
        with pytest.raises(DomainError) as info:
            add_members(unit, rows, current_ruleset())
        db.session.rollback()
        found = [(r["row"], r["field"]) for r in info.value.params["rows"]]
        assert found == [
            (1, "members[0].birth_month"),
            (3, "members[2].sex"),
            (4, "members[3].roles"),
        ]
        assert info.value.params["count"] == 3
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0


def test_update_keeps_what_is_not_sent_and_refuses_bad_status(app: Flask) -> None:
    with app.app_context():
        unit = create_unit({"name": "Cục THADS tỉnh Kiên Giang"})
        (m,) = add_members(
            unit, parse_register("Lê Văn Hùng; 1972; Nam; Phó Cục trưởng"), current_ruleset()
        )
        update_member(m, {"roles": ["cuc-leader"], "status": "moved"}, current_ruleset())
        db.session.commit()
        assert (m.post, m.roles, m.serving) == ("Phó Cục trưởng", "cuc-leader", False)
        with pytest.raises(DomainError):
            update_member(m, {"status": "retired-ish"}, current_ruleset())
        db.session.rollback()
        assert db.session.get(Member, m.id).status == "moved"


def test_someone_past_retirement_still_serving_reads_as_such(app: Flask) -> None:
    """Not 'còn -56 tháng công tác' (issue 19): the register says past retirement age."""
    from tests.conftest import Api

    with app.app_context():
        unit = create_unit({"name": "Cục THADS tỉnh Kiên Giang"})
        add_members(
            unit,
            parse_register(
                "Trần Văn Cũ; 05/1960; Nam; Phó Trưởng phòng; Phòng Kiểm tra; phong-deputy\n"
                "Lý Văn Tài; 05/1991; Nam; Chuyên viên; Phòng Kiểm tra"
            ),
            current_ruleset(),
        )
        unit.reference_on = date(2026, 12, 1)
        db.session.commit()
        unit_id = unit.id
    page = Api(app.test_client()).login("chair", "chair-password")
    html = page.get(f"/register/{unit_id}?lang=vi").get_data(as_text=True)
    old = html[html.index('data-person="Trần Văn Cũ"') :]
    old = old[: old.index("</tr>")]
    assert "data-past-retirement" in old and "đã quá tuổi nghỉ hưu" in old
    assert "Đã quá tuổi nghỉ hưu (từ" in old
    assert not re.search(r"-\d+", old.split("data-left", 1)[1][:80])
    assert not re.search(r"còn -\d+", old)
    young = html[html.index('data-person="Lý Văn Tài"') :]
    assert re.search(r"data-left>\d+<", young)
