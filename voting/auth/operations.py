"""Account operations (flush only; the caller commits)."""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa

from voting import audit
from voting.auth.models import ROLES, User
from voting.errors import DomainError
from voting.extensions import db

MIN_PASSWORD = 8


def create_user(username: str, password: str, role: str, display_name: str = "") -> User:
    username = username.strip()
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
    """Failed logins per client address in a sliding window, against guessing."""

    def __init__(self, limit: int = 10, window: float = 300.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> list[float]:
        return [t for t in self._failures.get(key, []) if now - t < self.window]

    def blocked(self, key: str) -> bool:
        with self._lock:
            now = time.monotonic()
            self._failures[key] = self._recent(key, now)
            return len(self._failures[key]) >= self.limit

    def failed(self, key: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._failures[key] = [*self._recent(key, now), now]

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


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
