"""A pair's sessions, prep notes and logs in the JSON API; calendar files and the feed URL.

Everything of a pairing is 404 for anyone outside it, admins too, as on the pages.
Start times are sent as ISO 8601 date-times: with an offset (``Z`` for UTC), or
without one to mean the caller's own time zone. Answers give them in UTC.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import make_response, request, url_for
from werkzeug.wrappers import Response

from mentorship.api.auth import api_login_required, current_api_user
from mentorship.api.blueprint import bp
from mentorship.api.serialize import iso
from mentorship.api.validation import json_object, sent_version, versioned
from mentorship.db import get_session
from mentorship.models import ActionItem, Meeting, Pairing, PrepNote, Role
from mentorship.services import calendar, meetings, pairings, prep_notes
from mentorship.services.errors import NotFound

SESSION = "/pairings/<int:pairing_id>/sessions/<int:meeting_id>"
PLAN_FIELDS = ("starts_at", "duration_minutes", "location", "agenda")
LOG_FIELDS = tuple(name for name in meetings.LOG.names)


def prep_note(note: PrepNote | None) -> dict[str, Any] | None:
    if note is None:
        return None
    return prep_notes.PREP.dump(note) | {"updated_at": iso(note.updated_at)}


def action_item(item: ActionItem) -> dict[str, Any]:
    return {"id": item.id, "title": item.title, "owner": item.owner.value,
            "due_on": iso(item.due_on), "done": item.done_at is not None}


def session_json(meeting: Meeting, notes: dict[Role, PrepNote],
                 items: list[ActionItem]) -> dict[str, Any]:
    """A session as both sides read it, with both prep notes and its action items."""
    return {"id": meeting.id, "pairing_id": meeting.pairing_id,
            "starts_at": iso(meeting.starts_at), "ends_at": iso(meetings.ends_at(meeting)),
            "duration_minutes": meeting.duration_minutes, "location": meeting.location,
            "agenda": meeting.agenda, "status": meeting.status.value,
            "sequence": meeting.sequence, "version": meeting.version,
            "discussed": meeting.discussed, "guidance": meeting.guidance,
            "next_check_in": iso(meeting.next_check_in), "logged_at": iso(meeting.logged_at),
            "prep_notes": {role.value: prep_note(notes.get(role)) for role in Role},
            "action_items": [action_item(item) for item in items],
            "ics_url": url_for("api.session_ics", meeting_id=meeting.id)}


def _load(pairing_id: int, meeting_id: int | None = None) -> tuple[Pairing, Meeting | None]:
    db = get_session()
    pairing = pairings.get_pairing_for_participant(db, pairing_id, current_api_user())
    meeting = meetings.get_meeting(db, pairing, meeting_id) if meeting_id else None
    return pairing, meeting


def _one(pairing: Pairing, meeting: Meeting) -> dict[str, Any]:
    db = get_session()
    notes = prep_notes.of_meetings(db, pairing, [meeting.id]).get(meeting.id, {})
    return session_json(meeting, notes, meetings.action_items(db, [meeting.id]).get(meeting.id, []))


@bp.get("/pairings/<int:pairing_id>/sessions")
@api_login_required
def list_sessions(pairing_id: int) -> dict[str, Any]:
    """Every session of the pair, latest first, with prep notes and items: three queries."""
    db = get_session()
    pairing, _ = _load(pairing_id)
    found = meetings.meetings_of(db, pairing)
    ids = [m.id for m in found]
    notes, items = prep_notes.of_meetings(db, pairing, ids), meetings.action_items(db, ids)
    return {"sessions": [session_json(m, notes.get(m.id, {}), items.get(m.id, []))
                         for m in found]}


@bp.post("/pairings/<int:pairing_id>/sessions")
@api_login_required
def schedule_session(pairing_id: int) -> tuple[Response, int]:
    """Schedule a session (201); the partner is told."""
    pairing, _ = _load(pairing_id)
    body = {"starts_at": None} | json_object(PLAN_FIELDS)
    db = get_session()
    meeting = meetings.schedule(db, pairing, current_api_user(), body)
    db.commit()
    response = versioned(_one(pairing, meeting))
    response.headers["Location"] = url_for(".get_session_", pairing_id=pairing.id,
                                           meeting_id=meeting.id)
    return response, 201


@bp.get(SESSION)
@api_login_required
def get_session_(pairing_id: int, meeting_id: int) -> Response:
    pairing, meeting = _load(pairing_id, meeting_id)
    assert meeting is not None
    return versioned(_one(pairing, meeting))


@bp.patch(SESSION)
@api_login_required
def change_session(pairing_id: int, meeting_id: int) -> Response:
    """Change a planned session; ``If-Match`` or ``version`` makes it conditional."""
    pairing, meeting = _load(pairing_id, meeting_id)
    assert meeting is not None
    body = json_object((*PLAN_FIELDS, "version"))
    db = get_session()
    meetings.change(db, pairing, meeting, current_api_user(), body, version=sent_version(body))
    db.commit()
    return versioned(_one(pairing, meeting))


@bp.post(SESSION + "/cancel")
@api_login_required
def cancel_session(pairing_id: int, meeting_id: int) -> Response:
    pairing, meeting = _load(pairing_id, meeting_id)
    assert meeting is not None
    db = get_session()
    meetings.cancel(db, pairing, meeting, current_api_user())
    db.commit()
    return versioned(_one(pairing, meeting))


@bp.post(SESSION + "/log")
@api_login_required
def log_session(pairing_id: int, meeting_id: int) -> Response:
    """Log a session, once (409 after that: PATCH the log to edit it)."""
    return _log(pairing_id, meeting_id, editing=False)


@bp.patch(SESSION + "/log")
@api_login_required
def edit_session_log(pairing_id: int, meeting_id: int) -> Response:
    """Edit a session's log; ``If-Match`` or ``version`` makes it conditional."""
    return _log(pairing_id, meeting_id, editing=True)


def _log(pairing_id: int, meeting_id: int, *, editing: bool) -> Response:
    pairing, meeting = _load(pairing_id, meeting_id)
    assert meeting is not None
    body = json_object((*LOG_FIELDS, "version"))
    version = sent_version(body)
    db = get_session()
    meetings.log(db, pairing, meeting, current_api_user(), body, editing=editing,
                 version=version)
    db.commit()
    return versioned(_one(pairing, meeting))


@bp.put(SESSION + "/prep")
@api_login_required
def save_prep_note(pairing_id: int, meeting_id: int) -> dict[str, Any]:
    """Write your own prep note (fields left out keep their text)."""
    pairing, meeting = _load(pairing_id, meeting_id)
    assert meeting is not None
    body = json_object(prep_notes.PREP.names)
    db = get_session()
    note = prep_notes.save(db, pairing, meeting, current_api_user(), body)
    db.commit()
    return prep_note(note) or {}


@bp.get("/sessions/<int:meeting_id>.ics")
@api_login_required
def session_ics(meeting_id: int) -> Response:
    """One session as an iCalendar file; 404 outside the pair."""
    db = get_session()
    meeting = db.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("session")
    user = current_api_user()
    pairing = pairings.get_pairing_for_participant(db, meeting.pairing_id, user)
    entry = calendar.Entry(meeting, pairings.partner_of(pairing, user).user.name)
    response = make_response(calendar.calendar([entry], calendar_host()))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="session-{meeting.id}.ics"'
    return response


def calendar_host() -> str:
    """The host in calendar UIDs, as the pages name it too."""
    return urlsplit(request.host_url).hostname or "mentorship"


@bp.get("/me/calendar-feed")
@api_login_required
def get_calendar_feed() -> dict[str, Any]:
    """Whether you have a feed URL (its secret is never shown again)."""
    feed = calendar.feed_of(get_session(), current_api_user())
    return {"exists": feed is not None, "created_at": iso(feed.created_at) if feed else None,
            "url": None}


@bp.post("/me/calendar-feed")
@api_login_required
def create_calendar_feed() -> tuple[dict[str, Any], int]:
    """A new secret feed URL, replacing any earlier one: shown in this answer only."""
    db = get_session()
    token = calendar.create_feed(db, current_api_user())
    db.commit()
    feed = calendar.feed_of(db, current_api_user())
    return {"exists": True, "created_at": iso(feed.created_at) if feed else None,
            "url": url_for("meetings.feed", token=token, _external=True)}, 201


@bp.delete("/me/calendar-feed")
@api_login_required
def revoke_calendar_feed() -> tuple[str, int]:
    """Revoke your feed URL: it stops working at once (204, also when there was none)."""
    db = get_session()
    calendar.revoke_feed(db, current_api_user())
    db.commit()
    return "", 204
