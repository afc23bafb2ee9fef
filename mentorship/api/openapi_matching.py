"""The OpenAPI description of the match requests, suggestions, pairings and notifications routes."""

from __future__ import annotations

from typing import Any

from mentorship.api.schema import WRITE_ERRORS, id_param, nullable, obj, operation, ref, text
from mentorship.models import DeclineReason, EndReason, PairingSource, PairingStatus, RequestStatus
from mentorship.services.requests import MESSAGE_MAX
from mentorship.services.suggestions import GAP_MAX, MAX_LIMIT

INT = {"type": "integer"}
TIME = text(format="date-time")
TAGS = {"type": "array", "items": text()}
PERSON = {"enrolment_id": INT, "user_id": INT, "name": text()}
MENTEE = obj(PERSON | {"goals": text(), "skills_to_grow": TAGS},
             ("enrolment_id", "user_id", "name", "goals", "skills_to_grow"))


def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


SCHEMAS: dict[str, Any] = {
    "Suggestion": obj({"mentor_enrolment_id": INT, "name": text(), "headline": text(),
                       "expertise": TAGS, "languages": TAGS,
                       "timezone_gap_hours": nullable("number"), "free_seats": INT,
                       "score": {"type": "number", "minimum": 0, "maximum": 1},
                       "score_percent": INT, "reasons": TAGS},
                      ("mentor_enrolment_id", "name", "score", "reasons")),
    "Suggestions": obj({"program_id": INT,
                        "pairing": {"oneOf": [ref("Pairing"), {"type": "null"}],
                                    "description": "Your active mentorship in the program: "
                                                   "suggestions are empty while you have one."},
                        "requested": {"type": "array", "items": ref("MatchRequest")},
                        "suggestions": {"type": "array", "items": ref("Suggestion")},
                        "has_more": {"type": "boolean"}},
                       ("program_id", "pairing", "requested", "suggestions", "has_more")),
    "MatchRequest": obj({"id": INT, "program_id": INT, "program_name": text(),
                         "status": {"enum": [s.value for s in RequestStatus],
                                    "description": "Pending requests read as expired from "
                                                   "expires_at on."},
                         "mentee": MENTEE, "mentor": obj(PERSON), "message": text(),
                         "score": nullable("number"), "reasons": TAGS,
                         "decline_reason": {"enum": [*(r.value for r in DeclineReason), None]},
                         "decline_note": text(), "created_at": TIME,
                         "decided_at": nullable("string", format="date-time"),
                         "expires_at": TIME},
                        ("id", "program_id", "status", "mentee", "mentor", "expires_at")),
    "MatchRequests": obj({"sent": {"type": "array", "items": ref("MatchRequest")},
                          "received": {"type": "array", "items": ref("MatchRequest")}}),
    "NewMatchRequest": obj({"mentor_enrolment_id": {"type": "integer", "minimum": 1},
                            "message": text(MESSAGE_MAX)}, ("mentor_enrolment_id",),
                           closed=True),
    "Decline": obj({"reason": {"enum": [r.value for r in DeclineReason]},
                    "note": text(MESSAGE_MAX)}, ("reason",), closed=True),
    "Pairing": obj({"id": INT, "program_id": INT, "program_name": text(),
                    "role": {"enum": ["mentee", "mentor"], "description": "Your side"},
                    "status": {"enum": [s.value for s in PairingStatus]},
                    "source": {"enum": [s.value for s in PairingSource]},
                    "mentee": MENTEE, "mentor": obj(PERSON), "score": nullable("number"),
                    "reasons": TAGS, "started_at": TIME,
                    "ended_at": nullable("string", format="date-time"),
                    "end_reason": {"enum": [*(r.value for r in EndReason), None]},
                    "end_note": text()},
                   ("id", "program_id", "role", "status", "source", "mentee", "mentor")),
    "Pairings": obj({"pairings": {"type": "array", "items": ref("Pairing")}}, ("pairings",)),
    "EndPairing": obj({"reason": {"enum": [r.value for r in EndReason]},
                       "note": text(MESSAGE_MAX)}, ("reason",), closed=True),
}

ANSWER = "409 if the request is no longer pending (answered, withdrawn or expired)."
PATHS: dict[str, Any] = {
    "/programs/{program_id}/suggestions": {
        "parameters": id_param("program_id"),
        "get": {**operation(
            "Your best mentors in a program where you are a mentee", 200, "Suggestions",
            errors=(401, 404, 409, 422),
            description="Never suggested: yourself, mentors of your ended mentorships in the "
                        "program, mentors you asked already (listed under `requested`), paused "
                        "or full mentors."),
            "parameters": [
                query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                "default": 5}, "How many mentors"),
                query("language", text(2), "Only mentors who speak this ISO 639-1 language"),
                query("expertise", text(), "Only mentors with this expertise tag"),
                query("max_timezone_gap", {"type": "integer", "minimum": 0, "maximum": GAP_MAX},
                      "Only mentors at most this many hours from your clock")]},
    },
    "/match-requests": {
        "get": {**operation("Requests you sent and received, newest first", 200,
                            "MatchRequests", errors=(401, 422)),
                "parameters": [query("direction", {"enum": ["sent", "received"]},
                                     "One side only (both when absent)"),
                               query("status", {"enum": [s.value for s in RequestStatus]},
                                     "Only requests shown with this status")]},
        "post": operation("Ask a mentor of a program where you are a mentee", 201,
                          "MatchRequest", body="NewMatchRequest",
                          errors=(*WRITE_ERRORS, 404, 409),
                          description="409 when you already asked this mentor, have as many "
                                      "pending requests as the program allows, already have "
                                      "a mentor in the program, or the mentor is paused, full "
                                      "or ruled out by the program's matching rules."),
    },
    "/match-requests/{request_id}/accept": {
        "parameters": id_param("request_id"),
        "post": operation("Accept a request you received: the mentorship starts", 201,
                          "Pairing", errors=(400, 401, 404, 409),
                          description=ANSWER + " Also 409 when you have no free seat or the "
                                               "mentee has a mentor already."),
    },
    "/match-requests/{request_id}/decline": {
        "parameters": id_param("request_id"),
        "post": operation("Decline a request you received, with a reason", 200,
                          "MatchRequest", body="Decline", errors=(*WRITE_ERRORS, 404, 409),
                          description=ANSWER),
    },
    "/match-requests/{request_id}/withdraw": {
        "parameters": id_param("request_id"),
        "post": operation("Withdraw a request you sent", 200, "MatchRequest",
                          errors=(400, 401, 404, 409), description=ANSWER),
    },
    "/pairings": {"get": operation("Your mentorships, on either side", 200, "Pairings")},
    "/pairings/{pairing_id}": {
        "parameters": id_param("pairing_id"),
        "get": operation("One of your mentorships (404 for anyone outside the pair)", 200,
                         "Pairing", errors=(401, 404)),
    },
    "/pairings/{pairing_id}/end": {
        "parameters": id_param("pairing_id"),
        "post": operation("End one of your mentorships", 200, "Pairing", body="EndPairing",
                          errors=(*WRITE_ERRORS, 404, 409)),
    },
}
