"""The minutes as PDF: Vietnamese text intact, same numbers as the DOCX, pages A4."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from tests.conftest import Api
from tests.minutes._export_scene import locked_b3

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "minutes"


def _download(chair_api: Api, conf_id: str, kind: str) -> bytes:
    r = chair_api.get(f"/c/{conf_id}/minutes/{kind}.pdf")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].endswith('.pdf"')
    data = r.get_data()
    assert data.startswith(b"%PDF-")
    return data


def _text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    # Extraction may break a line anywhere; compare with single spaces.
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    return reader, text


@pytest.mark.parametrize("kind", ["counting", "conference"])
def test_minutes_pdf_text_and_page(
    app: Flask,
    chair_api: Api,
    create_conference: Callable[..., dict[str, Any]],
    kind: str,
    request: pytest.FixtureRequest,
) -> None:
    conf = locked_b3(app, chair_api, create_conference)
    data = _download(chair_api, conf["id"], kind)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / f"{kind}-{request.node.callspec.id}.pdf").write_bytes(data)
    reader, text = _text(data)

    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert round(width / 72 * 25.4) == 210 and round(height / 72 * 25.4) == 297
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
    }
    assert any("Tinos" in f for f in fonts), fonts  # embedded, not a system font

    for words in (
        "TỔNG CỤC THI HÀNH ÁN DÂN SỰ",
        "CỤC THI HÀNH ÁN DÂN SỰ TỈNH KIÊN GIANG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Kiên Giang, ngày 23 tháng 11 năm 2026",
        "BIÊN BẢN KIỂM PHIẾU" if kind == "counting" else "BIÊN BẢN HỘI NGHỊ",
        "07 (bảy)",
        "Đạt khi số phiếu đồng ý từ 30% trở lên so với tổng số người có mặt",
        "Lê Thị Phương Tâm (1982)",
        "Nguyễn Hoàng Phúc (1979)",
        "42,86%",
        "28,57%",
        "Không đạt",
    ):
        assert words in text, words
    images = [name for page in reader.pages for name in page.images]
    assert images, "the chart (a PNG) is in the minutes"
    digest = chair_api.get(f"/api/v1/conferences/{conf['id']}").get_json()["result_sha256"]
    assert digest in text.replace(" ", "")
    assert "BẢN XEM TRƯỚC" not in text


def test_pdf_before_lock_says_it_is_a_preview(
    chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=3)
    assert chair_api.get(f"/c/{conf['id']}/minutes/counting.pdf").status_code == 409
    assert chair_api.post(f"/api/v1/conferences/{conf['id']}/close").status_code == 200
    _, text = _text(_download(chair_api, conf["id"], "counting"))
    assert "BẢN XEM TRƯỚC: kết quả chưa được khóa." in text
    assert "SHA-256" not in text
    assert chair_api.get(f"/c/{conf['id']}/minutes/other.pdf").status_code == 404
