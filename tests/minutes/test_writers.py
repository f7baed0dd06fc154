"""The file writers stay out of a server process until a file is downloaded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# What a process serving the phones must not carry (~80 MB together; docs/performance.md).
WRITERS = ("docx", "fpdf", "fontTools", "openpyxl")

_PROBE = """
import json, sys
from voting import create_app
app = create_app({"SECRET_KEY": "k", "DATABASE_URL": sys.argv[1], "LIVE_TICKER": False})
with app.app_context():
    from voting.schema import upgrade
    upgrade()
client = app.test_client()
pages = [client.get(p).status_code for p in ("/healthz", "/login", "/v/no-such-token")]
loaded = [m for m in sys.argv[2:] if m in sys.modules]
if sys.argv[-1] == "--download":
    from voting.minutes.writers import minutes_pdf
    from voting.minutes.blocks import Title
    assert minutes_pdf([Title("Biên bản", ())]).startswith(b"%PDF")
    loaded = [m for m in sys.argv[2:] if m in sys.modules]
print(json.dumps({"pages": pages, "loaded": loaded}))
"""


def _probe(tmp_path: Path, *extra: str) -> dict[str, list[object]]:
    url = f"sqlite:///{tmp_path / 'voting.db'}"
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, url, *WRITERS, *extra],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: dict[str, list[object]] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_a_serving_process_loads_no_file_writer(tmp_path: Path) -> None:
    result = _probe(tmp_path)
    assert result["pages"][:2] == [200, 200]
    assert result["loaded"] == []


def test_the_first_download_loads_its_writer(tmp_path: Path) -> None:
    result = _probe(tmp_path, "--download")
    assert "fpdf" in result["loaded"]
    assert "docx" not in result["loaded"]
