"""Who is calling the API: a personal token (``Authorization: Bearer``) or the session cookie."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import g, request
from flask_login import current_user
from werkzeug.wrappers import Response

from mentorship.db import get_session
from mentorship.errors import json_error
from mentorship.models import Pairing, User
from mentorship.services import accounts, pairings


def bearer_token() -> str | None:
    """The token of ``Authorization: Bearer <token>``, '' for any other Authorization header."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _resolve_user() -> User | None:
    """The caller, by the Authorization header if one is sent, else by the session cookie."""
    # A request that sends an Authorization header is judged by it alone, so a bad
    # token is refused even when a valid cookie rides along.
    token = bearer_token()
    if token is not None:
        return accounts.user_for_api_token(get_session(), token) if token else None
    if current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def current_api_user() -> User:
    """The caller of a view guarded by ``api_login_required``."""
    return g.api_user


def caller_pairing(pairing_id: int) -> Pairing:
    """The caller's pairing: 404 for anyone outside it, admins included, as on the pages."""
    return pairings.get_pairing_for_participant(get_session(), pairing_id, current_api_user())


def unauthorized() -> Response:
    """The API's 401, with the ``WWW-Authenticate`` challenge that names the bearer scheme."""
    response = json_error(401, "unauthorized", "Sign in or send a valid API token.")
    response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def api_login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """401 unless the request carries a valid token or session."""
    @functools.wraps(view)
    def wrapped(**kwargs: Any) -> Any:
        """Run ``view`` with the caller in ``g.api_user``, or answer 401."""
        user = _resolve_user()
        if user is None:
            return unauthorized()
        g.api_user = user
        return view(**kwargs)
    return wrapped


def api_admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """401 without credentials, 403 for anyone who is not an admin."""
    @functools.wraps(view)
    @api_login_required
    def wrapped(**kwargs: Any) -> Any:
        """Run ``view`` for admins; 403 for anyone else."""
        if not current_api_user().is_admin:
            return json_error(403, "forbidden", "Only program admins may do this.")
        return view(**kwargs)
    return wrapped
