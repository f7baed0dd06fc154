"""Bad input to each endpoint of the processes' timeline and files, the planning list
and the register: a stable code, a 4xx status, and nothing changed (every table's row
count, every due date and entry the same before and after). On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.api.flows import Client, client_for, create_unit, register_csv, upload
from tests.api.test_openapi_schemas import PREFIX
from voting.extensions import db
from voting.planning.models import PlanningEntry, ProcessStep

Snapshot = tuple[dict[str, int], list[Any], list[Any], list[Any]]


def snapshot(app: Flask) -> Snapshot:
    """What a refused request must leave alone: every table's rows, the due dates, the
    list's entries and the register."""
    with app.app_context():
        counts = {
            t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) or 0
            for t in db.metadata.sorted_tables
        }
        dates = db.session.execute(sa.select(ProcessStep.id, ProcessStep.due_on)).all()
        entries = db.session.execute(
            sa.select(PlanningEntry.id, PlanningEntry.left_on, PlanningEntry.left_reason)
        ).all()
        units = db.session.execute(sa.text("SELECT id, name FROM units ORDER BY id")).all()
        return counts, sorted(dates), sorted(entries), list(units)


@pytest.fixture
def chair(app: Flask) -> Client:
    return client_for(app, "chair")


@pytest.fixture
def scene(app: Flask, chair: Client) -> dict[str, Any]:
    """A unit, an external process at B3 (its consultation step), a list entry."""
    unit = create_unit(chair)
    body = {
        "unit_id": unit["id"],
        "level": "cuc",
        "flow": "annual-external",
        "period": "2026",
        "title": "Bổ sung quy hoạch 2026",
        "positions": [{"name": "Phó Cục trưởng", "quota": 1}],
    }
    process = chair.ok("post", f"{PREFIX}/processes", body, 201)
    url = f"{PREFIX}/processes/{process['id']}"
    pid = process["positions"][0]["id"]
    nominee = {"position": pid, "name": "Trần Văn Nam", "agency": "Cục THADS An Giang"}
    process = chair.ok("post", f"{url}/steps/B1/source-list", {"nominees": [nominee]})["process"]
    nam = process["steps"][0]["carried"][0]["nominee"]
    approval = {"meeting_on": "2026-11-05", "approved": [nam]}
    chair.ok("post", f"{url}/steps/B2/approve-list", approval)
    with app.app_context():
        # Brought in from before the app (no process): a man born in 1955, long retired.
        entry = PlanningEntry(
            unit_id=unit["id"],
            level="cuc",
            position_name="Phó Cục trưởng",
            name="Trần Cũ",
            birth_year=1955,
            sex="male",
            entered_on=date(2021, 12, 1),
        )
        db.session.add(entry)
        db.session.commit()
        entry_id = entry.id
    return {"unit": unit, "url": url, "nam": nam, "entry": entry_id}


def expect_refusals(
    app: Flask, cases: list[tuple[Client, str, str, dict[str, Any], int, str]]
) -> None:
    """Each (client, method, url, request, status, code): refused so, nothing changed."""
    before = snapshot(app)
    for who, method, url, kw, status, code in cases:
        r = who(method, url, **kw)
        assert r.status_code == status, (method, url, r.get_json())
        assert r.get_json()["error"]["code"] == code, (method, url, r.get_json())
        assert snapshot(app) == before, (method, url)


def test_timeline_and_files_refuse_bad_input(
    app: Flask, chair: Client, scene: dict[str, Any]
) -> None:
    url, nam = scene["url"], scene["nam"]
    other, secretary = client_for(app, "other"), client_for(app, "secretary")
    no_csrf, anonymous = Client(chair.client), Client(app.test_client())
    pdf = ("letter.pdf", b"%PDF-1.4", "application/pdf")

    def letter(name: str, data: bytes, mimetype: str, **form: Any) -> dict[str, Any]:
        sent = upload(name, data, "opinion_file", **{"nominee": str(nam), **form})
        sent["data"]["opinion_file"] += (mimetype,)
        return sent

    good = {"met_on": "2026-11-10"}
    expect_refusals(
        app,
        [
            (
                chair,
                "put",
                f"{url}/due-dates",
                {"json": {"B9": "2026-11-02"}},
                422,
                "invalid_field",
            ),
            (chair, "put", f"{url}/due-dates", {"json": {"B1": "soon"}}, 422, "invalid_field"),
            (chair, "put", f"{url}/due-dates", {"json": ["B1"]}, 400, "invalid_json"),
            (no_csrf, "put", f"{url}/due-dates", {"json": {}}, 400, "csrf_failed"),
            (anonymous, "put", f"{url}/due-dates", {"json": {}}, 400, "csrf_failed"),
            (other, "put", f"{url}/due-dates", {"json": {}}, 404, "process_not_found"),
            (secretary, "put", f"{url}/due-dates", {"json": {}}, 404, "process_not_found"),
            (
                chair,
                "put",
                f"{PREFIX}/processes/nope/due-dates",
                {"json": {}},
                404,
                "process_not_found",
            ),
            # The consultation with its letter.
            (chair, "post", f"{url}/steps/B3/consult/file", {"data": good}, 422, "invalid_field"),
            (
                chair,
                "post",
                f"{url}/steps/B3/consult/file",
                letter("a.txt", b"hello", "text/plain", **good),
                422,
                "invalid_field",
            ),
            (
                chair,
                "post",
                f"{url}/steps/B3/consult/file",
                letter(*pdf, met_on="10/11/2026"),
                422,
                "invalid_field",
            ),
            (
                chair,
                "post",
                f"{url}/steps/B3/consult/file",
                letter(*pdf, **good, nominee="999"),
                422,
                "invalid_field",
            ),
            (
                chair,
                "post",
                f"{url}/steps/B3/consult/file",
                letter("big.pdf", b"%" * (3 * 1024 * 1024), "application/pdf", **good),
                413,
                "request_too_large",
            ),
            (
                chair,
                "post",
                f"{url}/steps/B4/consult/file",
                letter(*pdf, **good),
                409,
                "step_not_current",
            ),
            (chair, "post", f"{url}/steps/B1/consult/file", letter(*pdf, **good), 409, "step_done"),
            (
                chair,
                "post",
                f"{url}/steps/B9/consult/file",
                letter(*pdf, **good),
                404,
                "step_not_found",
            ),
            (
                other,
                "post",
                f"{url}/steps/B3/consult/file",
                letter(*pdf, **good),
                404,
                "process_not_found",
            ),
            (
                no_csrf,
                "post",
                f"{url}/steps/B3/consult/file",
                letter(*pdf, **good),
                400,
                "csrf_failed",
            ),
            (chair, "get", f"{url}/attachments/999", {}, 404, "attachment_not_found"),
            (chair, "get", f"{url}/attachments/{2**63}", {}, 404, "attachment_not_found"),
            (other, "get", f"{url}/attachments/1", {}, 404, "process_not_found"),
        ],
    )


def test_the_list_and_its_exits_refuse_bad_input(
    app: Flask, chair: Client, scene: dict[str, Any]
) -> None:
    entry = scene["entry"]
    exit_url = f"{PREFIX}/planning/entries/{entry}/exit"
    secretary, anonymous = client_for(app, "secretary"), Client(app.test_client())
    no_csrf = Client(chair.client)
    body = {"reason": "automatic", "left_on": "2026-12-01", "decision": "Quyết định số 1/QĐ"}
    reads: list[tuple[Client, str, str, dict[str, Any], int, str]] = []
    for path in ("/planning", "/planning/history", "/planning/exits"):
        reads += [
            (chair, "get", PREFIX + path, {"query_string": {"unit": "abc"}}, 422, "invalid_field"),
            (chair, "get", PREFIX + path, {"query_string": {"unit": "999"}}, 404, "unit_not_found"),
            (anonymous, "get", PREFIX + path, {}, 401, "login_required"),
        ]
    for path in ("/planning", "/planning/history"):
        reads.append(
            (chair, "get", PREFIX + path, {"query_string": {"level": "tong"}}, 422, "invalid_field")
        )
    expect_refusals(
        app,
        [
            *reads,
            (chair, "post", exit_url, {"json": {}}, 422, "invalid_field"),
            (
                chair,
                "post",
                exit_url,
                {"json": {**body, "reason": "removal-vote"}},
                422,
                "invalid_field",
            ),
            (chair, "post", exit_url, {"json": {**body, "left_on": "mai"}}, 422, "invalid_field"),
            (chair, "post", exit_url, {"json": {**body, "decision": ""}}, 422, "invalid_field"),
            (chair, "post", exit_url, {"json": {**body, "note": "x" * 501}}, 422, "invalid_field"),
            (chair, "post", exit_url, {"json": "automatic"}, 400, "invalid_json"),
            (
                chair,
                "post",
                f"{PREFIX}/planning/entries/999/exit",
                {"json": body},
                404,
                "entry_not_found",
            ),
            (secretary, "post", exit_url, {"json": body}, 403, "forbidden"),
            (no_csrf, "post", exit_url, {"json": body}, 400, "csrf_failed"),
        ],
    )
    # The entry meets an automatic-exit condition: listed, then recorded, then refused again.
    query = {"unit": scene["unit"]["id"]}
    (found,) = chair.ok("get", f"{PREFIX}/planning/exits", query_string=query)["exits"]
    assert found["entry"]["id"] == entry and "over-age" in {f["code"] for f in found["reasons"]}
    assert chair.ok("post", exit_url, body)["left"]["reason"] == "automatic"
    assert chair.ok("get", f"{PREFIX}/planning/exits", query_string=query)["exits"] == []
    expect_refusals(app, [(chair, "post", exit_url, {"json": body}, 409, "already_left")])


def test_units_and_the_register_refuse_bad_input(
    app: Flask, chair: Client, scene: dict[str, Any]
) -> None:
    unit = scene["unit"]
    reg = f"{PREFIX}/units/{unit['id']}/register"
    secretary, no_csrf = client_for(app, "secretary"), Client(chair.client)
    bad_row = register_csv("Lê Văn A; 1980; X; Chuyên viên; Văn phòng;")
    error = chair("post", reg, **upload("bad.csv", bad_row)).get_json()["error"]
    assert error["code"] == "invalid_rows" and error["details"]["rows"][0]["field"] == (
        "members[0].sex"
    )
    expect_refusals(
        app,
        [
            (chair, "post", f"{PREFIX}/units", {"json": {}}, 422, "invalid_field"),
            (
                chair,
                "post",
                f"{PREFIX}/units",
                {"json": {"name": unit["name"]}},
                422,
                "invalid_field",
            ),
            (chair, "post", f"{PREFIX}/units", {"json": {"name": "x" * 201}}, 422, "invalid_field"),
            (chair, "post", f"{PREFIX}/units", {"json": [1]}, 400, "invalid_json"),
            (secretary, "post", f"{PREFIX}/units", {"json": {"name": "Mới"}}, 403, "forbidden"),
            (no_csrf, "post", f"{PREFIX}/units", {"json": {"name": "Mới"}}, 400, "csrf_failed"),
            (chair, "get", f"{PREFIX}/units/999", {}, 404, "unit_not_found"),
            (chair, "get", f"{PREFIX}/units/{2**63}", {}, 404, "unit_not_found"),
            (chair, "post", reg, {"data": {}}, 422, "file_missing"),
            (chair, "post", reg, upload("x.csv", b""), 422, "invalid_file"),
            (chair, "post", reg, upload("x.xlsx", b"not a zip"), 422, "invalid_file"),
            (chair, "post", reg, upload("x.csv", b"\xff\xfe\x00"), 422, "invalid_file"),
            (chair, "post", reg, upload("x.csv", "Tên;Tuổi\nA;1\n".encode()), 422, "invalid_file"),
            (chair, "post", reg, upload("bad.csv", bad_row), 422, "invalid_rows"),
            (
                chair,
                "post",
                reg,
                upload("big.csv", b"a" * (3 * 1024 * 1024)),
                413,
                "request_too_large",
            ),
            (
                chair,
                "post",
                f"{PREFIX}/units/999/register",
                upload("r.csv", register_csv()),
                404,
                "unit_not_found",
            ),
            (secretary, "post", reg, upload("r.csv", register_csv()), 403, "forbidden"),
            (no_csrf, "post", reg, upload("r.csv", register_csv()), 400, "csrf_failed"),
            (chair, "get", f"{reg}.pdf", {}, 404, "unknown_format"),
            (chair, "get", f"{PREFIX}/units/999/register.csv", {}, 404, "unit_not_found"),
        ],
    )
