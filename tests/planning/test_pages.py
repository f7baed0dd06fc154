"""The process pages, driven through their HTML forms as the chair's browser posts them."""

from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import urlencode

from flask import Flask

from tests.conftest import Api
from tests.planning.conftest import REGISTER, TCCB, run_conference
from voting.extensions import db
from voting.minutes.dossier import check_dossier
from voting.planning.models import PlanningEntry


def form(api: Api, url: str, data: dict | list) -> str:
    """POST a form (a list of pairs keeps repeated checkboxes), follow, return the page."""
    pairs = list(data.items()) if isinstance(data, dict) else list(data)
    body = urlencode([*pairs, ("csrf_token", api.csrf)])
    r = api.client.post(
        url, data=body, content_type="application/x-www-form-urlencoded", follow_redirects=True
    )
    assert r.status_code == 200, r.status_code
    return r.get_data(as_text=True)


def flashes(page: str) -> list[str]:
    return re.findall(r'class="flash flash-(?:ok|error)">([^<]*)<', page)


def checkbox_values(page: str, name: str) -> dict[str, str]:
    """name=value checkboxes on the page: value -> the label's text."""
    found = {}
    for m in re.finditer(
        rf'<input type="checkbox" name="{name}" value="([^"]+)"[^>]*>\s*(?:<span>)?\s*([^<]+)<',
        page,
    ):
        found[m.group(1)] = m.group(2).strip()
    return found


def test_phong_term_through_the_pages(app: Flask, chair_api: Api) -> None:
    page = form(
        chair_api, "/register", {"name": "Cục THADS tỉnh Kiên Giang", "locality": "Kiên Giang"}
    )
    assert "Cục THADS tỉnh Kiên Giang" in page
    listing = chair_api.get("/register").get_data(as_text=True)
    unit_url = re.search(r'href="(/register/\d+)"', listing).group(1)
    page = form(chair_api, unit_url, {"register": REGISTER})
    assert "Bùi Minh Trí" in page and "Phòng Tổ chức cán bộ" in page

    page = form(
        chair_api,
        "/processes/new",
        {
            "unit_id": "1",
            "flow": "phong/term",
            "department": TCCB,
            "period": "2026–2031",
            "title": "Quy hoạch lãnh đạo Phòng Tổ chức cán bộ 2026–2031",
            "positions": "Trưởng phòng | 1\nPhó Trưởng phòng | 2",
        },
    )
    assert flashes(page) and "B6" in page
    url = re.search(r'href="(/p/[^/"]+)/dossier.zip"', page).group(1)

    # B1: pick the source list from the register.
    picks = checkbox_values(page, "nominee")
    want = {"Lê Thị Phương Tâm": "Trưởng phòng", "Đặng Văn Khoa": "Phó", "Ngô Thị Hạnh": "Phó"}
    positions = re.findall(r"<legend>(Trưởng phòng|Phó Trưởng phòng) <span", page)
    assert positions == ["Trưởng phòng", "Phó Trưởng phòng"]
    pos_ids = sorted({v.split(":")[0] for v in picks}, key=int)  # "position:member"
    chosen = []
    for value, label in picks.items():
        full = next((n for n in want if label.startswith(n)), None)
        if full is None:
            continue
        pos = pos_ids[0] if want[full] == "Trưởng phòng" else pos_ids[1]
        if value.startswith(pos + ":"):
            chosen.append(("nominee", value))
    assert len(chosen) == 3
    page = form(
        chair_api,
        f"{url}/steps/B1",
        [("action", "source-list"), ("plan", "Kế hoạch 01/KH"), *chosen],
    )
    assert "Kế hoạch 01/KH" in page

    # B2: approve all, keep the quotas.
    approve = [("approved", v) for v in checkbox_values(page, "approved")]
    assert len(approve) == 3
    page = form(
        chair_api,
        f"{url}/steps/B2",
        [("action", "approve-list"), ("meeting_on", "2026-11-05"), *approve],
    )

    # B3: the conference is created from the step, roster pre-filled with the phòng's staff.
    roster = re.search(r'<textarea name="roster"[^>]*>([^<]*)</textarea>', page).group(1)
    assert roster.count("\n") == 5 and "Bùi Minh Trí" in roster
    r = chair_api.client.post(
        f"{url}/steps/B3",
        data={
            "action": "conference",
            "title": "Hội nghị toàn thể công chức",
            "held_on": "2026-11-23",
            "roster": roster,
            "csrf_token": chair_api.csrf,
        },
    )
    assert r.status_code == 302 and "/c/" in r.headers["Location"]
    cid = r.headers["Location"].rsplit("/", 1)[1]
    conf = chair_api.get(f"/api/v1/conferences/{cid}").get_json()
    t, k, h, tri = "Lê Thị Phương Tâm", "Đặng Văn Khoa", "Ngô Thị Hạnh", "Bùi Minh Trí"
    TP, PTP = "Trưởng phòng", "Phó Trưởng phòng"
    run_conference(chair_api, conf, [{TP: [t], PTP: [k, tri]}] * 2 + [{TP: [t], PTP: [h]}, {}, {}])
    ballot = chair_api.get(f"/c/{cid}").get_data(as_text=True)
    assert "Bùi Minh Trí" in ballot
    page = form(chair_api, f"{url}/steps/B3", {"action": "carry"})
    assert flashes(page) and "B4" in page
    for step, ballots in (
        ("B4", [{TP: [t], PTP: [k, tri]}] * 2),
        ("B5", [{TP: [t], PTP: [k, tri]}] * 2),
    ):
        r = chair_api.client.post(
            f"{url}/steps/{step}",
            data={
                "action": "conference",
                "title": f"Hội nghị {step}",
                "held_on": "2026-11-24",
                "csrf_token": chair_api.csrf,
            },
        )
        assert r.status_code == 302, step
        cid = r.headers["Location"].rsplit("/", 1)[1]
        conf = chair_api.get(f"/api/v1/conferences/{cid}").get_json()
        assert h not in str(conf["positions"])  # failed at B3, never on a later ballot
        run_conference(chair_api, conf, ballots)
        page = form(chair_api, f"{url}/steps/{step}", {"action": "carry"})
    approve = [("approved", v) for v in checkbox_values(page, "approved")]
    assert len(approve) == 3
    page = form(
        chair_api,
        f"{url}/steps/B6",
        [
            ("action", "decision"),
            ("outcome", "approved"),
            ("number", "20/QĐ-CTHADS"),
            ("signed_on", "2026-11-30"),
            ("signer", "Cục trưởng"),
            *approve,
        ],
    )
    assert "20/QĐ-CTHADS" in page
    with app.app_context():
        names = sorted(e.name for e in db.session.query(PlanningEntry).all())
    assert names == sorted([t, k, tri])
    listing = chair_api.get("/planning").get_data(as_text=True)
    assert tri in listing and "20/QĐ-CTHADS" in listing

    r = chair_api.get(f"{url}/dossier.zip")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    assert check_dossier(r.data) == []
    with zipfile.ZipFile(io.BytesIO(r.data)) as archive:
        files = {n.split("/", 1)[1] for n in archive.namelist()}
    assert {"quy-trinh.json", "danh-sach.csv", "B3/ket-qua.json", "B5/ket-qua.json"} <= files
    assert any(f.startswith("B4/") and f.endswith(".pdf") for f in files)
