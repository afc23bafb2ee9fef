"""Sign-in throttling stored in the database, so every worker process sees the same counts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mentorship.models import LoginFailure, utcnow

WINDOW = timedelta(minutes=15)
MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 20


def failure_keys(email: str, address: str | None) -> list[tuple[str, int]]:
    return [(f"account:{email.strip().casefold()}", MAX_PER_ACCOUNT),
            (f"address:{address or 'unknown'}", MAX_PER_ADDRESS)]


def retry_after(session: Session, keys: list[tuple[str, int]]) -> int | None:
    """Seconds until another attempt is allowed, or None if it is allowed now."""
    since = utcnow() - WINDOW
    wait = 0
    for key, limit in keys:
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.at))
            .where(LoginFailure.key == key, LoginFailure.at > since)
        ).one()
        if count >= limit:
            wait = max(wait, int((oldest + WINDOW - utcnow()).total_seconds()) + 1)
    return wait or None


def record_failure(session: Session, keys: list[tuple[str, int]]) -> None:
    session.add_all(LoginFailure(key=key) for key, _limit in keys)
    # Old rows are useless; prune them as we go rather than needing a cron job.
    session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - 2 * WINDOW))


def clear_failures(session: Session, email: str) -> None:
    key = failure_keys(email, None)[0][0]
    session.execute(delete(LoginFailure).where(LoginFailure.key == key))
