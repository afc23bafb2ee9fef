"""Throttles for password checks and sign-ups, stored in the database so every worker shares them.

An attempt is recorded *before* it is judged and the caller commits that record
before ``check`` counts: simultaneous guesses then see each other, so no burst slips
past a limit. Only what the throttle is about counts: a wrong password marks its
attempt failed, a right one deletes it (and the account's earlier failures), and an
attempt whose request died before an answer stops counting after ``IN_FLIGHT``. A
room of people signing in correctly from one office address therefore never locks it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from mentorship.models import LoginFailure, utcnow
from mentorship.services.errors import TooManyAttempts
from mentorship.services.fields import normalize_email

IN_FLIGHT = timedelta(seconds=60)  # longest a request can be judging an attempt


def key_of(kind: str, value: str) -> str:
    """The stored key of a subject: its kind and a digest of its value."""
    # A digest keeps the key short whatever was typed, and keeps emails out of this table.
    return f"{kind}:{hashlib.sha256(value.encode('utf-8', 'replace')).hexdigest()}"


@dataclass(frozen=True)
class Attempt:
    """The rows recorded for one attempt, and the keys they count against."""

    ids: tuple[int, ...]
    keys: tuple[tuple[str, str], ...]  # (key, limit setting)


@dataclass(frozen=True)
class Throttle:
    """One kind of throttled attempt: the subjects it counts against and its message.

    ``scopes`` pairs each subject's kind with the setting that holds its limit; the
    first scope is the account's, whose earlier failures a success forgets.
    ``every_attempt_counts`` is for sign-ups, where success is what is limited.
    """

    scopes: tuple[tuple[str, str], ...]
    message: str
    field: str | None = None
    every_attempt_counts: bool = False

    def record(self, session: Session, *subjects: str) -> Attempt:
        """Count one attempt against each subject (commit it before ``check``)."""
        keys = tuple((key_of(kind, subject), setting)
                     for (kind, setting), subject in zip(self.scopes, subjects, strict=True))
        rows = [LoginFailure(key=key, failed=self.every_attempt_counts) for key, _ in keys]
        session.add_all(rows)
        # Old rows are useless; prune them as we go rather than needing a cron job.
        session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - timedelta(days=1)))
        session.flush()
        return Attempt(tuple(row.id for row in rows), keys)

    def check(self, session: Session, attempt: Attempt, limits: Mapping[str, object]) -> None:
        """TooManyAttempts if the attempts counted against a subject pass its limit."""
        now = utcnow()
        window = timedelta(minutes=_limit(limits, "THROTTLE_WINDOW_MINUTES"))
        wait = 0
        for key, setting in attempt.keys:
            count, oldest = session.execute(
                select(func.count(), func.min(LoginFailure.at)).where(
                    LoginFailure.key == key, LoginFailure.at > now - window,
                    or_(LoginFailure.failed, LoginFailure.at > now - IN_FLIGHT))
            ).one()
            if count > _limit(limits, setting):
                wait = max(wait, int((oldest + window - now).total_seconds()) + 1)
        if wait:
            error = TooManyAttempts(wait, self.message)
            error.field = self.field
            raise error

    def failed(self, session: Session, attempt: Attempt) -> None:
        """The password was wrong: the attempt counts for the whole window."""
        session.execute(update(LoginFailure).where(LoginFailure.id.in_(attempt.ids))
                        .values(failed=True))

    def succeeded(self, session: Session, attempt: Attempt) -> None:
        """The password was right: forget this attempt and the account's earlier failures."""
        session.execute(delete(LoginFailure).where(
            LoginFailure.id.in_(attempt.ids) | (LoginFailure.key == attempt.keys[0][0])))


def _limit(limits: Mapping[str, object], setting: str) -> int:
    """A limit from the settings (``settings.THROTTLE_LIMITS`` holds the defaults)."""
    return int(str(limits[setting]))


SIGN_IN = Throttle((("account", "THROTTLE_SIGN_IN_PER_ACCOUNT"),
                    ("address", "THROTTLE_SIGN_IN_PER_ADDRESS")),
                   "Too many attempts. Try again in a few minutes.")
SIGN_UP = Throttle((("signup", "THROTTLE_SIGN_UP_PER_ADDRESS"),),
                   "Too many sign-ups from your network. Try again later.",
                   every_attempt_counts=True)
CONFIRM = Throttle((("confirm", "THROTTLE_CONFIRM_PER_ACCOUNT"),),
                   "Too many tries of your current password. Try again in a few minutes.",
                   field="current_password")


def sign_in_subjects(email: str, address: str | None) -> tuple[str, str]:
    """What a sign-in counts against: the account's email, as compared, and the address."""
    return normalize_email(email), address or "unknown"
