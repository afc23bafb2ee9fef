"""The demo's mentorships, lived in: agreements, threads, sessions, goals, feedback.

Take a session; never commit. Every piece goes through the services a person's clicks
use; only the clock is moved back afterwards (a session "held nine days ago" is planned,
then dated in the past before it is logged), so the demo shows what weeks of use look
like on the first day. Pairings vary on purpose: a few thrive, some are slowing down,
one went quiet, so the program's dashboard and its at-risk list have something to show.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorship.models import (
    Agreement,
    Meeting,
    Message,
    Pairing,
    PairingStatus,
    Program,
    User,
    utcnow,
)
from mentorship.services import agreements, feedback, goals, meetings, prep_notes, thread

THREAD = (
    ("mentee", "Thank you for taking me on! I put my goals in the agreement. The big one: "
               "**leading my first project** without dropping the technical work."),
    ("mentor", "Glad to. Before our first session, write down the last decision you "
               "escalated that you could have made yourself. We will start there."),
    ("mentee", "Done. It was the choice of a queue library; I asked my manager because I "
               "was not sure I was *allowed* to decide."),
    ("mentor", "That is the pattern to work on. Here is the article I mentioned: "
               "[Staff Engineer archetypes](https://staffeng.com/guides/staff-archetypes)"),
    ("mentee", "Read it. I think I am closest to the tech lead archetype. Questions for "
               "next time:\n\n1. How do I say no to scope creep?\n2. How often should I "
               "check in with my manager?"),
    ("mentor", "Good list. Bring one real example for each."),
)
AGENDA_DONE = ("Preparation: the decision I escalated\nOpen dialogue: what holds me back\n"
               "Goal setting: the first project\nFeedback: how I come across in reviews\n"
               "Follow-up: next steps and check-in")
AGENDA_NEXT = ("Since last time: the design review\nWhat is on my mind: scope creep\n"
               "Where I want help: saying no\nNext steps")


def add_workspaces(session: Session, program: Program, *, today: date, seed: int) -> None:
    """Give each active pairing of ``program`` a workspace; the oldest one gets the most."""
    pairs = list(session.scalars(select(Pairing).where(
        Pairing.program_id == program.id, Pairing.status == PairingStatus.ACTIVE)
        .order_by(Pairing.id)))
    rng = random.Random(seed)
    for index, pairing in enumerate(pairs):
        if index == 0:
            _thriving(session, pairing, today, full=True)
        elif index % 4 == 3:
            _gone_quiet(session, pairing)
        else:
            _thriving(session, pairing, today, full=False, rng=rng, late=index % 4 == 2)


def _people(pairing: Pairing) -> tuple[User, User]:
    return pairing.mentee.user, pairing.mentor.user


def _agree(session: Session, pairing: Pairing, mentee: User, mentor: User, today: date) -> None:
    agreements.propose(session, pairing, mentee, {
        "cadence": "fortnightly", "session_minutes": "45",
        "ends_on": (today + timedelta(days=150)).isoformat(),
        "mentee_wants": "Lead my first project with confidence, and learn to decide "
                        "without escalating everything.",
        "contact": "This thread for questions; a video call for sessions",
        "confidentiality": agreements.CONFIDENTIALITY}, based_on=0)
    agreements.accept(session, pairing, mentor, 1)


def _held(session: Session, pairing: Pairing, organiser: User, *, days_ago: int,
          agenda: str) -> Meeting:
    """A session planned like any other, then dated ``days_ago`` days back."""
    meeting = meetings.schedule(session, pairing, organiser, {
        "starts_at": (utcnow() + timedelta(days=1)).isoformat(timespec="minutes") + "+00:00",
        "duration_minutes": "45", "location": "Video call", "agenda": agenda})
    meeting.starts_at = (utcnow() - timedelta(days=days_ago)).replace(second=0, microsecond=0)
    session.flush()
    return meeting


def _thriving(session: Session, pairing: Pairing, today: date, *, full: bool,
              rng: random.Random | None = None, late: bool = False) -> None:
    """An agreement, messages, a session held and logged with feedback, a goal; ``full``
    adds the whole thread, a second goal and the next session; ``late`` leaves the
    check-in overdue."""
    mentee, mentor = _people(pairing)
    started = 40 if full else (rng.randint(20, 70) if rng else 30)
    _agree(session, pairing, mentee, mentor, today)
    for author, body in THREAD if full else THREAD[:2]:
        thread.post_message(session, pairing, mentee if author == "mentee" else mentor, body,
                            thread.new_client_key())
    done = _held(session, pairing, mentor, days_ago=9 if full else started // 3,
                 agenda=AGENDA_DONE)
    prep_notes.save(session, pairing, done, mentee, {
        "wins": "Shipped the queue migration on time.",
        "challenges": "I still escalate small decisions.",
        "questions": "When is it fine to decide alone?",
        "help_wanted": "Saying no to scope creep."})
    meetings.log(session, pairing, done, mentor, {
        "outcome": "completed",
        "discussed": "The decisions Ada escalates, and why: mostly not knowing her mandate.",
        "guidance": "Write the mandate down with the manager; decide anything reversible.",
        "next_steps": "Ask the manager for a written mandate\nMentor: share a decision log "
                      "template\nKeep a decision log for two weeks",
        "due_on": (today + timedelta(days=3 if full else -2)).isoformat(),
        "next_check_in": (today + timedelta(days=5 if full else -3 if late else 10)).isoformat()})
    rating = (rng.randint(3, 5) if rng else 5)
    feedback.give(session, pairing, done, mentee, {
        "went_well": "Concrete examples instead of theory.",
        "to_improve": "More time on the scope question.",
        "advice": "The mandate idea.", "rating": str(rating)})
    feedback.give(session, pairing, done, mentor, {
        "went_well": "Came prepared with a real decision.",
        "to_improve": "Bring the manager's view next time.",
        "advice": "Decide reversible things alone.", "rating": str(max(rating - 1, 3))})
    for user in (mentee, mentor):
        feedback.answer_fit(session, pairing, user, {"answer": "yes"})
    goal = goals.create_goal(session, pairing, mentee, {
        "title": "Lead the payments project to its first release",
        "description": "My first project as the technical lead.",
        "measure": "Released by the target date; the team says decisions were clear.",
        "target_date": (today + timedelta(days=90)).isoformat(),
        "status": "open", "progress": "30"})
    first = goals.add_item(session, pairing, goal, mentee, {
        "title": "Write the project's decision record", "owner": "mentee",
        "due_on": (today + timedelta(days=7)).isoformat()})
    goals.add_item(session, pairing, goal, mentor, {
        "title": "Review the decision record", "owner": "mentor",
        "due_on": (today + timedelta(days=10)).isoformat()})
    goals.set_done(session, pairing, first, mentee, True)
    if full:
        goals.create_goal(session, pairing, mentee, {
            "title": "Say no to scope creep, kindly", "status": "open", "progress": "10",
            "measure": "Two requests turned down or deferred with a reason.",
            "target_date": (today + timedelta(days=45)).isoformat()})
        upcoming = meetings.schedule(session, pairing, mentee, {
            "starts_at": (utcnow() + timedelta(days=5)).replace(hour=15, minute=0)
            .isoformat(timespec="minutes") + "+00:00",
            "duration_minutes": "45", "location": "Video call", "agenda": AGENDA_NEXT})
        prep_notes.save(session, pairing, upcoming, mentee, {
            "wins": "Turned down one feature request with a reason.",
            "questions": "How do I handle the second one, from my manager?"})
    _backdate(session, pairing, days=started)


def _gone_quiet(session: Session, pairing: Pairing) -> None:
    """Paired weeks ago, then nothing: no agreement, no session, no message."""
    _backdate(session, pairing, days=35)


def _backdate(session: Session, pairing: Pairing, *, days: int) -> None:
    """Move the pairing's start ``days`` back, and its workspace's writing with it (kept
    after the start and before now), so its dates read like a mentorship in progress."""
    start = utcnow() - timedelta(days=days)
    pairing.started_at = start
    span = timedelta(days=days)

    for agreement in session.scalars(select(Agreement).where(Agreement.pairing_id == pairing.id)):
        agreement.created_at = start + timedelta(days=1)
        agreement.mentee_accepted_at = agreement.created_at
        agreement.mentor_accepted_at = agreement.created_at + timedelta(hours=20)
    messages = list(session.scalars(select(Message).where(Message.pairing_id == pairing.id)
                                    .order_by(Message.id)))
    for n, message in enumerate(messages, start=1):  # spread over the weeks since the start
        message.created_at = start + span * n / (len(messages) + 1)
    session.flush()
