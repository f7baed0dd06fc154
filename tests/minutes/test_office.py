"""The DOCX opens in LibreOffice: converted to PDF there, its words come back intact.

LibreOffice is not something the app needs; where ``soffice`` is not installed this check
is skipped (the DOCX itself is checked through python-docx in test_docx.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from tests.conftest import Api
from tests.minutes._export_scene import locked_b3

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
TINOS = Path(__file__).resolve().parents[2] / "static" / "vendor" / "@expo-google-fonts" / "tinos"


def times_is_tinos(folder: Path) -> dict[str, str]:
    """A fontconfig setup where "Times New Roman" is the vendored Tinos (its metric twin).

    The minutes are set in Times New Roman, as Word on the unit's PCs has it. LibreOffice
    on Linux substitutes a metric twin; Debian's fonts-liberation 1.x has no Vietnamese
    letters with two marks (Ổ, Ụ…), so they would come from a fallback font, in runs a PDF
    reader puts out of order. Tinos covers Vietnamese and ships with the app.
    """
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{TINOS}</dir><cachedir>{folder / 'cache'}</cachedir>"
        # LibreOffice's own table maps Times New Roman to Liberation Serif first.
        "<selectfont><rejectfont><pattern><patelt name='family'><string>Liberation Serif"
        "</string></patelt></pattern></rejectfont></selectfont>"
        '<alias binding="same"><family>Times New Roman</family>'
        "<prefer><family>Tinos</family></prefer></alias></fontconfig>"
    )
    return {"FONTCONFIG_FILE": str(config)}


@pytest.mark.sqlite_only
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_both_minutes(
    app: Flask,
    chair_api: Api,
    create_conference: Callable[..., dict[str, Any]],
    tmp_path: Path,
) -> None:
    conf = locked_b3(app, chair_api, create_conference)
    for kind in ("counting", "conference"):
        (tmp_path / f"{kind}.docx").write_bytes(
            chair_api.get(f"/c/{conf['id']}/minutes/{kind}.docx").get_data()
        )
    profile = tmp_path / "profile"
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "counting.docx"),
            str(tmp_path / "conference.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=240,
        env={**os.environ, **times_is_tinos(tmp_path)},
    )
    for kind, title in (("counting", "BIÊN BẢN KIỂM PHIẾU"), ("conference", "BIÊN BẢN HỘI NGHỊ")):
        reader = PdfReader(tmp_path / f"{kind}.pdf")
        text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
        for words in (title, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Lê Thị Phương Tâm", "42,86%"):
            assert words in text, (kind, words)
