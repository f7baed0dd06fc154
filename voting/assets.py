"""Static files for slow phones: content-addressed URLs, cached for a year, sent gzipped.

A phone on the room's crowded Wi-Fi pays for every byte and every round trip. So:

- every ``url_for('static', ...)`` carries ``?v=<content hash>``: a URL names one version
  of a file, which lets the browser keep it for a year without asking again
  (``immutable``); a changed file gets a new URL, so nobody runs a stale script;
- text files (CSS, JS, SVG, JSON, fonts' neighbours) are gzipped once per version, at
  the highest level, and kept in memory: the compression is paid once per process,
  not per phone;
- a URL without the current hash (an old bookmark, a hand-typed path) still works but
  must be revalidated (``no-cache``), so it can never pin an old file.

Pages themselves are not compressed: a page that carries a secret (the CSRF token, a
ballot's address) beside text an attacker can influence leaks that secret through its
compressed length (BREACH) to whoever watches the encrypted traffic on a shared Wi-Fi.
Static files hold no secret.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, request
from werkzeug.security import safe_join

#: Worth compressing: text. Images and fonts in formats that are already compressed are not.
COMPRESSIBLE = (".css", ".js", ".mjs", ".svg", ".json", ".txt", ".map", ".html", ".ttf")
#: A year: the longest max-age that caches honour.
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    """One version of one static file, ready to send."""

    body: bytes
    gzipped: bytes | None
    digest: str
    mimetype: str
    mtime_ns: int
    size: int


class AssetStore:
    """Static files keyed by path, re-read only when the file on disk changes."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._assets: dict[str, Asset] = {}
        self._lock = threading.Lock()

    def get(self, filename: str) -> Asset | None:
        path = safe_join(self.folder, filename)
        if path is None:
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return None
        if not os.path.isfile(path):
            return None
        known = self._assets.get(filename)
        if known and known.mtime_ns == stat.st_mtime_ns and known.size == stat.st_size:
            return known
        with self._lock:
            body = Path(path).read_bytes()
            digest = hashlib.sha256(body).hexdigest()[:16]
            gzipped = None
            if filename.endswith(COMPRESSIBLE) and len(body) > 512:
                # mtime=0: the same file always compresses to the same bytes (ETags agree
                # across processes and restarts).
                packed = gzip.compress(body, compresslevel=9, mtime=0)
                gzipped = packed if len(packed) < len(body) else None
            mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            asset = Asset(body, gzipped, digest, mimetype, stat.st_mtime_ns, stat.st_size)
            self._assets[filename] = asset
            return asset


def _accepts_gzip() -> bool:
    # Werkzeug's parsed header: a quality of 0 refuses, "*" accepts.
    return request.accept_encodings["gzip"] > 0


def init_app(app: Flask) -> None:
    """Serve ``static/`` through the store and version every static URL."""
    store = AssetStore(str(app.static_folder))
    app.extensions["voting.assets"] = store

    @app.url_defaults
    def versioned(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values:
            asset = store.get(str(values.get("filename", "")))
            if asset:
                values["v"] = asset.digest

    def serve(filename: str) -> Response:
        asset = store.get(filename)
        if asset is None:
            abort(404)
        etag = asset.digest
        gzipped = asset.gzipped if asset.gzipped is not None and _accepts_gzip() else None
        if gzipped is not None:
            # Another representation of the same version: its own tag, so a cache that
            # holds one never answers a request for the other.
            etag += "-gz"
        headers = {
            "Cache-Control": IMMUTABLE if request.args.get("v") == asset.digest else "no-cache",
            "ETag": f'"{etag}"',
            "X-Content-Type-Options": "nosniff",
        }
        if asset.gzipped is not None:
            headers["Vary"] = "Accept-Encoding"
        if request.if_none_match.contains(etag):
            return Response(status=304, headers=headers)
        if gzipped is not None:
            headers["Content-Encoding"] = "gzip"
        body = gzipped if gzipped is not None else asset.body
        mimetype = asset.mimetype
        if mimetype.startswith("text/") or mimetype in ("application/javascript", "image/svg+xml"):
            content_type = f"{mimetype}; charset=utf-8"
        else:
            content_type = mimetype
        return Response(body, content_type=content_type, headers=headers)

    app.view_functions["static"] = serve
