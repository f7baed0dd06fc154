"""`voting serve --cert --key`: HTTPS with a self-signed certificate, as documented."""

from __future__ import annotations

import shutil
import subprocess
import warnings
from pathlib import Path

import pytest
import requests

from tests.servers import Server, prepare_instance


def test_serves_https_with_a_self_signed_certificate(tmp_path: Path) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed; it only makes the test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    env = {"VOTING_INSTANCE": str(tmp_path)}
    prepare_instance(env, {})
    server = Server(env, tls=(str(cert), str(key)))
    try:
        page = requests.get(server.url + "/login", verify=str(cert), timeout=10)
        assert page.status_code == 200 and "Đăng nhập" in page.text
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            plain = server.url.replace("https://", "http://")
            # Plain http on the HTTPS port is sent to the https:// address, not left hanging.
            moved = requests.get(plain + "/login", timeout=5, allow_redirects=False)
            assert moved.status_code == 302
            assert moved.headers["Location"] == server.url + "/login"
    finally:
        server.stop()
