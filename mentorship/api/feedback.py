"""Session feedback and the private fit check in the JSON API.

The fit check answers with the caller's own answer only; no response anywhere carries
the partner's.
"""

from __future__ import annotations

from typing import Any

from mentorship.api.auth import api_login_required, caller_pairing, current_api_user
from mentorship.api.blueprint import bp
from mentorship.api.serialize import iso
from mentorship.api.validation import json_object, require
from mentorship.db import get_session
from mentorship.models import Feedback, FitCheck, Pairing, Role
from mentorship.services import feedback, meetings
from mentorship.services.workspace import role_in


def feedback_json(item: Feedback) -> dict[str, Any]:
    spec = feedback.spec_for(item.author_role)
    return {"id": item.id, "session_id": item.meeting_id, "role": item.author_role.value,
            **feedback.FEEDBACK.dump(item), "created_at": iso(item.created_at),
            "labels": {f.name: f.label for f in spec.fields}}


def fit_json(pairing: Pairing, role: Role, mine: FitCheck | None, due: bool) -> dict[str, Any]:
    return {"due": due, "answer": mine.answer.value if mine else None,
            "answered_at": iso(mine.answered_at) if mine else None,
            "may_end": feedback.may_end_for_fit(mine, pairing, role)}


@bp.get("/pairings/<int:pairing_id>/sessions/<int:meeting_id>/feedback")
@api_login_required
def session_feedback(pairing_id: int, meeting_id: int) -> dict[str, Any]:
    """Both sides' feedback on a session (the pair reads both) and whether you may give yours."""
    pairing = caller_pairing(pairing_id)
    db = get_session()
    meeting = meetings.get_meeting(db, pairing, meeting_id)
    given = feedback.feedback_on(db, meeting)
    role = role_in(pairing, current_api_user())
    return {"session_id": meeting.id, "session_status": meeting.status.value,
            "can_give": feedback.can_give(pairing, meeting, given, role),
            "feedback": [feedback_json(given[r]) for r in Role if r in given]}


@bp.post("/pairings/<int:pairing_id>/sessions/<int:meeting_id>/feedback")
@api_login_required
def give_feedback(pairing_id: int, meeting_id: int) -> tuple[dict[str, Any], int]:
    """Your feedback on a completed session, once (409 for a second one)."""
    pairing = caller_pairing(pairing_id)
    db = get_session()
    meeting = meetings.get_meeting(db, pairing, meeting_id)
    body = json_object(feedback.FEEDBACK.names)
    require(body, ("rating",))
    given = feedback.give(db, pairing, meeting, current_api_user(), body)
    db.commit()
    return feedback_json(given), 201


@bp.get("/pairings/<int:pairing_id>/fit")
@api_login_required
def get_fit(pairing_id: int) -> dict[str, Any]:
    """Your own fit-check answer (never the partner's), and whether you are asked now."""
    pairing = caller_pairing(pairing_id)
    db = get_session()
    role = role_in(pairing, current_api_user())
    return fit_json(pairing, role, feedback.my_fit(db, pairing, role),
                    feedback.fit_check_due(db, pairing, role))


@bp.put("/pairings/<int:pairing_id>/fit")
@api_login_required
def put_fit(pairing_id: int) -> tuple[dict[str, Any], int]:
    """Answer once: 201; the same answer again: 200; another answer: 409."""
    pairing = caller_pairing(pairing_id)
    db = get_session()
    user = current_api_user()
    role = role_in(pairing, user)
    before = feedback.my_fit(db, pairing, role)
    body = json_object(feedback.FIT.names)
    require(body, ("answer",))
    mine = feedback.answer_fit(db, pairing, user, body)
    db.commit()
    return fit_json(pairing, role, mine, False), 200 if before else 201
