"""A program's health for admins: the dashboard's figures, the at-risk pairs, a nudge.

The same figures as the page, under the same privacy floor: ratings only per whole
calendar month over at least three pairs, and never any text a pair wrote.
"""

from __future__ import annotations

from typing import Any

from flask import request

from mentorship.api.auth import api_admin_required, current_api_user
from mentorship.api.blueprint import bp
from mentorship.api.validation import json_object
from mentorship.db import get_session
from mentorship.models import utcnow
from mentorship.services import health, programs, reports


@bp.get("/admin/programs/<int:program_id>/dashboard")
@api_admin_required
def program_dashboard(program_id: int) -> dict[str, Any]:
    """Every figure; ``since`` and ``until`` (YYYY-MM) choose the months of the ratings
    and requests (422 for anything else)."""
    db = get_session()
    program = programs.get_program_for_user(db, program_id, current_api_user())
    now = utcnow()
    period = reports.parse_period(request.args.get("since"), request.args.get("until"),
                                  now.date())
    report = reports.program_report(db, program, period, now)
    return {"program_id": program.id} | reports.report_json(report)


@bp.get("/admin/programs/<int:program_id>/at-risk")
@api_admin_required
def program_at_risk(program_id: int) -> dict[str, Any]:
    """The flagged active pairs with their reasons and dates (no ratings, no text)."""
    db = get_session()
    program = programs.get_program_for_user(db, program_id, current_api_user())
    pairs, total = health.at_risk(db, program)
    return {"program_id": program.id, "total": total, "quiet_after_days":
            program.at_risk_after_days, "pairs": [health.pair_json(p) for p in pairs]}


@bp.post("/admin/programs/<int:program_id>/pairings/<int:pairing_id>/nudge")
@api_admin_required
def nudge_pairing(program_id: int, pairing_id: int) -> tuple[dict[str, Any], int]:
    """Notify both sides with a suggested next step (``step``, one of the reasons; by
    default "quiet": book the next session); recorded in the audit log."""
    db = get_session()
    admin = current_api_user()
    program = programs.get_program_for_user(db, program_id, admin)
    body = json_object(("step",))
    pairing = health.get_program_pairing(db, program, pairing_id)
    step = health.nudge(db, admin, pairing, body.get("step") or health.Reason.QUIET.value)
    db.commit()
    return {"pairing_id": pairing.id, "step": step.value, "notified": 2}, 201
