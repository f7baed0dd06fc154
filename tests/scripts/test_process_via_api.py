"""scripts/process_via_api: a Cục next-term process B1 → B6 through the API of a real
server process, and the approved list it prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.servers import Server, prepare_instance

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "process_via_api"
APPROVED = [
    ("Cục trưởng", "Lê Văn Hùng"),
    ("Phó Cục trưởng", "Phạm Thị Yến"),
    ("Phó Cục trưởng", "Huỳnh Thị Lan"),
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=240
    )


def test_against_a_running_server(tmp_path: Path) -> None:
    env = {"VOTING_INSTANCE": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/v.db"}
    prepare_instance(env, {"truong": ("truong-password", "chair")})
    server = Server(env)
    try:
        done = run(
            "--base",
            server.url,
            "--username",
            "truong",
            "--password",
            "truong-password",
            "--unit-name",
            "Cục THADS tỉnh An Giang",
            "--json",
        )
        assert done.returncode == 0, done.stderr
        listed = json.loads(done.stdout)
        assert listed["name"] == "Cục THADS tỉnh An Giang"
        assert [(e["position"], e["name"]) for e in listed["entries"]] == APPROVED
        assert {e["entered_decision"].split()[0] for e in listed["entries"]} == {"15/QĐ-CTHADS"}
        assert "B6: approved" in done.stderr
        # A second run: a unit's name is unique, the refusal is named and nothing is done.
        again = run(
            "--base",
            server.url,
            "--username",
            "truong",
            "--password",
            "truong-password",
            "--unit-name",
            "Cục THADS tỉnh An Giang",
        )
        assert again.returncode == 1 and "invalid_field" in again.stderr
        wrong = run("--base", server.url, "--username", "truong", "--password", "nope")
        assert wrong.returncode == 1 and "bad_credentials" in wrong.stderr
    finally:
        server.stop()


def test_local_starts_a_throwaway_server_with_demo_data() -> None:
    done = run("--local")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Danh sách quy hoạch đã phê duyệt")
    assert [tuple(line.strip().split(" (")[0].split(": ")) for line in lines[1:]] == APPROVED
