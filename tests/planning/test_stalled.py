"""A vote that carries nobody for a position (issue 19): said so, and the ways forward.

A phòng's B4 passes nobody for Phó Trưởng phòng. The process says so; the next
conference is refused rather than silently dropping the position; the chair holds
B4 again for it (a new conference, audited) or ends it with nobody planned.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from tests.conftest import Api
from tests.planning.conftest import TCCB, Flow, refused
from tests.planning.test_flows import ballot_names, planning_list
from voting.audit.models import AuditEntry
from voting.conferences.models import Conference
from voting.conferences.rules import current_ruleset
from voting.extensions import db
from voting.planning import stalled
from voting.planning.vote import complete_vote_step, create_step_conference

TP, PTP = "Trưởng phòng", "Phó Trưởng phòng"
TAM, KHOA, HANH = "Lê Thị Phương Tâm", "Đặng Văn Khoa", "Ngô Thị Hạnh"


def audited(action: str) -> list[dict[str, Any]]:
    return [
        json.loads(e.details)
        for e in db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action))
    ]


def stuck_at_b5(start_flow: Callable[..., Flow], b4: dict[str, list[str]]) -> Flow:
    """phong/term to B5, with B4's two voters casting ``b4``."""
    flow = start_flow("phong", "term", {TP: 1, PTP: 2}, department=TCCB)
    flow.source_list("B1", {TP: [TAM], PTP: [KHOA, HANH]})
    flow.approve("B2")
    flow.vote("B3", [{TP: [TAM], PTP: [KHOA, HANH]}] * 5)
    conf = flow.conference("B4")
    flow.run(conf, [b4] * 2)
    return flow


def test_the_process_says_so_and_holds_the_vote_again(
    start_flow: Callable[..., Flow], chair_api: Api
) -> None:
    flow = stuck_at_b5(start_flow, {TP: [TAM]})
    url = f"/p/{flow.public_id}?lang=vi"
    # Before carrying: the locked result passes nobody for PTP, and the page says so.
    page = chair_api.get(url).get_data(as_text=True)
    assert "data-carries-nobody" in page and "data-carry-link" in page
    assert 'href="#form-B4-carry"' in page
    # The locked conference itself leads straight back to carrying its result.
    conference_page = chair_api.get(f"/c/{flow.step('B4').conference.public_id}?lang=vi").get_data(
        as_text=True
    )
    assert "data-carry-back" in conference_page
    assert f'/p/{flow.public_id}#form-B4-carry"' in conference_page
    complete_vote_step(flow.process, flow.step("B4"), current_ruleset())
    flow.commit()
    first = flow.step("B4").conference
    assert flow.names("B4") == [TAM]
    # Carried: the conference no longer asks for it.
    carried = chair_api.get(f"/c/{first.public_id}?lang=vi").get_data(as_text=True)
    assert "data-carry-back" not in carried
    # At B5: the gap is named, both ways forward are offered.
    page = chair_api.get(url).get_data(as_text=True)
    b5 = page[page.index('id="step-B5"') :]
    assert f'data-gap="{PTP}"' in b5 and 'id="repeat-B5"' in b5 and "end-" in b5
    ruleset = current_ruleset()
    error = refused(
        lambda: create_step_conference(flow.process, flow.step("B5"), {}, ruleset),
        "position_without_people",
    )
    assert error.params["positions"] == PTP
    refused(
        lambda: stalled.repeat_previous(flow.process, flow.step("B5"), {"reason": ""}, ruleset),
        "invalid_field",
    )
    assert flow.step("B4").status == "done"

    # Hold B4 again, through the page's form.
    r = chair_api.client.post(
        f"/p/{flow.public_id}/steps/B5",
        data={"action": "repeat", "reason": "Chưa ai đạt", "csrf_token": chair_api.csrf},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("#step-B4")
    db.session.expire_all()
    assert [s.status for s in flow.process.steps][3:] == ["current", "pending", "pending"]
    record = flow.step("B4").outcome
    assert record["rounds"][0]["conference"] == first.public_id
    assert record["rounds"][0]["positions"] == [PTP] and record["rounds"][0]["reason"]
    assert db.session.get(Conference, first.id).is_locked  # the first one is kept
    (entry,) = audited("step.repeated")
    assert entry["step"] == "B4" and entry["earlier_conference"] == first.public_id
    # The new round votes on PTP only; Tâm stays carried for TP.
    conf = flow.conference("B4")
    assert [p["name"] for p in conf["positions"]] == [PTP]
    assert sorted(ballot_names(conf, PTP)) == sorted([KHOA, HANH])
    flow.run(conf, [{PTP: [KHOA]}] * 2)
    complete_vote_step(flow.process, flow.step("B4"), current_ruleset())
    flow.commit()
    assert flow.names("B4") == sorted([TAM, KHOA])
    assert "repeat" not in flow.step("B4").outcome
    agree = {e.nominee.name: e.agree for e in flow.step("B4").entries}
    assert agree == {TAM: 2, KHOA: 2}
    # B5 goes on with both positions.
    conf = flow.vote("B5", [{TP: [TAM], PTP: [KHOA]}] * 2)
    assert [p["name"] for p in conf["positions"]] == [TP, PTP]
    flow.decide("B6")
    assert planning_list("phong", TCCB) == {TP: {TAM}, PTP: {KHOA}}
    page = chair_api.get(url).get_data(as_text=True)
    assert "data-round" in page


def test_a_position_ends_with_nobody_planned(
    start_flow: Callable[..., Flow], chair_api: Api
) -> None:
    flow = stuck_at_b5(start_flow, {TP: [TAM]})
    complete_vote_step(flow.process, flow.step("B4"), current_ruleset())
    flow.commit()
    ruleset = current_ruleset()
    pid = flow.position_id(PTP)
    row = flow.step("B5")
    refused(
        lambda: stalled.end_position(flow.process, row, {"position": pid, "reason": ""}, ruleset),
        "invalid_field",
    )
    refused(
        lambda: stalled.end_position(
            flow.process, row, {"position": flow.position_id(TP), "reason": "x"}, ruleset
        ),
        "invalid_field",
    )
    refused(
        lambda: stalled.end_position(
            flow.process,
            row,
            {"position": pid, "reason": "x", "ended_on": "2099-01-01"},
            ruleset,
        ),
        "invalid_field",
    )
    r = chair_api.client.post(
        f"/p/{flow.public_id}/steps/B5",
        data={
            "action": "end-position",
            "position": str(pid),
            "reason": "Không có nhân sự đạt trên 50% tại B4",
            "csrf_token": chair_api.csrf,
        },
    )
    assert r.status_code == 302
    db.session.expire_all()
    position = next(p for p in flow.process.positions if p.name == PTP)
    assert position.ended_step == "B5" and "B4" in position.ended_reason
    (entry,) = audited("position.ended")
    assert entry["position"] == PTP and entry["left_by"] == "B4"
    page = chair_api.get(f"/p/{flow.public_id}?lang=vi").get_data(as_text=True)
    assert f'data-ended="{PTP}"' in page and "data-stalled" not in page
    conf = flow.vote("B5", [{TP: [TAM]}] * 2)
    assert [p["name"] for p in conf["positions"]] == [TP]
    flow.decide("B6")
    assert planning_list("phong", TCCB) == {TP: {TAM}}


def test_a_vote_step_with_nobody_left_is_held_without_a_ballot(
    start_flow: Callable[..., Flow],
) -> None:
    flow = stuck_at_b5(start_flow, {})
    complete_vote_step(flow.process, flow.step("B4"), current_ruleset())
    flow.commit()
    ruleset = current_ruleset()
    refused(
        lambda: stalled.skip_vote(flow.process, flow.step("B5"), {}, ruleset), "ballot_not_empty"
    )
    for name in (TP, PTP):
        stalled.end_position(
            flow.process,
            flow.step("B5"),
            {"position": flow.position_id(name), "reason": "Không ai đạt"},
            ruleset,
        )
    flow.commit()
    assert stalled.nobody_on_ballot(flow.process, flow.step("B5"), ruleset)
    stalled.skip_vote(
        flow.process, flow.step("B5"), {"reason": "Cả hai chức danh kết thúc"}, ruleset
    )
    flow.commit()
    assert flow.step("B5").status == "done" and flow.step("B5").outcome["skipped"]
    assert flow.step("B6").status == "current"
    flow.decide("B6")
    assert flow.process.status == "approved" and planning_list("phong", TCCB) == {}
    assert audited("step.skipped") == [{"process": flow.public_id, "step": "B5"}]
