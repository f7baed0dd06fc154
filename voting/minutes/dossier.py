"""The planning dossier of one step: every minutes file and export in one ZIP, with a manifest.

``MANIFEST.sha256`` lists each file's SHA-256 in the format ``sha256sum -c`` checks;
``manifest.json`` says the same with the conference and the locked result's digest. The
ZIP is deterministic: entries in a fixed order, dated at the lock, so the same locked
conference always gives the same bytes. No Flask import.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MANIFEST_TEXT = "MANIFEST.sha256"
MANIFEST_JSON = "manifest.json"


@dataclass(frozen=True)
class DossierFile:
    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def manifest(files: list[DossierFile], about: dict[str, Any]) -> tuple[str, str]:
    """(the sha256sum text, the JSON manifest) for the files."""
    lines = "".join(f"{f.sha256}  {f.name}\n" for f in files)
    doc = {
        **about,
        "files": [{"name": f.name, "bytes": len(f.data), "sha256": f.sha256} for f in files],
    }
    return lines, json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _zip_time(dated: datetime) -> tuple[int, int, int, int, int, int]:
    return (max(dated.year, 1980), dated.month, dated.day, dated.hour, dated.minute, dated.second)


def dated_zip(
    data: bytes, dated: datetime, rewrite: Callable[[str, bytes], bytes] | None = None
) -> bytes:
    """The same ZIP package (DOCX, XLSX) with every entry dated ``dated``'s wall clock.

    python-docx and openpyxl date each entry when they write it: two downloads of one
    locked result would differ. ``rewrite(name, data)`` may fix an entry's content too
    (a timestamp the library writes inside the package).
    """
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            content = source.read(entry)
            if rewrite is not None:
                content = rewrite(entry.filename, content)
            info = zipfile.ZipInfo(entry.filename, date_time=_zip_time(dated))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, content)
    return out.getvalue()


def dossier_zip(
    folder: str, files: list[DossierFile], about: dict[str, Any], dated: datetime
) -> bytes:
    names = [f.name for f in files]
    if len(set(names)) != len(names) or {MANIFEST_TEXT, MANIFEST_JSON} & set(names):
        raise ValueError("dossier file names must be unique and not the manifest's")
    text, doc = manifest(files, about)
    stamp = _zip_time(dated)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        entries = [*((f.name, f.data) for f in files)]
        entries += [(MANIFEST_TEXT, text.encode()), (MANIFEST_JSON, doc.encode())]
        for name, data in entries:
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()


def check_dossier(data: bytes) -> list[str]:
    """Problems found checking a dossier ZIP against its own manifest (empty: intact)."""
    problems: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        folder = names[0].split("/", 1)[0] if names else ""
        listed = archive.read(f"{folder}/{MANIFEST_TEXT}").decode().splitlines()
        expected = {}
        for line in listed:
            digest, name = line.split("  ", 1)
            expected[name] = digest
        present = {
            n.split("/", 1)[1]
            for n in names
            if n.split("/", 1)[1] not in (MANIFEST_TEXT, MANIFEST_JSON)
        }
        for name in sorted(present - expected.keys()):
            problems.append(f"{name}: not in the manifest")
        for name, digest in sorted(expected.items()):
            if name not in present:
                problems.append(f"{name}: missing")
            elif hashlib.sha256(archive.read(f"{folder}/{name}")).hexdigest() != digest:
                problems.append(f"{name}: SHA-256 differs")
    return problems
