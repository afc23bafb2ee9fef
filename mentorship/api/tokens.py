"""Personal API tokens: exchange a password for a token, and revoke it."""

from __future__ import annotations

from werkzeug.wrappers import Response

from mentorship.api.auth import api_login_required, bearer_token
from mentorship.api.blueprint import bp
from mentorship.api.serialize import iso
from mentorship.api.validation import json_object, require
from mentorship.auth import check_credentials
from mentorship.db import get_session
from mentorship.errors import json_error
from mentorship.services import accounts
from mentorship.services.specs import CREDENTIALS


@bp.post("/tokens")
def create_token() -> Response | tuple[dict[str, object], int]:
    """Sign in for a token; throttled and answered exactly like the login form.

    At most ``accounts.LIVE_API_TOKENS`` stay live per account: a new one beyond that
    revokes the oldest.
    """
    body = json_object(CREDENTIALS.names)
    require(body, CREDENTIALS.names)
    values = CREDENTIALS.clean(body, partial=False)
    user = check_credentials(values["email"], values["password"])
    if user is None:
        return json_error(401, "unauthorized", accounts.WRONG_CREDENTIALS)
    db = get_session()
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
