"""Logging that never carries a ballot credential.

A ballot token is a URL (``/v/<signed token>``), so the Werkzeug access log of
``voting serve`` would print it with every phone's request, and an error log
names the path of the request that failed. :class:`RedactCredentials` rewrites
every record before it is written: the part of a path after ``/v/`` or
``/api/v1/ballots/`` becomes ``[redacted]``, and so does the value of a
``"token"`` field should a JSON body ever be quoted in a message. Request
bodies themselves are never logged: nothing in the app logs ``request.data``,
``request.form`` or ``request.json``, and Werkzeug logs only the request line.

The filter sits on the loggers that write requests (``werkzeug``, the app's
own, Socket.IO's and Engine.IO's, the root) and on the handlers they already
have, so records passing through a handler are redacted too.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

REDACTED = "[redacted]"

#: A credential in a path: the signed token or the typed code after /v/, the
#: same after /api/v1/ballots/ (the phone's JSON view of its ballot). Everything
#: up to the request line's " HTTP/", Flask's " [METHOD]" or the end of the line
#: goes: a typed code may hold an encoded space, a crafted path a quote.
_PATH = re.compile(r"(/v/|/api/v1/ballots/)(?:(?!\s+HTTP/|\s+\[[A-Z]+\])[^\r\n])+")
#: A credential quoted as a JSON or form field, e.g. {"token": "…"} or token=….
_FIELD = re.compile(r"((?:token|credential)[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,;}]+")

#: Loggers that see requests: their records are redacted at the source.
LOGGER_NAMES = ("", "werkzeug", "engineio.server", "socketio.server", "flask_socketio")


def redact(text: str) -> str:
    """``text`` with every ballot credential replaced by ``[redacted]``."""
    if "/v/" in text or "/api/v1/ballots/" in text:
        text = _PATH.sub(lambda m: m.group(1) + REDACTED, text)
    if "token" in text or "credential" in text:
        text = _FIELD.sub(lambda m: m.group(1) + REDACTED, text)
    return text


class RedactCredentials(logging.Filter):
    """Rewrite a record's message (and its traceback text) without credentials."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: keep its template only
            message = str(record.msg)
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


#: What ``voting serve`` prints to its console: the level, the logger, the message.
CONSOLE_FORMAT = "%(levelname)-5.5s [%(name)s] %(message)s"


def serve_to_console() -> None:
    """``voting serve``'s console log: warnings and errors on stderr, and what a logger
    asks to show below that (the secrecy clean-up's start-up resume, voting.ballots.scrub).

    Alembic's ``fileConfig`` set up the same handler as a side effect of the migration
    that every start used to run; a start that finds the schema at its head no longer
    imports Alembic (voting.schema), so the console is set up here, once.
    """
    root = logging.getLogger()
    if any(not isinstance(h, logging.NullHandler) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(CONSOLE_FORMAT))
    handler.addFilter(RedactCredentials())
    root.addHandler(handler)
    root.setLevel(logging.WARNING)


def _install(target: logging.Logger | logging.Handler, flt: logging.Filter) -> None:
    if not any(isinstance(f, RedactCredentials) for f in target.filters):
        target.addFilter(flt)


def install(app: Any) -> None:
    """Put the filter on the request loggers and on every handler they have now."""
    flt = RedactCredentials()
    loggers = [logging.getLogger(name) for name in LOGGER_NAMES]
    loggers.append(app.logger)
    for logger in loggers:
        _install(logger, flt)
        for handler in logger.handlers:
            _install(handler, flt)


def init_app(app: Any) -> None:
    """Redact credentials on every logger that sees requests, and on their handlers.

    Handlers can appear after start-up (Alembic's ``fileConfig`` replaces the root
    logger's console handler when ``voting serve`` migrates), so each
    request checks again; a handler that already has the filter is skipped.
    """
    install(app)
    app.before_request(lambda: install(app))
