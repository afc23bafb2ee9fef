"""Passwords, opaque tokens and redirect targets: the small primitives auth builds on."""

from __future__ import annotations

import hashlib
import secrets
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

PASSWORD_MIN, PASSWORD_MAX = 12, 128
MIN_STRENGTH = 2  # zxcvbn score 0-4; 2 = "somewhat guessable", resists online guessing

_hasher = PasswordHasher()  # argon2id with the library's current recommended cost
_COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])
# Verifying against this keeps unknown-email sign-ins as slow as real ones.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; spends the same time when there is no account."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, *, related: tuple[str, ...] = ()) -> str | None:
    """Why ``password`` is not acceptable, or None. Any Unicode is allowed."""
    if len(password) < PASSWORD_MIN:
        return f"Use at least {PASSWORD_MIN} characters."
    if len(password) > PASSWORD_MAX:
        return f"Use at most {PASSWORD_MAX} characters."
    if password.lower() in _COMMON_PASSWORDS:
        return "This password is on a list of common passwords; choose another."
    if zxcvbn(password, user_inputs=[r for r in related if r])["score"] < MIN_STRENGTH:
        return "This password is too easy to guess; add a few uncommon words."
    return None


def new_token() -> str:
    """A URL-safe random token with 256 bits of entropy."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What we store for a token: SHA-256 is enough, the token itself is random."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_safe_next(target: str | None) -> bool:
    """Only a relative path on this site: no scheme, host, or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
