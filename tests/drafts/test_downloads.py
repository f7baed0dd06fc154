"""The chair downloads every step's draft from the process page and the API; the dossier
lists them in its manifest; another chair, or nobody logged in, is refused."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable

from flask import Flask, g

from tests.conftest import Api
from tests.drafts.conftest import docx_text, pdf_text
from tests.planning.conftest import Flow
from tests.planning.test_flows import CT, PCT, run_cuc_term
from voting.minutes.dossier import check_dossier


def test_chair_downloads_every_draft_from_the_page_and_the_api(
    app: Flask, start_flow: Callable[..., Flow], chair_api: Api
) -> None:
    flow = start_flow("cuc", "term", {CT: 1, PCT: 2})
    run_cuc_term(flow)
    pid = flow.public_id
    page = chair_api.get(f"/p/{pid}").get_data(as_text=True)
    assert "Dự thảo văn bản" in page
    links = re.findall(rf'href="(/p/{pid}/drafts/[^"]+)"', page)
    assert len(links) == 16  # 8 drafts, DOCX and PDF each
    for url in links:
        r = chair_api.get(url)
        assert r.status_code == 200, url
        name = url.rsplit("/", 1)[1]
        assert name in r.headers["Content-Disposition"]
        if name.endswith(".pdf"):
            assert r.mimetype == "application/pdf" and "Phó Cục trưởng" in pdf_text(r.data)
        else:
            assert "Phó Cục trưởng" in docx_text(r.data)
        same = chair_api.get(f"/api/v1/processes/{pid}/drafts/{name}")
        assert same.status_code == 200 and same.data == r.data  # one file, whichever way

    assert chair_api.get(f"/p/{pid}/drafts/B6-to-trinh.txt").status_code == 404
    r = chair_api.get(f"/api/v1/processes/{pid}/drafts/B2-to-trinh.pdf")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "draft_not_found"

    other = Api(app.test_client()).login("other", "other-password")
    assert other.get(f"/p/{pid}/drafts/B6-to-trinh.pdf").status_code == 404
    r = other.get(f"/api/v1/processes/{pid}/drafts/B6-to-trinh.pdf")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "process_not_found"
    # The flow's app context stays pushed, so each request shares its ``g``: forget the
    # user Flask-Login cached there, or the last client's user would answer.
    g.pop("_login_user", None)
    anonymous = app.test_client()
    # Refused as the process dossier is refused, and no file comes.
    refused = anonymous.get(f"/p/{pid}/drafts/B6-to-trinh.pdf")
    assert refused.status_code == anonymous.get(f"/p/{pid}/dossier.zip").status_code
    assert refused.status_code in (302, 404) and not refused.data.startswith(b"%PDF")
    r = anonymous.get(f"/api/v1/processes/{pid}/drafts/B6-to-trinh.pdf")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "login_required"
    secretary = Api(app.test_client()).login("secretary", "secretary-password")
    assert secretary.get(f"/p/{pid}/drafts/B6-to-trinh.pdf").status_code == 404  # not named


def test_the_dossier_lists_the_drafts_in_its_manifest(
    start_flow: Callable[..., Flow], chair_api: Api
) -> None:
    flow = start_flow("cuc", "term", {CT: 1, PCT: 2})
    run_cuc_term(flow)
    r = chair_api.get(f"/p/{flow.public_id}/dossier.zip")
    assert r.status_code == 200 and check_dossier(r.data) == []
    with zipfile.ZipFile(io.BytesIO(r.data)) as archive:
        folder = archive.namelist()[0].split("/", 1)[0]
        manifest = json.loads(archive.read(f"{folder}/manifest.json"))
        sums = archive.read(f"{folder}/MANIFEST.sha256").decode()
        decision = archive.read(f"{folder}/du-thao/B6-quyet-dinh.docx")
    listed = {f["name"] for f in manifest["files"]}
    for name in ("B1-ke-hoach", "B3-danh-sach", "B6-to-trinh", "B6-quyet-dinh"):
        for fmt in ("docx", "pdf"):
            assert f"du-thao/{name}.{fmt}" in listed
            assert f"  du-thao/{name}.{fmt}\n" in sums
    assert "Số: 15/QĐ-CTHADS" in docx_text(decision)
    # The same process state, the same dossier bytes (the drafts dated at its last step).
    assert chair_api.get(f"/p/{flow.public_id}/dossier.zip").data == r.data
