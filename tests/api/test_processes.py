"""The processes API: a Cục next-term process run B1–B6 through /api/v1/processes, and
its refusals. Every answer is checked against the generated OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, g
from werkzeug.test import TestResponse

from tests.api.test_openapi_schemas import PREFIX, Checked
from tests.conftest import Api
from tests.planning.test_stalled import PTP as DEPUTY
from tests.planning.test_stalled import TAM, TP, stuck_at_b5
from tests.planning_scene import (  # noqa: F401 (fixtures)
    Flow,
    member_id,
    run_conference,
    start_flow,
    unit,
)
from voting.api.processes import STEP_ACTIONS
from voting.api.schemas.process import STEP_ACTION_NAMES
from voting.extensions import db
from voting.planning.models import Nominee, PlanningEntry, Process

CT, PCT = "Cục trưởng", "Phó Cục trưởng"
HUNG, YEN, QUAN, LAN, PHUC = (
    "Lê Văn Hùng",
    "Phạm Thị Yến",
    "Đỗ Minh Quân",
    "Huỳnh Thị Lan",
    "Nguyễn Hoàng Phúc",
)
URL = f"{PREFIX}/processes"


def fresh() -> None:
    """As if each request came alone: the planning fixtures keep an app context pushed,
    whose ``g`` would carry the last request's user and CSRF token into the next."""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)


class Client(Checked):
    def __call__(self, method: str, url: str, body: Any = None, **kw: Any) -> TestResponse:
        fresh()
        return super().__call__(method, url, body, **kw)


def process_body(unit_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "unit_id": unit_id,
        "level": "cuc",
        "flow": "term",
        "period": "2026–2031",
        "title": "Quy hoạch cán bộ lãnh đạo Cục, nhiệm kỳ 2026–2031",
        "positions": [{"name": CT, "quota": 1}, {"name": PCT, "quota": 2}],
        **extra,
    }


def checked(app: Flask, username: str) -> Client:
    fresh()
    api = Api(app.test_client()).login(username, f"{username}-password")
    return Client(api.client, api.csrf)


@pytest.fixture
def chair(chair_api: Api) -> Client:
    return Client(chair_api.client, chair_api.csrf)


def step_of(process: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in process["steps"] if s["step"] == name)


def carried(process: dict[str, Any], name: str) -> list[str]:
    return sorted(p["name"] for p in step_of(process, name)["carried"])


def act(chair: Client, process: dict[str, Any], step: str, action: str, body: Any = None) -> Any:
    r = chair("post", f"{URL}/{process['id']}/steps/{step}/{action}", body)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def vote(chair: Client, process: dict[str, Any], step: str, ballots: int) -> dict[str, Any]:
    """The step's conference through the API, every ballot agreeing with Hùng, Yến, Phúc."""
    made = act(chair, process, step, "conference", {"held_on": "2026-11-23", "place": "Hội trường"})
    assert step_of(made["process"], step)["conference"] == made["conference"]
    conf = chair("get", f"{PREFIX}/conferences/{made['conference']}").get_json()
    api = Api(chair.client)
    api.csrf = chair.csrf
    run_conference(api, conf, [{CT: [HUNG], PCT: [YEN, PHUC]}] * ballots)
    return act(chair, process, step, "carry")["process"]


def test_step_actions_are_the_documented_ones() -> None:
    assert tuple(STEP_ACTIONS) == STEP_ACTION_NAMES


def lists(chair: Client, process: dict[str, Any]) -> dict[str, Any]:
    """B1: the source list from the register; B2: the leadership leaves Quân off."""
    positions = {p["name"]: p["id"] for p in process["positions"]}
    picks = [(CT, HUNG)] + [(PCT, n) for n in (YEN, QUAN, LAN, PHUC)]
    source = {
        "plan": "Kế hoạch số 01/KH-CTHADS",
        "drafted_on": "2026-11-02",
        "nominees": [{"position": positions[p], "member_id": member_id(n)} for p, n in picks],
    }
    process = act(chair, process, "B1", "source-list", source)["process"]
    assert step_of(process, "B1")["outcome"] == {
        "plan": "Kế hoạch số 01/KH-CTHADS",
        "drafted_on": "2026-11-02",
    }
    assert carried(process, "B1") == sorted(n for _, n in picks)
    keep = [p["nominee"] for p in step_of(process, "B1")["carried"] if p["name"] != QUAN]
    approval = {"meeting_on": "2026-11-05", "conclusion": "Thống nhất", "approved": keep}
    process = act(chair, process, "B2", "approve-list", approval)["process"]
    assert carried(process, "B2") == sorted([HUNG, YEN, LAN, PHUC])
    assert step_of(process, "B3")["status"] == "current"
    return process


def decide(chair: Client, process: dict[str, Any]) -> dict[str, Any]:
    """B6: the approval decision on everyone B5 carried."""
    decision = {
        "outcome": "approved",
        "number": "15/QĐ-CTHADS",
        "signed_on": "2026-11-30",
        "signer": "Cục trưởng Nguyễn Văn Vũ",
        "approved": [p["nominee"] for p in step_of(process, "B5")["carried"]],
        "removed": [],
    }
    process = act(chair, process, "B6", "decision", decision)["process"]
    assert process["status"] == "approved"
    assert all(s["status"] == "done" for s in process["steps"])
    assert step_of(process, "B6")["outcome"]["decision"]["number"] == "15/QĐ-CTHADS"
    return process


def test_a_cuc_term_process_through_the_api(app: Flask, unit: int, chair: Client) -> None:  # noqa: F811
    r = chair("post", URL, process_body(unit, secretary_username="secretary"))
    assert r.status_code == 201, r.get_json()
    process = r.get_json()
    assert [(s["step"], s["status"]) for s in process["steps"]] == [
        ("B1", "current"),
        *((f"B{i}", "pending") for i in range(2, 7)),
    ]
    assert [(p["name"], p["quota"]) for p in process["positions"]] == [(CT, 1), (PCT, 2)]
    assert process["can_run"] and process["unit"]["id"] == unit
    assert [p["id"] for p in chair("get", URL).get_json()["processes"]] == [process["id"]]
    assert chair("get", f"{URL}/{process['id']}").get_json() == process

    process = lists(chair, process)

    # B3–B5: each conference created and its locked result carried on; Lan gets no vote.
    for step, sitting in (("B3", 11), ("B4", 7), ("B5", 3)):
        process = vote(chair, process, step, sitting)
        assert carried(process, step) == sorted([HUNG, YEN, PHUC]), step
        assert {p["agree"] for p in step_of(process, step)["carried"]} == {sitting}

    # B6: the approval decision writes the planning list.
    process = decide(chair, process)
    names = db.session.scalars(sa.select(PlanningEntry.name)).all()
    assert sorted(names) == sorted([HUNG, YEN, PHUC])

    # The named secretary reads it (as the page shows it) but records nothing.
    secretary = checked(app, "secretary")
    assert [p["id"] for p in secretary("get", URL).get_json()["processes"]] == [process["id"]]
    seen = secretary("get", f"{URL}/{process['id']}").get_json()
    assert seen["can_run"] is False and seen["steps"] == process["steps"]
    assert {"listProcesses", "createProcess", "getProcess", "runStepAction"} <= chair.seen


def _state() -> tuple[int, int, list[str]]:
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Process)).all()
    nominees = db.session.scalar(sa.select(sa.func.count()).select_from(Nominee))
    return len(rows), nominees or 0, [s.status for p in rows for s in p.steps]


def test_refusals_change_nothing(app: Flask, unit: int, chair: Client) -> None:  # noqa: F811
    process = chair("post", URL, process_body(unit)).get_json()
    pid = process["id"]
    before = _state()

    def refused(who: Checked, method: str, url: str, body: Any, status: int, code: str) -> Any:
        r = who(method, url, body)
        assert r.status_code == status, r.get_json()
        error = r.get_json()["error"]
        assert error["code"] == code, error
        assert _state() == before
        return error

    anonymous = Client(app.test_client())
    for method, url in (("get", URL), ("get", f"{URL}/{pid}")):
        refused(anonymous, method, url, None, 401, "login_required")
    # Anonymous POSTs fail the CSRF check first, as on the conference API.
    refused(anonymous, "post", URL, process_body(unit), 400, "csrf_failed")
    no_token = Client(chair.client)
    refused(no_token, "post", URL, process_body(unit), 400, "csrf_failed")
    refused(no_token, "post", f"{URL}/{pid}/steps/B1/source-list", {}, 400, "csrf_failed")

    other = checked(app, "other")  # another chair: the process looks missing
    assert other("get", URL).get_json() == {"processes": []}
    refused(other, "get", f"{URL}/{pid}", None, 404, "process_not_found")
    refused(other, "post", f"{URL}/{pid}/steps/B1/carry", None, 404, "process_not_found")
    secretary = checked(app, "secretary")  # not named on this process
    refused(secretary, "get", f"{URL}/{pid}", None, 404, "process_not_found")
    refused(secretary, "post", URL, process_body(unit), 403, "forbidden")
    admin = checked(app, "admin")
    assert admin("get", f"{URL}/{pid}").get_json()["can_run"] is True

    refused(chair, "get", f"{URL}/nope", None, 404, "process_not_found")
    refused(chair, "post", f"{URL}/{pid}/steps/B9/carry", None, 404, "step_not_found")
    refused(chair, "post", f"{URL}/{pid}/steps/B1/vote", {}, 404, "unknown_action")
    refused(chair, "post", f"{URL}/{pid}/steps/B1/carry", None, 409, "wrong_step_kind")
    refused(chair, "post", f"{URL}/{pid}/steps/B2/approve-list", {}, 409, "step_not_current")
    refused(chair, "post", f"{URL}/{pid}/steps/B1/source-list", [1], 400, "invalid_json")

    # A bad body: 422 naming the field, nothing saved (not even the good first row).
    positions = [p["id"] for p in process["positions"]]
    rows = [{"position": positions[0], "member_id": member_id(HUNG)}]
    rows.append({"position": positions[1], "member_id": 999_999})
    error = refused(
        chair,
        "post",
        f"{URL}/{pid}/steps/B1/source-list",
        {"nominees": rows},
        422,
        "invalid_field",
    )
    assert error["details"]["field"] == "nominees[1].member_id"
    bad = process_body(unit, positions=[{"name": CT, "quota": 0}])
    error = refused(chair, "post", URL, bad, 422, "invalid_field")
    assert error["details"]["field"] == "positions[0].quota"
    error = refused(chair, "post", URL, process_body(unit, level="tong-cuc"), 422, "invalid_field")
    assert error["details"]["field"] == "level"
    assert chair("get", f"{URL}/{pid}").get_json() == process


def test_a_position_ends_and_the_vote_is_held_without_a_ballot(
    start_flow: Callable[..., Flow],  # noqa: F811
    chair: Client,
) -> None:
    flow = stuck_at_b5(start_flow, {})  # B4 locked, passing nobody
    process = act(chair, {"id": flow.public_id}, "B4", "carry")["process"]
    assert carried(process, "B4") == []
    url = f"{URL}/{flow.public_id}/steps/B5"
    r = chair("post", f"{url}/skip", {})
    assert r.get_json()["error"]["code"] == "ballot_not_empty"
    positions = {p["name"]: p["id"] for p in process["positions"]}
    r = chair("post", f"{url}/end-position", {"position": positions[TP], "reason": ""})
    assert r.get_json()["error"]["details"]["field"] == "reason"
    assert chair("get", f"{URL}/{flow.public_id}").get_json() == process

    for name in (TP, DEPUTY):
        body = {"position": positions[name], "reason": "Không ai đạt tại B4"}
        process = act(chair, process, "B5", "end-position", body)["process"]
    assert {p["ended"]["step"] for p in process["positions"]} == {"B5"}
    process = act(chair, process, "B5", "skip", {"reason": "Cả hai chức danh kết thúc"})["process"]
    b5 = step_of(process, "B5")
    assert b5["status"] == "done" and b5["outcome"]["skipped"] == "Cả hai chức danh kết thúc"
    assert b5["carried"] == [] and step_of(process, "B6")["status"] == "current"


def test_the_vote_that_carried_nobody_is_held_again(
    start_flow: Callable[..., Flow],  # noqa: F811
    chair: Client,
) -> None:
    flow = stuck_at_b5(start_flow, {TP: [TAM]})  # B4 passes Tâm only: no deputy left
    process = act(chair, {"id": flow.public_id}, "B4", "carry")["process"]
    first = step_of(process, "B4")["conference"]
    r = chair("post", f"{URL}/{flow.public_id}/steps/B4/repeat", {"reason": "Chưa ai đạt"})
    assert r.get_json()["error"]["code"] == "step_done"  # B4 is held again from B5, the current

    process = act(chair, process, "B5", "repeat", {"reason": "Chưa ai đạt"})["process"]
    assert [s["status"] for s in process["steps"]][3:] == ["current", "pending", "pending"]
    b4 = step_of(process, "B4")
    assert b4["conference"] is None and "carried" not in b4
    (held,) = b4["outcome"]["rounds"]
    assert held["conference"] == first and held["positions"] == [DEPUTY]
    assert held["reason"] == "Chưa ai đạt"


def test_an_external_candidate_is_consulted(app: Flask, unit: int, chair: Client) -> None:  # noqa: F811
    body = process_body(unit, flow="annual-external", period="2026")
    body["positions"] = [{"name": PCT, "quota": 2}]
    process = chair("post", URL, body).get_json()
    pid = process["positions"][0]["id"]
    people = [
        {"position": pid, "name": n, "birth_year": 1981, "post": "Phó Cục trưởng", "agency": a}
        for n, a in (
            ("Trần Văn Nam", "Cục THADS tỉnh An Giang"),
            ("Lý Thị Hoa", "Cục THADS Cà Mau"),
        )
    ]
    process = act(chair, process, "B1", "source-list", {"nominees": people})["process"]
    nam, hoa = (p["nominee"] for p in step_of(process, "B1")["carried"])
    approval = {"meeting_on": "2026-11-05", "approved": [nam, hoa], "quotas": {str(pid): 1}}
    process = act(chair, process, "B2", "approve-list", approval)["process"]
    assert process["positions"][0]["quota"] == 1

    url = f"{URL}/{process['id']}/steps/B3"
    r = chair("post", f"{url}/finish-consult", {"proceed": [nam, hoa]})
    assert r.get_json()["error"]["code"] == "consultation_missing"
    r = chair("post", f"{url}/consult", {"nominee": nam, "met_on": "soon"})
    assert r.get_json()["error"]["details"]["field"] == "met_on"
    met = {"nominee": nam, "met_on": "2026-11-10", "letter": "Công văn số 88/CTHADS-TCCB"}
    act(chair, process, "B3", "consult", {**met, "opinion": "Đồng ý giới thiệu"})
    process = act(chair, process, "B3", "finish-consult", {"proceed": [nam]})["process"]
    b3 = step_of(process, "B3")
    assert [p["name"] for p in b3["carried"]] == ["Trần Văn Nam"]
    assert b3["consultations"] == [
        {**met, "name": "Trần Văn Nam", "opinion": "Đồng ý giới thiệu", "dossier": [], "files": []}
        | {"attachments": []},
        {"nominee": hoa, "name": "Lý Thị Hoa"},
    ]
    # B4: Nam's dossier is incomplete; the chair keeps him on the ballot, and it shows.
    r = chair("post", f"{URL}/{process['id']}/steps/B4/conference", {"held_on": "2026-11-23"})
    assert r.get_json()["error"]["code"] == "flags_undecided"
    keep = {"held_on": "2026-11-23", "flag_decisions": {str(nam): "keep"}}
    process = act(chair, process, "B4", "conference", keep)["process"]
    assert step_of(process, "B4")["outcome"]["flag_review"] == [
        {"name": "Trần Văn Nam", "position": PCT, "flags": ["dossier"], "decision": "keep"}
    ]
