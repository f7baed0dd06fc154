"""``POST /api/v1/ballots`` answered before Flask: the room's hot path, nothing else.

A cast that is recorded needs none of Flask's request machinery — no session, no login,
no CSRF, no locale, no URL map, no template — yet that machinery cost about as much CPU
as the cast itself (docs/performance.md). So the production server
(:class:`voting.server.RoomServer`) puts this in front of the app: a well-formed JSON
cast goes straight to :func:`~voting.ballots.recording.cast_ballot` in an app context,
and its 201 carries the bytes and headers the API's view would have sent
(``tests/ballots/test_fast_cast.py`` compares them).

Everything else is the app's: another path or method, a query string, a body that is
not small JSON or has a ``\\u`` escape (the view refuses lone surrogates), and every
refusal. A refusal keeps nothing (the cast's transaction is rolled back), so the request
is handed to the app as it came — its body restored — and the view casts it again and
answers in the phone's language with the view's own codes. Nothing is logged.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from voting.ballots.recording import cast_ballot
from voting.errors import DomainError
from voting.views import CONTENT_SECURITY_POLICY

PATH = "/api/v1/ballots"
#: A ballot's body is a token and a few keys; anything larger goes the long way.
MAX_BODY = 16 * 1024

StartResponse = Callable[..., Any]


class CastFastPath:
    """WSGI middleware: recorded casts answered here, every other request by ``app``."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.key = str(app.config["SECRET_KEY"])

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if (
            environ.get("PATH_INFO") != PATH
            or environ.get("REQUEST_METHOD") != "POST"
            or environ.get("QUERY_STRING")
            or environ.get("SCRIPT_NAME")
            or not _is_json(environ.get("CONTENT_TYPE", ""))
        ):
            return self.app(environ, start_response)
        body = _small_body(environ)
        if body is None:
            return self.app(environ, start_response)
        answer = self._cast(body)
        if answer is None:
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            return self.app(environ, start_response)
        start_response("201 CREATED", [*HEADERS, ("Content-Length", str(len(answer)))])
        return [answer]

    def _cast(self, body: bytes) -> bytes | None:
        """The 201's body, or None for the app to answer (nothing was kept)."""
        if b"\\u" in body:
            return None
        try:
            data = json.loads(body)
        except ValueError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("token"), str):
            return None
        with self.app.app_context():
            try:
                cast = cast_ballot(self.key, data["token"], data.get("choices"))
            except DomainError:
                return None
        # As Flask's jsonify writes it: sorted keys, compact, a final newline.
        return b'{"receipt":"%s","status":"recorded"}\n' % cast.receipt.encode()


#: The headers the app's view and its after_request hooks give a recorded cast.
HEADERS = (
    ("Content-Type", "application/json"),
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
    ("Vary", "Cookie"),  # the app's session interface marks every response it answers
)


def _is_json(content_type: str) -> bool:
    mimetype = content_type.partition(";")[0].strip().lower()
    return mimetype == "application/json" or (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    )


def _small_body(environ: dict[str, Any]) -> bytes | None:
    """The whole body if its length is declared and small; None (nothing read) otherwise."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    if not 0 < length <= MAX_BODY:
        return None
    body: bytes = environ["wsgi.input"].read(length)
    return body
