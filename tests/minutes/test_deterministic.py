"""Every download of a locked result is the dossier's file, byte for byte.

A printed, signed PDF is checked against the dossier's MANIFEST.sha256: that works only
if the PDF downloaded yesterday and the one in the dossier today are the same bytes. So
the files are dated at the lock (PDF CreationDate and ModDate, DOCX and XLSX core
properties, every ZIP entry), and nothing else in them varies.
"""

from __future__ import annotations

import hashlib
import io
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from docx import Document
from flask import Flask
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.conftest import Api
from tests.minutes._export_scene import locked_b3

DOWNLOADS = {
    "bien-ban-kiem-phieu.pdf": "/minutes/counting.pdf",
    "bien-ban-kiem-phieu.docx": "/minutes/counting.docx",
    "bien-ban-hoi-nghi.pdf": "/minutes/conference.pdf",
    "bien-ban-hoi-nghi.docx": "/minutes/conference.docx",
    "ket-qua.xlsx": "/results.xlsx",
    "ket-qua.csv": "/results.csv",
    "ket-qua.json": "/result.json",
}


def _dossier(chair_api: Api, conf_id: str) -> dict[str, bytes]:
    r = chair_api.get(f"/c/{conf_id}/dossier.zip")
    assert r.status_code == 200
    with zipfile.ZipFile(io.BytesIO(r.get_data())) as archive:
        return {n.split("/", 1)[1]: archive.read(n) for n in archive.namelist()}


def test_two_downloads_and_the_dossier_are_the_same_bytes(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = locked_b3(app, chair_api, create_conference)
    base = f"/c/{conf['id']}"
    first = {name: chair_api.get(base + path).get_data() for name, path in DOWNLOADS.items()}
    time.sleep(1.1)  # a stamp taken at download time would now differ by a second
    second = {name: chair_api.get(base + path).get_data() for name, path in DOWNLOADS.items()}
    dossier = _dossier(chair_api, conf["id"])

    listed = dict(
        reversed(line.split("  ", 1)) for line in dossier["MANIFEST.sha256"].decode().splitlines()
    )
    for name in DOWNLOADS:
        assert first[name] == second[name], f"two downloads of {name} differ"
        assert first[name] == dossier[name], f"the download of {name} is not the dossier's"
        # What the secretary checks with `sha256sum -c`, on the file printed last week.
        assert hashlib.sha256(first[name]).hexdigest() == listed[name], name
    assert _dossier(chair_api, conf["id"]) == dossier  # and the dossier itself is stable


def test_the_files_are_dated_at_the_lock(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = locked_b3(app, chair_api, create_conference)
    locked_at = chair_api.get(f"/c/{conf['id']}/result.json").get_json()["conference"]["locked_at"]
    locked = datetime.fromisoformat(locked_at.removesuffix("Z")).replace(tzinfo=UTC)
    room = locked.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))

    pdf = chair_api.get(f"/c/{conf['id']}/minutes/counting.pdf").get_data()
    info = PdfReader(io.BytesIO(pdf)).metadata
    stamp = f"D:{locked:%Y%m%d%H%M%S}Z"
    assert info["/CreationDate"] == stamp and info["/ModDate"] == stamp

    data = chair_api.get(f"/c/{conf['id']}/minutes/conference.docx").get_data()
    props = Document(io.BytesIO(data)).core_properties
    assert props.created == props.modified == locked
    assert props.revision == 1 and props.author == "voting (QT.NB.03)"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        # ZIP's (DOS) clock counts seconds in twos.
        wall = (room.year, room.month, room.day, room.hour, room.minute, room.second // 2 * 2)
        assert {entry.date_time for entry in archive.infolist()} == {wall}

    data = chair_api.get(f"/c/{conf['id']}/results.xlsx").get_data()
    props = load_workbook(io.BytesIO(data)).properties
    assert props.created == props.modified == locked.replace(tzinfo=None)
