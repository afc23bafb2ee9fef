"""Accounts, signed-in devices and API tokens. Take a session; never commit.

Password hashing is slow on purpose (argon2id, ~0.1 s). ``register_user`` and
``change_password`` hash before their first query, and finding a user by email is
separate from checking the password, so callers can end the transaction in between:
a password check never holds the database's write lock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, with_expression

from mentorship.models import ApiToken, LoginSession, Profile, User, utcnow
from mentorship.security import (
    hash_password,
    new_token,
    password_problem,
    token_digest,
    verify_password,
)
from mentorship.services import notifications
from mentorship.services.errors import Conflict, FieldErrors
from mentorship.services.fields import normalize_email
from mentorship.services.specs import ACCOUNT, CREDENTIALS

SESSION_LIFETIME = timedelta(hours=12)
REMEMBER_LIFETIME = timedelta(days=14)
API_TOKEN_LIFETIME = timedelta(days=90)
LIVE_API_TOKENS = 10  # per account; a new one beyond this revokes the oldest
EMAIL_UNUSABLE = "This email cannot be used for your account."
WRONG_CURRENT_PASSWORD = "That is not your current password."
WRONG_CREDENTIALS = "Email or password is not right."  # never says which


def _problems(clean: dict[str, object], spec_errors: dict[str, str], name: str,
              password: object, related: tuple[str, ...]) -> dict[str, str]:
    """Field errors of the account fields plus the new password's, all at once."""
    problems = dict(spec_errors)
    try:
        CREDENTIALS["password"].clean(password)
    except ValueError as exc:
        problems[name] = str(exc)
        return problems
    if problem := password_problem(str(password), related=related):
        problems[name] = problem
    return problems


def register_user(session: Session, *, name: object, email: object, password: object,
                  is_admin: bool = False) -> User:
    """Create an account; a taken email raises Conflict, which callers must not reveal."""
    clean: dict[str, object] = {}
    errors: dict[str, str] = {}
    try:
        clean = ACCOUNT.clean({"name": name, "email": email}, partial=False)
    except FieldErrors as exc:
        errors = exc.fields
    errors = _problems(clean, errors, "password", password, (str(name), str(email)))
    if errors:
        raise FieldErrors(errors)
    password_hash = hash_password(str(password))  # before the lookup: a taken email costs the same
    key = normalize_email(str(clean["email"]))
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


def user_by_email(session: Session, email: object) -> User | None:
    """The account with this email, compared case-insensitively; None if there is none."""
    if not isinstance(email, str):
        return None
    return session.scalar(select(User).where(User.email_normalized == normalize_email(email)))


def password_matches(user: User | None, password: object) -> bool:
    """Whether ``password`` is ``user``'s; as slow for no user, so timing tells nothing."""
    return verify_password(user.password_hash if user else None,
                           password if isinstance(password, str) else "")


def changes_email(user: User, email: object) -> bool:
    """Whether saving ``email`` would move the account to another address (which needs the password)."""
    return isinstance(email, str) and normalize_email(email) != user.email_normalized


def update_account(session: Session, user: User, data: dict[str, object],
                   current_password: object = None) -> None:
    """Change name and email; a new email needs the current password (a borrowed,
    still signed-in browser must not be enough to take the account over)."""
    clean = ACCOUNT.clean(data, partial=False)
    key = normalize_email(clean["email"])
    if changes_email(user, clean["email"]) and not password_matches(user, current_password):
        raise FieldErrors({"current_password": "Enter your current password to change "
                                               "your email."})
    taken = session.scalar(select(User.id).where(User.email_normalized == key, User.id != user.id))
    if taken is not None:
        raise FieldErrors({"email": EMAIL_UNUSABLE})
    try:
        with session.begin_nested():  # two people racing for one address: the index decides
            user.name, user.email, user.email_normalized = clean["name"], clean["email"], key
            session.flush()
    except IntegrityError:
        raise FieldErrors({"email": EMAIL_UNUSABLE}) from None


def change_password(session: Session, user: User, *, current: object, new: object,
                    keep_token: str | None) -> None:
    """Set a new password and sign out every other device (and revoke API tokens)."""
    if not password_matches(user, current):
        raise FieldErrors({"current_password": WRONG_CURRENT_PASSWORD})
    if errors := _problems({}, {}, "new_password", new, (user.name, user.email)):
        raise FieldErrors(errors)
    user.password_hash = hash_password(str(new))
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


# Every signed-in request starts with one of these. Built on first use and kept, a
# statement also keeps its cache key, so a request pays neither for building it nor for
# keying the SQL cache (and importing the app builds none).
@cache
def _owner_query(model: type[LoginSession] | type[ApiToken]) -> Select[User]:
    """The user of a live (unexpired) token row, by the token's hash, profile included;
    for a browser's device session, the navigation's unread count too."""
    query = (select(User).join(model, model.user_id == User.id)
             .where(model.token_hash == bindparam("token_hash"),
                    model.expires_at > bindparam("now"))
             .options(joinedload(User.profile)))
    if model is LoginSession:
        query = query.options(with_expression(User.unread_notifications,
                                              notifications.unread_of(User.id)))
    return query


def _owner_of(session: Session, model: type[LoginSession] | type[ApiToken],
              token: str) -> User | None:
    """The user a live (unexpired) token row belongs to, found by the token's hash.

    One query, the profile included: every signed-in request starts here.
    """
    return session.scalar(_owner_query(model),
                          {"token_hash": token_digest(token), "now": utcnow()})


def user_for_login_token(session: Session, token: str) -> User | None:
    """The user of a live device session, carrying its token for ``User.get_id``."""
    user = _owner_of(session, LoginSession, token)
    if user is not None:
        user.login_token = token
    return user


def end_login_session(session: Session, token: str | None) -> None:
    """Delete the device session of ``token``, so every copy of that cookie stops working."""
    if token:
        session.execute(delete(LoginSession).where(LoginSession.token_hash == token_digest(token)))


def issue_api_token(session: Session, user: User) -> tuple[str, datetime]:
    """A new token; the account keeps at most LIVE_API_TOKENS, so the oldest beyond go.

    Insert first, then delete all but the newest: two requests at once cannot leave
    more than the cap, which a count before the insert could.
    """
    token = new_token()
    now = utcnow()
    expires = now + API_TOKEN_LIFETIME
    session.add(ApiToken(token_hash=token_digest(token), user_id=user.id, created_at=now,
                         expires_at=expires))
    session.flush()
    newest = (select(ApiToken.id).where(ApiToken.user_id == user.id, ApiToken.expires_at > now)
              .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()).limit(LIVE_API_TOKENS))
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id,
                                           ApiToken.id.not_in(newest.scalar_subquery()))
                    .execution_options(synchronize_session=False))
    return token, expires


def user_for_api_token(session: Session, token: str) -> User | None:
    """The owner of a live (unexpired) API token, or None."""
    return _owner_of(session, ApiToken, token)


def revoke_api_token(session: Session, token: str) -> None:
    """Delete the API token, so it stops working once the caller commits."""
    session.execute(delete(ApiToken).where(ApiToken.token_hash == token_digest(token)))
