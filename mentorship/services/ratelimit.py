"""Throttling of password guesses and sign-ups, stored in the database so every worker shares it.

An attempt is recorded *before* it is judged, and the caller commits that record
before counting: racing requests then see each other's attempts, so no more than the
limit can get through at once (count-then-insert would let a burst slip past).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mentorship.models import LoginFailure, utcnow
from mentorship.services.fields import normalize_email

WINDOW = timedelta(minutes=15)
MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 20
SIGN_UPS_PER_ADDRESS = 10

Keys = list[tuple[str, int]]


def _key(kind: str, value: str) -> str:
    # A digest keeps the key short whatever was typed, and keeps emails out of this table.
    return f"{kind}:{hashlib.sha256(value.encode('utf-8', 'replace')).hexdigest()}"


def sign_in_keys(email: str, address: str | None) -> Keys:
    return [(_key("account", normalize_email(email)), MAX_PER_ACCOUNT),
            (_key("address", address or "unknown"), MAX_PER_ADDRESS)]


def sign_up_keys(address: str | None) -> Keys:
    return [(_key("signup", address or "unknown"), SIGN_UPS_PER_ADDRESS)]


def confirm_keys(user_id: int) -> Keys:
    """Checks of a signed-in person's current password (to change their email or password).

    A stolen session cookie must not be a way to guess the password behind it.
    """
    return [(_key("confirm", str(user_id)), MAX_PER_ACCOUNT)]


def record_attempt(session: Session, keys: Keys) -> list[int]:
    """Count one attempt against each key; the ids let a successful sign-in take it back."""
    rows = [LoginFailure(key=key) for key, _limit in keys]
    session.add_all(rows)
    # Old rows are useless; prune them as we go rather than needing a cron job.
    session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - 2 * WINDOW))
    session.flush()
    return [row.id for row in rows]


def retry_after(session: Session, keys: Keys) -> int | None:
    """Seconds to wait if the recorded attempts pass a key's limit, else None."""
    since = utcnow() - WINDOW
    wait = 0
    for key, limit in keys:
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.at))
            .where(LoginFailure.key == key, LoginFailure.at > since)
        ).one()
        if count > limit:
            wait = max(wait, int((oldest + WINDOW - utcnow()).total_seconds()) + 1)
    return wait or None


def forget_attempt(session: Session, attempt: list[int], keys: Keys) -> None:
    """A correct password: drop this attempt and the first key's earlier failures (the account's)."""
    session.execute(delete(LoginFailure).where(
        (LoginFailure.id.in_(attempt)) | (LoginFailure.key == keys[0][0])))
