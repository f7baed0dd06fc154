"""The chair's screens (issue 16): guarded irreversible actions and the details around them.

Through the Flask test client: the set-up form (the room's date, every step's rule line,
grouped steps, English rule lines), attendance (an absence needs a reason or the chair's
explicit "no reason given"; attendance comes before opening), the live tally's "%" base,
voiding and locking through a server confirmation step (no JavaScript needed), the lock
summary's warnings for empty fields of the minutes, and the head of unit's decision
corrected before lock (audited), refused after it. Layout lives in tests/browser/test_chair.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import Api, conference_payload, token_of
from voting import clock
from voting.audit.models import AuditEntry
from voting.conferences.models import find_conference
from voting.extensions import db

Make = Callable[..., dict[str, Any]]


def form(api: Api, url: str, data: dict[str, Any]) -> Any:
    """A page's form, posted as the browser does (the CSRF token rides in the header)."""
    return api.client.post(url, data=data, headers={"X-CSRFToken": api.csrf})


def page(api: Api, url: str) -> str:
    r = api.get(url)
    assert r.status_code == 200, r.status_code
    return str(r.get_data(as_text=True))


def cast_all(app: Flask, tokens: list[Any], plan: list[list[str]]) -> None:
    phone = app.test_client()
    for url, choice in zip(tokens, plan, strict=True):
        r = phone.post("/api/v1/ballots", json={"token": token_of(url), "choices": {"p1": choice}})
        assert r.status_code == 201, r.get_json()


def tied(app: Flask, chair_api: Api, create_conference: Make) -> dict[str, Any]:
    """B5, quota 2, 7 summoned: c1 6 selected, c2 and c3 tied on 4 for the last seat."""
    conf = create_conference(step=("cuc", "term", "B5"), summoned=7)
    cast_all(app, conf["tokens"], [["c1", "c2"]] * 3 + [["c1", "c3"]] * 3 + [["c2", "c3"]])
    assert chair_api.post(f"/api/v1/conferences/{conf['id']}/close").status_code == 200
    return conf


def status_of(app: Flask, public_id: str) -> str:
    with app.app_context():
        conference = find_conference(public_id)
        assert conference is not None
        return conference.status


def audit_of(app: Flask, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
        )


# ---------------------------------------------------------------- the set-up form


def test_the_form_offers_the_rooms_date_not_the_servers(
    chair_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """23:30 UTC on 30 November is already 1 December in Hồ Chí Minh City."""

    class LateEvening(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            moment = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
            return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)

    monkeypatch.setattr(clock, "datetime", LateEvening)
    html = page(chair_api, "/conferences/new")
    assert re.search(r'name="held_on"[^>]*value="2026-12-01"', html), "not the room's date"


def test_the_form_shows_every_steps_rule_and_the_chosen_one(chair_api: Api) -> None:
    html = page(chair_api, "/conferences/new")
    # Steps grouped by level and flow; the option names the step and its title only.
    assert '<optgroup label="Lãnh đạo Cục · Xây dựng quy hoạch nhiệm kỳ kế tiếp' in html
    assert ">B3: Hội nghị cán bộ chủ chốt: phát hiện, giới thiệu nguồn quy hoạch</option>" in html
    rules = re.findall(r'data-step-rule="([^"]+)"( hidden)?', html)
    assert len(rules) == 16, rules
    assert [key for key, hidden in rules if not hidden] == ["cuc/term/B3"]  # the first step
    assert "Đạt khi số phiếu đồng ý từ 30% trở lên so với tổng số người có mặt" in html

    # A refused submit (no title) comes back with the chosen step's rule shown.
    r = form(chair_api, "/conferences/new", {"step": "cuc/term/B5", "title": "", "held_on": ""})
    html = r.get_data(as_text=True)
    shown = [
        key for key, hidden in re.findall(r'data-step-rule="([^"]+)"( hidden)?', html) if not hidden
    ]
    assert shown == ["cuc/term/B5"]


def test_the_english_rule_line_is_english(chair_api: Api, create_conference: Make) -> None:
    conf = create_conference(open_it=False)
    html = page(chair_api, f"/c/{conf['id']}?lang=en")
    line = re.search(r'<p class="muted small rule-detail">(.*?)</p>', html, re.S)
    assert line, html[:2000]
    text = line.group(1)
    assert text.startswith("Discover and introduce candidates (30% of those present)"), text
    assert "QT.NB.03, step B3 (Next-term planning from in-house candidates)" in text
    assert "bước" not in text and "quy hoạch" not in text
    # Vietnamese keeps the ruleset's own citation.
    html = page(chair_api, f"/c/{conf['id']}?lang=vi")
    assert "QT.NB.03, bước B3 (quy hoạch nhiệm kỳ) / B2 (rà soát hằng năm)" in html
    # The set-up form's rule lines too.
    html = page(chair_api, "/conferences/new?lang=en")
    assert "QT.NB.03, step B5 (Next-term planning from in-house candidates)" in html
    assert "bước" not in html


# ---------------------------------------------------------------- attendance


def test_attendance_comes_before_opening(chair_api: Api, create_conference: Make) -> None:
    conf = create_conference(open_it=False)
    html = page(chair_api, f"/c/{conf['id']}")
    assert html.index('id="attendance"') < html.index('id="opening"')
    assert html.index('id="attendance"') < html.index("/open")


def test_an_absence_without_a_reason_is_asked_about(
    app: Flask, chair_api: Api, create_conference: Make
) -> None:
    conf = create_conference(summoned=3, open_it=False, present=3)
    people = conf["people"]
    url = f"/c/{conf['id']}/attendance"
    marks = {f"present-{p['id']}": "yes" for p in people}
    marks[f"present-{people[2]['id']}"] = "no"

    r = form(chair_api, url, marks)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Vắng mặt không có lý do: Người dự 3" in html
    assert f'name="no-reason-{people[2]["id"]}"' in html  # the explicit way out
    # The marks came back as typed (the absent one still ticked absent) and nothing was saved.
    assert re.search(rf'name="present-{people[2]["id"]}" value="no"[^>]*checked', html)
    with app.app_context():
        conference = find_conference(conf["id"])
        assert conference is not None
        assert [p.is_present for p in conference.people] == [True, True, True]

    # The chair confirms "no reason given": saved, the minutes print it so.
    r = form(chair_api, url, {**marks, f"no-reason-{people[2]['id']}": "yes"})
    assert r.status_code == 302
    with app.app_context():
        conference = find_conference(conf["id"])
        assert conference is not None
        assert [p.is_present for p in conference.people] == [True, True, False]
    assert json.loads(audit_of(app, "attendance.set")[-1].details)["absent_no_reason"] == 1
    # Saved again later, the confirmed row stays confirmed (its box comes back ticked).
    html = page(chair_api, f"/c/{conf['id']}")
    assert re.search(rf'name="no-reason-{people[2]["id"]}" value="yes" checked', html)

    # A reason written is enough.
    r = form(chair_api, url, {**marks, f"reason-{people[2]['id']}": "Ốm"})
    assert r.status_code == 302


def test_the_api_refuses_an_absence_without_a_reason(
    chair_api: Api, create_conference: Make
) -> None:
    conf = create_conference(summoned=2, open_it=False)
    base = f"/api/v1/conferences/{conf['id']}/attendance"
    ids = [p["id"] for p in conf["people"]]
    rows = [{"person_id": ids[0], "present": True}, {"person_id": ids[1], "present": False}]
    r = chair_api.put(base, json={"attendance": rows})
    assert r.status_code == 422
    assert r.get_json()["error"]["code"] == "absence_reason_missing"
    assert "Người dự 2" in r.get_json()["error"]["message"]
    rows[1]["no_reason"] = True
    r = chair_api.put(base, json={"attendance": rows})
    assert r.status_code == 200, r.get_json()
    rows[1]["no_reason"] = "yes"
    assert chair_api.put(base, json={"attendance": rows}).status_code == 422


# ---------------------------------------------------------------- the live tally


@pytest.mark.parametrize(
    ("step", "header"),
    [
        (("cuc", "term", "B3"), "% trên số có mặt"),
        (("cuc", "term", "B5"), "% trên tổng số được triệu tập"),
    ],
)
def test_the_tally_percent_names_its_base(
    chair_api: Api, create_conference: Make, step: tuple[str, str, str], header: str
) -> None:
    conf = create_conference(step=step)
    html = page(chair_api, f"/c/{conf['id']}")
    assert f'<th scope="col" class="num">{header}</th>' in html


# ---------------------------------------------------------------- void


def test_voiding_asks_first_on_a_server_page(
    app: Flask, chair_api: Api, create_conference: Make
) -> None:
    conf = create_conference(summoned=3)
    code = conf["tokens"][0]["code"]
    url = f"/c/{conf['id']}/void"
    r = form(chair_api, url, {"code": code})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="void-confirm"' in html and code in html and 'name="confirmed" value="1"' in html
    detail = chair_api.get(f"/api/v1/conferences/{conf['id']}").get_json()
    assert detail["tokens"]["voided"] == 0, "asking voided the slip"
    # Confirmed: voided, the replacement slip shown.
    r = form(chair_api, url, {"code": code, "confirmed": "1"})
    assert r.status_code == 200 and "slip-qr" in r.get_data(as_text=True)
    detail = chair_api.get(f"/api/v1/conferences/{conf['id']}").get_json()
    assert detail["tokens"]["voided"] == 1


def test_an_unknown_slip_code_is_refused_before_asking(
    chair_api: Api, create_conference: Make
) -> None:
    conf = create_conference(summoned=2)
    r = form(chair_api, f"/c/{conf['id']}/void", {"code": "AAAAA-AAAAA"})
    assert r.status_code == 302
    html = page(chair_api, f"/c/{conf['id']}")
    assert "flash-error" in html and 'id="void-confirm"' not in html


# ---------------------------------------------------------------- lock


def test_lock_shows_what_it_freezes_and_warns_for_every_empty_field(
    app: Flask, chair_api: Api, create_conference: Make
) -> None:
    conf = tied(app, chair_api, create_conference)
    base = f"/api/v1/conferences/{conf['id']}"
    r = chair_api.post(
        f"{base}/head-decision", json={"decided_by": "Cục trưởng", "choice": {"p1": ["c2"]}}
    )
    assert r.status_code == 200
    url = f"/c/{conf['id']}/lock"

    # The first step: the summary, nothing locked.
    r = form(chair_api, url, {})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert status_of(app, conf["id"]) == "closed"
    assert 'id="lock-summary"' in html
    for fact in ("Lê Thị Phương Tâm", "Nguyễn Hoàng Phúc", "Trương Ngọc Ánh", "Được chọn"):
        assert fact in html
    assert "Cục trưởng quyết định lựa chọn: Nguyễn Hoàng Phúc." in html  # the head decided
    assert "Lê Thị Phương Tâm, Nguyễn Hoàng Phúc" in html  # who goes forward
    empty = re.findall(r'data-empty-field="([a-z_]+)"', html)
    assert sorted(empty) == ["agenda", "copies", "ended_at", "remarks"]
    assert 'name="accept_empty"' in html

    # Confirmed without the tick for the empty fields: refused, still closed.
    r = form(chair_api, url, {"confirmed": "1"})
    assert r.status_code == 422
    assert status_of(app, conf["id"]) == "closed"
    assert "đánh dấu" in r.get_data(as_text=True).lower()

    # A setup field left empty is warned about too.
    with app.app_context():
        conference = find_conference(conf["id"])
        assert conference is not None
        conference.secretary_name = ""
        db.session.commit()
    html = form(chair_api, url, {}).get_data(as_text=True)
    assert "secretary_name" in re.findall(r'data-empty-field="([a-z_]+)"', html)

    # With the tick: locked.
    r = form(chair_api, url, {"confirmed": "1", "accept_empty": "1"})
    assert r.status_code == 302
    assert status_of(app, conf["id"]) == "locked"


def test_lock_with_every_field_filled_needs_no_tick(
    app: Flask, chair_api: Api, create_conference: Make
) -> None:
    conf = create_conference(summoned=3)
    cast_all(app, conf["tokens"], [["c1"]] * 3)
    base = f"/api/v1/conferences/{conf['id']}"
    assert chair_api.post(f"{base}/close").status_code == 200
    record = {"agenda": "Giới thiệu", "remarks": "Không", "ended_at": "16:30", "copies": 2}
    assert chair_api.put(f"{base}/minutes/record", json=record).status_code == 200
    html = form(chair_api, f"/c/{conf['id']}/lock", {}).get_data(as_text=True)
    assert 'id="lock-warnings"' not in html and 'name="accept_empty"' not in html
    assert form(chair_api, f"/c/{conf['id']}/lock", {"confirmed": "1"}).status_code == 302
    assert status_of(app, conf["id"]) == "locked"


# ---------------------------------------------------------------- head decision


def test_the_head_decision_can_be_corrected_until_lock(
    app: Flask, chair_api: Api, create_conference: Make
) -> None:
    conf = tied(app, chair_api, create_conference)
    base = f"/api/v1/conferences/{conf['id']}"
    url = f"/c/{conf['id']}/head-decision"
    r = form(chair_api, url, {"tie-p1": "1", "p1.c2": "on", "decided_by": "Cục trưởng A"})
    assert r.status_code == 302
    html = page(chair_api, f"/c/{conf['id']}")
    # Recorded, and still offered for correction, pre-filled with the choice made.
    assert 'id="head-decided"' in html
    assert re.search(r'name="p1.c2" checked', html) and not re.search(r'name="p1.c3" checked', html)

    r = form(chair_api, url, {"tie-p1": "1", "p1.c3": "on", "decided_by": "Cục trưởng B"})
    assert r.status_code == 302
    assert "Đã sửa quyết định của Thủ trưởng đơn vị." in page(chair_api, f"/c/{conf['id']}")

    entries = audit_of(app, "head.decided")
    assert len(entries) == 2
    first, second = (json.loads(e.details) for e in entries)
    assert first == {"decided_by": "Cục trưởng A", "head_decision": {"p1": ["c2"]}}
    assert second == {
        "decided_by": "Cục trưởng B",
        "head_decision": {"p1": ["c3"]},
        "corrects": {"decided_by": "Cục trưởng A", "head_decision": {"p1": ["c2"]}},
    }
    assert entries[1].actor == "chair"  # who entered the correction

    # The same decision again is no change: nothing more in the audit chain.
    form(chair_api, url, {"tie-p1": "1", "p1.c3": "on", "decided_by": "Cục trưởng B"})
    assert len(audit_of(app, "head.decided")) == 2

    # The result follows the corrected choice exactly, and so does the locked one.
    decision = chair_api.get(f"{base}/result").get_json()["result"]["decision"]
    selected = [c["id"] for c in decision["positions"][0]["candidates"] if c["selected"]]
    assert sorted(selected) == ["c1", "c3"]
    assert decision["positions"][0]["head_decision"] == ["c3"]
    assert (
        form(
            chair_api, f"/c/{conf['id']}/lock", {"confirmed": "1", "accept_empty": "1"}
        ).status_code
        == 302
    )
    locked = chair_api.get(f"{base}/result").get_json()["result"]
    assert locked["head_decision"]["decided_by"] == "Cục trưởng B"
    assert locked["head_decision"]["choice"] == {"p1": ["c3"]}
    selected = [c["id"] for c in locked["decision"]["positions"][0]["candidates"] if c["selected"]]
    assert sorted(selected) == ["c1", "c3"]
    minutes = page(chair_api, f"/c/{conf['id']}/minutes/counting")
    assert "Cục trưởng B đã xem xét, quyết định lựa chọn" in minutes
    assert "Cục trưởng A" not in minutes

    # After lock: refused, on the page and through the API, and nothing changes.
    r = form(chair_api, url, {"tie-p1": "1", "p1.c2": "on", "decided_by": "Cục trưởng C"})
    assert r.status_code == 302
    html = page(chair_api, f"/c/{conf['id']}")
    assert "Kết quả đã khóa; không thể sửa quyết định của Thủ trưởng đơn vị nữa." in html
    assert 'id="tie"' not in html
    r = chair_api.post(
        f"{base}/head-decision", json={"decided_by": "Cục trưởng C", "choice": {"p1": ["c2"]}}
    )
    assert r.status_code == 409
    assert r.get_json()["error"]["code"] == "conference_locked"
    assert "không thể sửa quyết định" in r.get_json()["error"]["message"]
    assert len(audit_of(app, "head.decided")) == 2
    again = chair_api.get(f"{base}/result").get_json()["result"]
    assert again["head_decision"]["choice"] == {"p1": ["c3"]}


def test_the_api_corrects_the_head_decision_too(
    app: Flask, chair_api: Api, create_conference: Make
) -> None:
    conf = tied(app, chair_api, create_conference)
    base = f"/api/v1/conferences/{conf['id']}"
    for pick in (["c2"], ["c3"]):
        r = chair_api.post(
            f"{base}/head-decision", json={"decided_by": "Cục trưởng", "choice": {"p1": pick}}
        )
        assert r.status_code == 200, r.get_json()
        selected = [
            c["id"] for c in r.get_json()["decision"]["positions"][0]["candidates"] if c["selected"]
        ]
        assert sorted(selected) == sorted(["c1", *pick])
    last = json.loads(audit_of(app, "head.decided")[-1].details)
    assert last["corrects"]["head_decision"] == {"p1": ["c2"]}


# ---------------------------------------------------------------- the list


def test_conferences_of_one_day_are_told_apart(chair_api: Api) -> None:
    for step, place in (
        (("cuc", "term", "B3"), "Hội trường A"),
        (("cuc", "term", "B4"), "Phòng họp 2"),
    ):
        payload = {**conference_payload(step=step), "title": "Hội nghị quy hoạch", "place": place}
        assert chair_api.post("/api/v1/conferences", json=payload).status_code == 201
    html = page(chair_api, "/")
    rows = re.findall(r"<tr data-conference=.*?</tr>", html, re.S)
    assert len(rows) == 2
    assert rows[0] != rows[1]
    text = " ".join(rows)
    for shown in (
        "B3</strong>: Hội nghị cán bộ chủ chốt",
        "B4</strong>: Hội nghị tập thể Lãnh đạo Cục mở rộng",
        "Hội trường A",
        "Phòng họp 2",
        "Cục Thi hành án dân sự tỉnh Kiên Giang",
        "Đang chuẩn bị",
    ):
        assert shown in text, shown


def test_the_grouped_step_list_still_creates_a_conference(app: Flask, chair_api: Api) -> None:
    data = {
        "step": "phong/annual-local/B1",
        "title": "Hội nghị rà soát",
        "held_on": "2026-12-01",
        "roster": "Nguyễn Văn A; Trưởng phòng\nTrần Thị B; Phó Trưởng phòng",
        "positions": "## Phó Trưởng phòng | 1\nLê Văn C; 1985; Chuyên viên",
    }
    r = form(chair_api, "/conferences/new", data)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    public_id = r.headers["Location"].rsplit("/c/", 1)[1]
    with app.app_context():
        conference = find_conference(public_id)
        assert conference is not None
        assert (conference.level, conference.flow, conference.step) == (
            "phong",
            "annual-local",
            "B1",
        )
    r = form(chair_api, "/conferences/new", {**data, "step": "phong/annual-local/B9"})
    assert r.status_code == 200 and "flash-error" in r.get_data(as_text=True)
