"""Out-of-order steps and bad input are refused with a stable code and change nothing."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from tests.planning.conftest import TCCB, Flow, member_id, refused
from voting.auth.models import User
from voting.conferences.rules import current_ruleset
from voting.extensions import db
from voting.planning.approval import record_decision
from voting.planning.consultation import MAX_UPLOAD, finish_consultation, record_consultation
from voting.planning.exits import record_exit
from voting.planning.models import PlanningEntry, StepEntry
from voting.planning.processes import create_process
from voting.planning.records import approve_list, record_source_list
from voting.planning.vote import complete_vote_step, create_step_conference

PCT = "Phó Cục trưởng"


def entries() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(StepEntry)) or 0


def test_process_set_up_refuses_bad_input(start_flow: Callable[..., Flow], unit: int) -> None:
    chair = db.session.scalar(sa.select(User).where(User.username == "chair"))
    good = {
        "unit_id": unit,
        "level": "phong",
        "flow": "term",
        "department": TCCB,
        "period": "2026–2031",
        "title": "Quy hoạch",
        "positions": [{"name": "Trưởng phòng", "quota": 1}],
    }
    ruleset = current_ruleset()
    cases = [
        ({"level": "tong-cuc"}, "level"),
        ({"flow": "biennial"}, "flow"),
        ({"unit_id": 999}, "unit_id"),
        ({"department": "Phòng không có"}, "department"),
        ({"positions": []}, "positions"),
        ({"positions": [{"name": "Trưởng phòng", "quota": 4}]}, "positions[0].quota"),
        ({"positions": [{"name": "Trưởng phòng", "quota": True}]}, "positions[0].quota"),
        ({"positions": [{"name": "A", "quota": 1}, {"name": "A", "quota": 1}]}, "positions"),
        ({"period": ""}, "period"),
        ({"secretary_username": "chair"}, "secretary_username"),
    ]
    for change, field in cases:
        refused(
            lambda c=change: create_process(chair, {**good, **c}, ruleset),
            "invalid_field",
            field,
        )
    refused(lambda: create_process(chair, ["not", "an", "object"], ruleset), "invalid_field", "$")  # type: ignore[arg-type]
    from voting.planning.models import Process

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Process)) == 0


def test_steps_run_in_order_and_a_done_step_never_changes(start_flow: Callable[..., Flow]) -> None:
    flow = start_flow("cuc", "term", {PCT: 2})
    ruleset = current_ruleset()
    refused(lambda: flow.approve("B2"), "step_not_current")
    refused(
        lambda: create_step_conference(flow.process, flow.step("B3"), {}, ruleset),
        "step_not_current",
    )
    pid = flow.position_id(PCT)
    # In-house planning picks from the register: a typed name is refused.
    refused(
        lambda: record_source_list(
            flow.process,
            flow.step("B1"),
            {"nominees": [{"position": pid, "name": "Ai đó"}]},
            ruleset,
        ),
        "invalid_field",
        "nominees[0].member_id",
    )
    refused(
        lambda: record_source_list(
            flow.process,
            flow.step("B1"),
            {"nominees": [{"position": 999, "member_id": 1}]},
            ruleset,
        ),
        "invalid_field",
        "nominees[0].position",
    )
    twice = [{"position": pid, "member_id": member_id("Phạm Thị Yến")}] * 2
    refused(
        lambda: record_source_list(flow.process, flow.step("B1"), {"nominees": twice}, ruleset),
        "invalid_field",
        "nominees[1]",
    )
    assert entries() == 0 and flow.step("B1").status == "current"
    flow.source_list("B1", {PCT: ["Phạm Thị Yến", "Đỗ Minh Quân"]})
    refused(lambda: flow.source_list("B1", {PCT: ["Huỳnh Thị Lan"]}), "step_done")
    assert flow.names("B1") == sorted(["Phạm Thị Yến", "Đỗ Minh Quân"])
    # B2 can approve only people B1 proposed.
    lan = member_id("Huỳnh Thị Lan")
    refused(
        lambda: approve_list(
            flow.process,
            flow.step("B2"),
            {"meeting_on": "2026-11-05", "approved": [lan + 1000]},
            ruleset,
        ),
        "invalid_field",
        "approved",
    )
    refused(
        lambda: approve_list(
            flow.process, flow.step("B2"), {"meeting_on": "5/11/2026", "approved": []}, ruleset
        ),
        "invalid_field",
        "meeting_on",
    )
    flow.approve("B2")
    # The vote step: no carrying on before the result is locked, one conference only.
    refused(lambda: complete_vote_step(flow.process, flow.step("B3"), ruleset), "result_not_locked")
    flow.conference("B3")
    refused(
        lambda: create_step_conference(flow.process, flow.step("B3"), {}, ruleset),
        "conference_exists",
    )
    refused(lambda: complete_vote_step(flow.process, flow.step("B3"), ruleset), "result_not_locked")
    # Recording a decision at a vote step is the wrong kind of record.
    refused(
        lambda: record_decision(flow.process, flow.step("B3"), {"outcome": "approved"}, ruleset),
        "wrong_step_kind",
    )
    assert [s.status for s in flow.process.steps] == [
        "done",
        "done",
        "current",
        "pending",
        "pending",
        "pending",
    ]


def test_consultation_and_decision_refuse_bad_input(start_flow: Callable[..., Flow]) -> None:
    flow = start_flow("cuc", "annual-external", {PCT: 1})
    ruleset = current_ruleset()
    pid = flow.position_id(PCT)
    refused(
        lambda: record_source_list(
            flow.process,
            flow.step("B1"),
            {"nominees": [{"position": pid, "name": "Trần Văn Nam"}]},
            ruleset,
        ),
        "invalid_field",
        "agency",
    )
    record_source_list(
        flow.process,
        flow.step("B1"),
        {"nominees": [{"position": pid, "name": "Trần Văn Nam", "agency": "Cục THADS An Giang"}]},
        ruleset,
    )
    flow.commit()
    flow.approve("B2")
    nam = flow.nominee("Trần Văn Nam")
    row = flow.step("B3")
    base = {"met_on": "2026-11-10"}
    refused(
        lambda: record_consultation(
            flow.process,
            row,
            nam.id,
            base,
            ruleset,
            upload=("a.exe", "application/x-msdownload", b"MZ"),
        ),
        "invalid_field",
        "opinion_file",
    )
    big = b"%PDF" + b"0" * MAX_UPLOAD
    refused(
        lambda: record_consultation(
            flow.process, row, nam.id, base, ruleset, upload=("a.pdf", "application/pdf", big)
        ),
        "invalid_field",
        "opinion_file",
    )
    refused(
        lambda: record_consultation(
            flow.process, row, nam.id, {**base, "dossier": ["Giấy tờ lạ"]}, ruleset
        ),
        "invalid_field",
        "dossier",
    )
    refused(
        lambda: record_consultation(flow.process, row, 9999, base, ruleset),
        "invalid_field",
        "nominee",
    )
    assert flow.nominee("Trần Văn Nam").consult == {}
    record_consultation(flow.process, row, nam.id, base, ruleset)
    finish_consultation(flow.process, row, {"proceed": [nam.id]}, ruleset)
    flow.commit()
    flow.vote("B4", [{PCT: ["Trần Văn Nam"]}] * 2, keep=("Trần Văn Nam",))
    b5 = flow.step("B5")
    good = {
        "outcome": "approved",
        "number": "1/QĐ",
        "signed_on": "2026-12-01",
        "signer": "Cục trưởng",
    }
    refused(
        lambda: record_decision(flow.process, b5, {**good, "outcome": "maybe"}, ruleset),
        "invalid_field",
        "outcome",
    )
    refused(
        lambda: record_decision(flow.process, b5, {**good, "number": ""}, ruleset),
        "invalid_field",
        "number",
    )
    refused(
        lambda: record_decision(flow.process, b5, {**good, "approved": [nam.id + 99]}, ruleset),
        "invalid_field",
        "approved",
    )
    refused(
        lambda: record_decision(flow.process, b5, {**good, "removed": [nam.id]}, ruleset),
        "invalid_field",
        "removed",
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanningEntry)) == 0
    flow.decide("B5")
    entry = db.session.scalars(sa.select(PlanningEntry)).one()
    refused(
        lambda: record_exit(
            entry, {"reason": "removal-vote", "left_on": "2027-01-01", "decision": "x"}
        ),
        "invalid_field",
        "reason",
    )
    refused(
        lambda: record_exit(
            entry, {"reason": "appointed", "left_on": "2027-01-01", "decision": ""}
        ),
        "invalid_field",
        "decision",
    )
    assert entry.active
    record_exit(entry, {"reason": "appointed", "left_on": "2027-01-01", "decision": "5/QĐ-TCTHADS"})
    db.session.commit()
    refused(
        lambda: record_exit(
            entry, {"reason": "appointed", "left_on": "2027-02-01", "decision": "6/QĐ"}
        ),
        "already_left",
    )
    assert str(db.session.get(PlanningEntry, entry.id).left_on) == "2027-01-01"


def test_a_process_conference_keeps_its_ballot(start_flow: Callable[..., Flow]) -> None:
    """The chair may edit the roster and details, never the ballot the process gave it."""
    flow = start_flow("phong", "term", {"Trưởng phòng": 1}, department=TCCB)
    flow.source_list("B1", {"Trưởng phòng": ["Lê Thị Phương Tâm"]})
    flow.approve("B2")
    conf = flow.conference("B3")
    url = f"/api/v1/conferences/{conf['id']}"
    r = flow.api.patch(
        url,
        {
            "positions": [
                {"name": "Trưởng phòng", "quota": 1, "candidates": [{"name": "Người khác"}]}
            ]
        },
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "ballot_from_process"
    r = flow.api.patch(url, {"place": "Phòng họp số 2", "people": [{"name": "Phạm Thị Yến"}]})
    assert r.status_code == 200, r.get_json()
    after = flow.api.get(url).get_json()
    assert after["positions"] == conf["positions"] and len(after["people"]) == 1
    page = flow.api.get(f"/c/{conf['id']}/edit").get_data(as_text=True)
    assert "readonly" in page


def test_write_ins_are_only_eligible_people(start_flow: Callable[..., Flow]) -> None:
    """Someone past the planning age or under discipline is never offered as a write-in."""
    from voting.personnel.models import Member
    from voting.personnel.operations import add_discipline

    ruleset = current_ruleset()
    disciplined = db.session.get(Member, member_id("Bùi Minh Trí"))
    add_discipline(disciplined, {"form": "khiển trách", "decided_on": "2026-01-05"}, ruleset)
    retiring = db.session.get(Member, member_id("Ngô Thị Hạnh"))
    retiring.birth_year, retiring.sex = 1966, "male"  # past the planning age
    db.session.commit()
    flow = start_flow("phong", "term", {"Trưởng phòng": 1}, department=TCCB)
    flow.source_list("B1", {"Trưởng phòng": ["Lê Thị Phương Tâm"]})
    flow.approve("B2")
    conf = flow.conference("B3")
    offered = [c["name"] for c in conf["positions"][0]["candidates"] if c.get("write_in")]
    # Yến is the sitting Trưởng phòng: not offered for her own post (issue 19).
    assert offered == ["Đặng Văn Khoa"]


def test_an_uploaded_letter_with_a_vietnamese_name_downloads(
    start_flow: Callable[..., Flow],
) -> None:
    """A header must stay Latin-1: the name goes folded, and whole as RFC 6266 filename*."""
    flow = start_flow("cuc", "annual-external", {PCT: 1})
    ruleset = current_ruleset()
    pid = flow.position_id(PCT)
    nominee = {"position": pid, "name": "Trần Văn Nam", "agency": "Cục THADS An Giang"}
    record_source_list(flow.process, flow.step("B1"), {"nominees": [nominee]}, ruleset)
    flow.commit()
    flow.approve("B2")
    nam = flow.nominee("Trần Văn Nam")
    upload = ("Ý kiến Cục An Giang.pdf", "application/pdf", b"%PDF-1.4 letter")
    record_consultation(
        flow.process, flow.step("B3"), nam.id, {"met_on": "2026-11-10"}, ruleset, upload=upload
    )
    flow.commit()
    attachment_id = flow.nominee("Trần Văn Nam").consult["attachments"][0]["id"]
    r = flow.api.get(f"/p/{flow.public_id}/attachments/{attachment_id}")
    assert r.status_code == 200 and r.data == b"%PDF-1.4 letter"
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Y kien Cuc An Giang.pdf"')
    assert "filename*=UTF-8''%C3%9D%20ki%E1%BA%BFn%20C%E1%BB%A5c%20An%20Giang.pdf" in disposition
