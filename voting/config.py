"""Configuration read from the environment (one class, a test subclass in tests)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    return default if raw is None else raw.strip().lower() in ("1", "true", "yes", "on")


def persisted_secret_key(instance_path: str) -> str:
    """The instance's SECRET_KEY, generated once and kept in the instance folder.

    Tokens, sessions and code hashes depend on it, so it must survive restarts.
    """
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: two workers starting at once must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key)
    return key


class Config:
    """Settings; every one can be set by an environment variable of the same name."""

    #: Database URL; default a SQLite file in the instance folder.
    DATABASE_URL: str | None = os.environ.get("DATABASE_URL")
    #: Signs sessions and ballot tokens; default generated and persisted.
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    #: Address phones use (scheme, host, port), e.g. http://192.168.1.20:5000.
    PUBLIC_URL: str | None = os.environ.get("PUBLIC_URL")
    #: Ruleset file; default the shipped QT.NB.03 ruleset.
    VOTING_RULESET: str | None = os.environ.get("VOTING_RULESET")
    #: Folder of the step drafts' wording files; default the shipped ones.
    VOTING_DRAFTS: str | None = os.environ.get("VOTING_DRAFTS")
    #: Socket.IO message queue (redis://...) for several worker processes.
    SOCKETIO_MESSAGE_QUEUE: str | None = os.environ.get("SOCKETIO_MESSAGE_QUEUE")
    #: Seconds between live-tally broadcasts (the batching tick).
    LIVE_TICK_SECONDS: float = float(os.environ.get("LIVE_TICK_SECONDS", "0.25"))
    #: New ballots needed before per-candidate numbers are published live.
    LIVE_MIN_BATCH: int = int(os.environ.get("LIVE_MIN_BATCH", "3"))
    #: The booth returns to its start screen after this many idle seconds …
    BOOTH_IDLE_SECONDS: int = int(os.environ.get("BOOTH_IDLE_SECONDS", "90"))
    #: … and this many seconds after a vote (time to note the receipt code).
    BOOTH_DONE_SECONDS: int = int(os.environ.get("BOOTH_DONE_SECONDS", "12"))
    #: Default UI language.
    BABEL_DEFAULT_LOCALE: str = os.environ.get("BABEL_DEFAULT_LOCALE", "vi")
    BABEL_DEFAULT_TIMEZONE: str = os.environ.get("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh")
    #: Largest request body accepted (bytes).
    MAX_CONTENT_LENGTH: int = int(os.environ.get("MAX_CONTENT_LENGTH", str(2 * 1024 * 1024)))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE: bool = _bool("SESSION_COOKIE_SECURE", False)
    WTF_CSRF_TIME_LIMIT = None
    #: Socket.IO's concurrency: ``gevent`` under ``voting serve`` (set by voting.launch),
    #: ``threading`` for tests, the CLI and ``serve --debug``.
    SOCKETIO_ASYNC_MODE: str = os.environ.get("VOTING_ASYNC_MODE", "threading")
    #: A client must send its request line and headers within this many seconds …
    SERVER_HEADER_SECONDS: float = float(os.environ.get("SERVER_HEADER_SECONDS", "10"))
    #: … may keep an idle connection this long between requests …
    SERVER_IDLE_SECONDS: float = float(os.environ.get("SERVER_IDLE_SECONDS", "75"))
    #: … and may stall any single read or write this long.
    SERVER_IO_SECONDS: float = float(os.environ.get("SERVER_IO_SECONDS", "60"))
    #: Connections served at once; default the open-file limit less a reserve.
    SERVER_MAX_CONNECTIONS: int | None = int(os.environ.get("SERVER_MAX_CONNECTIONS") or 0) or None
    #: Connections one client address may hold at once (0: no cap; loopback is exempt).
    SERVER_MAX_PER_CLIENT: int = int(os.environ.get("SERVER_MAX_PER_CLIENT", "128"))
    #: PostgreSQL connections a process keeps open (as many again may open at a peak).
    DATABASE_POOL_SIZE: int = int(os.environ.get("DATABASE_POOL_SIZE", "10"))
    #: Start the live-tally ticker thread (tests drive it by hand).
    LIVE_TICKER: bool = True
    TESTING = False
