"""Sign-up and the caller's own account, profile and enrolments; their data, and deleting it."""

from __future__ import annotations

from typing import Any

from flask import request

from mentorship.api import serialize
from mentorship.api.auth import api_login_required, current_api_user
from mentorship.api.blueprint import bp
from mentorship.api.validation import json_object, require, sent_version, versioned
from mentorship.auth import begin_attempt, password_check
from mentorship.db import get_session
from mentorship.services import accounts, personal_data, profiles, programs
from mentorship.services.errors import Conflict
from mentorship.services.ratelimit import CONFIRM, SIGN_UP
from mentorship.services.specs import PROFILE

SIGN_UP_FIELDS = ("name", "email", "password")
SIGNED_UP = {"status": "created",
             "message": "If this email was not registered yet, the account is ready: "
                        "request a token with POST /api/v1/tokens."}


@bp.post("/users")
def sign_up() -> tuple[dict[str, str], int]:
    """Create an account. A taken email gets the same 201, so nobody can probe for accounts."""
    body = json_object(SIGN_UP_FIELDS)
    require(body, SIGN_UP_FIELDS)
    begin_attempt(SIGN_UP, request.remote_addr or "unknown")
    db = get_session()
    try:
        accounts.register_user(db, name=body["name"], email=body["email"],
                               password=body["password"])
    except Conflict:
        pass  # answered like a new account; register_user did the same hashing work
    db.commit()
    return SIGNED_UP, 201


@bp.get("/me")
@api_login_required
def me() -> dict[str, object]:
    """The caller's account, profile and enrolments, in one response."""
    db = get_session()
    user = current_api_user()
    return {"account": serialize.account(user),
            "profile": serialize.profile(profiles.get_profile(db, user)),
            "enrolments": [serialize.enrolment(e) for e in programs.enrolments_of(db, user)]}


@bp.patch("/me/profile")
@api_login_required
def update_profile() -> Any:
    """Change only the fields sent; ``If-Match`` or ``version`` makes it conditional."""
    body = json_object((*PROFILE.names, "version"))
    db = get_session()
    profile = profiles.update_profile(db, current_api_user(), body, version=sent_version(body))
    db.commit()
    return versioned(serialize.profile(profile))


@bp.get("/me/data")
@api_login_required
def my_data() -> dict[str, Any]:
    """Everything the platform holds about the caller."""
    return personal_data.everything_about(get_session(), current_api_user())


@bp.delete("/me")
@api_login_required
def delete_me() -> tuple[str, int]:
    """Delete the caller's account: ``{"password": ..., "confirm": true}``; 204."""
    body = json_object({"password", "confirm"})
    db = get_session()
    user = current_api_user()
    with password_check(CONFIRM, "password", str(user.id)):
        personal_data.delete_account_confirmed(db, user, password=body.get("password"),
                                               confirmed=body.get("confirm"))
    db.commit()
    return "", 204
