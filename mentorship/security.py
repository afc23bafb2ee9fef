"""Passwords, opaque tokens and redirect targets: the small primitives auth builds on."""

from __future__ import annotations

import functools
import hashlib
import secrets
from urllib.parse import urlsplit

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

PASSWORD_MIN, PASSWORD_MAX = 12, 128
MIN_STRENGTH = 2  # zxcvbn score 0-4; 2 = "somewhat guessable", resists online guessing



@functools.cache
def _common_passwords() -> frozenset[str]:
    """zxcvbn's list of common passwords, loaded with zxcvbn when a password is first
    checked (the app starts, and most requests run, without either)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


class _Hashing:
    """The password hasher plus a dummy hash made with the same cost."""

    def __init__(self, hasher: PasswordHasher) -> None:
        """Keep ``hasher``; the dummy hash is made with it on first use."""
        self.hasher = hasher

    @functools.cached_property
    def dummy_hash(self) -> str:
        """Verifying against this keeps unknown-email sign-ins as slow as real ones.

        Made on first use, not at import: starting a worker or a CLI command stays fast.
        """
        return self.hasher.hash(secrets.token_urlsafe(16))


_hashing = _Hashing(PasswordHasher())  # argon2id at the library's recommended cost


def use_cheap_hashing() -> None:
    """Lower the KDF cost, for the test suite only: argon2 is slow on purpose."""
    global _hashing
    _hashing = _Hashing(PasswordHasher.from_parameters(profiles.CHEAPEST))


def hash_password(password: str) -> str:
    """The argon2 hash to store for ``password``."""
    return _hashing.hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; spends the same time when there is no account."""
    try:
        matched = _hashing.hasher.verify(password_hash or _hashing.dummy_hash, password)
        return matched and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, *, related: tuple[str, ...] = ()) -> str | None:
    """Why ``password`` is not acceptable, or None. Any Unicode is allowed."""
    if len(password) < PASSWORD_MIN:
        return f"Use at least {PASSWORD_MIN} characters."
    if len(password) > PASSWORD_MAX:
        return f"Use at most {PASSWORD_MAX} characters."
    if password.lower() in _common_passwords():
        return "This password is on a list of common passwords; choose another."
    from zxcvbn import zxcvbn  # with its dictionaries: only where a password is checked

    # zxcvbn refuses more than 72 characters unless told the limit; ours is PASSWORD_MAX.
    inputs = [r for r in related if r]
    if zxcvbn(password, user_inputs=inputs, max_length=PASSWORD_MAX)["score"] < MIN_STRENGTH:
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
