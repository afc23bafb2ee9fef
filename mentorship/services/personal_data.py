"""Everything the platform holds about one person: to download it, and to delete it.
Take a session; never commit.

Deleting an account erases the person and keeps their partners' histories readable:
* their profile and enrolments are emptied of every word they wrote; an enrolment that
  a pairing or request still points at stays as an empty placeholder (so the partner's
  mentorship keeps its shape; a mentor's is paused, a mentee's is never matched again:
  see ``rounds.free_mentee``), any other is removed;
* their active pairings end, and their pending requests are withdrawn or cancelled;
* what they wrote in a pair's thread is replaced by "deleted" (a tombstone), and their
  own notes, feedback, fit answers and reflections are removed; what the pair built
  together (the agreement, session logs, goals) stays with the partner, no longer
  signed with their name;
* the account keeps only its id, renamed "A former member" with an address that
  cannot receive mail, so it can never sign in again; every device, token, link,
  notice and email of theirs is removed.
Admins' entries in the audit log keep their names: that log is the record of who did
what to a program.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from mentorship.models import (
    ActionItem,
    Agreement,
    ApiToken,
    AuditEntry,
    Availability,
    CalendarFeed,
    Enrolment,
    Feedback,
    FitCheck,
    Goal,
    GoalEvent,
    LoginSession,
    MatchRequest,
    Meeting,
    Message,
    Notification,
    NotificationPreference,
    OutboxEmail,
    Pairing,
    PairingStatus,
    PasswordToken,
    PrepNote,
    Profile,
    Reflection,
    ReminderSent,
    RequestStatus,
    Role,
    ThreadRead,
    User,
    utcnow,
)
from mentorship.security import hash_password, new_token
from mentorship.services import rating_months
from mentorship.services.accounts import password_matches
from mentorship.services.errors import FieldErrors
from mentorship.services.pairings import end_pairing

FORMER_MEMBER = "A former member"
SECRET_COLUMNS = {"password_hash", "token_hash", "email_normalized"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):  # an enum
        return value.value
    return value


def _rows(items: Any) -> list[dict[str, Any]]:
    """Each row's columns as JSON values, secrets (hashes of passwords and tokens) left out."""
    found = []
    for item in items:
        columns = item.__mapper__.column_attrs
        found.append({c.key: _plain(getattr(item, c.key)) for c in columns
                      if c.key not in SECRET_COLUMNS})
    return found


def _mine(user: User) -> Any:
    return select(Enrolment.id).where(Enrolment.user_id == user.id)


def _my_pairings(user: User) -> Any:
    return select(Pairing.id).where(or_(Pairing.mentee_enrolment_id.in_(_mine(user)),
                                        Pairing.mentor_enrolment_id.in_(_mine(user))))


def _my_side(user: Any, model: Any) -> Any:
    """Rows of ``model`` (with pairing_id and author_role) written by ``user``'s side."""
    as_mentee = select(Pairing.id).where(Pairing.mentee_enrolment_id.in_(_mine(user)))
    as_mentor = select(Pairing.id).where(Pairing.mentor_enrolment_id.in_(_mine(user)))
    return or_((model.author_role == Role.MENTEE) & model.pairing_id.in_(as_mentee),
               (model.author_role == Role.MENTOR) & model.pairing_id.in_(as_mentor))


def everything_about(session: Session, user: User) -> dict[str, Any]:
    """Every row about ``user``, table by table (one query per table)."""
    def rows(model: Any, *where: Any) -> list[dict[str, Any]]:
        return _rows(session.scalars(select(model).where(*where)))

    pairings = _my_pairings(user)
    return {
        "account": _rows([user])[0],
        "profile": rows(Profile, Profile.user_id == user.id),
        "enrolments": rows(Enrolment, Enrolment.user_id == user.id),
        "match_requests": rows(MatchRequest, or_(MatchRequest.mentee_enrolment_id.in_(_mine(user)),
                                                 MatchRequest.mentor_enrolment_id.in_(_mine(user)))),
        "pairings": rows(Pairing, Pairing.id.in_(pairings)),
        "agreements_written": rows(Agreement, Agreement.author_id == user.id),
        "messages_written": rows(Message, Message.author_id == user.id),
        "thread_read_markers": rows(ThreadRead, ThreadRead.user_id == user.id),
        "sessions_scheduled_or_logged": rows(Meeting, or_(Meeting.created_by_id == user.id,
                                                          Meeting.logged_by_id == user.id)),
        "prep_notes_written": rows(PrepNote, PrepNote.author_id == user.id),
        "goals_created": rows(Goal, Goal.created_by_id == user.id),
        "action_items_created": rows(ActionItem, ActionItem.created_by_id == user.id),
        "goal_changes_made": rows(GoalEvent, GoalEvent.actor_id == user.id),
        "feedback_written": rows(Feedback, Feedback.author_id == user.id),
        "fit_answers": rows(FitCheck, _my_side(user, FitCheck)),
        "reflections_written": rows(Reflection, _my_side(user, Reflection)),
        "notifications": rows(Notification, Notification.user_id == user.id),
        "notification_preferences": rows(NotificationPreference,
                                         NotificationPreference.user_id == user.id),
        "emails": rows(OutboxEmail, OutboxEmail.user_id == user.id),
        "reminders_sent": rows(ReminderSent, ReminderSent.user_id == user.id),
        "signed_in_devices": rows(LoginSession, LoginSession.user_id == user.id),
        "api_tokens": rows(ApiToken, ApiToken.user_id == user.id),
        "set_password_links": rows(PasswordToken, PasswordToken.user_id == user.id),
        "calendar_feed": rows(CalendarFeed, CalendarFeed.user_id == user.id),
        "admin_actions": rows(AuditEntry, AuditEntry.actor_id == user.id),
    }


WRONG_PASSWORD = "That is not your password: your account is kept."
NOT_CONFIRMED = "Tick the box to confirm: this cannot be undone."


def delete_account_confirmed(session: Session, user: User, *, password: object,
                             confirmed: object) -> None:
    """Delete ``user``'s account if they gave their password and ticked the box."""
    problems = {}
    if not password_matches(user, password):
        problems["password"] = WRONG_PASSWORD
    if confirmed not in (True, "y", "yes", "on", "true"):
        problems["confirm"] = NOT_CONFIRMED
    if problems:
        raise FieldErrors(problems)
    delete_account(session, user)


def delete_account(session: Session, user: User) -> None:
    """Erase ``user`` as the module docstring sets out."""
    old_name = user.name
    user.name = FORMER_MEMBER  # before ending pairings: the partners' notices name nobody
    active = session.scalars(select(Pairing).where(Pairing.id.in_(_my_pairings(user)),
                                                   Pairing.status == PairingStatus.ACTIVE))
    for pairing in list(active):
        end_pairing(session, pairing, user, "other", "")
    _withdraw_requests(session, user)
    _erase_writing(session, user)
    _scrub_partner_notices(session, user, old_name)
    for model in (Notification, NotificationPreference, OutboxEmail, ReminderSent, LoginSession,
                  ApiToken, PasswordToken, CalendarFeed, ThreadRead):
        session.execute(delete(model).where(model.user_id == user.id))
    _empty_enrolments(session, user)
    session.execute(update(Profile).where(Profile.user_id == user.id).values(
        headline="", bio="", languages=[], timezone=None, years_experience=None, industry="",
        skills=[]))
    placeholder = f"deleted-{user.id}@deleted.invalid"
    user.email = user.email_normalized = placeholder
    user.password_hash = hash_password(new_token())  # a password nobody knows
    user.is_admin = False
    user.deleted_at = utcnow()
    session.flush()


def _withdraw_requests(session: Session, user: User) -> None:
    """Their pending requests end (withdrawn as a mentee, cancelled as a mentor); the
    words they wrote in any request go."""
    now = utcnow()
    pending = MatchRequest.status == RequestStatus.PENDING
    session.execute(update(MatchRequest).where(
        MatchRequest.mentee_enrolment_id.in_(_mine(user)), pending)
        .values(status=RequestStatus.WITHDRAWN, decided_at=now))
    session.execute(update(MatchRequest).where(
        MatchRequest.mentor_enrolment_id.in_(_mine(user)), pending)
        .values(status=RequestStatus.CANCELLED, decided_at=now))
    session.execute(update(MatchRequest).where(
        MatchRequest.mentee_enrolment_id.in_(_mine(user))).values(message=""))
    session.execute(update(MatchRequest).where(
        MatchRequest.mentor_enrolment_id.in_(_mine(user))).values(decline_note=""))


def _erase_writing(session: Session, user: User) -> None:
    """Thread messages become tombstones; their own notes and answers go; shared work
    loses their signature."""
    session.execute(update(Message).where(Message.author_id == user.id)
                    .values(body="", deleted_at=utcnow()))
    rating_months.erase(session, user.id)
    session.execute(delete(PrepNote).where(PrepNote.author_id == user.id))
    for answer in (FitCheck, Reflection):
        session.execute(delete(answer).where(_my_side(user, answer)))
    session.execute(update(Pairing).where(Pairing.id.in_(_my_pairings(user)),
                                          Pairing.ended_by_id == user.id).values(end_note=""))
    for column in (Agreement.author_id, Meeting.created_by_id, Meeting.logged_by_id,
                   Goal.created_by_id, ActionItem.created_by_id, GoalEvent.actor_id):
        session.execute(update(column.class_).where(column == user.id).values({column: None}))


def _scrub_partner_notices(session: Session, user: User, old_name: str) -> None:
    """Notices and emails to others about this person stop naming them."""
    requests = select(MatchRequest.id).where(or_(
        MatchRequest.mentee_enrolment_id.in_(_mine(user)),
        MatchRequest.mentor_enrolment_id.in_(_mine(user))))
    notices = session.scalars(select(Notification).where(
        Notification.user_id != user.id,
        or_((Notification.subject_type == "pairing") & Notification.subject_id.in_(
            _my_pairings(user)),
            (Notification.subject_type == "match_request") & Notification.subject_id.in_(requests))))
    for notice in notices:
        if old_name in notice.data.values():
            notice.data = {k: FORMER_MEMBER if v == old_name else v
                           for k, v in notice.data.items()}
    # Emails to others that name them (a full scan, but accounts are deleted rarely).
    for email in session.scalars(select(OutboxEmail).where(
            OutboxEmail.user_id != user.id,
            OutboxEmail.body.contains(old_name) | OutboxEmail.subject.contains(old_name))):
        email.subject = email.subject.replace(old_name, FORMER_MEMBER)
        email.body = email.body.replace(old_name, FORMER_MEMBER)


def _empty_enrolments(session: Session, user: User) -> None:
    """Enrolments nothing points at go; the others stay as empty placeholders."""
    mine = list(session.scalars(select(Enrolment).where(Enrolment.user_id == user.id)))
    ids = [e.id for e in mine]
    referenced = set(session.scalars(select(Pairing.mentee_enrolment_id).where(
        Pairing.mentee_enrolment_id.in_(ids)))) | set(session.scalars(
            select(Pairing.mentor_enrolment_id).where(Pairing.mentor_enrolment_id.in_(ids)))) \
        | set(session.scalars(select(MatchRequest.mentee_enrolment_id).where(
            MatchRequest.mentee_enrolment_id.in_(ids)))) | set(session.scalars(
                select(MatchRequest.mentor_enrolment_id).where(
                    MatchRequest.mentor_enrolment_id.in_(ids))))
    for enrolment in mine:
        if enrolment.id in referenced:
            enrolment.goals, enrolment.skills_to_grow = "", []
            enrolment.about, enrolment.expertise = "", []
            if enrolment.role == Role.MENTOR:
                enrolment.availability = Availability.PAUSED
        else:
            session.delete(enrolment)
