"""Ballot tokens: random ids, secrets derived from them, the signed URL, the hashes.

A token's id is 128 random bits. Its secret (128 bits) and the short code
printed beside the QR are *derived* from the id and the instance's
``SECRET_KEY`` (HMAC-SHA-256, one purpose string each), not drawn at random,
so no secret ever needs to be kept: any process holding the key and the
database can redraw the QR sheet and the kiosk, after a restart or on another
worker, and a slip not yet handed out is never lost (each missing ballot would
count against every candidate).

Why this costs no secrecy: a token row records only its state; nothing stored
links a token to a ballot (see docs/security.md), so knowing a token's secret
reveals no vote. What it does allow — casting an unused token — is exactly
what the key already allowed: whoever holds ``SECRET_KEY`` can forge sessions
and sign ballot URLs, and, with write access to the database, add tokens. The
key's custody is the same as for sessions: keep ``instance/`` to yourself.

The phone gets the secret inside a URL signed with itsdangerous and bound to
one conference, so a foreign or forged link is refused before the database is
touched. The database keeps only an HMAC of the secret and of the code (keyed
by ``SECRET_KEY``, so a stolen database alone cannot test guesses or redraw a
slip). Tokens issued before derivation have random secrets: their hashes do
not match the derived values, and :func:`is_derived` tells them apart.
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
#: Bytes at or above this are rejected so every letter of the code is equally likely.
_CODE_LIMIT = 256 - 256 % len(CODE_ALPHABET)


@dataclass(frozen=True)
class IssuedToken:
    """A token as handed out: its secret and code, derived on demand, never stored."""

    token_id: str
    secret: str
    code: str


def new_id() -> str:
    return secrets.token_hex(16)


def _derive(key: str, message: str) -> bytes:
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()


def derive_secret(key: str, token_id: str) -> str:
    """The token's 128-bit secret, as URL-safe base64 (what the signed URL carries)."""
    digest = _derive(key, f"token-secret:{token_id}")[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def derive_code(key: str, token_id: str) -> str:
    """The token's short typed code: CODE_LENGTH letters of CODE_ALPHABET.

    Drawn from the HMAC stream by rejection sampling (bytes ≥ 250 are skipped),
    so each letter is uniform. One block of 32 bytes almost always suffices;
    further blocks ("token-code:<id>:1", …) are taken if it does not.
    """
    letters: list[str] = []
    block = 0
    while len(letters) < CODE_LENGTH:
        message = f"token-code:{token_id}" + (f":{block}" if block else "")
        for byte in _derive(key, message):
            if byte < _CODE_LIMIT:
                letters.append(CODE_ALPHABET[byte % len(CODE_ALPHABET)])
                if len(letters) == CODE_LENGTH:
                    break
        block += 1
    return "".join(letters)


def derive(key: str, token_id: str) -> IssuedToken:
    """The slip of a token: its id with the secret and code derived from it."""
    return IssuedToken(token_id, derive_secret(key, token_id), derive_code(key, token_id))


def is_derived(key: str, token_id: str, stored_secret_hash: str) -> bool:
    """Whether a stored token's secret is the one derived from its id (not an older random one)."""
    return hmac.compare_digest(secret_hash(key, derive_secret(key, token_id)), stored_secret_hash)


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


def holder_hash(key: str, holder: str) -> str:
    """What the tokens table keeps of the random secret a kiosk slip's phone holds."""
    return _hmac(key, "holder", holder)


def new_holder() -> str:
    """A phone's claim on a kiosk slip: 128 random bits, never derived, never stored."""
    return secrets.token_urlsafe(16)


def is_receipt(value: str) -> bool:
    """Whether a string has a receipt code's form (what a phone's cookie may bring back)."""
    return len(value) == RECEIPT_LENGTH and all(ch in CODE_ALPHABET for ch in value)


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
