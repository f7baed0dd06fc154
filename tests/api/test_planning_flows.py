"""All six flows of QT.NB.03 through /api/v1 alone, and the approved list they leave.

The same flows and ballots as tests/planning/test_flows.py (which drives them through
the domain functions): here the unit and its register, every step, every conference
and the list are reached only through the API, each answer checked against the
OpenAPI document. Run on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.api.flows import ApiFlow, Client, client_for, create_unit, planning_list, upload
from tests.api.test_openapi_schemas import PREFIX
from tests.planning_scene import TCCB

CT, PCT = "Cục trưởng", "Phó Cục trưởng"
TP, PTP = "Trưởng phòng", "Phó Trưởng phòng"
HUNG, YEN, QUAN, LAN, PHUC, BAO = (
    "Lê Văn Hùng",
    "Phạm Thị Yến",
    "Đỗ Minh Quân",
    "Huỳnh Thị Lan",
    "Nguyễn Hoàng Phúc",
    "Võ Quốc Bảo",
)
TAM, KHOA, HANH, TRI = "Lê Thị Phương Tâm", "Đặng Văn Khoa", "Ngô Thị Hạnh", "Bùi Minh Trí"
NAM = "Trần Văn Nam"


@pytest.fixture
def chair(app: Flask) -> Client:
    return client_for(app, "chair")


@pytest.fixture
def unit(chair: Client) -> dict[str, Any]:
    return create_unit(chair)


def ballot_names(conf: dict[str, Any], position: str, *, write_in: bool | None = None) -> list[str]:
    pos = next(p for p in conf["positions"] if p["name"] == position)
    return [
        c["name"]
        for c in pos["candidates"]
        if write_in is None or bool(c.get("write_in")) == write_in
    ]


def run_cuc_term(flow: ApiFlow) -> None:
    flow.source_list("B1", {CT: [HUNG], PCT: [YEN, QUAN, LAN, PHUC]})
    flow.approve("B2", drop=(QUAN,))
    assert flow.names("B2") == sorted([LAN, HUNG, PHUC, YEN])
    # B3: 11 key officials, 4 votes needed; Lan (3) fails, Bảo (introduced, 4) passes.
    ballots = (
        [{CT: [HUNG], PCT: [YEN, PHUC]}] * 4
        + [{CT: [HUNG], PCT: [YEN, BAO]}] * 2
        + [{CT: [HUNG], PCT: [LAN, BAO]}] * 2
        + [{CT: [], PCT: [LAN]}]
        + [{}] * 2
    )
    conf = flow.vote("B3", ballots)
    assert len(conf["people"]) == 11
    assert ballot_names(conf, PCT, write_in=False) == [YEN, LAN, PHUC]
    assert {BAO, QUAN} <= set(ballot_names(conf, PCT, write_in=True))
    assert flow.names("B3") == sorted([HUNG, PHUC, YEN, BAO])
    assert {p["name"]: p["origin"] for p in flow.people("B3")}[BAO] == "write-in"
    conf = flow.vote(
        "B4",
        [{CT: [HUNG], PCT: [YEN, PHUC]}] * 2
        + [{CT: [HUNG], PCT: [YEN, BAO]}] * 2
        + [{CT: [HUNG], PCT: [PHUC, BAO]}] * 2
        + [{CT: [HUNG], PCT: [BAO]}],
    )
    assert len(conf["people"]) == 7 and ballot_names(conf, PCT) == [YEN, PHUC, BAO]
    # B5: three tie at 2 for 2 seats; the Cục trưởng decides.
    conf = flow.vote(
        "B5",
        [{CT: [HUNG], PCT: [YEN, PHUC]}, {CT: [HUNG], PCT: [PHUC, BAO]}, {CT: [], PCT: [YEN, BAO]}],
        head={PCT: [YEN, BAO]},
    )
    assert len(conf["people"]) == 3 and flow.names("B5") == sorted([HUNG, YEN, BAO])
    assert planning_list(flow.chair, flow.unit, "cuc") == {}
    flow.decide("B6")
    assert flow.process["status"] == "approved"
    assert all(s["status"] == "done" for s in flow.process["steps"])


def test_cuc_term_then_annual_review_with_removal(chair: Client, unit: dict[str, Any]) -> None:
    term = ApiFlow.start(chair, unit, "cuc", "term", {CT: 1, PCT: 2})
    run_cuc_term(term)
    assert planning_list(chair, unit, "cuc") == {CT: {HUNG}, PCT: {YEN, BAO}}

    review = ApiFlow.start(chair, unit, "cuc", "annual-local", {CT: 1, PCT: 2})
    review.source_list("B1", {PCT: [LAN]})
    assert review.step("B1")["status"] == "current"  # the removal vote is still to come
    conf = review.vote("B1", [{CT: [], PCT: [BAO]}, {CT: [], PCT: [BAO, YEN]}, {}])
    assert sorted(ballot_names(conf, PCT)) == [YEN, BAO] and ballot_names(conf, CT) == [HUNG]
    assert review.names("B1", "removal") == [BAO] and review.names("B1") == [LAN]
    assert BAO in planning_list(chair, unit, "cuc")[PCT]  # proposed is not removed
    review.vote("B2", [{PCT: [LAN]}] * 5 + [{}] * 6)
    review.vote("B3", [{PCT: [LAN]}] * 4 + [{}] * 3)
    review.vote("B4", [{PCT: [LAN]}] * 2, absent=1)
    assert review.names("B4") == [LAN]
    review.decide("B5", removed=(BAO,))
    assert planning_list(chair, unit, "cuc") == {CT: {HUNG}, PCT: {LAN, YEN}}

    # The history: who entered by which process, and Bảo leaving by the review's decision.
    query = {"unit": unit["id"], "level": "cuc"}
    (history,) = chair.ok("get", f"{PREFIX}/planning/history", query_string=query)["units"]
    events = [(e["change"], e["name"], e["process"], e["reason"]) for e in history["events"]]
    term_id, review_id = term.process["id"], review.process["id"]
    assert sorted(events[:3]) == sorted(("added", n, term_id, None) for n in (HUNG, YEN, BAO))
    assert sorted(events[3:]) == sorted(
        [("added", LAN, review_id, None), ("removed", BAO, review_id, "removal-vote")]
    )
    assert all("15/QĐ-CTHADS" in e["decision"] for e in history["events"])
    # Filters: one position; the Cục trưởng's list only holds Hùng.
    only = {**query, "position": CT}
    (listed,) = chair.ok("get", f"{PREFIX}/planning", query_string=only)["units"]
    assert [(e["name"], e["entered_process"]) for e in listed["entries"]] == [(HUNG, term_id)]


def test_phong_term_then_annual_review_with_removal(chair: Client, unit: dict[str, Any]) -> None:
    flow = ApiFlow.start(chair, unit, "phong", "term", {TP: 1, PTP: 2}, department=TCCB)
    # The timeline, as the page's form sets it.
    dates = {"B1": "2026-11-02", "B6": "2026-12-15"}
    process = chair.ok("put", f"{flow.url}/due-dates", dates)
    assert {s["step"]: s["due_on"] for s in process["steps"] if s["due_on"]} == dates
    process = chair.ok("put", f"{flow.url}/due-dates", {"B6": None})
    assert [s["step"] for s in process["steps"] if s["due_on"]] == ["B1"]
    flow.process = process

    flow.source_list("B1", {TP: [TAM], PTP: [KHOA, HANH]})
    flow.approve("B2")
    conf = flow.vote(
        "B3",
        [{TP: [TAM], PTP: [KHOA, TRI]}] * 2 + [{TP: [TAM], PTP: [KHOA, HANH]}, {TP: [TAM]}, {}],
    )
    assert sorted(p["name"] for p in conf["people"]) == sorted([YEN, TAM, KHOA, HANH, TRI])
    assert ballot_names(conf, PTP, write_in=True) == [YEN, TRI]
    assert flow.names("B3") == sorted([TRI, KHOA, TAM])
    conf = flow.vote("B4", [{TP: [TAM], PTP: [KHOA, TRI]}] * 2)
    assert HANH not in str(conf["positions"])
    flow.vote("B5", [{TP: [TAM], PTP: [KHOA, TRI]}] * 2)
    flow.decide("B6")
    assert planning_list(chair, unit, "phong", TCCB) == {TP: {TAM}, PTP: {TRI, KHOA}}
    assert planning_list(chair, unit, "cuc") == {}

    review = ApiFlow.start(chair, unit, "phong", "annual-local", {TP: 1, PTP: 2}, department=TCCB)
    review.source_list("B1", {PTP: [HANH]})
    review.vote("B1", [{PTP: [TRI]}] * 2)
    assert review.names("B1", "removal") == [TRI]
    review.vote("B2", [{PTP: [HANH]}] * 2 + [{}] * 3)
    review.vote("B3", [{PTP: [HANH]}] * 2)
    review.vote("B4", [{PTP: [HANH]}] * 2)
    review.decide("B5", removed=(TRI,))
    assert planning_list(chair, unit, "phong", TCCB) == {TP: {TAM}, PTP: {KHOA, HANH}}

    # Khoa is appointed elsewhere: the chair records his exit (no vote), and it shows.
    (listed,) = chair.ok(
        "get", f"{PREFIX}/planning", query_string={"unit": unit["id"], "position": PTP}
    )["units"]
    khoa = next(e for e in listed["entries"] if e["name"] == KHOA)
    body = {"reason": "appointed", "left_on": "2026-12-20", "decision": "Quyết định số 30/QĐ"}
    left = chair.ok("post", f"{PREFIX}/planning/entries/{khoa['id']}/exit", body)
    assert left["left"] == {
        "on": "2026-12-20",
        "reason": "appointed",
        "decision": "Quyết định số 30/QĐ",
        "note": "",
        "process": None,
    }
    assert planning_list(chair, unit, "phong", TCCB) == {TP: {TAM}, PTP: {HANH}}
    query = {"unit": unit["id"], "level": "phong", "department": TCCB}
    (history,) = chair.ok("get", f"{PREFIX}/planning/history", query_string=query)["units"]
    assert history["events"][-1] | {"entry": 0} == {
        "on": "2026-12-20",
        "change": "removed",
        "entry": 0,
        "name": KHOA,
        "level": "phong",
        "department": TCCB,
        "position": PTP,
        "process": None,
        "decision": "Quyết định số 30/QĐ",
        "reason": "appointed",
        "note": "",
    }


def run_external(chair: Client, flow: ApiFlow, position: str) -> None:
    pid = flow.position_id(position)
    people = [
        {"position": pid, "name": NAM, "birth_year": 1981, "post": PCT, "agency": a}
        for a in ("Cục THADS tỉnh An Giang",)
    ] + [
        {
            "position": pid,
            "name": "Lý Thị Hoa",
            "birth_year": 1984,
            "post": TP,
            "agency": "Cục THADS tỉnh Cà Mau",
        }
    ]
    flow.act("B1", "source-list", {"plan": "Thiếu nguồn", "nominees": people})
    flow.approve("B2", quotas={str(pid): 1})
    assert flow.process["positions"][0]["quota"] == 1
    # B3: Nam's consultation with the agency's letter, uploaded as the page does.
    nam = flow.nominee("B2", NAM)
    form = {
        "nominee": str(nam),
        "met_on": "2026-11-10",
        "letter": "Công văn số 88/CTHADS-TCCB",
        "opinion": "Đồng ý giới thiệu",
        "dossier": ["Sơ yếu lý lịch (mẫu 2C-BNV/2008)"],
    }
    letter = b"%PDF-1.4 opinion"
    sent = upload("y-kien An Giang.pdf", letter, "opinion_file", **form)
    sent["data"]["opinion_file"] += ("application/pdf",)
    answer = chair.ok("post", f"{flow.url}/steps/B3/consult/file", **sent)
    flow.process = answer["process"]
    flow.act("B3", "finish-consult", {"proceed": [nam]})
    (record, _hoa) = flow.step("B3")["consultations"]
    assert record["files"] == ["y-kien An Giang.pdf"]
    (kept,) = record["attachments"]
    r = chair("get", f"{flow.url}/attachments/{kept['id']}")
    assert r.status_code == 200 and r.data == letter and r.mimetype == "application/pdf"
    # B4: Nam's dossier is incomplete; the chair keeps him on the ballot.
    conf = flow.vote("B4", [{position: [NAM]}] * 2, keep=(NAM,))
    assert ballot_names(conf, position) == [NAM]
    # B5: the submission to the higher authority, then its approval.
    flow.decide("B5", outcome="submitted")
    assert flow.process["status"] == "submitted" and flow.step("B5")["status"] == "current"
    flow.decide("B5")
    assert flow.process["status"] == "approved"


def test_cuc_annual_external(chair: Client, unit: dict[str, Any]) -> None:
    flow = ApiFlow.start(chair, unit, "cuc", "annual-external", {PCT: 2})
    run_external(chair, flow, PCT)
    assert planning_list(chair, unit, "cuc") == {PCT: {NAM}}
    (listed,) = chair.ok("get", f"{PREFIX}/planning", query_string={"unit": unit["id"]})["units"]
    (entry,) = listed["entries"]
    assert entry["agency"] == "Cục THADS tỉnh An Giang" and entry["member_id"] is None


def test_phong_annual_external(chair: Client, unit: dict[str, Any]) -> None:
    flow = ApiFlow.start(chair, unit, "phong", "annual-external", {PTP: 1}, department="Văn phòng")
    run_external(chair, flow, PTP)
    assert planning_list(chair, unit, "phong", "Văn phòng") == {PTP: {NAM}}
    b4 = chair.ok("get", f"{PREFIX}/conferences/{flow.step('B4')['conference']}")
    assert sorted(p["name"] for p in b4["people"]) == sorted(["Trương Ngọc Ánh", QUAN])


def test_the_register_exports_and_reimports(
    app: Flask, chair: Client, unit: dict[str, Any]
) -> None:
    """The exported register is what the import reads: a second unit from the same file."""
    units = chair.ok("get", f"{PREFIX}/units")["units"]
    assert [(u["name"], u["members"]) for u in units] == [(unit["name"], len(unit["people"]))]
    for fmt, mimetype in (("xlsx", "spreadsheetml"), ("csv", "text/csv")):
        r = chair("get", f"{PREFIX}/units/{unit['id']}/register.{fmt}")
        assert r.status_code == 200 and mimetype in r.mimetype
        other = chair.ok("post", f"{PREFIX}/units", {"name": f"Đơn vị {fmt}"}, 201)
        made = chair.ok(
            "post",
            f"{PREFIX}/units/{other['id']}/register",
            status=201,
            **upload(f"danh-sach.{fmt}", r.data),
        )
        strip = ("id", "seq")
        assert [{k: v for k, v in m.items() if k not in strip} for m in made["unit"]["people"]] == [
            {k: v for k, v in m.items() if k not in strip} for m in unit["people"]
        ]
    # Any account reads the register; only chairs and admins change it.
    secretary = client_for(app, "secretary")
    assert secretary.ok("get", f"{PREFIX}/units/{unit['id']}")["people"] == unit["people"]
    seen = chair.seen | secretary.seen
    assert {"listUnits", "createUnit", "getUnit", "importRegister", "exportRegister"} <= seen
