"""Accounts, signed-in devices and API tokens. Take a session; never commit."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mentorship.models import ApiToken, LoginSession, Profile, User, utcnow
from mentorship.security import (
    hash_password,
    new_token,
    password_problem,
    token_digest,
    verify_password,
)
from mentorship.services.errors import Conflict, FieldErrors
from mentorship.services.fields import clean_email, clean_text, normalize_email

SESSION_LIFETIME = timedelta(hours=12)
REMEMBER_LIFETIME = timedelta(days=14)
API_TOKEN_LIFETIME = timedelta(days=90)
NAME_MAX = 120


def register_user(session: Session, *, name: object, email: object, password: object,
                  is_admin: bool = False) -> User:
    """Create an account; a taken email raises Conflict, which callers must not reveal."""
    fields: dict[str, str] = {}
    clean = {}
    for key, cleaner in (("name", lambda v: clean_text(v, max_length=NAME_MAX, required=True)),
                         ("email", clean_email)):
        try:
            clean[key] = cleaner(name if key == "name" else email)
        except ValueError as exc:
            fields[key] = str(exc)
    if not isinstance(password, str):
        fields["password"] = "Must be text."
    elif problem := password_problem(password, related=(str(name), str(email))):
        fields["password"] = problem
    if fields:
        raise FieldErrors(fields)
    key = normalize_email(clean["email"])
    password_hash = hash_password(password)  # before the lookup: a taken email costs the same
    if session.scalar(select(User.id).where(User.email_normalized == key)) is not None:
        raise Conflict("email taken")
    user = User(name=clean["name"], email=clean["email"], email_normalized=key,
                password_hash=password_hash, is_admin=is_admin)
    user.profile = Profile()
    try:
        with session.begin_nested():  # two sign-ups racing for one email: the index decides
            session.add(user)
            session.flush()
    except IntegrityError:
        raise Conflict("email taken") from None
    return user


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email_normalized == normalize_email(email)))


def authenticate(session: Session, email: object, password: object) -> User | None:
    """The user if the credentials match; the same work is done when they do not."""
    if not isinstance(email, str) or not isinstance(password, str):
        verify_password(None, "")
        return None
    user = find_user_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    return user if ok else None


def changes_email(user: User, email: object) -> bool:
    """Whether saving ``email`` would move the account to another address (which needs the password)."""
    return isinstance(email, str) and normalize_email(email) != user.email_normalized


def update_account(session: Session, user: User, *, name: object, email: object,
                   current_password: object = None) -> None:
    """Change name and email; a new email needs the current password (a borrowed,
    still signed-in browser must not be enough to take the account over)."""
    fields: dict[str, str] = {}
    try:
        clean_name = clean_text(name, max_length=NAME_MAX, required=True)
    except ValueError as exc:
        fields["name"] = str(exc)
    try:
        clean_mail = clean_email(email)
    except ValueError as exc:
        fields["email"] = str(exc)
    if fields:
        raise FieldErrors(fields)
    key = normalize_email(clean_mail)
    if changes_email(user, clean_mail) and not (
            isinstance(current_password, str)
            and verify_password(user.password_hash, current_password)):
        raise FieldErrors({"current_password": "Enter your current password to change "
                                               "your email."})
    taken = session.scalar(select(User.id).where(User.email_normalized == key, User.id != user.id))
    if taken is not None:
        raise FieldErrors({"email": "This email cannot be used for your account."})
    try:
        with session.begin_nested():  # two people racing for one address: the index decides
            user.name, user.email, user.email_normalized = clean_name, clean_mail, key
            session.flush()
    except IntegrityError:
        raise FieldErrors({"email": "This email cannot be used for your account."}) from None


def change_password(session: Session, user: User, *, current: str, new: str,
                    keep_token: str | None) -> None:
    """Set a new password and sign out every other device (and revoke API tokens)."""
    if not verify_password(user.password_hash, current):
        raise FieldErrors({"current_password": "That is not your current password."})
    if problem := password_problem(new, related=(user.name, user.email)):
        raise FieldErrors({"new_password": problem})
    user.password_hash = hash_password(new)
    others = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep_token:
        others = others.where(LoginSession.token_hash != token_digest(keep_token))
    session.execute(others)
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))


def start_login_session(session: Session, user: User, *, remember: bool) -> str:
    """Record a signed-in device and return its token (to be kept only in the cookie)."""
    token = new_token()
    lifetime = REMEMBER_LIFETIME if remember else SESSION_LIFETIME
    now = utcnow()
    session.add(LoginSession(token_hash=token_digest(token), user_id=user.id,
                             created_at=now, expires_at=now + lifetime))
    user.login_token = token
    return token


def _owner_of(session: Session, model: type[LoginSession | ApiToken], token: str) -> User | None:
    """The user a live (unexpired) token row belongs to, found by the token's hash."""
    row = session.scalar(select(model).where(model.token_hash == token_digest(token)))
    if row is None or row.expires_at <= utcnow():
        return None
    return session.get(User, row.user_id)


def user_for_login_token(session: Session, token: str) -> User | None:
    user = _owner_of(session, LoginSession, token)
    if user is not None:
        user.login_token = token
    return user


def end_login_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(LoginSession).where(LoginSession.token_hash == token_digest(token)))


def issue_api_token(session: Session, user: User) -> tuple[str, datetime]:
    token = new_token()
    expires = utcnow() + API_TOKEN_LIFETIME
    session.add(ApiToken(token_hash=token_digest(token), user_id=user.id, expires_at=expires))
    return token, expires


def user_for_api_token(session: Session, token: str) -> User | None:
    return _owner_of(session, ApiToken, token)


def revoke_api_token(session: Session, token: str) -> None:
    session.execute(delete(ApiToken).where(ApiToken.token_hash == token_digest(token)))
