"""The OpenAPI description of the workspace (agreement, reflections, export), the audit
log, and one's own data (download, deletion)."""

from __future__ import annotations

from typing import Any

from mentorship.api.schema import WRITE_ERRORS, id_param, nullable, obj, operation, ref, text
from mentorship.services.agreements import AGREEMENT, State
from mentorship.services.closure import REFLECTION

INT = {"type": "integer"}
TIME = text(format="date-time")
PAIRING = id_param("pairing_id")

SCHEMAS: dict[str, Any] = {
    "Agreement": AGREEMENT.schema() | {
        "properties": AGREEMENT.schema()["properties"] | {
            "number": INT, "created_at": TIME, "accepted": {"type": "boolean"},
            "mentee_accepted_at": nullable("string", format="date-time"),
            "mentor_accepted_at": nullable("string", format="date-time")}},
    "AgreementState": obj({"pairing_id": INT, "state": {"enum": [s.value for s in State]},
                           "current": {"oneOf": [ref("Agreement"), {"type": "null"}]},
                           "in_force": {"oneOf": [ref("Agreement"), {"type": "null"}]},
                           "versions": {"type": "array", "items": ref("Agreement")}},
                          ("pairing_id", "state", "current", "in_force", "versions")),
    "AgreementProposal": AGREEMENT.schema(required=("based_on",), closed=True) | {
        "properties": AGREEMENT.schema()["properties"] | {
            "based_on": {"type": "integer", "minimum": 0,
                         "description": "The version you read (0 before the first)."}}},
    "AgreementAcceptance": obj({"number": {"type": "integer", "minimum": 1}}, ("number",),
                               closed=True),
    "Reflection": REFLECTION.schema() | {"properties": REFLECTION.schema()["properties"] | {
        "role": {"enum": ["mentee", "mentor"]}, "created_at": TIME}},
    "ReflectionInput": REFLECTION.schema(closed=True),
    "Reflections": obj({"reflections": {"type": "array", "items": ref("Reflection")}},
                       ("reflections",)),
}

PRIVATE = (401, 404)
PATHS: dict[str, Any] = {
    "/pairings/{pairing_id}/agreement": {
        "parameters": PAIRING,
        "get": operation("The pair's agreement: newest version, the one in force, history",
                         200, "AgreementState", errors=PRIVATE),
        "put": operation("Propose a new version (counts as your acceptance)", 201,
                         "AgreementState", body="AgreementProposal",
                         errors=(*WRITE_ERRORS, 404, 409)),
    },
    "/pairings/{pairing_id}/agreement/accept": {
        "parameters": PAIRING,
        "post": operation("Accept the newest version", 200, "AgreementState",
                          body="AgreementAcceptance", errors=(*WRITE_ERRORS, 404, 409)),
    },
    "/pairings/{pairing_id}/reflections": {
        "parameters": PAIRING,
        "get": operation("Both sides' reflections on an ended mentorship", 200, "Reflections",
                         errors=PRIVATE),
        "post": operation("Write your reflection, once, after the end", 201, "Reflection",
                          body="ReflectionInput", errors=(*WRITE_ERRORS, 404, 409)),
    },
    "/pairings/{pairing_id}/export.md": {
        "parameters": PAIRING,
        "get": operation("The whole workspace as one Markdown document", 200, errors=PRIVATE)
        | {"responses": {"200": {"description": "Markdown",
                                 "content": {"text/markdown": {"schema": text()}}},
                         "401": {"description": "No valid session or token"},
                         "404": {"description": "No such pairing, or one you may not see"}}},
    },
}

SCHEMAS["AuditEntry"] = obj({"id": INT, "at": TIME, "actor": text(), "actor_id": nullable("integer"),
                             "action": text(), "target": text(), "details": {"type": "object"}},
                            ("id", "at", "actor", "action", "target", "details"))
SCHEMAS["AuditLog"] = obj({"entries": {"type": "array", "items": ref("AuditEntry")},
                           "next_before": nullable("integer")}, ("entries", "next_before"))
PATHS["/admin/programs/{program_id}/audit"] = {
    "parameters": id_param("program_id"),
    "get": operation("A program's audit log of admin actions, newest first", 200, "AuditLog",
                     errors=(401, 403, 404)) | {"parameters": [{
                         "name": "before", "in": "query", "required": False, "schema": INT,
                         "description": "An entry id: the page of entries older than it."}]},
}

SCHEMAS["MyData"] = {"type": "object", "description": "Every row the platform holds about "
                     "you, by table (hashes of passwords and tokens left out).",
                     "properties": {"account": {"type": "object"}}, "required": ["account"]}
SCHEMAS["AccountDeletion"] = obj({"password": text(), "confirm": {"const": True}},
                                 ("password", "confirm"), closed=True)
PATHS["/me/data"] = {"get": operation("Everything the platform holds about you", 200, "MyData")}
