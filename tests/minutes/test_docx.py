"""The minutes as DOCX: Nghị định 30 page, header, counts in words, results, digest."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from docx import Document
from docx.shared import Mm
from flask import Flask

from tests.conftest import Api
from tests.minutes._export_scene import locked_b3
from voting.audit.models import AuditEntry
from voting.extensions import db

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "minutes"


def _texts(document: Any) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _download(chair_api: Api, conf_id: str, kind: str, keep: bool = True) -> Any:
    r = chair_api.get(f"/c/{conf_id}/minutes/{kind}.docx")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert r.mimetype.endswith("wordprocessingml.document")
    assert r.headers["Content-Disposition"].startswith("attachment; filename=")
    assert r.headers["Content-Disposition"].endswith('.docx"')
    # Kept for a look (LibreOffice: soffice --headless --convert-to pdf).
    if keep:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        (OUTPUT / f"{kind}.docx").write_bytes(r.get_data())
    return Document(io.BytesIO(r.get_data()))


@pytest.mark.parametrize("kind", ["counting", "conference"])
def test_minutes_docx_layout_and_content(
    app: Flask,
    chair_api: Api,
    create_conference: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    # No office suite is needed to build the file.
    real_which = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda name, *a, **k: None if "office" in name else real_which(name)
    )
    conf = locked_b3(app, chair_api, create_conference)
    document = _download(chair_api, conf["id"], kind)

    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5)
    assert abs(section.page_height - Mm(297)) < Mm(0.5)
    assert abs(section.top_margin - Mm(20)) < Mm(0.5)
    assert abs(section.bottom_margin - Mm(20)) < Mm(0.5)
    assert abs(section.left_margin - Mm(30)) < Mm(0.5)
    assert abs(section.right_margin - Mm(15)) < Mm(0.5)
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert 13 <= document.styles["Normal"].font.size.pt <= 14
    # Page numbers from page 2: a different first page, and a PAGE field in the footer.
    assert section.different_first_page_header_footer
    assert "PAGE" in section.footer._element.xml
    assert "PAGE" not in section.first_page_footer._element.xml

    header = document.tables[0]
    left, right = (cell.text for cell in header.rows[0].cells)
    assert "TỔNG CỤC THI HÀNH ÁN DÂN SỰ" in left
    assert "CỤC THI HÀNH ÁN DÂN SỰ TỈNH KIÊN GIANG" in left
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right
    assert "Độc lập - Tự do - Hạnh phúc" in right
    dated = header.rows[1].cells[1].paragraphs[0]
    assert dated.text == "Kiên Giang, ngày 23 tháng 11 năm 2026"
    assert all(run.italic for run in dated.runs if run.text)
    assert 'w:val="nil"' in header._tbl.xml  # no borders

    text = _texts(document)
    title = "BIÊN BẢN KIỂM PHIẾU" if kind == "counting" else "BIÊN BẢN HỘI NGHỊ"
    assert title in text
    assert "07 (bảy)" in text
    assert "Đạt khi số phiếu đồng ý từ 30% trở lên so với tổng số người có mặt" in text

    results = document.tables[1]
    cells = [[c.text for c in row.cells] for row in results.rows]
    assert cells[0] == [
        "STT",
        "Họ và tên",
        "Chức vụ/đơn vị",
        "Số phiếu đồng ý",
        "Tỷ lệ % so với số người có mặt",
        "Kết quả",
    ]
    assert cells[1] == ["1", "Lê Thị Phương Tâm (1982)", "Phó Trưởng phòng", "3", "42,86%", "Đạt"]
    assert cells[2] == ["2", "Nguyễn Hoàng Phúc (1979)", "Trưởng phòng", "2", "28,57%", "Không đạt"]

    digest = chair_api.get(f"/api/v1/conferences/{conf['id']}").get_json()["result_sha256"]
    assert digest and f"Mã kiểm tra (SHA-256) của kết quả đã khóa: {digest}" in text

    signatures = [c.text for c in document.tables[-1].rows[0].cells]
    if kind == "counting":
        assert signatures[0].startswith("THÀNH VIÊN BAN KIỂM PHIẾU")
        assert "Người dự 2" in signatures[0]
        assert signatures[1].startswith("TRƯỞNG BAN KIỂM PHIẾU")
        assert "Người dự 1" in signatures[1]
    else:
        assert signatures[0].startswith("THƯ KÝ") and "Phạm Thị Yến" in signatures[0]
        assert signatures[1].startswith("CHỦ TRÌ") and "Nguyễn Văn Vũ" in signatures[1]

    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "export.downloaded")
        ).all()
        assert any(f"minutes.{kind}.docx" in e.details for e in events)


def test_docx_needs_a_closed_ballot_and_a_known_kind(
    chair_api: Api, create_conference: Callable[..., dict[str, Any]], client: Any
) -> None:
    conf = create_conference(summoned=3)
    assert chair_api.get(f"/c/{conf['id']}/minutes/counting.docx").status_code == 409
    assert chair_api.get(f"/c/{conf['id']}/minutes/other.docx").status_code == 404
    anonymous = client.get(f"/c/{conf['id']}/minutes/counting.docx")
    assert anonymous.status_code in (302, 401)


def test_docx_before_lock_says_it_is_a_preview(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=3)
    assert chair_api.post(f"/api/v1/conferences/{conf['id']}/close").status_code == 200
    document = _download(chair_api, conf["id"], "counting", keep=False)
    text = _texts(document)
    assert "BẢN XEM TRƯỚC: kết quả chưa được khóa." in text
    assert "Mã kiểm tra (SHA-256)" not in text
