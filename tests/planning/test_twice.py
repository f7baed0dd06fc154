"""No one planned twice for one position; the quota counts the people already planned.

Each scenario follows a next-term process (issue 19): the annual review's write-ins, a
second process's approval, and an external supplement to a position already full.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa

from tests.conftest import Api
from tests.planning.conftest import Flow, member_id, refused
from tests.planning.test_flows import ballot_names, planning_list, run_cuc_term
from tests.planning.test_per_unit import vote_all
from voting.conferences.rules import current_ruleset
from voting.extensions import db
from voting.planning.approval import record_decision
from voting.planning.consultation import finish_consultation, record_consultation
from voting.planning.models import PlanningEntry
from voting.planning.records import record_source_list
from voting.planning.steps import incoming

CT, PCT = "Cục trưởng", "Phó Cục trưởng"
YEN, BAO, LAN = "Phạm Thị Yến", "Võ Quốc Bảo", "Huỳnh Thị Lan"


def decide(flow: Flow, step: str, names: tuple[str, ...]) -> None:
    row = flow.step(step)
    record_decision(
        flow.process,
        row,
        {
            "outcome": "approved",
            "number": "30/QĐ-CTHADS",
            "signed_on": "2026-11-30",
            "signer": "Cục trưởng",
            "approved": [n.id for n in incoming(flow.process, row) if n.name in names],
        },
        current_ruleset(),
    )
    flow.commit()


def active(name: str, position: str) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PlanningEntry)
            .where(
                PlanningEntry.name == name,
                PlanningEntry.position_name == position,
                PlanningEntry.left_on.is_(None),
            )
        )
        or 0
    )


def test_the_annual_review_never_offers_someone_already_planned(
    start_flow: Callable[..., Flow],
) -> None:
    run_cuc_term(start_flow("cuc", "term", {CT: 1, PCT: 2}))
    review = start_flow("cuc", "annual-local", {CT: 1, PCT: 2})
    pid = review.position_id(PCT)
    # A supplement adds people not yet planned: Yến already is, for this position.
    error = refused(
        lambda: record_source_list(
            review.process,
            review.step("B1"),
            {"nominees": [{"position": pid, "member_id": member_id(YEN)}]},
            current_ruleset(),
        ),
        "invalid_field",
    )
    assert error.params["field"] == "nominees[0]" and error.params["name"] == YEN
    review.source_list("B1", {PCT: [LAN]})
    review.vote("B1", [{PCT: [BAO]}, {PCT: [BAO]}, {}])
    assert review.names("B1", "removal") == [BAO]
    conf = review.conference("B2")
    offered = ballot_names(conf, PCT, write_in=True)
    # Neither Yến (planned for it) nor Bảo (just proposed for removal from it) is offered.
    assert YEN not in offered and BAO not in offered
    assert "Đỗ Minh Quân" in offered and LAN in ballot_names(conf, PCT, write_in=False)


def test_a_second_entry_for_the_same_position_is_refused(
    start_flow: Callable[..., Flow], chair_api: Api
) -> None:
    run_cuc_term(start_flow("cuc", "term", {CT: 1, PCT: 2}))
    again = start_flow("cuc", "term", {PCT: 3})
    again.source_list("B1", {PCT: [YEN, LAN]})
    again.approve("B2")
    for step in ("B3", "B4", "B5"):
        vote_all(again, step, {PCT: [YEN, LAN]})
    assert again.names("B5") == sorted([YEN, LAN])
    page = chair_api.get(f"/p/{again.public_id}?lang=vi").get_data(as_text=True)
    form = page[page.index('id="form-B6-decision"') :]
    # Flagged and unticked: she stays in the list through her first entry.
    assert f'data-twice="{YEN}"' in form
    yen_box = form[: form.index(f'data-twice="{YEN}"')].rsplit("<input", 1)[1]
    assert "checked" not in yen_box
    error = refused(lambda: decide(again, "B6", (YEN, LAN)), "already_planned")
    assert YEN in error.params["names"]
    assert active(YEN, PCT) == 1 and active(LAN, PCT) == 0
    decide(again, "B6", (LAN,))
    assert active(YEN, PCT) == 1 and active(LAN, PCT) == 1


def test_the_quota_counts_the_people_already_planned(
    start_flow: Callable[..., Flow], chair_api: Api
) -> None:
    run_cuc_term(start_flow("cuc", "term", {CT: 1, PCT: 2}))
    assert planning_list("cuc")[PCT] == {YEN, BAO}
    flow = start_flow("cuc", "annual-external", {PCT: 3})
    pid = flow.position_id(PCT)
    people = [("Trần Văn Nam", "Cục THADS tỉnh An Giang"), ("Lý Thị Hoa", "Cục THADS Cà Mau")]
    record_source_list(
        flow.process,
        flow.step("B1"),
        {
            "nominees": [
                {"position": pid, "name": n, "birth_year": "05/1983", "sex": "Nam", "agency": a}
                for n, a in people
            ]
        },
        current_ruleset(),
    )
    flow.commit()
    flow.approve("B2")
    items = list(current_ruleset().dossier_items_vi)
    for nominee in incoming(flow.process, flow.step("B3")):
        record_consultation(
            flow.process,
            flow.step("B3"),
            nominee.id,
            {"met_on": "2026-11-10", "dossier": items},
            current_ruleset(),
        )
    ids = [n.id for n in incoming(flow.process, flow.step("B3"))]
    finish_consultation(flow.process, flow.step("B3"), {"proceed": ids}, current_ruleset())
    flow.commit()
    vote_all(flow, "B4", {PCT: ["Trần Văn Nam", "Lý Thị Hoa"]})
    page = chair_api.get(f"/p/{flow.public_id}?lang=vi").get_data(as_text=True)
    line = page[page.index(f'data-quota="{PCT}"') :]
    line = line[: line.index("</li>")]
    # 2 already planned + 2 approved now = 4, over the quota of 3: flagged before deciding.
    assert 'class="flag flag-bar"' in line
    assert [int(n) for n in re.findall(r"\b\d\b", line.split(">", 1)[1])] == [2, 2, 4, 3]
    error = refused(lambda: decide(flow, "B5", ("Trần Văn Nam", "Lý Thị Hoa")), "over_quota")
    assert (error.params["staying"], error.params["entering"], error.params["quota"]) == (2, 2, 3)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanningEntry)) == 3
    decide(flow, "B5", ("Trần Văn Nam",))
    assert planning_list("cuc")[PCT] == {YEN, BAO, "Trần Văn Nam"}
