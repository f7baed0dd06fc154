"""Static files: one URL per version, kept a year by the phone, sent gzipped once asked."""

from __future__ import annotations

import gzip
import re
import time
from pathlib import Path

from flask import Flask, url_for


def _url(app: Flask, filename: str) -> str:
    with app.test_request_context("/"):
        return url_for("static", filename=filename)


def test_a_static_url_names_the_files_content(app: Flask) -> None:
    url = _url(app, "css/app.css")
    assert re.fullmatch(r"/static/css/app\.css\?v=[0-9a-f]{16}", url)
    assert _url(app, "css/app.css") == url


def test_the_versioned_url_is_kept_a_year_and_an_unversioned_one_revalidated(app: Flask) -> None:
    client = app.test_client()
    versioned = client.get(_url(app, "js/ballot.js"))
    assert versioned.status_code == 200
    assert versioned.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = client.get("/static/js/ballot.js")
    assert plain.headers["Cache-Control"] == "no-cache"
    stale = client.get("/static/js/ballot.js?v=0000000000000000")
    assert stale.headers["Cache-Control"] == "no-cache"
    assert (
        plain.data
        == versioned.data
        == (Path(app.static_folder or "") / "js/ballot.js").read_bytes()
    )


def test_text_goes_gzipped_when_asked_and_plain_otherwise(app: Flask) -> None:
    client = app.test_client()
    url = _url(app, "vendor/socket.io-client/socket.io.min.js")
    raw = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    refused = client.get(url, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in raw.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in refused.headers
    assert gzip.decompress(packed.data) == raw.data
    assert len(packed.data) < len(raw.data) / 2
    assert packed.headers["Vary"].startswith("Accept-Encoding")
    assert packed.headers["Content-Type"] in (
        "text/javascript; charset=utf-8",
        "application/javascript; charset=utf-8",
    )
    # The two representations carry different tags: a cache cannot swap one for the other.
    assert packed.headers["ETag"] != raw.headers["ETag"]


def test_a_known_version_is_answered_with_not_modified(app: Flask) -> None:
    client = app.test_client()
    url = _url(app, "css/app.css")
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    again = client.get(
        url, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.data == b""


def test_a_changed_file_gets_a_new_url(app: Flask, tmp_path: Path) -> None:
    app.static_folder = str(tmp_path)
    from voting.assets import AssetStore

    store = AssetStore(str(tmp_path))
    (tmp_path / "a.css").write_text("body { color: black }\n")
    before = store.get("a.css")
    time.sleep(0.01)
    (tmp_path / "a.css").write_text("body { color: navy }\n")
    after = store.get("a.css")
    assert before and after and before.digest != after.digest


def test_nothing_outside_static_is_served(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/static/../voting/app.py").status_code == 404
    assert client.get("/static/%2e%2e/voting/app.py").status_code == 404
    assert client.get("/static/missing.css").status_code == 404
    assert client.get("/static/css").status_code == 404


def test_pages_are_not_compressed(client) -> None:  # type: ignore[no-untyped-def]
    # BREACH: a page with a secret (CSRF token) must not reveal it through its length.
    page = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200
    assert "Content-Encoding" not in page.headers


def test_the_favicon_is_a_small_icon_not_a_404_page(client) -> None:  # type: ignore[no-untyped-def]
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["Content-Type"] == "image/svg+xml"
    assert icon.data.startswith(b"<svg") and len(icon.data) < 1024
