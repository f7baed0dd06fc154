"""Ballot tokens: random secrets, the signed URL that carries them, and their hashes.

A token is 128 random bits. The phone gets it inside a URL signed with
itsdangerous and bound to one conference, so a foreign or forged link is
refused before the database is touched. The database keeps only an HMAC of the
secret (keyed by SECRET_KEY, so a stolen database alone cannot test guesses),
and the same for the short code printed beside the QR for people whose camera
fails.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

#: No look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B): codes are read aloud and typed.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 10  # 25**10 ≈ 2**46: enough for a token that lives one meeting
RECEIPT_LENGTH = 8
_SIGNING_SALT = "voting.ballot-token"


@dataclass(frozen=True)
class IssuedToken:
    """A token as handed out: only ever in memory, never stored."""

    token_id: str
    secret: str
    code: str


def new_id() -> str:
    return secrets.token_hex(16)


def new_secret() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def format_code(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def normalize_code(typed: str) -> str:
    """What a person typed, in canonical form (case, spaces and dashes ignored)."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def _hmac(key: str, purpose: str, value: str) -> str:
    return hmac.new(key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def secret_hash(key: str, secret: str) -> str:
    return _hmac(key, "secret", secret)


def code_hash(key: str, code: str) -> str:
    return _hmac(key, "code", normalize_code(code))


def sign(key: str, conference_public_id: str, secret: str) -> str:
    return URLSafeSerializer(key, salt=_SIGNING_SALT).dumps([conference_public_id, secret])


def unsign(key: str, signed: str) -> tuple[str, str] | None:
    """(conference public id, secret), or None for a forged or mangled token."""
    try:
        value = URLSafeSerializer(key, salt=_SIGNING_SALT).loads(signed)
    except (BadSignature, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, str) for v in value):
        return None
    return value[0], value[1]
