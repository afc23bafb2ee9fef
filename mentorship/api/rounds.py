"""Admin matching rounds in the JSON API: run, read, adjust, publish, discard."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from werkzeug.wrappers import Response

from mentorship.api.auth import api_admin_required, current_api_user
from mentorship.api.blueprint import bp
from mentorship.api.serialize import iso
from mentorship.api.validation import json_object
from mentorship.db import get_session
from mentorship.models import MatchRound
from mentorship.services import programs, round_edits, round_publish, round_runs, rounds

PAIR_FIELDS = ("mentee_enrolment_id", "mentor_enrolment_id")


def round_json(round_: MatchRound) -> dict[str, Any]:
    """The round, its report and every proposal (an admin reads the whole draft)."""
    return {"id": round_.id, "program_id": round_.program_id, "status": round_.status.value,
            "settings": round_.settings, "report": round_.report, "error": round_.error,
            "created_at": iso(round_.created_at), "started_at": iso(round_.started_at),
            "finished_at": iso(round_.finished_at),
            "proposals": [{"mentee_enrolment_id": p.mentee_enrolment_id,
                           "mentor_enrolment_id": p.mentor_enrolment_id, "score": p.score,
                           "reasons": p.reasons, "pinned": p.pinned} for p in round_.proposals]}


def _round(round_id: int) -> MatchRound:
    return rounds.get_round(get_session(), round_id)


def _cache() -> Any:
    return current_app.extensions["matcher_cache"]


@bp.post("/programs/<int:program_id>/rounds")
@api_admin_required
def start_round(program_id: int) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Run a round now; 409 while another round of the program runs."""
    db = get_session()
    program = programs.get_program_for_user(db, program_id, current_api_user())
    body = json_object(rounds.SETTINGS.names)
    round_ = rounds.start_round(db, program, body, current_api_user())
    db.commit()
    round_ = round_runs.run_round(db, round_.id, _cache())
    return round_json(round_), 201, {"Location": url_for(".get_round", round_id=round_.id)}


@bp.get("/rounds/<int:round_id>")
@api_admin_required
def get_round(round_id: int) -> dict[str, Any]:
    return round_json(_round(round_id))


def _edit(round_id: int, change: Any) -> dict[str, Any]:
    db = get_session()
    round_ = _round(round_id)
    change(db, round_, json_object(PAIR_FIELDS))
    db.commit()
    db.expire_all()
    return round_json(_round(round_id))


@bp.post("/rounds/<int:round_id>/pins")
@api_admin_required
def pin(round_id: int) -> dict[str, Any]:
    return _edit(round_id, lambda db, r, body: round_edits.pin(db, r, body, _cache()))


@bp.post("/rounds/<int:round_id>/unpin")
@api_admin_required
def unpin(round_id: int) -> dict[str, Any]:
    return _edit(round_id, round_edits.unpin)


@bp.post("/rounds/<int:round_id>/exclusions")
@api_admin_required
def exclude(round_id: int) -> dict[str, Any]:
    return _edit(round_id, round_edits.exclude)


@bp.post("/rounds/<int:round_id>/rerun")
@api_admin_required
def rerun(round_id: int) -> dict[str, Any]:
    db = get_session()
    rounds.restart_round(db, _round(round_id))
    db.commit()
    return round_json(round_runs.run_round(db, round_id, _cache()))


@bp.post("/rounds/<int:round_id>/publish")
@api_admin_required
def publish(round_id: int) -> dict[str, Any]:
    db = get_session()
    made = round_publish.publish(db, _round(round_id), current_api_user())
    db.commit()
    return {"round": round_json(_round(round_id)), "pairings": made}


@bp.post("/rounds/<int:round_id>/discard")
@api_admin_required
def discard(round_id: int) -> dict[str, Any]:
    db = get_session()
    rounds.discard(db, _round(round_id))
    db.commit()
    return round_json(_round(round_id))


@bp.get("/rounds/<int:round_id>/proposals.csv")
@api_admin_required
def proposals_csv(round_id: int) -> Response:
    round_ = _round(round_id)
    return Response("".join(round_edits.proposals_csv(get_session(), round_)),
                    mimetype="text/csv", headers={
                        "Content-Disposition": f'attachment; filename="round-{round_id}.csv"'})
