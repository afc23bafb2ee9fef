"""Feedback after a session, the early "is this a good fit?" check, and the only numbers
the program team ever sees of either. Take a session; never commit.

Feedback is the pair's alone: each side gives it once per completed session (a second
one is 409, so what the partner read stays what was written), and the partner is told.
The fit check is private to the one who answers: the partner is never told, and no page
or API response shows them the answer. Admins see ratings only as the program
dashboard's monthly means over at least ``MIN_PAIRS`` pairs (``reports``, read from the
months ``rating_months`` keeps), so no single rating ever leaves the database.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mentorship.models import (
    RATING_MAX,
    RATING_MIN,
    EndReason,
    Feedback,
    FitAnswer,
    FitCheck,
    Meeting,
    MeetingStatus,
    Pairing,
    PairingStatus,
    Role,
    User,
)
from mentorship.services import rating_months
from mentorship.services.errors import Conflict
from mentorship.services.notifications import Kind, notify
from mentorship.services.pairings import end_pairing
from mentorship.services.specs import Field, Spec, choices_of
from mentorship.services.times import in_zone, long_date, zone_of
from mentorship.services.workspace import require_active, role_in

MIN_PAIRS = 3  # fewer pairs than this and an aggregate could point at one person
NOT_COMPLETED = "Feedback is given after a session has taken place and was logged as completed."
GIVEN_ALREADY = "You gave your feedback on this session already."
FIT_NOT_YET = "The fit check comes after your first completed session."
FIT_ANSWERED = "You answered already: the fit check is asked once."

FEEDBACK = Spec((
    Field("went_well", "What went well", kind="textarea"),
    Field("to_improve", "What to improve", kind="textarea"),
    Field("advice", "Your advice", kind="textarea"),
    Field("rating", f"Rating ({RATING_MIN}–{RATING_MAX})", kind="int", required=True,
          low=RATING_MIN, high=RATING_MAX),
))
# One spec; the two sides read some of its questions differently.
ROLE_LABELS = {
    Role.MENTOR: {"advice": ("Your advice", "What you would suggest the mentee tries next."),
                  "rating": ("The mentee's progress (1–5)", "1: stuck, 5: big strides.")},
    Role.MENTEE: {"advice": ("What helped most", "The one thing you take away."),
                  "rating": ("How useful the session was (1–5)",
                             "1: not useful, 5: very useful.")},
}
FIT_LABELS = {FitAnswer.YES.value: "Yes", FitAnswer.UNSURE.value: "Not sure yet",
              FitAnswer.NO.value: "No"}
FIT = Spec((Field("answer", "Is this a good fit?", kind="choice", required=True,
                  enum=FitAnswer, choices=choices_of(FitAnswer, FIT_LABELS)),))


def spec_for(role: Role) -> Spec:
    """``FEEDBACK`` with the labels and help the ``role`` reads."""
    labels = ROLE_LABELS[role]
    return Spec(tuple(dataclasses.replace(f, label=labels[f.name][0], help=labels[f.name][1])
                      if f.name in labels else f for f in FEEDBACK.fields))


def feedback_on(session: Session, meeting: Meeting) -> dict[Role, Feedback]:
    """Both sides' feedback on ``meeting`` (the pair reads both), by the author's side."""
    rows = session.scalars(select(Feedback).where(Feedback.meeting_id == meeting.id))
    return {f.author_role: f for f in rows}


def awaiting(session: Session, pairing: Pairing, role: Role, *, limit: int = 5) -> list[Meeting]:
    """Completed sessions ``role`` has not given feedback on yet, newest first: one query."""
    if pairing.status != PairingStatus.ACTIVE:
        return []
    given = exists().where(Feedback.meeting_id == Meeting.id, Feedback.author_role == role)
    return list(session.scalars(
        select(Meeting).where(Meeting.pairing_id == pairing.id,
                              Meeting.status == MeetingStatus.COMPLETED, ~given)
        .order_by(Meeting.starts_at.desc()).limit(limit)))


def can_give(pairing: Pairing, meeting: Meeting, given: dict[Role, Feedback], role: Role) -> bool:
    """Whether ``role`` is still asked for feedback on ``meeting``."""
    return (pairing.status == PairingStatus.ACTIVE and meeting.status == MeetingStatus.COMPLETED
            and role not in given)


def give(session: Session, pairing: Pairing, meeting: Meeting, user: User,
         data: dict[str, Any]) -> Feedback:
    """Record ``user``'s feedback on a completed session and tell the partner.

    Conflict for a session not completed, and for a second feedback from the same side.
    """
    require_active(pairing)
    if meeting.status != MeetingStatus.COMPLETED:
        raise Conflict(NOT_COMPLETED)
    role = role_in(pairing, user)
    if session.scalar(select(exists().where(Feedback.meeting_id == meeting.id,
                                            Feedback.author_role == role))):
        raise Conflict(GIVEN_ALREADY)
    values = FEEDBACK.clean(data, partial=False)
    given = Feedback(pairing_id=pairing.id, meeting_id=meeting.id, author_id=user.id,
                     author_role=role, **values)
    try:
        with session.begin_nested():
            session.add(given)
            session.flush()
    except IntegrityError:  # unique per session and side, however the requests race
        raise Conflict(GIVEN_ALREADY) from None
    rating_months.count(session, given, pairing.program_id)
    partner = pairing.mentor if role == Role.MENTEE else pairing.mentee
    when = long_date(in_zone(meeting.starts_at, zone_of(partner.user)).date())
    notify(session, partner.user_id, Kind.FEEDBACK_RECEIVED, "pairing", pairing.id,
           partner=user.name, when=when, program=pairing.program.name)
    return given


def _first_completed(pairing: Pairing) -> Any:
    return exists().where(Meeting.pairing_id == pairing.id,
                          Meeting.status == MeetingStatus.COMPLETED)


def fit_check_due(session: Session, pairing: Pairing, role: Role) -> bool:
    """Whether ``role`` should now be asked "is this a good fit?": an active pairing with a
    completed session, and no answer from that side yet. One query."""
    if pairing.status != PairingStatus.ACTIVE:
        return False
    answered = exists().where(FitCheck.pairing_id == pairing.id, FitCheck.author_role == role)
    return bool(session.scalar(select(_first_completed(pairing) & ~answered)))


def my_fit(session: Session, pairing: Pairing, role: Role) -> FitCheck | None:
    """``role``'s own answer, if given. Never call this with the partner's role for a page."""
    return session.scalar(select(FitCheck).where(FitCheck.pairing_id == pairing.id,
                                                 FitCheck.author_role == role))


def answer_fit(session: Session, pairing: Pairing, user: User, data: dict[str, Any]) -> FitCheck:
    """Record ``user``'s answer, once; nobody is notified.

    The same answer again is accepted as a repeat (an idempotent PUT); another one is 409.
    """
    require_active(pairing)
    role = role_in(pairing, user)
    answer = FIT.clean(data, partial=False)["answer"]
    mine = my_fit(session, pairing, role)
    if mine is not None:
        if mine.answer == answer:
            return mine
        raise Conflict(FIT_ANSWERED)
    if not session.scalar(select(_first_completed(pairing))):
        raise Conflict(FIT_NOT_YET)
    check = FitCheck(pairing_id=pairing.id, author_role=role, answer=answer)
    try:
        with session.begin_nested():
            session.add(check)
            session.flush()
    except IntegrityError:
        raise Conflict(FIT_ANSWERED) from None
    return check


def may_end_for_fit(fit: FitCheck | None, pairing: Pairing, role: Role) -> bool:
    """A mentee who answered "no" is offered to end the mentorship there and then."""
    return (fit is not None and fit.answer == FitAnswer.NO and role == Role.MENTEE
            and pairing.status == PairingStatus.ACTIVE)


def end_for_fit(session: Session, pairing: Pairing, user: User) -> Pairing:
    """End the mentorship as not a good fit, for a mentee whose answer was "no"."""
    require_active(pairing)
    role = role_in(pairing, user)
    if not may_end_for_fit(my_fit(session, pairing, role), pairing, role):
        raise Conflict("Only a mentee who answered “no” to the fit check ends it from here; "
                       "the overview has the usual way to end a mentorship.")
    return end_pairing(session, pairing, user, EndReason.NOT_A_GOOD_FIT.value)
