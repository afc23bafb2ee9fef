"""The pair's sessions: the list with the scheduling form, one session's page (change,
cancel, prep notes, the log), its ``.ics``, and each person's private calendar feed.

Every page loads the pairing through ``workspace.load`` (404 for anyone outside the
pair, admins too) and the session through that pairing. The feed at
``/calendar/<secret>.ics`` is the one page without a sign-in: its secret is the key.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, make_response, redirect, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import StringField

from mentorship.db import get_session
from mentorship.forms import BaseForm, ConfirmForm, VersionedForm, form_for
from mentorship.models import Meeting, MeetingStatus, Pairing, utcnow
from mentorship.services import agreements, calendar, meetings, pairings, prep_notes
from mentorship.services.errors import NotFound
from mentorship.services.times import zone_of
from mentorship.services.workspace import role_in
from mentorship.views import FormPage, form_page, workspace

bp = Blueprint("meetings", __name__)

ICS = "text/calendar; charset=utf-8"
MeetingForm = form_for("MeetingForm", meetings.MEETING, base=VersionedForm, start_time=StringField(
    meetings.MEETING["start_time"].label, description=meetings.MEETING["start_time"].help,
    render_kw={"type": "time", "maxlength": 5}))
PrepForm = form_for("PrepForm", prep_notes.PREP)
LogForm = form_for("LogForm", meetings.LOG, base=VersionedForm)
SESSION = "/pairings/<int:pairing_id>/sessions/<int:meeting_id>"


@bp.get("/pairings/<int:pairing_id>/sessions")
@login_required
def index(pairing_id: int) -> tuple[str, int]:
    return _index_page(workspace.load(pairing_id)).render()


@bp.post("/pairings/<int:pairing_id>/sessions")
@login_required
def schedule(pairing_id: int) -> Response | tuple[str, int]:
    pairing = workspace.load(pairing_id)
    page = _index_page(pairing)
    if not page.form.is_submitted_and_valid():
        return page.render()
    db = get_session()
    meeting = meetings.schedule(db, pairing, current_user, page.form.values(meetings.MEETING))
    db.commit()
    flash("Session scheduled. Your partner has been told.", "success")
    return redirect(url_for("meetings.detail", pairing_id=pairing.id, meeting_id=meeting.id))


@bp.get(SESSION)
@login_required
def detail(pairing_id: int, meeting_id: int) -> tuple[str, int]:
    return _session_page(pairing_id, meeting_id).render()


@bp.post(SESSION)
@login_required
def change(pairing_id: int, meeting_id: int) -> Response | tuple[str, int]:
    return _act(pairing_id, meeting_id, "edit_form", "Session changed.", lambda db, p, m, f:
                meetings.change(db, p, m, current_user, f.values(meetings.MEETING),
                                version=f.version.data))


@bp.post(SESSION + "/cancel")
@login_required
def cancel(pairing_id: int, meeting_id: int) -> Response | tuple[str, int]:
    return _act(pairing_id, meeting_id, "cancel_form", "Session cancelled.",
                lambda db, p, m, f: meetings.cancel(db, p, m, current_user))


@bp.post(SESSION + "/prep")
@login_required
def prep(pairing_id: int, meeting_id: int) -> Response | tuple[str, int]:
    return _act(pairing_id, meeting_id, "prep_form", "Prep note saved.", lambda db, p, m, f:
                prep_notes.save(db, p, m, current_user, f.values(prep_notes.PREP)))


@bp.post(SESSION + "/log")
@login_required
def log(pairing_id: int, meeting_id: int) -> Response | tuple[str, int]:
    return _act(pairing_id, meeting_id, "log_form", "Session logged.", lambda db, p, m, f:
                meetings.log(db, p, m, current_user, f.values(meetings.LOG)))


@bp.post(SESSION + "/log/edit")
@login_required
def edit_log(pairing_id: int, meeting_id: int) -> Response | tuple[str, int]:
    return _act(pairing_id, meeting_id, "log_form", "Log saved.", lambda db, p, m, f:
                meetings.log(db, p, m, current_user, f.values(meetings.LOG), editing=True,
                             version=f.version.data))


@bp.post(SESSION + "/missed")
@login_required
def missed(pairing_id: int, meeting_id: int) -> Response | tuple[str, int]:
    return _act(pairing_id, meeting_id, "missed_form", "Session marked as missed.",
                lambda db, p, m, f: meetings.log(db, p, m, current_user,
                                                 {"outcome": MeetingStatus.MISSED.value}))


@bp.get(SESSION + ".ics")
@login_required
def ics(pairing_id: int, meeting_id: int) -> Response:
    """One session as a calendar file, for any calendar app."""
    db = get_session()
    pairing = workspace.load(pairing_id)
    meeting = meetings.get_meeting(db, pairing, meeting_id)
    partner = pairings.partner_of(pairing, current_user).user.name
    body = calendar.calendar([calendar.Entry(meeting, partner)], _host())
    return _ics(body, f"session-{meeting.id}.ics")


@bp.route("/account/calendar", methods=["GET", "POST"])
@login_required
def feed_page() -> Response | tuple[str, int]:
    """Make (or replace) the private feed URL, shown once; list the sessions it carries."""
    form = ConfirmForm.from_request()
    db = get_session()
    page = form_page("account/calendar.html", form, revoke_form=ConfirmForm(),
                     feed=calendar.feed_of(db, current_user),
                     entries=calendar.entries_for(db, current_user), now=utcnow(), url=None)
    if not form.is_submitted_and_valid():
        return page.render()
    token = calendar.create_feed(db, current_user)
    db.commit()
    # Shown in this answer rather than after a redirect: the secret must not travel
    # through the session cookie, and reloading cannot show it again.
    page.context |= {"feed": calendar.feed_of(db, current_user),
                     "url": url_for("meetings.feed", token=token, _external=True)}
    return page.render()


@bp.post("/account/calendar/revoke")
@login_required
def revoke_feed() -> Response:
    form = ConfirmForm.from_request()
    if form.is_submitted_and_valid():
        db = get_session()
        calendar.revoke_feed(db, current_user)
        db.commit()
        flash("Calendar feed revoked: its URL no longer works.", "success")
    return redirect(url_for("meetings.feed_page"))


@bp.get("/calendar/<token>.ics")
def feed(token: str) -> Response:
    """The private feed: no sign-in, the secret in the URL is the key (404 otherwise)."""
    db = get_session()
    user = calendar.user_for_feed(db, token)
    if user is None:
        raise NotFound("feed")
    body = calendar.calendar(calendar.entries_for(db, user), _host(),
                             name="Mentoring sessions")
    return _ics(body, "mentoring.ics", inline=True)


def _host() -> str:
    return urlsplit(request.host_url).hostname or "mentorship"


def _ics(body: bytes, filename: str, *, inline: bool = False) -> Response:
    response = make_response(body)
    response.headers["Content-Type"] = ICS
    response.headers["Content-Disposition"] = \
        f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response


def _act(pairing_id: int, meeting_id: int, form_name: str, done: str,
         action: Any) -> Response | tuple[str, int]:
    """Run one of the session page's forms: the page again on a bad form, else PRG."""
    pairing = workspace.load(pairing_id)
    meeting = meetings.get_meeting(get_session(), pairing, meeting_id)
    page = _session_page(pairing, meeting, posted=form_name)
    if not page.form.is_submitted_and_valid():
        return page.render()
    db = get_session()
    action(db, pairing, meeting, page.form)
    db.commit()
    flash(done, "success")
    return redirect(url_for("meetings.detail", pairing_id=pairing.id, meeting_id=meeting.id))


def _index_page(pairing: Pairing) -> FormPage:
    db = get_session()
    agreement = agreements.last_accepted(db, pairing) or agreements.current(db, pairing)
    form = MeetingForm.from_request(
        duration_minutes=agreement.session_minutes if agreement else 60,
        agenda=meetings.agenda_template(db, pairing))
    found = meetings.meetings_of(db, pairing)
    now = utcnow()
    upcoming = [m for m in reversed(found)
                if m.status == MeetingStatus.SCHEDULED and meetings.ends_at(m) >= now]
    past = [m for m in found if m not in upcoming]
    return workspace.section_page(
        "workspace/sessions.html", form, pairing, "sessions", upcoming=upcoming, past=past,
        notes=prep_notes.of_meetings(db, pairing, [m.id for m in found]), now=now)


def _session_page(pairing: Pairing | int, meeting: Meeting | int, *,
                  posted: str | None = None) -> FormPage:
    """One session with every form it offers; ``posted`` names the form that was sent."""
    db = get_session()
    if isinstance(pairing, int):
        pairing = workspace.load(pairing)
    if isinstance(meeting, int):
        meeting = meetings.get_meeting(db, pairing, meeting)
    notes = prep_notes.of_meetings(db, pairing, [meeting.id]).get(meeting.id, {})
    items = meetings.action_items(db, [meeting.id]).get(meeting.id, [])
    role = role_in(pairing, current_user)
    mine = notes.get(role)
    logged = meeting.status in (MeetingStatus.COMPLETED, MeetingStatus.MISSED)
    log_data: dict[str, Any] = {"version": meeting.version}
    if logged:
        log_data |= {"outcome": meeting.status.value, "discussed": meeting.discussed,
                     "guidance": meeting.guidance, "next_steps": meetings.steps_text(items),
                     "next_check_in": meeting.next_check_in.isoformat()
                     if meeting.next_check_in else ""}
    forms: dict[str, tuple[type[BaseForm], dict[str, Any]]] = {
        "edit_form": (MeetingForm, meetings.STORED.form_data(meeting)
                      | meetings.local_start(meeting, zone_of(current_user))
                      | {"version": meeting.version}),
        "prep_form": (PrepForm, prep_notes.PREP.form_data(mine) if mine else {}),
        "log_form": (LogForm, log_data),
        "cancel_form": (ConfirmForm, {}),
        "missed_form": (ConfirmForm, {}),
    }
    built = {name: cls(data=data) if name != posted else cls.from_request(data=data)
             for name, (cls, data) in forms.items()}
    started = meeting.starts_at <= utcnow()
    scheduled = meeting.status == MeetingStatus.SCHEDULED
    return workspace.section_page(
        "workspace/session.html", built[posted or "edit_form"], pairing, "sessions",
        meeting=meeting, notes=notes, items=items, my_note=mine, started=started,
        scheduled=scheduled, logged=logged, ends_at=meetings.ends_at(meeting),
        **built)
