"""Real server processes for tests that need more than the in-process client."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO

import requests

VOTING = str(Path(sys.executable).with_name("voting"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare_instance(env: Mapping[str, str], users: dict[str, tuple[str, str]]) -> None:
    """Migrate the database of ``env`` and create ``{username: (password, role)}``."""
    code = (
        "import sys, json\n"
        "from voting import create_app\n"
        "from voting.extensions import db\n"
        "from voting.auth.operations import create_user\n"
        "from voting.schema import upgrade\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    upgrade()\n"
        "    for name, (password, role) in json.loads(sys.argv[1]).items():\n"
        "        create_user(name, password, role, name)\n"
        "    db.session.commit()\n"
    )
    import json

    subprocess.run(
        [sys.executable, "-c", code, json.dumps(users)],
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )


class Server:
    """``voting serve`` as a child process on a free port."""

    def __init__(
        self,
        env: Mapping[str, str],
        log: IO[bytes] | None = None,
        *,
        tls: tuple[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        extra = ["--cert", tls[0], "--key", tls[1]] if tls else []
        self.process = subprocess.Popen(
            [VOTING, "serve", "--host", "127.0.0.1", "--port", str(self.port), *extra],
            env={**os.environ, "PUBLIC_URL": self.url, **env},
            stdout=log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}")
            try:
                requests.get(self.url + "/healthz", timeout=1, verify=False)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise TimeoutError("server did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def login(base: str, username: str, password: str) -> tuple[requests.Session, dict[str, str]]:
    """A requests session logged in through the API, and its CSRF header."""
    session = requests.Session()
    r = session.post(base + "/api/v1/session", json={"username": username, "password": password})
    r.raise_for_status()
    return session, {"X-CSRFToken": r.json()["csrf_token"]}


def open_conference(
    base: str, chair: requests.Session, csrf: dict[str, str], people: int
) -> tuple[str, list[str]]:
    """A B3 conference with everyone present, opened; returns its id and tokens."""
    conf = chair.post(
        base + "/api/v1/conferences",
        headers=csrf,
        json={
            "level": "cuc",
            "flow": "term",
            "step": "B3",
            "title": "Benchmark",
            "held_on": "2026-11-23",
            "people": [{"name": f"Người {i}"} for i in range(people)],
            "positions": [
                {
                    "name": "Phó Cục trưởng",
                    "quota": 3,
                    "candidates": [{"name": f"Ứng viên {i}"} for i in range(5)],
                }
            ],
        },
    ).json()
    chair.put(
        f"{base}/api/v1/conferences/{conf['id']}/attendance",
        headers=csrf,
        json={"attendance": [{"person_id": p["id"], "present": True} for p in conf["people"]]},
    )
    issued = chair.post(f"{base}/api/v1/conferences/{conf['id']}/open", headers=csrf).json()
    return conf["id"], [t["url"].rsplit("/v/", 1)[1] for t in issued["tokens"]]
