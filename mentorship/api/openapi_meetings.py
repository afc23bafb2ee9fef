"""The OpenAPI description of a pair's sessions, their calendar files and the feed URL."""

from __future__ import annotations

from typing import Any

from mentorship.api.schema import WRITE_ERRORS, id_param, nullable, obj, operation, ref, text
from mentorship.models import DURATION_MAX, DURATION_MIN, MeetingStatus, Role
from mentorship.services import meetings, prep_notes

VERSION = {"type": "integer", "minimum": 1,
           "description": "The version this was read at; send it back (or `If-Match`) to make "
                          "a change conditional: 409 if someone saved since."}
STARTS_AT = text(format="date-time", description=(
    "ISO 8601 with an offset (`Z` for UTC); without one it is read in your profile's time "
    "zone. Answers give it in UTC."))
PLAN = {"starts_at": STARTS_AT,
        "duration_minutes": {"type": "integer", "minimum": DURATION_MIN,
                             "maximum": DURATION_MAX},
        "location": meetings.STORED["location"].schema(),
        "agenda": meetings.STORED["agenda"].schema()}
PREP = prep_notes.PREP.schema()["properties"]
LOG = meetings.LOG.schema()["properties"]
ITEM = obj({"id": {"type": "integer"}, "title": text(), "owner": {"enum": [r.value for r in Role]},
            "due_on": nullable("string", format="date"), "done": {"type": "boolean"}},
           ("id", "title", "owner", "due_on", "done"))
BOTH = (*WRITE_ERRORS, 404, 409)

SCHEMAS: dict[str, Any] = {
    "PrepNote": obj(PREP | {"updated_at": text(format="date-time")},
                    (*prep_notes.PREP.names, "updated_at")),
    "PrepNoteUpdate": obj(PREP, closed=True),
    "Session": obj({
        "id": {"type": "integer"}, "pairing_id": {"type": "integer"},
        "starts_at": text(format="date-time"), "ends_at": text(format="date-time"),
        "duration_minutes": {"type": "integer"}, "location": text(), "agenda": text(),
        "status": {"enum": [s.value for s in MeetingStatus]},
        "sequence": {"type": "integer", "description": "The calendar's SEQUENCE."},
        "version": VERSION, "discussed": text(), "guidance": text(),
        "next_check_in": nullable("string", format="date"),
        "logged_at": nullable("string", format="date-time"),
        "prep_notes": obj({role.value: {"oneOf": [ref("PrepNote"), {"type": "null"}]}
                           for role in Role}, tuple(r.value for r in Role)),
        "action_items": {"type": "array", "items": ITEM},
        "ics_url": text(),
    }, ("id", "pairing_id", "starts_at", "ends_at", "duration_minutes", "status", "sequence",
        "version", "prep_notes", "action_items")),
    "SessionList": obj({"sessions": {"type": "array", "items": ref("Session")}}, ("sessions",)),
    "NewSession": obj(PLAN, ("starts_at",), closed=True),
    "SessionUpdate": obj(PLAN | {"version": VERSION}, closed=True),
    "SessionLog": obj(LOG | {"version": VERSION}, closed=True),
    "CalendarFeed": obj({"exists": {"type": "boolean"},
                         "created_at": nullable("string", format="date-time"),
                         "url": nullable("string", description=(
                             "The secret feed URL: only in the answer that made it."))},
                        ("exists", "created_at", "url")),
}

ONE = "/pairings/{pairing_id}/sessions/{meeting_id}"
IDS = id_param("pairing_id") + id_param("meeting_id")
ICS = {"200": {"description": "Success",
               "content": {"text/calendar": {"schema": text()}}}}

PATHS: dict[str, Any] = {
    "/pairings/{pairing_id}/sessions": {
        "parameters": id_param("pairing_id"),
        "get": operation("The pair's sessions, latest first", 200, "SessionList",
                         errors=(401, 404)),
        "post": operation("Schedule a session; the partner is told", 201, "Session",
                          body="NewSession", errors=BOTH,
                          description="The start must be from now on. 409 once the "
                                      "mentorship has ended."),
    },
    ONE: {
        "parameters": IDS,
        "get": operation("One session with both prep notes and its action items", 200,
                         "Session", errors=(401, 404)),
        "patch": operation("Change a planned session", 200, "Session", body="SessionUpdate",
                           errors=BOTH,
                           description="A change a calendar shows bumps `sequence`. 409 if "
                                       "the session is no longer planned or is stale."),
    },
    ONE + "/cancel": {"parameters": IDS, "post": operation(
        "Cancel a planned session (again: no change)", 200, "Session", errors=(401, 404, 409))},
    ONE + "/log": {
        "parameters": IDS,
        "post": operation(
            "Log a session, from its start time on", 200, "Session", body="SessionLog",
            errors=BOTH,
            description="`next_steps`: one per line, each becomes an action item (a line "
                        "starting `Mentor:` is the mentor's). 409 if cancelled, not started "
                        "or already logged."),
        "patch": operation("Edit a session's log", 200, "Session", body="SessionLog",
                           errors=BOTH),
    },
    ONE + "/prep": {"parameters": IDS, "put": operation(
        "Write your own prep note (until the session is logged)", 200, "PrepNote",
        body="PrepNoteUpdate", errors=BOTH)},
    "/sessions/{meeting_id}.ics": {"parameters": id_param("meeting_id"), "get": {
        "summary": "One session as an iCalendar file",
        "responses": operation("", 200, errors=(401, 404))["responses"] | ICS}},
    "/me/calendar-feed": {
        "get": operation("Whether you have a private calendar feed URL", 200, "CalendarFeed"),
        "post": operation("Make a new feed URL (replacing any), shown once", 201,
                          "CalendarFeed", errors=(401,)),
        "delete": operation("Revoke your feed URL", 204),
    },
}
