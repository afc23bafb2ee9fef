"""The OpenAPI 3 description of API v1, next to the routes it describes.

The schemas of entities come from their field specifications (``services/specs.py``);
a test checks that every route is documented and every documented operation exists.
"""

from __future__ import annotations

from typing import Any

from mentorship.api import (
    openapi_data,
    openapi_goals,
    openapi_health,
    openapi_matching,
    openapi_meetings,
    openapi_notifications,
    openapi_rounds,
    openapi_thread,
    openapi_workspace,
)
from mentorship.api.blueprint import bp
from mentorship.api.schema import (
    WRITE_ERRORS,
    id_param,
    nullable,
    obj,
    operation,
    ref,
    text,
)
from mentorship.models import Role
from mentorship.security import PASSWORD_MAX, PASSWORD_MIN
from mentorship.services import specs

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
    "Notification": obj({"id": {"type": "integer"}, "kind": text(), "text": text(),
                         "subject": obj({"type": text(), "id": {"type": "integer"}}),
                         "created_at": text(format="date-time"),
                         "read_at": nullable("string", format="date-time")},
                        ("id", "kind", "text", "subject", "created_at", "read_at")),
    "NotificationList": obj({"unread": {"type": "integer"},
                             "notifications": {"type": "array", "items": ref("Notification")}},
                            ("unread", "notifications")),
    "MarkRead": obj({"up_to_id": {"type": "integer", "minimum": 1}}, closed=True),
    "Marked": obj({"marked": {"type": "integer"}}, ("marked",)),
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


PATHS: dict[str, Any] = {
    "/notifications": {"get": operation(
        "Your newest notifications and the unread count", 200, "NotificationList")},
    "/notifications/read": {"post": operation(
        "Mark your notifications read (all, or up to `up_to_id`)", 200, "Marked",
        body="MarkRead", errors=WRITE_ERRORS)},
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
    "/me": {"get": operation("Your account, profile and enrolments", 200, "Me"),
            "delete": operation("Delete your account (your partners keep your shared history, "
                                "without your name or messages)", 204,
                                body="AccountDeletion", errors=(*WRITE_ERRORS, 429))},
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

# Each part of the API describes its own paths and schemas.
SECTIONS = (openapi_matching, openapi_rounds, openapi_workspace, openapi_goals, openapi_meetings,
            openapi_thread, openapi_notifications, openapi_health, openapi_data)

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
    "paths": PATHS | {path: item for section in SECTIONS for path, item in section.PATHS.items()},
    "components": {
        "schemas": SCHEMAS | {name: schema for section in SECTIONS
                              for name, schema in section.SCHEMAS.items()},
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer"},
            "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session"},
        },
    },
}


@bp.get("/openapi.json")
def openapi_document() -> dict[str, Any]:
    """This API's OpenAPI document; public, so clients can read it before signing in."""
    return DOCUMENT
