"""Issue 15: paper ballots need two proven committee members; open checks the committee."""

from __future__ import annotations

from typing import Any

from tests.ballots.test_paper_and_booth import form, issue_pins, pin
from tests.conftest import Api, conference_payload


def _opened(chair_api: Api, create_conference: Any) -> str:
    conf = create_conference(open_it=False)
    cid = conf["id"]
    assert chair_api.post(f"/api/v1/conferences/{cid}/open", json={"paper": 2}).status_code == 200
    issue_pins(chair_api, cid)
    assert chair_api.post(f"/api/v1/conferences/{cid}/close").status_code == 200
    return cid


def test_the_chairs_session_alone_cannot_enter_paper(chair_api: Api, create_conference: Any):
    cid = _opened(chair_api, create_conference)
    url = f"/c/{cid}/paper/entry"
    # The old way (a name from a dropdown) and a wrong PIN record nothing.
    form(chair_api, url, [("member", "Người dự 1"), ("mark", "p1.c1")])
    form(chair_api, url, [("pin", "ACDE-FGHJ"), ("mark", "p1.c1")])
    # One member's PIN twice is one reading, never two.
    form(chair_api, url, [pin(cid, "Người dự 1"), ("mark", "p1.c1")])
    form(chair_api, url, [pin(cid, "Người dự 1"), ("mark", "p1.c1")])
    state = chair_api.get(f"/api/v1/conferences/{cid}").get_json()
    assert state["paper_entered"] == 0
    form(chair_api, url, [pin(cid, "Người dự 2"), ("mark", "p1.c1")])
    state = chair_api.get(f"/api/v1/conferences/{cid}").get_json()
    assert state["paper_entered"] == 1
    entered = {p["name"]: p.get("entered_paper") for p in state["people"]}
    assert entered["Người dự 1"] is True and entered["Người dự 2"] is True
    # The PINs are shown once: issuing again for everyone is refused.
    page = form(chair_api, f"/c/{cid}/paper/pins", []).get_data(as_text=True)
    assert "data-pin" not in page


def test_open_refuses_an_absent_or_candidate_member_unless_kept(
    chair_api: Api, create_conference: Any
):
    # The committee's member (the second person) is absent.
    conf = create_conference(open_it=False, present=1)
    r = chair_api.post(f"/api/v1/conferences/{conf['id']}/open")
    assert r.status_code == 409
    error = r.get_json()["error"]
    assert error["code"] == "committee_member_absent" and "Người dự 2" in error["message"]

    # A candidate heads the committee.
    payload = conference_payload()
    payload["people"][0]["name"] = "Lê Thị Phương Tâm"
    cid = chair_api.post("/api/v1/conferences", json=payload).get_json()["id"]
    people = chair_api.get(f"/api/v1/conferences/{cid}").get_json()["people"]
    marks = [{"person_id": p["id"], "present": True} for p in people]
    chair_api.put(f"/api/v1/conferences/{cid}/attendance", json={"attendance": marks})
    r = chair_api.post(f"/api/v1/conferences/{cid}/open")
    assert r.get_json()["error"]["code"] == "committee_member_candidate"
    # Kept with the chair's recorded reason: opens, and the reason is on record.
    payload["people"][0]["committee_note"] = "Hội nghị biểu quyết giữ nguyên"
    r = chair_api.patch(f"/api/v1/conferences/{cid}", json={"people": payload["people"]})
    assert r.status_code == 200, r.get_json()
    people = chair_api.get(f"/api/v1/conferences/{cid}").get_json()["people"]
    marks = [{"person_id": p["id"], "present": True} for p in people]
    chair_api.put(f"/api/v1/conferences/{cid}/attendance", json={"attendance": marks})
    r = chair_api.post(f"/api/v1/conferences/{cid}/open")
    assert r.status_code == 200, r.get_json()
    head = r.get_json()["conference"]["people"][0]
    assert head["committee_note"] == "Hội nghị biểu quyết giữ nguyên"


def test_no_committee_cannot_open_with_paper(chair_api: Api):
    payload = conference_payload()
    for p in payload["people"]:
        p["committee_role"] = None
    cid = chair_api.post("/api/v1/conferences", json=payload).get_json()["id"]
    people = chair_api.get(f"/api/v1/conferences/{cid}").get_json()["people"]
    marks = [{"person_id": p["id"], "present": True} for p in people]
    chair_api.put(f"/api/v1/conferences/{cid}/attendance", json={"attendance": marks})
    r = chair_api.post(f"/api/v1/conferences/{cid}/open", json={"paper": 1})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "committee_incomplete"
