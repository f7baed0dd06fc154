"""Two units, two lists (issue 19): grouped, checked and counted per unit, never merged."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa

from tests.conftest import Api
from tests.planning.conftest import SECOND_UNIT, Flow, member_id
from tests.planning.test_flows import run_cuc_term
from voting.conferences.rules import current_ruleset
from voting.extensions import db
from voting.personnel.models import Member, Unit
from voting.personnel.operations import add_discipline
from voting.planning.lists import unit_lists
from voting.planning.models import PlanningEntry
from voting.planning.vote import complete_vote_step

CT, PCT, PTP = "Cục trưởng", "Phó Cục trưởng", "Phó Trưởng phòng"
FIRST_UNIT = "Cục Thi hành án dân sự tỉnh Kiên Giang"


def vote_all(flow: Flow, step: str, ballot: dict[str, list[str]]) -> dict[str, Any]:
    """Everyone summoned comes and casts the same ballot; the result is carried on."""
    conf = flow.conference(step)
    flow.run(conf, [ballot] * len(conf["people"]))
    complete_vote_step(flow.process, flow.step(step), current_ruleset())
    flow.commit()
    return conf


def run_second_unit_term(flow: Flow) -> None:
    cuong, dung, huong, minh = "Phan Văn Cường", "Vũ Thị Dung", "Kiều Thị Hương", "Ông Văn Minh"
    flow.source_list("B1", {CT: [cuong], PCT: [dung, huong, minh]})
    flow.approve("B2")
    ballot = {CT: [cuong], PCT: [dung, huong]}
    conf = vote_all(flow, "B3", ballot)
    # The key officials of this unit only: none of the first unit's people sit.
    assert "Nguyễn Văn Vũ" not in str(conf["people"]) and len(conf["people"]) == 13
    vote_all(flow, "B4", ballot)
    vote_all(flow, "B5", ballot)
    flow.decide("B6")


def entry(unit_id: int, name: str, department: str, position: str) -> PlanningEntry:
    return PlanningEntry(
        unit_id=unit_id,
        level="phong",
        department=department,
        position_name=position,
        name=name,
        entered_on=date(2026, 1, 15),
        entered_decision="3/QĐ-CTHADS",
    )


def section(page: str, marker: str) -> str:
    """The HTML of one card, from its marker to the next card."""
    start = page.index(marker)
    end = page.find('<section class="card"', start + 1)
    return page[start : end if end > 0 else None]


def test_two_units_lists_stay_apart(
    start_flow: Callable[..., Flow], second_unit: int, chair_api: Api
) -> None:
    first = db.session.scalar(sa.select(Unit.id).where(Unit.name == FIRST_UNIT))
    run_cuc_term(start_flow("cuc", "term", {CT: 1, PCT: 2}))
    run_second_unit_term(start_flow("cuc", "term", {CT: 1, PCT: 2}, unit_id=second_unit))
    # The same "Văn phòng" in both units: two lists.
    db.session.add(entry(first, "Trương Ngọc Ánh", "Văn phòng", PTP))
    db.session.add(entry(second_unit, "Tạ Thị Giang", "Văn phòng", PTP))
    # One person of the first unit's list now meets an automatic-exit condition.
    yen = db.session.get(Member, member_id("Phạm Thị Yến", first))
    add_discipline(yen, {"form": "khiển trách", "decided_on": "2026-11-01"}, current_ruleset())
    db.session.commit()

    found = {u.unit.name: u for u in unit_lists(current_ruleset(), date(2026, 12, 1))}
    assert set(found) == {FIRST_UNIT, SECOND_UNIT}
    names = {
        unit: {key: sorted(e.name for e in entries) for key, entries in lists.positions.items()}
        for unit, lists in found.items()
    }
    assert names[SECOND_UNIT][("cuc", "", PCT)] == ["Kiều Thị Hương", "Vũ Thị Dung"]
    assert names[FIRST_UNIT][("cuc", "", PCT)] == ["Phạm Thị Yến", "Võ Quốc Bảo"]
    assert names[FIRST_UNIT][("phong", "Văn phòng", PTP)] == ["Trương Ngọc Ánh"]
    assert names[SECOND_UNIT][("phong", "Văn phòng", PTP)] == ["Tạ Thị Giang"]
    second = found[SECOND_UNIT].structures[("cuc", "")]
    assert (second.people, second.women.count) == (3, 2)  # Cường, Dung, Hương
    assert not [w for w in second.warnings if w.code == "over-quota"]
    assert (found[FIRST_UNIT].exits, found[SECOND_UNIT].exits) == (1, 0)

    page = chair_api.get("/planning?lang=vi").get_data(as_text=True)
    card = section(page, f'data-list="{SECOND_UNIT}|cuc||{PCT}"')
    assert "Vũ Thị Dung" in card and "Phạm Thị Yến" not in card and SECOND_UNIT in card
    assert "Trương Ngọc Ánh" in section(page, f'data-list="{FIRST_UNIT}|phong|Văn phòng|{PTP}"')
    assert "Trương Ngọc Ánh" not in section(
        page, f'data-list="{SECOND_UNIT}|phong|Văn phòng|{PTP}"'
    )
    structure = section(page, f'data-structure-of="{SECOND_UNIT}|cuc|"')
    assert "3 người" in structure and 'data-warning="over-quota"' not in structure
    assert re.search(r'data-share="women">2 · 66,67%', structure)
    # Each unit's automatic-exit count, and its own exit page.
    second_head = page[page.index(f'data-unit="{SECOND_UNIT}"') :][:900]
    assert "data-exits" not in second_head
    first_head = page[page.index(f'data-unit="{FIRST_UNIT}"') :][:900]
    assert "data-exits>1<" in first_head
    exits = chair_api.get(f"/planning/exits?unit={second_unit}").get_data(as_text=True)
    assert 'data-person="Phạm Thị Yến"' not in exits
    exits = chair_api.get(f"/planning/exits?unit={first}").get_data(as_text=True)
    assert 'data-person="Phạm Thị Yến"' in exits
    one = chair_api.get(f"/planning?unit={second_unit}").get_data(as_text=True)
    assert "Vũ Thị Dung" in one and "Phạm Thị Yến" not in one
    assert chair_api.get("/planning?unit=999").status_code == 404


def test_the_division_dropdown_is_per_unit(
    start_flow: Callable[..., Flow], second_unit: int, chair_api: Api
) -> None:
    page = chair_api.get("/processes/new?lang=vi").get_data(as_text=True)
    dropdown = page[page.index('name="department"') :]
    dropdown = dropdown[: dropdown.index("</select>")]
    groups = re.findall(r'<optgroup label="([^"]+)"', dropdown)
    assert groups == [SECOND_UNIT, FIRST_UNIT]  # by name
    assert f"Văn phòng — {SECOND_UNIT}" in dropdown and f"Văn phòng — {FIRST_UNIT}" in dropdown
    # A phòng of the other unit is refused, naming the unit chosen.
    r = chair_api.client.post(
        "/processes/new?lang=vi",
        data={
            "unit_id": str(db.session.scalar(sa.select(Unit.id).where(Unit.name == FIRST_UNIT))),
            "flow": "phong/term",
            "department": "Chi cục THADS TP Cà Mau",
            "period": "2026–2031",
            "title": "Quy hoạch",
            "positions": "Trưởng phòng | 1",
            "csrf_token": chair_api.csrf,
        },
        follow_redirects=True,
    )
    text = r.get_data(as_text=True)
    assert FIRST_UNIT in text[text.index("flash-error") :][:400]
