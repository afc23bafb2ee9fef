"""Request bodies: JSON objects only, with exactly the fields an endpoint accepts."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from typing import Any

from flask import abort, jsonify, request
from werkzeug.wrappers import Response

from mentorship.models.base import ID_MAX
from mentorship.services.errors import FieldErrors
from mentorship.services.fields import REQUIRED, clean_int

# Never writable through the API, whatever the endpoint; named so the client learns why.
PROTECTED_FIELDS = frozenset({"id", "user_id", "program_id", "is_admin", "role", "created_at",
                              "updated_at", "email_normalized", "password_hash", "token_hash"})


def json_object(allowed: Collection[str]) -> dict[str, Any]:
    """The body as a JSON object holding only ``allowed`` keys.

    415 for another media type, 400 for malformed JSON or a non-object, 422 naming each
    field that is unknown, protected or holds text the database cannot store. A body over
    MAX_CONTENT_LENGTH is refused with 413 while it is read.
    """
    if not request.is_json:
        abort(415, description="Send the body as JSON with Content-Type: application/json.")
    try:
        body = json.loads(request.get_data(cache=True), parse_constant=_no_constant)
    except (ValueError, RecursionError):
        abort(400, description="The body is not valid JSON.")
    if not isinstance(body, dict):
        abort(400, description="The body must be a JSON object.")
    problems = {key: ("This field cannot be set." if key in PROTECTED_FIELDS else "Unknown field.")
                for key in body if key not in allowed}
    problems |= {key: "Contains characters that cannot be stored."
                 for key, value in body.items() if key not in problems and not _storable(value)}
    if problems:
        raise FieldErrors(problems)
    return body


def require(body: dict[str, Any], names: Iterable[str]) -> None:
    """422 naming each of ``names`` that the body lacks or sends as null."""
    missing = {name: REQUIRED for name in names if body.get(name) is None}
    if missing:
        raise FieldErrors(missing)


def sent_version(body: dict[str, Any]) -> object:
    """The version a write is based on: the body's ``version``, else ``If-Match``, else None.

    None makes the write unconditional, as for clients that do not track versions.
    """
    if "version" in body:
        return body.pop("version")
    return request.headers.get("If-Match")


def versioned(data: dict[str, Any]) -> Response:
    """``data`` as JSON with its version as the ETag, for a later ``If-Match``."""
    response = jsonify(data)
    response.headers["ETag"] = f'"{data["version"]}"'
    return response


def _no_constant(name: str) -> None:
    """Refuse ``NaN`` and ``Infinity``, which Python's ``json`` would accept."""
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity are not valid JSON


def _storable(value: object) -> bool:
    """False if any text inside holds NUL or a lone surrogate (PostgreSQL rejects both)."""
    stack = [value]  # iterative: nesting may be as deep as the JSON parser allows
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            if "\x00" in item:
                return False
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
    return True


def optional_up_to_id() -> int | None:
    """``up_to_id`` from an optional JSON body, for "mark read up to here" (None: all)."""
    body = json_object({"up_to_id"}) if request.get_data(cache=True) else {}
    try:
        return clean_int(body.get("up_to_id"), low=1, high=ID_MAX)
    except ValueError as exc:
        raise FieldErrors({"up_to_id": str(exc)}) from None
