"""The dossier ZIP: every minutes file and export, and a manifest that checks them."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask import Flask

from tests.conftest import Api
from tests.minutes._export_scene import locked_b3
from voting.minutes.dossier import DossierFile, check_dossier, dossier_zip

EXPECTED_FILES = {
    "bien-ban-kiem-phieu.docx",
    "bien-ban-kiem-phieu.pdf",
    "bien-ban-hoi-nghi.docx",
    "bien-ban-hoi-nghi.pdf",
    "ket-qua.xlsx",
    "ket-qua.csv",
    "ket-qua.json",
}


def test_the_dossier_of_a_locked_conference(
    app: Flask, chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = locked_b3(app, chair_api, create_conference)
    r = chair_api.get(f"/c/{conf['id']}/dossier.zip")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert r.mimetype == "application/zip"
    data = r.get_data()
    assert check_dossier(data) == []
    digest = chair_api.get(f"/api/v1/conferences/{conf['id']}").get_json()["result_sha256"]

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        folder = names[0].split("/", 1)[0]
        assert folder.startswith("ho-so-2026-11-23-")
        files = {n.split("/", 1)[1]: archive.read(n) for n in names}
    assert set(files) == EXPECTED_FILES | {"MANIFEST.sha256", "manifest.json"}
    # The manifest is in sha256sum's format and matches every file.
    for line in files["MANIFEST.sha256"].decode().splitlines():
        sha, name = line.split("  ", 1)
        assert hashlib.sha256(files[name]).hexdigest() == sha
    manifest = json.loads(files["manifest.json"])
    assert manifest["result_sha256"] == digest and manifest["verified"] is True
    assert {f["name"] for f in manifest["files"]} == EXPECTED_FILES
    # The JSON in the dossier is the locked document, byte for byte.
    assert hashlib.sha256(files["ket-qua.json"]).hexdigest() == digest
    assert files["bien-ban-kiem-phieu.pdf"].startswith(b"%PDF-")
    assert files["ket-qua.csv"].startswith("\ufeff".encode())
    # The same locked conference gives the same dossier, byte for byte: every file in it
    # is dated at the lock, the DOCX, PDF and XLSX included (test_deterministic.py).
    again = chair_api.get(f"/c/{conf['id']}/dossier.zip").get_data()
    assert again == data


def test_no_dossier_before_lock(
    chair_api: Api, create_conference: Callable[..., dict[str, Any]]
) -> None:
    conf = create_conference(summoned=3)
    assert chair_api.post(f"/api/v1/conferences/{conf['id']}/close").status_code == 200
    r = chair_api.get(f"/c/{conf['id']}/dossier.zip", headers={"Accept": "application/json"})
    assert r.status_code == 409
    assert r.get_json()["error"]["code"] == "result_not_locked"


def _zip(files: list[DossierFile]) -> bytes:
    return dossier_zip("ho-so", files, {"conference": "x"}, datetime(2026, 11, 23, 16, 30))


def test_check_dossier_finds_a_changed_a_missing_and_an_extra_file() -> None:
    files = [DossierFile("a.txt", b"one"), DossierFile("b.txt", b"two")]
    data = _zip(files)
    assert check_dossier(data) == []
    assert data == _zip(files), "same files, same date: same bytes"

    def rewrite(change: Callable[[dict[str, bytes]], None]) -> bytes:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = {n: archive.read(n) for n in archive.namelist()}
        change(entries)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for name, content in entries.items():
                archive.writestr(name, content)
        return out.getvalue()

    assert check_dossier(rewrite(lambda e: e.update({"ho-so/a.txt": b"ONE"}))) == [
        "a.txt: SHA-256 differs"
    ]
    assert check_dossier(rewrite(lambda e: e.pop("ho-so/b.txt"))) == ["b.txt: missing"]
    assert check_dossier(rewrite(lambda e: e.update({"ho-so/c.txt": b"x"}))) == [
        "c.txt: not in the manifest"
    ]


def test_dossier_names_must_be_unique() -> None:
    with pytest.raises(ValueError):
        _zip([DossierFile("a.txt", b"1"), DossierFile("a.txt", b"2")])
    with pytest.raises(ValueError):
        _zip([DossierFile("MANIFEST.sha256", b"1")])
