"""The OpenAPI description of a pair's goals, action items, session feedback and fit check."""

from __future__ import annotations

from typing import Any

from mentorship.api.schema import WRITE_ERRORS, id_param, nullable, obj, operation, ref, text
from mentorship.models import FitAnswer, MeetingStatus, Role
from mentorship.services import feedback, goals

INT = {"type": "integer"}
TIME = text(format="date-time")
VERSION = {"type": "integer", "minimum": 1,
           "description": "The version this was read at; send it back (or `If-Match`) to "
                          "make a change conditional: 409 if someone saved since."}
GOAL = goals.GOAL.schema()["properties"]
ITEM = goals.ITEM.schema()["properties"]
PAIR_ONLY = "404 for anyone outside the pair, admins included."
READ_ONLY = "409 once the mentorship has ended (its workspace is read-only)."


def pairing_and(*names: str) -> list[dict[str, Any]]:
    return [p for name in ("pairing_id", *names) for p in id_param(name)]


SCHEMAS: dict[str, Any] = {
    "ActionItem": obj({"id": INT, "goal_id": nullable("integer"),
                       "meeting_id": nullable("integer",
                                              description="The session whose log it came from"),
                       **ITEM, "done": {"type": "boolean"},
                       "done_at": nullable("string", format="date-time"),
                       "overdue": {"type": "boolean",
                                   "description": "Due before today (yours) and not done"}},
                      ("id", "goal_id", "meeting_id", *goals.ITEM.names, "done", "overdue")),
    "NewActionItem": goals.ITEM.schema(required=("title", "owner"), closed=True),
    "ActionItemUpdate": obj({"done": {"type": "boolean"}}, ("done",), closed=True),
    "GoalChange": obj({"at": TIME, "actor": text(),
                       "changes": {"type": "array", "items": text(),
                                   "description": "e.g. `Progress: 20 % → 50 %`"}},
                      ("at", "actor", "changes")),
    "Goal": obj({"id": INT, **GOAL, "version": VERSION, "created_at": TIME, "updated_at": TIME,
                 "items": {"type": "array", "items": ref("ActionItem")},
                 "history": {"type": "array", "items": ref("GoalChange"),
                             "description": "Only on a single goal, newest first"}},
                ("id", *goals.GOAL.names, "version", "items")),
    "Goals": obj({"goals": {"type": "array", "items": ref("Goal")},
                  "from_sessions": {"type": "array", "items": ref("ActionItem"),
                                    "description": "Next steps from session logs"}},
                 ("goals", "from_sessions")),
    "NewGoal": goals.GOAL.schema(required=("title",), closed=True),
    "GoalUpdate": obj(GOAL | {"version": VERSION}, closed=True),
    "Feedback": obj({"id": INT, "session_id": INT, "role": {"enum": [r.value for r in Role]},
                     **feedback.FEEDBACK.schema()["properties"], "created_at": TIME,
                     "labels": {"type": "object", "additionalProperties": text(),
                                "description": "The questions as the author's side read them"}},
                    ("id", "session_id", "role", *feedback.FEEDBACK.names, "created_at")),
    "SessionFeedback": obj({"session_id": INT,
                            "session_status": {"enum": [s.value for s in MeetingStatus]},
                            "can_give": {"type": "boolean"},
                            "feedback": {"type": "array", "items": ref("Feedback")}},
                           ("session_id", "session_status", "can_give", "feedback")),
    "NewFeedback": feedback.FEEDBACK.schema(required=("rating",), closed=True),
    "FitCheck": obj({"due": {"type": "boolean",
                             "description": "Asked now: after the first completed session, "
                                            "until answered"},
                     "answer": {"enum": [*(a.value for a in FitAnswer), None]},
                     "answered_at": nullable("string", format="date-time"),
                     "may_end": {"type": "boolean",
                                 "description": "A mentee who answered `no` may end the "
                                                "mentorship with reason `not_a_good_fit` "
                                                "(POST /pairings/{id}/end)"}},
                    ("due", "answer", "answered_at", "may_end")),
    "FitAnswer": feedback.FIT.schema(required=("answer",), closed=True),
}

PATHS: dict[str, Any] = {
    "/pairings/{pairing_id}/goals": {
        "parameters": pairing_and(),
        "get": operation("The pair's goals with their action items, and the next steps "
                         "from session logs", 200, "Goals", errors=(401, 404),
                         description=PAIR_ONLY),
        "post": operation("Set a goal", 201, "Goal", body="NewGoal",
                          errors=(*WRITE_ERRORS, 404, 409), description=READ_ONLY),
    },
    "/pairings/{pairing_id}/goals/{goal_id}": {
        "parameters": pairing_and("goal_id"),
        "get": operation("One goal with its items and history", 200, "Goal",
                         errors=(401, 404), description=PAIR_ONLY),
        "patch": operation("Change some goal fields", 200, "Goal", body="GoalUpdate",
                           errors=(*WRITE_ERRORS, 404, 409),
                           description="Conditional with `If-Match` or `version`: 409 with "
                                       "the fields saved meanwhile if stale. " + READ_ONLY),
    },
    "/pairings/{pairing_id}/goals/{goal_id}/items": {
        "parameters": pairing_and("goal_id"),
        "post": operation("Add an action item to a goal", 201, "ActionItem",
                          body="NewActionItem", errors=(*WRITE_ERRORS, 404, 409),
                          description=READ_ONLY),
    },
    "/pairings/{pairing_id}/items/{item_id}": {
        "parameters": pairing_and("item_id"),
        "patch": operation("Mark an action item done or not done", 200, "ActionItem",
                           body="ActionItemUpdate", errors=(*WRITE_ERRORS, 404, 409),
                           description="Setting the state it has changes nothing. "
                                       + READ_ONLY),
    },
    "/pairings/{pairing_id}/sessions/{meeting_id}/feedback": {
        "parameters": pairing_and("meeting_id"),
        "get": operation("Both sides' feedback on a session", 200, "SessionFeedback",
                         errors=(401, 404), description=PAIR_ONLY),
        "post": operation("Give your feedback on a completed session, once", 201,
                          "Feedback", body="NewFeedback", errors=(*WRITE_ERRORS, 404, 409),
                          description="409 for a session not completed and for a second "
                                      "feedback from your side. The partner is notified. "
                                      + READ_ONLY),
    },
    "/pairings/{pairing_id}/fit": {
        "parameters": pairing_and(),
        "get": operation("Your own answer to \"is this a good fit?\"", 200, "FitCheck",
                         errors=(401, 404),
                         description="Never the partner's answer, and nobody is told yours."),
        "put": operation("Answer \"is this a good fit?\", once", 201, "FitCheck",
                         body="FitAnswer", errors=(*WRITE_ERRORS, 404, 409),
                         description="201 the first time, 200 for the same answer again; 409 "
                                     "for another answer, before the first completed "
                                     "session, or once the mentorship has ended."),
    },
}
