"""Set-password links for people an admin imported. Take a session; never commit.

An imported account has no password: the person gets a link by email instead. Only the
link's SHA-256 is stored; it expires after INVITE_LIFETIME and works once (using it
deletes it). The email goes through the outbox, written in the import's transaction
(the email's body holds the link itself until the outbox has sent it, or given up).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mentorship.models import OutboxEmail, PasswordToken, User, utcnow
from mentorship.security import hash_password, new_token, password_problem, token_digest
from mentorship.services.errors import FieldErrors
from mentorship.services.specs import CREDENTIALS

INVITE_LIFETIME = timedelta(days=7)
# Not an argon2 hash: verifying any password against it fails, so the account cannot be
# signed in to until its owner sets a password through the link.
NO_PASSWORD = "!invited"


class LinkState(enum.StrEnum):
    """What a set-password link is worth now."""

    VALID = "valid"
    EXPIRED = "expired"
    UNKNOWN = "unknown"  # never issued, or used already (a used link is deleted)


@dataclass(frozen=True)
class Invitee:
    """A new account to invite: who, and what they were enrolled as."""

    user_id: int
    name: str
    email: str
    role: str


def invitations(invitees: list[Invitee], program_name: str, link_for: Callable[[str], str]
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows to insert for ``invitees``: a link each, and the email that carries it.

    Rows, not models: an import inserts tens of thousands of them in bulk.
    """
    now = utcnow()
    expires = now + INVITE_LIFETIME
    tokens: list[dict[str, Any]] = []
    emails: list[dict[str, Any]] = []
    for person in invitees:
        token = new_token()
        tokens.append({"token_hash": token_digest(token), "user_id": person.user_id,
                       "created_at": now, "expires_at": expires})
        emails.append({"user_id": person.user_id, "to_address": person.email,
                       "subject": f"You are invited to {program_name}"[:300],
                       "body": invitation_text(person, program_name, link_for(token), expires),
                       "message_id": f"invite.{uuid.uuid4().hex}",
                       "created_at": now, "next_attempt_at": now, "attempts": 0,
                       "last_error": ""})
    return tokens, emails


def invitation_text(person: Invitee, program_name: str, link: str, expires: datetime) -> str:
    """The invitation email: why they got it, the link, and until when it works."""
    return (f"Hello {person.name},\n\n"
            f"You have been added to the mentoring program “{program_name}” as a "
            f"{person.role}. Choose a password to sign in:\n\n{link}\n\n"
            f"The link works once, until {expires:%Y-%m-%d %H:%M} UTC. If it has expired, "
            "ask your program admin for a new one.\n\n"
            "If you did not expect this email, you can ignore it.\n")


RENEWAL_SUBJECT = "Your new link to choose a password"


def link_maker(site_url: str) -> Callable[[str], str]:
    """Turns a token into its set-password URL under ``site_url`` (``MAIL_SITE_URL``,
    where every email's links start), never under the host a request happened to name:
    a forged Host header must not put someone else's address in a password link."""
    base = site_url.rstrip("/")
    return lambda token: f"{base}/set-password/{token}"


def renew(session: Session, token: str, link_for: Callable[[str], str]) -> bool:
    """Replace an expired link with a new one, emailed to the account's own address.

    Only an expired link of an account that still has no password is renewed, and only
    once (the old link is deleted): whoever holds it can have a link sent to that
    address, nowhere else. False when there is nothing to renew.
    """
    row = session.execute(select(PasswordToken.id, User)
                          .join(User, User.id == PasswordToken.user_id)
                          .where(PasswordToken.token_hash == token_digest(token),
                                 PasswordToken.expires_at <= utcnow())).first()
    if row is None or row.User.password_hash != NO_PASSWORD:
        return False
    if not getattr(session.execute(delete(PasswordToken).where(PasswordToken.id == row.id)),
                   "rowcount", 0):
        return False  # renewed by a request at the same moment
    user, fresh, now = row.User, new_token(), utcnow()
    expires = now + INVITE_LIFETIME
    session.add(PasswordToken(token_hash=token_digest(fresh), user_id=user.id,
                              created_at=now, expires_at=expires))
    session.add(OutboxEmail(
        user_id=user.id, to_address=user.email, subject=RENEWAL_SUBJECT,
        body=(f"Hello {user.name},\n\nHere is a new link to choose your password for "
              f"Mentorship:\n\n{link_for(fresh)}\n\nIt works once, until "
              f"{expires:%Y-%m-%d %H:%M} UTC.\n\nIf you did not ask for it, you can "
              "ignore this email.\n"),
        message_id=f"invite.{uuid.uuid4().hex}", created_at=now, next_attempt_at=now))
    return True


def link_state(session: Session, token: str) -> tuple[LinkState, User | None]:
    """Whether ``token`` is a live link, and whose."""
    row = session.execute(select(PasswordToken.expires_at, User)
                          .join(User, User.id == PasswordToken.user_id)
                          .where(PasswordToken.token_hash == token_digest(token))).first()
    if row is None:
        return LinkState.UNKNOWN, None
    if row.expires_at <= utcnow():
        return LinkState.EXPIRED, row.User
    return LinkState.VALID, row.User


def check_new_password(user: User, password: object) -> str:
    """The password if it passes the sign-up rules; FieldErrors at ``password`` otherwise."""
    try:
        value = CREDENTIALS["password"].clean(password)
    except ValueError as exc:
        raise FieldErrors({"password": str(exc)}) from None
    if problem := password_problem(value, related=(user.name, user.email)):
        raise FieldErrors({"password": problem})
    return str(value)


def set_password(session: Session, token: str, user: User, password: str) -> bool:
    """Use the link: set the password and delete the link. False if it was used meanwhile.

    The DELETE is the claim: of two requests racing with one link, only one deletes it.
    """
    password_hash = hash_password(password)  # slow: before the write
    used = session.execute(delete(PasswordToken).where(
        PasswordToken.token_hash == token_digest(token), PasswordToken.expires_at > utcnow(),
        PasswordToken.user_id == user.id))
    if not getattr(used, "rowcount", 0):
        return False
    user.password_hash = password_hash
    return True
