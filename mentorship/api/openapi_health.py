"""The OpenAPI description of a program's health for admins: dashboard, at-risk, nudge."""

from __future__ import annotations

from typing import Any

from mentorship.api.schema import WRITE_ERRORS, id_param, nullable, obj, operation, ref, text
from mentorship.services.health import Reason
from mentorship.services.reports import MAX_MONTHS, PRIVACY_FLOOR, TOO_FEW

INT = {"type": "integer"}
SHARE = nullable("number", minimum=0, maximum=1)
COUNTS = {"type": "object", "additionalProperties": INT}
MONTH = text(pattern=r"^\d{4}-\d{2}$")
REASONS = [r.value for r in Reason]
ADMIN_READ = (401, 403, 404)


def _array(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


SCHEMAS: dict[str, Any] = {
    "RatingBucket": obj({"month": MONTH, "mean": nullable("number"),
                         "ratings": nullable("integer"), "hidden": {"type": "boolean"}},
                        ("month", "mean", "ratings", "hidden")),
    "ProgramDashboard": obj({
        "program_id": INT,
        "period": obj({"since": MONTH, "until": MONTH}, ("since", "until")),
        "participants": COUNTS,
        "matching": obj({"matched_mentees": INT, "matched_share": SHARE,
                         "median_days_to_first_match": nullable("number")}),
        "pairings": COUNTS,
        "sessions_per_week": _array(obj({"week_of": text(format="date"), "sessions": INT})),
        "active_pairs_with_session_30_days": obj({"pairs": INT, "share": SHARE}),
        "goals": COUNTS,
        "mentor_load": obj({"seats_used": INT, "seats_offered": INT,
                            "mentors_by_seats_used": _array(obj({"seats_used": INT,
                                                                 "mentors": INT}))}),
        "requests": obj({"by_status": COUNTS, "acceptance_rate": SHARE,
                         "decline_reasons": _array(obj({"reason": text(),
                                                        "requests": INT}))}),
        "ratings": obj({"privacy_floor_pairs": INT, "hidden_reason": text(),
                        "mentee": _array(ref("RatingBucket")),
                        "mentor": _array(ref("RatingBucket")),
                        "mentee_overall": nullable("number"),
                        "mentor_overall": nullable("number")}),
    }, ("program_id", "period", "participants", "matching", "pairings", "sessions_per_week",
        "active_pairs_with_session_30_days", "goals", "mentor_load", "requests", "ratings")),
    "AtRiskPair": obj({"pairing_id": INT, "mentee": text(), "mentor": text(),
                       "started_at": text(format="date-time"),
                       "last_activity_at": text(format="date-time"),
                       "check_in_due": nullable("string", format="date"),
                       "reasons": _array({"enum": REASONS}), "labels": _array(text()),
                       "suggested_step": {"enum": REASONS}},
                      ("pairing_id", "mentee", "mentor", "started_at", "last_activity_at",
                       "check_in_due", "reasons", "labels", "suggested_step")),
    "AtRiskList": obj({"program_id": INT, "total": INT, "quiet_after_days": INT,
                       "pairs": _array(ref("AtRiskPair"))},
                      ("program_id", "total", "quiet_after_days", "pairs")),
    "NudgeInput": obj({"step": {"enum": REASONS, "description":
                                "The suggested next step to send; by default `quiet` "
                                "(book the next session)."}}, closed=True),
    "Nudged": obj({"pairing_id": INT, "step": {"enum": REASONS}, "notified": INT},
                  ("pairing_id", "step", "notified")),
}

PERIOD_PARAMS = [{"name": name, "in": "query", "required": False, "schema": text(),
                  "description": f"{label} month, YYYY-MM (a full date is snapped to its "
                                 f"month); at most {MAX_MONTHS} months"}
                 for name, label in (("since", "First"), ("until", "Last"))]
PROGRAM = id_param("program_id")
PATHS: dict[str, Any] = {
    "/admin/programs/{program_id}/dashboard": {
        "parameters": PROGRAM,
        "get": operation("A program's health figures (admins)", 200, "ProgramDashboard",
                         errors=(*ADMIN_READ, 422),
                         description=f"Ratings per whole calendar month, each shown only "
                                     f"over at least {PRIVACY_FLOOR} pairs (else null, "
                                     f"\"{TOO_FEW}\"); totals only from shown months. "
                                     "`since`/`until` choose the months of the ratings "
                                     "and requests; by default the last 12.")
        | {"parameters": PERIOD_PARAMS},
    },
    "/admin/programs/{program_id}/at-risk": {
        "parameters": PROGRAM,
        "get": operation("Active pairs that may need help, with reasons and dates (admins)",
                         200, "AtRiskList", errors=ADMIN_READ),
    },
    "/admin/programs/{program_id}/pairings/{pairing_id}/nudge": {
        "parameters": PROGRAM + id_param("pairing_id"),
        "post": operation("Notify both sides of a pair with a suggested next step (admins)",
                          201, "Nudged", body="NudgeInput",
                          errors=(*WRITE_ERRORS, 403, 404, 409),
                          description="Recorded in the program's audit log. 409 if the "
                                      "pairing has ended."),
    },
}
