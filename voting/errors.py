"""Domain errors with a stable code, an HTTP status and a translatable message."""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark an English msgid for extraction (pybabel -k N_); translated when shown."""
    return message


class DomainError(Exception):
    """A refused request: nothing was changed.

    ``code`` is stable (API clients match on it); ``message`` is an English
    msgid, translated when shown (Vietnamese by default).
    """

    status = 400

    def __init__(self, code: str, message: str, status: int | None = None, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.params = params
        if status is not None:
            self.status = status


def not_found(what: str = "conference") -> DomainError:
    return DomainError(f"{what}_not_found", "Not found.", 404)
