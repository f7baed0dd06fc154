"""The secretary's part: free fields until lock (then locked and hashed), dated notes after."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from docx import Document
from flask import Flask

from tests.conftest import Api, token_of
from voting.audit.models import AuditEntry
from voting.conferences.models import find_conference
from voting.conferences.results import verify_locked
from voting.extensions import db

RECORD = {
    "agenda": "Quán triệt Quy định 377-QĐ/TW\nGiới thiệu nhân sự quy hoạch",
    "remarks": "Đồng chí Huỳnh Thị Lan đề nghị bổ sung hồ sơ ứng viên.",
    "ended_at": "16:30",
    "copies": 3,
}


def _closed(chair_api: Api, make: Callable[..., dict[str, Any]], app: Flask) -> dict[str, Any]:
    """A closed conference (3 ballots) whose secretary is the 'secretary' account."""
    conf = make(summoned=3, open_it=False)
    base = f"/api/v1/conferences/{conf['id']}"
    r = chair_api.patch(base, json={"secretary_username": "secretary"})
    assert r.status_code == 200, r.get_json()
    r = chair_api.post(f"{base}/open")
    assert r.status_code == 200, r.get_json()
    phone = app.test_client()
    for url in r.get_json()["tokens"]:
        body = {"token": token_of(url), "choices": {"p1": ["c1"]}}
        assert phone.post("/api/v1/ballots", json=body).status_code in (200, 201)
    assert chair_api.post(f"{base}/close").status_code == 200
    return conf


def _secretary(app: Flask) -> Api:
    return Api(app.test_client()).login("secretary", "secretary-password")


def _secretary_of(app: Flask, chair_api: Api, conf_id: str) -> Api:
    r = chair_api.patch(f"/api/v1/conferences/{conf_id}", json={"secretary_username": "secretary"})
    assert r.status_code == 200, r.get_json()
    return Api(app.test_client()).login("secretary", "secretary-password")


def test_the_secretary_fills_the_minutes_and_lock_freezes_them(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=3, open_it=False)
    secretary = _secretary_of(app, chair_api, conf["id"])
    base = f"/api/v1/conferences/{conf['id']}"
    assert chair_api.post(f"{base}/open").status_code == 200
    # Filled while the ballot runs: the secretary writes as the meeting goes.
    r = secretary.put(f"{base}/minutes/record", json=RECORD)
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == RECORD
    assert secretary.get(f"{base}/minutes/record").get_json() == RECORD
    assert chair_api.post(f"{base}/close").status_code == 200
    assert chair_api.post(f"{base}/lock").status_code == 200

    locked = chair_api.get(f"{base}/result").get_json()["result"]
    assert locked["conference"]["record"] == RECORD  # hashed with the numbers

    refused = secretary.put(f"{base}/minutes/record", json={**RECORD, "copies": 2})
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "conference_locked"
    assert secretary.get(f"{base}/minutes/record").get_json() == RECORD

    r = chair_api.get(f"/c/{conf['id']}/minutes/conference.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(r.get_data())).paragraphs)
    assert "Quán triệt Quy định 377-QĐ/TW" in text
    assert "Đồng chí Huỳnh Thị Lan đề nghị bổ sung hồ sơ ứng viên." in text
    assert "Hội nghị kết thúc lúc 16 giờ 30 phút cùng ngày." in text
    assert "Biên bản hội nghị được lập thành 03 (ba) bản" in text
    html = chair_api.get(f"/c/{conf['id']}/minutes/conference").get_data(as_text=True)
    assert "Giới thiệu nhân sự quy hoạch" in html and "16 giờ 30 phút" in html


def test_bad_fields_are_refused_and_change_nothing(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=3)
    url = f"/api/v1/conferences/{conf['id']}/minutes/record"
    assert chair_api.put(url, json=RECORD).status_code == 200
    for bad, field in (
        ({"ended_at": "25:00"}, "ended_at"),
        ({"ended_at": "4pm"}, "ended_at"),
        ({"copies": 0}, "copies"),
        ({"copies": 21}, "copies"),
        ({"copies": True}, "copies"),
        ({"agenda": "x" * 4001}, "agenda"),
        ({"remarks": ["not", "text"]}, "remarks"),
    ):
        r = chair_api.put(url, json={**RECORD, **bad})
        assert r.status_code == 422, (bad, r.get_json())
        error = r.get_json()["error"]
        assert error["code"] == "invalid_field" and error["details"]["field"] == field
    assert chair_api.put(url, json=["not", "an", "object"]).status_code == 400
    assert chair_api.get(url).get_json() == RECORD


def test_notes_are_appended_after_lock_only_and_never_touch_the_result(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = _closed(chair_api, create_conference, app)
    secretary = _secretary(app)
    base = f"/api/v1/conferences/{conf['id']}"
    early = secretary.post(f"{base}/minutes/notes", json={"text": "Quá sớm"})
    assert early.status_code == 409
    assert early.get_json()["error"]["code"] == "result_not_locked"
    assert chair_api.post(f"{base}/lock").status_code == 200
    digest = chair_api.get(base).get_json()["result_sha256"]

    empty = secretary.post(f"{base}/minutes/notes", json={"text": "   "})
    assert empty.status_code == 422
    r = secretary.post(
        f"{base}/minutes/notes", json={"text": "Đã gửi biên bản về Vụ Tổ chức cán bộ."}
    )
    assert r.status_code == 201, r.get_json()
    note = r.get_json()
    assert note["author"] == "Phạm Thị Thư Ký"
    assert note["text"] == "Đã gửi biên bản về Vụ Tổ chức cán bộ."
    assert secretary.get(f"{base}/minutes/notes").get_json()["notes"] == [note]

    # The locked result is untouched and still verifies.
    assert chair_api.get(base).get_json()["result_sha256"] == digest
    with app.app_context():
        conference = find_conference(conf["id"])
        assert conference is not None and verify_locked(conference) == []
        actions = db.session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.conference_id == conference.id)
        ).all()
        assert "minutes.note_added" in actions

    docx = chair_api.get(f"/c/{conf['id']}/minutes/counting.docx").get_data()
    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "Ghi chú bổ sung sau khi khóa kết quả" in text
    assert "(Phạm Thị Thư Ký): Đã gửi biên bản về Vụ Tổ chức cán bộ." in text
    html = chair_api.get(f"/c/{conf['id']}/minutes/counting").get_data(as_text=True)
    assert "Đã gửi biên bản về Vụ Tổ chức cán bộ." in html


def test_the_forms_on_the_conference_page(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = _closed(chair_api, create_conference, app)
    page = chair_api.get(f"/c/{conf['id']}").get_data(as_text=True)
    assert 'id="minutes-record"' in page and 'name="agenda"' in page
    form = {**RECORD, "copies": "3", "csrf_token": chair_api.csrf}
    r = chair_api.client.post(f"/c/{conf['id']}/minutes/record", data=form)
    assert r.status_code == 302
    record = chair_api.get(f"/api/v1/conferences/{conf['id']}/minutes/record").get_json()
    assert record == RECORD
    bad = chair_api.client.post(
        f"/c/{conf['id']}/minutes/record",
        data={**form, "ended_at": "99:99"},
        follow_redirects=True,
    )
    assert "HH:MM" in bad.get_data(as_text=True) or "GG:PP" in bad.get_data(as_text=True)
    assert chair_api.post(f"/api/v1/conferences/{conf['id']}/lock").status_code == 200
    page = chair_api.get(f"/c/{conf['id']}").get_data(as_text=True)
    assert 'name="agenda"' not in page and 'name="text"' in page
    r = chair_api.client.post(
        f"/c/{conf['id']}/minutes/notes",
        data={"text": "Ghi chú sau khóa", "csrf_token": chair_api.csrf},
    )
    assert r.status_code == 302
    notes = chair_api.get(f"/api/v1/conferences/{conf['id']}/minutes/notes").get_json()
    assert [n["text"] for n in notes["notes"]] == ["Ghi chú sau khóa"]
    assert json.dumps(notes, ensure_ascii=False).count("Ghi chú sau khóa") == 1
