"""The demo's matching activity, so every printed login lands somewhere lived in.

Take a session; never commit. Everything goes through the same services a person's
clicks do (requests sent and answered, a round run and published), so the demo shows
only what the product itself can produce.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorship.models import (
    Availability,
    Enrolment,
    MatchRequest,
    Program,
    Role,
    RoundStatus,
    User,
)
from mentorship.services import requests, rounds
from mentorship.services.errors import Conflict
from mentorship.services.matches import MatcherCache
from mentorship.services.round_publish import publish
from mentorship.services.round_runs import run_round
from mentorship.services.specs import ROLE_SPECS

HELLO = ("Hello! I read your profile and I think you could help me with exactly what I "
         "wrote in my goals. Could we meet every two weeks to start?")
DEMO_CAPACITY = 3  # the printed mentor keeps free seats after the demo's acceptance
TRACK_MENTEES, TRACK_MENTORS = 24, 8  # people of the main program also in the track


def only_in_role(session: Session, program: Program, role: Role) -> list[Enrolment]:
    """The program's enrolments in ``role`` of people not enrolled in the other role, oldest first."""
    other = Role.MENTEE if role == Role.MENTOR else Role.MENTOR
    query = (select(Enrolment).where(
        Enrolment.program_id == program.id, Enrolment.role == role,
        Enrolment.user_id.not_in(select(Enrolment.user_id).where(
            Enrolment.program_id == program.id, Enrolment.role == other)))
        .order_by(Enrolment.user_id))
    if role == Role.MENTOR:
        query = query.where(Enrolment.availability == Availability.OPEN)
    return list(session.scalars(query))


def add_requests(session: Session, program: Program, cache: MatcherCache) -> None:
    """The first open mentor gets an active pairing and waiting requests, the first mentee
    a pending request, and another mentee a declined one (all between people the
    program's matching rules allow)."""
    mentors = only_in_role(session, program, Role.MENTOR)
    mentees = only_in_role(session, program, Role.MENTEE)
    if len(mentors) < 2 or len(mentees) < 4:
        return  # a demo too small to show requests
    mentor = mentors[0]
    mentor.capacity = max(mentor.capacity or 1, DEMO_CAPACITY)
    session.flush()
    printed, others = mentees[0], mentees[1:]
    sent = [r for r in (_ask(session, m, mentor, cache) for m in others[:12]) if r][:2]
    if sent:
        requests.accept_request(session, sent[0].id, mentor.user)
    for choice in mentors:  # the printed mentee's request, to the printed mentor if allowed
        if _ask(session, printed, choice, cache):
            break
    for mentee in others[12:]:
        refused = _ask(session, mentee, mentors[1], cache)
        if refused:
            requests.decline_request(session, refused.id, mentors[1].user, {
                "reason": "schedule",
                "note": "My calendar is full until spring; please ask again then."})
            break


def _ask(session: Session, mentee: Enrolment, mentor: Enrolment, cache: MatcherCache
         ) -> MatchRequest | None:
    """``mentee`` asks ``mentor`` as the request page does; None where the rules refuse."""
    user = session.get(User, mentee.user_id)
    assert user is not None
    try:
        with session.begin_nested():
            return requests.send_request(session, user, mentor.id, {"message": HELLO}, cache)
    except Conflict:
        return None


def add_published_round(session: Session, main: Program, track: Program, admin: User,
                        cache: MatcherCache) -> None:
    """Enrol some of the main program's people in ``track`` and publish a round there,
    so one program shows a round's pairings while the main one waits for its first."""
    mentees = only_in_role(session, main, Role.MENTEE)[-TRACK_MENTEES:]
    mentors = only_in_role(session, main, Role.MENTOR)[-TRACK_MENTORS:]
    if len(mentees) < 2 or not mentors:
        return
    for source in (*mentees, *mentors):
        spec = ROLE_SPECS[source.role]
        session.add(Enrolment(program_id=track.id, user_id=source.user_id, role=source.role,
                              **{name: getattr(source, name) for name in spec.names}))
    session.flush()
    round_ = rounds.start_round(session, track, {"objective": "coverage"}, admin)
    round_ = run_round(session, round_.id, cache)
    if round_.status == RoundStatus.DRAFT:
        publish(session, round_)
