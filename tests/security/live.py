"""A real ``voting serve`` process on a temporary instance, for the security tests."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import requests

from tests.conftest import conference_payload
from tests.servers import Server, login, prepare_instance

CHAIR = ("chair", "chair-password")
SECRET_KEY = "live-test-secret-key"


class Instance:
    """An instance folder (SQLite file, secret key) and the server serving it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.db_path = folder / "voting.db"
        self.log_path = folder / "server.log"
        self.env = {
            "VOTING_INSTANCE": str(folder),
            "DATABASE_URL": f"sqlite:///{self.db_path}",
            "SECRET_KEY": SECRET_KEY,
            "PYTHONUNBUFFERED": "1",
        }
        prepare_instance(self.env, {CHAIR[0]: (CHAIR[1], "chair")})
        self._log: IO[bytes] | None = None
        self.server: Server | None = None

    def start(self) -> Server:
        """Start (or restart) the server; its stdout and stderr append to server.log."""
        self._log = self.log_path.open("ab")
        self.server = Server(self.env, log=self._log)
        return self.server

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
        if self._log is not None:
            self._log.close()
            self._log = None

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash."""
        assert self.server is not None
        self.server.process.kill()
        self.server.process.wait(10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def chair(self) -> tuple[requests.Session, dict[str, str]]:
        return login(self.url, *CHAIR)

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    @contextmanager
    def sqlite(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.db_path, timeout=30)
        try:
            yield conn
        finally:
            conn.close()

    def scalar(self, sql: str) -> Any:
        with self.sqlite() as conn:
            return conn.execute(sql).fetchone()[0]


def open_conference(
    base: str,
    chair: requests.Session,
    headers: dict[str, str],
    *,
    summoned: int,
    present: int | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """Set up a conference through the API, take attendance and open it."""
    r = chair.post(
        base + "/api/v1/conferences",
        json=conference_payload(summoned=summoned, **kw),
        headers=headers,
    )
    assert r.status_code == 201, r.text
    conf = r.json()
    n_present = summoned if present is None else present
    r = chair.put(
        f"{base}/api/v1/conferences/{conf['id']}/attendance",
        headers=headers,
        json={
            "attendance": [
                {"person_id": p["id"], "present": i < n_present, "reason": "Đi công tác"}
                for i, p in enumerate(conf["people"])
            ]
        },
    )
    assert r.status_code == 200, r.text
    r = chair.post(f"{base}/api/v1/conferences/{conf['id']}/open", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    return {**body["conference"], "tokens": body["tokens"]}
