"""The OpenAPI 3 description of API v1, next to the routes it describes.

The schemas of entities come from their field specifications (``services/specs.py``);
a test checks that every route is documented and every documented operation exists.
"""

from __future__ import annotations

from typing import Any

from mentorship.api.blueprint import bp
from mentorship.models import Role
from mentorship.routing import MAX_ID
from mentorship.security import PASSWORD_MAX, PASSWORD_MIN
from mentorship.services import specs

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
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any], required: tuple[str, ...] = (),
        *, closed: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if closed:
        schema["additionalProperties"] = False
    return schema


def text(max_length: int | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "string"} | ({"maxLength": max_length} if max_length else {}) | extra


def nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"]} | extra


VERSION = {"type": "integer", "minimum": 1,
           "description": "The version this was read at; send it back (or `If-Match`) "
                          "to make a change conditional: 409 if someone saved since."}
ENROLMENT_KEYS = {"id": {"type": "integer"}, "program_id": {"type": "integer"},
                  "program_name": text(), "role": {"enum": [r.value for r in Role]}}
MENTEE, MENTOR = specs.MENTEE.schema()["properties"], specs.MENTOR.schema()["properties"]


def with_version(spec: specs.Spec, **options: Any) -> dict[str, Any]:
    """A write body of ``spec``'s fields that may carry the version it is based on."""
    schema = spec.schema(**options)
    schema["properties"]["version"] = VERSION
    return schema


SCHEMAS: dict[str, Any] = {
    "Error": obj({"error": obj({"code": text(), "message": text(),
                                "fields": {"type": "object", "additionalProperties": text()}},
                               ("code", "message", "fields"))}, ("error",)),
    "Credentials": specs.CREDENTIALS.schema(required=specs.CREDENTIALS.names, closed=True),
    "Token": obj({"token": text(), "expires_at": text(format="date-time")},
                 ("token", "expires_at")),
    "SignUp": obj(specs.ACCOUNT.schema()["properties"]
                  | {"password": text(PASSWORD_MAX, minLength=PASSWORD_MIN)},
                  ("name", "email", "password"), closed=True),
    "SignedUp": obj({"status": {"const": "created"}, "message": text()}, ("status",)),
    "Account": obj({"id": {"type": "integer"}, "name": text(), "email": text(),
                    "is_admin": {"type": "boolean"}}, ("id", "name", "email", "is_admin")),
    "Profile": obj(specs.PROFILE.schema()["properties"] | {"version": VERSION},
                   (*specs.PROFILE.names, "version")),
    "ProfileUpdate": with_version(specs.PROFILE, closed=True),
    "Enrolment": obj(ENROLMENT_KEYS | MENTEE | MENTOR | {"version": VERSION},
                     (*ENROLMENT_KEYS, "version")),
    "NewEnrolment": {"oneOf": [
        obj({"role": {"const": "mentee"}} | MENTEE, ("role",), closed=True),
        obj({"role": {"const": "mentor"}} | MENTOR, ("role",), closed=True)]},
    "EnrolmentUpdate": {"description": "Only the fields of the enrolment's own role.",
                        "oneOf": [with_version(specs.MENTEE, closed=True),
                                  with_version(specs.MENTOR, closed=True)]},
    "Me": obj({"account": ref("Account"), "profile": ref("Profile"),
               "enrolments": {"type": "array", "items": ref("Enrolment")}},
              ("account", "profile", "enrolments")),
    "Program": obj({"id": {"type": "integer"}} | specs.PROGRAM.schema()["properties"]
                   | {"version": VERSION}, ("id", *specs.PROGRAM.names, "version")),
    "ProgramList": obj({"programs": {"type": "array", "items": ref("Program")}}, ("programs",)),
    "NewProgram": specs.PROGRAM.schema(required=("name",), closed=True),
    "ProgramUpdate": with_version(specs.PROGRAM, closed=True),
}


def operation(summary: str, status: int, schema: str | None = None, *,
              body: str | None = None, errors: tuple[int, ...] = (401,), public: bool = False,
              description: str | None = None) -> dict[str, Any]:
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
    return [{"name": name, "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}]


PATHS: dict[str, Any] = {
    "/openapi.json": {"get": operation("This document", 200, errors=(), public=True)},
    "/tokens": {"post": operation(
        "Exchange email and password for a personal API token", 201, "Token",
        body="Credentials", errors=(*WRITE_ERRORS, 429), public=True,
        description="Throttled like the sign-in form. Only a hash of the token is stored.")},
    "/tokens/current": {"delete": operation(
        "Revoke the token this request is made with", 204, errors=(400, 401))},
    "/users": {"post": operation(
        "Sign up", 201, "SignedUp", body="SignUp", errors=(400, 413, 415, 422, 429),
        public=True,
        description="A new and an already registered email (in any letter case) get the "
                    "same 201 answer, so the API cannot be used to find out who has an "
                    "account. No token is returned: request one with POST /tokens.")},
    "/me": {"get": operation("Your account, profile and enrolments", 200, "Me")},
    "/me/profile": {"patch": operation("Change some profile fields", 200, "Profile",
                                       body="ProfileUpdate", errors=(*WRITE_ERRORS, 409))},
    "/programs": {
        "get": operation("Programs you may see", 200, "ProgramList"),
        "post": operation("Create a program (admins)", 201, "Program", body="NewProgram",
                          errors=(*WRITE_ERRORS, 403, 409)),
    },
    "/programs/{program_id}": {
        "parameters": id_param("program_id"),
        "get": operation("One program; drafts only for admins", 200, "Program",
                         errors=(401, 404)),
        "patch": operation("Change some program fields (admins)", 200, "Program",
                           body="ProgramUpdate", errors=(*WRITE_ERRORS, 403, 404, 409)),
    },
    "/programs/{program_id}/enrolments": {
        "parameters": id_param("program_id"),
        "post": operation("Enrol as mentee or mentor", 201, "Enrolment", body="NewEnrolment",
                          errors=(*WRITE_ERRORS, 404, 409),
                          description="409 if already enrolled in this role or if the "
                                      "program is not open."),
    },
    "/enrolments/{enrolment_id}": {
        "parameters": id_param("enrolment_id"),
        "patch": operation("Change your own enrolment", 200, "Enrolment",
                           body="EnrolmentUpdate", errors=(*WRITE_ERRORS, 404, 409)),
    },
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Mentorship API", "version": "1.0.0",
             "description": "Authenticate with `Authorization: Bearer <token>` (from POST "
                            "/tokens) or with the session cookie; writes sent with a "
                            "sign-in cookie also need the `X-CSRF-Token` header (from the "
                            '`<meta name="csrf-token">` of any page). Bodies are JSON '
                            "objects of at most 1 MiB. Errors are "
                            '`{"error": {"code", "message", "fields"}}`.'},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearerAuth": []}, {"cookieAuth": []}],
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer"},
            "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session"},
        },
    },
}


@bp.get("/openapi.json")
def openapi_document() -> dict[str, Any]:
    return DOCUMENT
