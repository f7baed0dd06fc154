"""Offline checks of the vendored front-end files (see scripts/vendor_assets.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "vendor_assets.py"
VENDOR = REPO / "static" / "vendor"
# Any accidental network use would go through this dead proxy and fail.
NO_NETWORK_ENV = {
    **os.environ,
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "no_proxy": "",
    "NO_PROXY": "",
}


def run_check(*extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--check", *extra],
        cwd=REPO,
        env=NO_NETWORK_ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_committed_vendor_files_match_manifest() -> None:
    result = run_check()
    assert result.returncode == 0, result.stderr
    assert (VENDOR / "socket.io-client" / "socket.io.min.js").is_file()
    assert (VENDOR / "socket.io-client" / "LICENSE").is_file()


def test_tampered_copy_is_detected(tmp_path: Path) -> None:
    copy = tmp_path / "vendor"
    shutil.copytree(VENDOR, copy)
    assert run_check("--dir", str(copy)).returncode == 0, "pristine copy should pass"

    target = copy / "socket.io-client" / "socket.io.min.js"
    target.write_bytes(target.read_bytes() + b"\n// tampered\n")

    result = run_check("--dir", str(copy))
    assert result.returncode == 1
    assert "socket.io-client/socket.io.min.js" in result.stderr
    assert "sha256 mismatch" in result.stderr
