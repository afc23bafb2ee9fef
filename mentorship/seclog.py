"""The security log: request ids, and one structured line per security event.

Every request gets an id, taken from a sane incoming ``X-Request-ID`` (a proxy's) or
made here, and sent back in the ``X-Request-ID`` response header, so a line in this
log, a user's report and a proxy's log can be matched up.

Events go to the ``mentorship.security`` logger, one line each: a JSON object in
production, ``key=value`` text in development. Each line carries the event name, the
request id, the account id (when known), the remote address, the method and the path
(never the query string). Denials (401, 403), throttling (429) and refused CSRF or
Origin checks are logged here automatically; code logs anything else with
:func:`security_event`. Passwords, tokens, cookies and ``Authorization`` headers are
never logged: fields named after them are dropped.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask_login import current_user
from werkzeug.wrappers import Response

from mentorship.settings import is_production

logger = logging.getLogger("mentorship.security")

REQUEST_ID_HEADER = "X-Request-ID"
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@+=/-]{1,64}")
# A field whose name contains one of these is dropped, whatever its value.
SECRET_WORDS = ("password", "passwd", "token", "secret", "cookie", "authorization",
                "api_key", "apikey")
MAX_VALUE_LENGTH = 200
CORE_FIELDS = ("time", "event", "request_id", "account_id", "remote_addr", "method", "path")
AUTOMATIC_EVENTS = {401: "access_denied", 403: "access_denied", 429: "throttled"}
_OWN_HANDLER = "_mentorship_security_handler"


def init_app(app: Flask) -> None:
    """Tag every response with its request id, log denials, and make the security log visible."""
    app.after_request(log_response)
    configure_logging()


def configure_logging() -> None:
    """Make security events visible: INFO and up, on stderr unless logging is set up already.

    Each app calls this and the logger is shared by the whole process, so it adds one
    handler at most (tests create many apps). When the root logger has handlers (a
    logging configuration, or pytest's capture) lines go there instead.
    """
    logger.setLevel(logging.INFO)
    if logging.getLogger().handlers or any(getattr(h, _OWN_HANDLER, False)
                                           for h in logger.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))  # the line is built complete
    setattr(handler, _OWN_HANDLER, True)
    logger.addHandler(handler)


def request_id() -> str:
    """The current request's id: a sane incoming ``X-Request-ID``, else a new random one."""
    if "request_id" not in g:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    return g.request_id


def security_event(event: str, /, **fields: Any) -> None:
    """Log one security event, with the request's context added.

    ``event`` is a short snake_case name (``sign_in_failed``, ``admin_action``). Keyword
    ``fields`` add detail; give values as text, numbers, booleans or None (anything else
    is logged as ``str(value)``; long text is cut to 200 characters). Fields whose name
    contains password, token, secret, cookie, authorization or api_key are
    dropped, and so are fields named like the context (``time``, ``event``,
    ``request_id``, ``account_id``, ``remote_addr``, ``method``, ``path``), which are
    filled in here. Never pass raw personal data such as an email: pass a hash.

    Examples::

        security_event("sign_in_failed", email_hash=digest)
        security_event("admin_action", action="publish_round", target=f"program:{pid}")

    Outside a request only ``time`` and ``event`` are added. Never raises for a
    logging problem.
    """
    record = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"),
              "event": event} | request_context()
    record |= {name: clean_value(value) for name, value in fields.items()
               if name not in CORE_FIELDS and not is_secret_name(name)}
    logger.info(format_line(record, json_lines=production()), extra={"security": record})


def log_response(response: Response) -> Response:
    """Tag the response with the request id and log denials, throttling and CSRF refusals."""
    response.headers[REQUEST_ID_HEADER] = request_id()
    event = AUTOMATIC_EVENTS.get(response.status_code)
    if event:
        security_event(event, status=response.status_code)
    elif response.status_code == 400 and g.get("csrf_refused"):
        security_event("csrf_failed", status=400, reason=g.csrf_refused)
    return response


def request_context() -> dict[str, Any]:
    """The request's part of a line (id, account, address, method, path); none outside one."""
    if not has_request_context():
        return {}
    return {"request_id": request_id(), "account_id": account_id(),
            "remote_addr": request.remote_addr, "method": request.method,
            "path": clean_value(request.path)}


def account_id() -> int | None:
    """The signed-in account: the API caller (``g.api_user``), else the session's user."""
    user = g.get("api_user")
    try:
        if user is None and current_user.is_authenticated:
            user = current_user
        return getattr(user, "id", None)
    except Exception:  # noqa: BLE001 - a database outage must not hide the event itself
        return None


def is_secret_name(name: str) -> bool:
    """Whether a field's name marks it as a secret, never to be logged."""
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


def clean_value(value: Any) -> Any:
    """Numbers, booleans and None as they are; anything else as text, cut to MAX_VALUE_LENGTH."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    return text if len(text) <= MAX_VALUE_LENGTH else text[:MAX_VALUE_LENGTH] + "…"


def production() -> bool:
    """Whether lines are JSON: in production, never outside an app."""
    return has_app_context() and is_production(current_app.config)


def format_line(record: dict[str, Any], *, json_lines: bool) -> str:
    """A JSON object, or ``security key=value ...`` with values quoted when they need it."""
    if json_lines:
        return json.dumps(record, ensure_ascii=False)
    return "security " + " ".join(f"{key}={text_value(value)}" for key, value in record.items())


def text_value(value: Any) -> str:
    """A ``key=value`` value: bare when safe, else JSON-quoted so it cannot add fields or lines."""
    if value is None:
        return "-"
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if text and re.fullmatch(r"[^\s\"=\\]+", text) and text.isprintable():
        return text
    return json.dumps(text, ensure_ascii=False)
