"""Suggestions, match requests and pairings in the JSON API.

Other people's requests and pairings are 404, as on the pages; the services decide
everything, so a refusal here reads the same as there (422 at fields, 409 conflicts).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for

from mentorship.api.auth import api_login_required, current_api_user
from mentorship.api.blueprint import bp
from mentorship.api.serialize import iso
from mentorship.api.validation import json_object, require
from mentorship.db import get_session, read_only_transaction
from mentorship.models import Enrolment, MatchRequest, Pairing, RequestStatus, User
from mentorship.routing import MAX_ID
from mentorship.services import matches, pairings, programs, request_queries, requests, suggestions
from mentorship.services.errors import FieldErrors
from mentorship.services.fields import clean_choice, clean_int

DIRECTIONS = ("sent", "received")
STATUSES = tuple(s.value for s in RequestStatus)


def person(enrolment: Enrolment) -> dict[str, Any]:
    return {"enrolment_id": enrolment.id, "user_id": enrolment.user_id,
            "name": enrolment.user.name}


def match_request(item: MatchRequest) -> dict[str, Any]:
    """A request as either side reads it; ``status`` is the shown one (expired on time)."""
    return {"id": item.id, "program_id": item.program_id, "program_name": item.program.name,
            "status": request_queries.shown_status(item).value,
            "mentee": person(item.mentee) | {"goals": item.mentee.goals,
                                             "skills_to_grow": list(item.mentee.skills_to_grow)},
            "mentor": person(item.mentor), "message": item.message, "score": item.score,
            "reasons": list(item.reasons),
            "decline_reason": item.decline_reason.value if item.decline_reason else None,
            "decline_note": item.decline_note, "created_at": iso(item.created_at),
            "decided_at": iso(item.decided_at), "expires_at": iso(item.expires_at)}


def pairing(item: Pairing, viewer: User) -> dict[str, Any]:
    return {"id": item.id, "program_id": item.program_id, "program_name": item.program.name,
            "role": "mentor" if item.mentor.user_id == viewer.id else "mentee",
            "status": item.status.value, "source": item.source.value,
            "mentee": person(item.mentee) | {"goals": item.mentee.goals,
                                             "skills_to_grow": list(item.mentee.skills_to_grow)},
            "mentor": person(item.mentor), "score": item.score, "reasons": list(item.reasons),
            "started_at": iso(item.started_at), "ended_at": iso(item.ended_at),
            "end_reason": item.end_reason.value if item.end_reason else None,
            "end_note": item.end_note}


def suggested(s: suggestions.Suggested) -> dict[str, Any]:
    profile = s.mentor.user.profile
    return {"mentor_enrolment_id": s.mentor.id, "name": s.mentor.user.name,
            "headline": profile.headline, "expertise": list(s.mentor.expertise),
            "languages": list(profile.languages), "timezone_gap_hours": s.timezone_gap,
            "free_seats": s.free_seats, "score": s.score, "score_percent": s.percent,
            "reasons": list(s.reasons)}


def query_choice(name: str, choices: tuple[str, ...]) -> str:
    """A query parameter that must be one of ``choices`` or absent ('')."""
    try:
        return clean_choice(request.args.get(name, ""), ("", *choices))
    except ValueError:
        raise FieldErrors({name: f"Choose one of: {', '.join(choices)}."}) from None


@bp.get("/programs/<int:program_id>/suggestions")
@api_login_required
def list_suggestions(program_id: int) -> dict[str, Any]:
    """The caller's best mentors in a program where they are a mentee (404 otherwise)."""
    db = get_session()
    user = current_api_user()
    program = programs.get_program_for_user(db, program_id, user)
    filters = suggestions.clean_filters(request.args.to_dict())
    search = suggestions.find_mentors(db, program, user, filters,
                                      current_app.extensions["matcher_cache"])
    return {"program_id": program.id,
            "pairing": pairing(search.pairing, user) if search.pairing else None,
            "requested": [match_request(r) for r in search.requested],
            "suggestions": [suggested(s) for s in search.suggestions],
            "has_more": search.has_more}


@bp.post("/match-requests")
@api_login_required
def create_match_request() -> tuple[dict[str, Any], int, dict[str, str]]:
    body = json_object({"mentor_enrolment_id", "message"})
    require(body, ("mentor_enrolment_id",))
    try:
        mentor_id = clean_int(body["mentor_enrolment_id"], low=1, high=MAX_ID, required=True)
    except ValueError as exc:
        raise FieldErrors({"mentor_enrolment_id": str(exc)}) from None
    db = get_session()
    with read_only_transaction(db):  # before this request's write transaction
        matches.warm_for_mentor(db, mentor_id, current_app.extensions["matcher_cache"])
    item = requests.send_request(db, current_api_user(), mentor_id,
                                 {"message": body.get("message", "")},
                                 current_app.extensions["matcher_cache"])
    db.commit()
    item = request_queries.get_request_for_participant(db, item.id, current_api_user())
    return match_request(item), 201, {"Location": url_for(".list_match_requests")}


@bp.get("/match-requests")
@api_login_required
def list_match_requests() -> dict[str, Any]:
    """Sent, received, or both (no ``direction``); ``status`` as shown (expired on time)."""
    direction = query_choice("direction", DIRECTIONS)
    status = query_choice("status", STATUSES)
    db = get_session()
    user = current_api_user()
    chosen = RequestStatus(status) if status else None
    listed: dict[str, list[dict[str, Any]]] = {}
    if direction in ("", "sent"):
        listed["sent"] = [match_request(r)
                          for r in request_queries.sent_requests(db, user, status=chosen)]
    if direction in ("", "received"):
        listed["received"] = [match_request(r)
                              for r in request_queries.received_requests(db, user, status=chosen)]
    return listed


@bp.post("/match-requests/<int:request_id>/accept")
@api_login_required
def accept_match_request(request_id: int) -> tuple[dict[str, Any], int]:
    db = get_session()
    user = current_api_user()
    made = requests.accept_request(db, request_id, user)
    db.commit()
    return pairing(pairings.get_pairing_for_participant(db, made.id, user), user), 201


@bp.post("/match-requests/<int:request_id>/decline")
@api_login_required
def decline_match_request(request_id: int) -> dict[str, Any]:
    body = json_object({"reason", "note"})
    db = get_session()
    item = requests.decline_request(db, request_id, current_api_user(),
                                    {"reason": body.get("reason"), "note": body.get("note", "")})
    db.commit()
    return match_request(item)


@bp.post("/match-requests/<int:request_id>/withdraw")
@api_login_required
def withdraw_match_request(request_id: int) -> dict[str, Any]:
    db = get_session()
    item = requests.withdraw_request(db, request_id, current_api_user())
    db.commit()
    return match_request(item)


@bp.get("/pairings")
@api_login_required
def list_pairings() -> dict[str, Any]:
    user = current_api_user()
    return {"pairings": [pairing(p, user) for p in pairings.pairings_of(get_session(), user)]}


@bp.get("/pairings/<int:pairing_id>")
@api_login_required
def get_pairing(pairing_id: int) -> dict[str, Any]:
    """Only the pair; anyone else (admins too) gets 404."""
    user = current_api_user()
    return pairing(pairings.get_pairing_for_participant(get_session(), pairing_id, user), user)


@bp.post("/pairings/<int:pairing_id>/end")
@api_login_required
def end_pairing(pairing_id: int) -> dict[str, Any]:
    body = json_object({"reason", "note"})
    db = get_session()
    user = current_api_user()
    item = pairings.get_pairing_for_participant(db, pairing_id, user)
    pairings.end_pairing(db, item, user, body.get("reason"), body.get("note", ""))
    db.commit()
    return pairing(item, user)
