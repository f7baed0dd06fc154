"""Browser tests: a real ``voting serve`` process driven by Debian's Chromium.

Playwright drives the system browser at ``/usr/bin/chromium``; it never downloads one
(``playwright install`` is never run). Without that browser the tests are skipped, except
under CI (``CI`` set), where they fail so they can never silently disappear.

Screenshots go to ``test-output/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import CHAIR, CHROMIUM, CHROMIUM_ARGS, ROOT, SCREENSHOTS


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(reason: str) -> None:
    """Skip locally; under CI the browser tests must run, so fail instead."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set: browser tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base: str
    instance: Path
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def https(self) -> bool:
        return self.base.startswith("https://")

    def api(self, path: str) -> Any:
        """An anonymous GET against the server (no browser involved).

        Over HTTPS the server's own self-signed certificate is the only one trusted, so
        this also checks that the certificate `voting serve --https` made names 127.0.0.1.
        """
        context = (
            ssl.create_default_context(cafile=str(self.instance / "tls-cert.pem"))
            if self.https
            else None
        )
        with urllib.request.urlopen(self.base + path, timeout=10, context=context) as r:
            return json.loads(r.read())


def _server_env(instance: Path, port: int, scheme: str = "http") -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        # The server under test must use its own temporary instance only.
        if k not in ("DATABASE_URL", "SECRET_KEY", "SOCKETIO_MESSAGE_QUEUE", "VOTING_RULESET")
    }
    env.update(
        VOTING_INSTANCE=str(instance),
        PUBLIC_URL=f"{scheme}://127.0.0.1:{port}",
        PYTHONUNBUFFERED="1",
    )
    return env


def _prepare(instance: Path, env: dict[str, str]) -> None:
    """Create the schema and the chair account before the server starts."""
    username, password, name = CHAIR
    code = (
        "from voting.schema import upgrade\n"
        "from voting import create_app\n"
        "from voting.auth.operations import create_user\n"
        "from voting.extensions import db\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    upgrade()\n"
        f"    create_user({username!r}, {password!r}, 'chair', {name!r})\n"
        "    db.session.commit()\n"
    )
    subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, timeout=60
    )


def _serve(tmp_path_factory: pytest.TempPathFactory, *, https: bool) -> Iterator[Server]:
    """``voting serve`` in its own process on a free port, with a chair account."""
    voting = Path(sys.executable).with_name("voting")
    if not voting.exists():
        pytest.fail(f"{voting} is missing: install the project into the venv first")
    instance = tmp_path_factory.mktemp("instance-https" if https else "instance")
    port = free_port()
    scheme = "https" if https else "http"
    env = _server_env(instance, port, scheme)
    _prepare(instance, env)
    log = instance / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(voting), "serve", "--host", "127.0.0.1", "--port", str(port)]
            + (["--https"] if https else []),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    srv = Server(f"{scheme}://127.0.0.1:{port}", instance, log, process)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"voting serve exited early:\n{log.read_text(errors='replace')}")
            try:
                srv.api("/api/v1/ruleset")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError, FileNotFoundError):
                if time.monotonic() > deadline:
                    pytest.fail(f"voting serve did not answer:\n{log.read_text(errors='replace')}")
                time.sleep(0.1)
        yield srv
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        # Kept for diagnosis next to the screenshots (git-ignored).
        (ROOT / "test-output").mkdir(exist_ok=True)
        name = "browser-server-https.log" if https else "browser-server.log"
        shutil.copyfile(log, ROOT / "test-output" / name)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app over plain HTTP, as most rooms run it."""
    yield from _serve(tmp_path_factory, https=False)


@pytest.fixture(scope="session")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app as ``voting serve --https`` runs it: its own self-signed certificate."""
    yield from _serve(tmp_path_factory, https=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless; never a downloaded browser."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
