"""Personal API tokens: exchange a password for a token, and revoke it."""

from __future__ import annotations

from flask import request
from werkzeug.wrappers import Response

from mentorship.api.auth import api_login_required, bearer_token
from mentorship.api.blueprint import bp, too_many_attempts
from mentorship.api.serialize import iso
from mentorship.api.validation import json_object, require
from mentorship.auth import GENERIC_LOGIN_ERROR, count_attempt, json_error
from mentorship.db import get_session
from mentorship.security import PASSWORD_MAX
from mentorship.services import accounts, ratelimit
from mentorship.services.errors import FieldErrors
from mentorship.services.fields import EMAIL_MAX, clean_text


def credentials(body: dict[str, object]) -> tuple[str, str]:
    """Email and password as text of a sane length (the email becomes a rate-limit key)."""
    require(body, ("email", "password"))
    problems = {}
    try:
        email = clean_text(body["email"], max_length=EMAIL_MAX, required=True)
    except ValueError as exc:
        problems["email"] = str(exc)
    password = body["password"]
    if not isinstance(password, str):
        problems["password"] = "Must be text."
    elif len(password) > 4 * PASSWORD_MAX:
        problems["password"] = f"Use at most {PASSWORD_MAX} characters."
    if problems:
        raise FieldErrors(problems)
    return email, password  # type: ignore[return-value]


@bp.post("/tokens")
def create_token() -> Response | tuple[dict[str, object], int]:
    """Sign in for a token; throttled and answered exactly like the login form."""
    email, password = credentials(json_object({"email", "password"}))
    keys = ratelimit.sign_in_keys(email, request.remote_addr)
    attempt, wait = count_attempt(keys)
    if wait is not None:
        return too_many_attempts(wait)
    db = get_session()
    user = accounts.authenticate(db, email, password)
    if user is None:
        return json_error(401, "unauthorized", GENERIC_LOGIN_ERROR)
    ratelimit.forget_attempt(db, attempt, keys)
    token, expires_at = accounts.issue_api_token(db, user)
    db.commit()
    return {"token": token, "expires_at": iso(expires_at)}, 201


@bp.delete("/tokens/current")
@api_login_required
def revoke_token() -> Response | tuple[str, int]:
    """Revoke the token this request was made with; it answers 401 from then on."""
    token = bearer_token()
    if not token:
        return json_error(400, "bad_request", "Send the token to revoke as "
                                              "'Authorization: Bearer <token>'.")
    db = get_session()
    accounts.revoke_api_token(db, token)
    db.commit()
    return "", 204
