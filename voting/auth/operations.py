"""Account operations (flush only; the caller commits)."""

from __future__ import annotations

import threading
import time
import unicodedata
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa

from voting import audit
from voting.auth.models import ROLES, User
from voting.errors import DomainError
from voting.extensions import db
from voting.validation import bad_character, clean_text

MIN_PASSWORD = 8


def create_user(username: str, password: str, role: str, display_name: str = "") -> User:
    username = clean_text(username, "username").strip()
    display_name = clean_text(display_name, "display_name")
    if not username or len(username) > 64:
        raise DomainError(
            "invalid_field", "Choose a user name of 1 to 64 characters.", 422, field="username"
        )
    if role not in ROLES:
        raise DomainError("invalid_field", "Unknown role.", 422, field="role")
    if len(password) < MIN_PASSWORD:
        raise DomainError(
            "invalid_field", "The password needs at least 8 characters.", 422, field="password"
        )
    if db.session.scalar(sa.select(User).where(User.username == username)):
        raise DomainError("username_taken", "That user name is taken.", 409, field="username")
    user = User(username=username, display_name=display_name.strip() or username, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", {"username": user.username, "role": role})
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise DomainError("bad_credentials", "The current password is wrong.", 422, field="current")
    if len(new) < MIN_PASSWORD:
        raise DomainError(
            "invalid_field", "The password needs at least 8 characters.", 422, field="password"
        )
    user.set_password(new)
    db.session.flush()
    audit.record("user.password_changed", {"username": user.username}, actor=user.username)


class LoginThrottle:
    """Failed logins in a sliding window, counted per account *and* per address.

    Per address alone, one guesser could try every account; per account alone, a
    guesser could spread over addresses. A success never clears the address's count
    (a colleague signing in from the same Wi-Fi used to reset it, so 90 guesses at
    the admin went through); it clears only its own account's count, which only
    the holder of the password can do.
    """

    #: Past this many keys, the ones with no recent failure are dropped (memory).
    MAX_KEYS = 10_000

    def __init__(self, limit: int = 10, window: float = 300.0, account_factor: int = 3) -> None:
        # An account holds out longer than an address: one guesser on the room's Wi-Fi
        # is blocked at ``limit`` and so cannot lock the chair out alone; guesses spread
        # over several addresses stop at ``limit * account_factor``.
        self.limit, self.window = limit, window
        self.account_limit = limit * account_factor
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def keys(client: str, username: str) -> tuple[str, str]:
        return f"addr:{client}", f"user:{username.strip().casefold()}"

    def _recent(self, key: str, now: float) -> list[float]:
        return [t for t in self._failures.get(key, []) if now - t < self.window]

    def blocked(self, *keys: str) -> bool:
        with self._lock:
            now = time.monotonic()
            return any(
                len(self._recent(key, now))
                >= (self.account_limit if key.startswith("user:") else self.limit)
                for key in keys
            )

    def failed(self, *keys: str) -> None:
        with self._lock:
            now = time.monotonic()
            for key in keys:
                self._failures[key] = [*self._recent(key, now), now]
            if len(self._failures) > self.MAX_KEYS:
                self._failures = {
                    k: recent for k in list(self._failures) if (recent := self._recent(k, now))
                }

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


def throttled_login(
    throttle: LoginThrottle, username: str, password: str, client: str, *, via: str
) -> User:
    """The user, or 429 ``too_many_attempts`` / 401 ``bad_credentials`` (the caller commits).

    The throttle is checked before the password, so a blocked guesser learns
    nothing, not even whether a guess was right.
    """
    address, account = LoginThrottle.keys(client, username)
    if throttle.blocked(address, account):
        raise DomainError("too_many_attempts", "Too many attempts; wait a moment.", 429)
    # A name no account can hold (a NUL, a lone surrogate the database cannot even
    # encode) is a wrong guess, not a query.
    clean = bad_character(username) is None and bad_character(password) is None
    user = authenticate(username, password, via=via) if clean else None
    if user is None:
        throttle.failed(address, account)
        raise DomainError("bad_credentials", "Wrong user name or password.", 401)
    throttle.reset(account)
    return user


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (an open redirect).

    Browsers forgive a lot: "/\\evil", "/\t/evil" and "/%2F/evil" all lead
    off-site once a tab is dropped or a backslash read as "/". So: one leading
    "/", no second one, and no backslash, space or control character, in the
    text as given nor once percent-decoded (three times, for "%252F").
    """
    if not isinstance(target, str) or not target or len(target) > 2000:
        return None
    decoded = target
    for _ in range(3):
        decoded = unquote(decoded)
    for text in (target, decoded):
        if not text.startswith("/") or text.startswith("//"):
            return None
        if any(c == "\\" or c.isspace() or unicodedata.category(c)[0] == "C" for c in text):
            return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def authenticate(username: str, password: str, *, via: str = "form") -> User | None:
    """The user if the password is right; records the attempt (the caller commits)."""
    user = db.session.scalar(sa.select(User).where(User.username == username.strip()))
    if user is None or not user.is_enabled or not user.check_password(password):
        # An unknown name is not written down: it may be a password typed in the wrong box.
        if user is None:
            reason = "unknown_user"
        else:
            reason = "wrong_password" if user.is_enabled else "disabled"
        audit.record(
            "user.login_failed",
            {"via": via, "reason": reason},
            actor=user.username if user is not None else "unknown",
        )
        return None
    audit.record("user.login", {"via": via}, actor=user.username)
    return user
