"""The OpenAPI description of the admin matching rounds routes."""

from __future__ import annotations

from typing import Any

from mentorship.api.schema import WRITE_ERRORS, id_param, nullable, obj, operation, ref, text
from mentorship.services import round_report, rounds

ADMIN_ERRORS = (401, 403, 404, 409)
PAIR = {"mentee_enrolment_id": {"type": "integer", "minimum": 1},
        "mentor_enrolment_id": {"type": "integer", "minimum": 1}}

SCHEMAS: dict[str, Any] = {
    "RoundSettings": obj({
        "objective": {"enum": ["score", "coverage"], "default": "score",
                      "description": rounds.SETTINGS["objective"].help},
        "min_score": nullable("number", minimum=0, maximum=1,
                              description=rounds.SETTINGS["min_score"].help),
        "equity": {"type": "number", "minimum": 0, "maximum": 1, "default": 0,
                   "description": rounds.SETTINGS["equity"].help},
        "group_by": {"enum": [key for key, _ in round_report.GROUPINGS], "default": "language",
                     "description": "The mentee attribute the fairness report groups by."},
    }, closed=True),
    "RoundPair": obj(PAIR, tuple(PAIR), closed=True),
    "RoundProposal": obj(PAIR | {"score": {"type": "number"},
                                 "reasons": {"type": "array", "items": text()},
                                 "pinned": {"type": "boolean"}},
                         (*PAIR, "score", "reasons", "pinned")),
    "Round": obj({
        "id": {"type": "integer"}, "program_id": {"type": "integer"},
        "status": {"enum": ["running", "draft", "published", "discarded", "failed"]},
        "settings": ref("RoundSettings"),
        "report": {"type": "object", "description": (
            "matched, coverage, mean_score, min_score, p10_score, seats, mentors_used, "
            "load_mean, load_std, load_gini, certified, pinned, groups (label, mentees, "
            "matched, coverage, warning), score_bins, load_bins, why_counts and unmatched "
            "([mentee enrolment id, why, best allowed score]); empty until the run ends.")},
        "error": text(), "created_at": text(format="date-time"),
        "started_at": text(format="date-time"),
        "finished_at": nullable("string", format="date-time"),
        "proposals": {"type": "array", "items": ref("RoundProposal")},
    }, ("id", "program_id", "status", "settings", "report", "error", "proposals")),
    "Published": obj({"round": ref("Round"),
                      "pairings": {"type": "array", "items": {"type": "integer"}}},
                     ("round", "pairings")),
}

PATHS: dict[str, Any] = {
    "/programs/{program_id}/rounds": {
        "parameters": id_param("program_id"),
        "post": operation(
            "Run a matching round into a draft (admins)", 201, "Round", body="RoundSettings",
            errors=(*WRITE_ERRORS, 403, 404, 409),
            description="The round runs before the answer: a draft with its report, or "
                        "`failed` with its `error`. 409 while another round of the program "
                        "runs, or if the program is not open or running."),
    },
    "/rounds/{round_id}": {"parameters": id_param("round_id"),
                           "get": operation("A round, its report and proposals (admins)", 200,
                                            "Round", errors=(401, 403, 404))},
    "/rounds/{round_id}/pins": {"parameters": id_param("round_id"), "post": operation(
        "Pin a pair: fixed in every re-run (admins)", 200, "Round", body="RoundPair",
        errors=(*WRITE_ERRORS, *ADMIN_ERRORS))},
    "/rounds/{round_id}/unpin": {"parameters": id_param("round_id"), "post": operation(
        "Unpin a pair: the next re-run may change it (admins)", 200, "Round", body="RoundPair",
        errors=(*WRITE_ERRORS, *ADMIN_ERRORS))},
    "/rounds/{round_id}/exclusions": {"parameters": id_param("round_id"), "post": operation(
        "Exclude a pair from the round and its re-runs (admins)", 200, "Round",
        body="RoundPair", errors=(*WRITE_ERRORS, *ADMIN_ERRORS))},
    "/rounds/{round_id}/rerun": {"parameters": id_param("round_id"), "post": operation(
        "Re-run a draft or failed round, keeping pins and exclusions (admins)", 200, "Round",
        errors=ADMIN_ERRORS)},
    "/rounds/{round_id}/publish": {"parameters": id_param("round_id"), "post": operation(
        "Publish the draft: every pairing at once, or none (admins)", 200, "Published",
        errors=ADMIN_ERRORS,
        description="409 if the round is not a draft, or if any proposal no longer holds "
                    "(the message lists each clash); nothing changes then.")},
    "/rounds/{round_id}/discard": {"parameters": id_param("round_id"), "post": operation(
        "Discard a draft or failed round (admins)", 200, "Round", errors=ADMIN_ERRORS)},
    "/rounds/{round_id}/proposals.csv": {"parameters": id_param("round_id"), "get": {
        "summary": "The draft's proposals as CSV (admins)",
        "responses": {"200": {"description": "Success",
                              "content": {"text/csv": {"schema": text()}}}}
        | operation("", 200, errors=(401, 403, 404))["responses"]}},
}
