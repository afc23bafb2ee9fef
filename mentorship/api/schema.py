"""Building blocks of the OpenAPI document, shared by the modules that describe routes."""

from __future__ import annotations

from typing import Any

from mentorship.routing import MAX_ID

STATUS_TEXT = {
    400: "Malformed JSON, a body that is not an object, or a missing CSRF header",
    401: "No valid session or token", 403: "Signed in, but not a program admin",
    404: "No such object, or one you may not see", 409: "Clashes with the current state",
    413: "Body larger than 1 MiB", 415: "Body is not application/json",
    422: "Invalid, unknown or protected fields (see `fields`)",
    429: "Too many attempts (see Retry-After)",
}
WRITE_ERRORS = (400, 401, 413, 415, 422)


def ref(name: str) -> dict[str, str]:
    """A reference to the named schema in ``components``."""
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any], required: tuple[str, ...] = (),
        *, closed: bool = False) -> dict[str, Any]:
    """An object schema; ``closed`` refuses properties it does not list."""
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if closed:
        schema["additionalProperties"] = False
    return schema


def text(max_length: int | None = None, **extra: Any) -> dict[str, Any]:
    """A string schema, with a ``maxLength`` when one is given."""
    return {"type": "string"} | ({"maxLength": max_length} if max_length else {}) | extra


def nullable(kind: str, **extra: Any) -> dict[str, Any]:
    """A schema of type ``kind`` that also allows null."""
    return {"type": [kind, "null"]} | extra


def operation(summary: str, status: int, schema: str | None = None, *,
              body: str | None = None, errors: tuple[int, ...] = (401,), public: bool = False,
              description: str | None = None) -> dict[str, Any]:
    """One operation: its success, an Error response per code in ``errors``, and the body.

    ``public`` operations need no sign-in (an empty ``security``).
    """
    success: dict[str, Any] = {"description": "Success"}
    if schema:
        success["content"] = {"application/json": {"schema": ref(schema)}}
    op: dict[str, Any] = {"summary": summary, "responses": {str(status): success}}
    for code in errors:
        op["responses"][str(code)] = {"description": STATUS_TEXT[code],
                                      "content": {"application/json": {"schema": ref("Error")}}}
    if body:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": ref(body)}}}
    if public:
        op["security"] = []
    if description:
        op["description"] = description
    return op


def id_param(name: str) -> list[dict[str, Any]]:
    """An id in the path, bounded like the URL converter (1 to MAX_ID)."""
    return [{"name": name, "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}]
