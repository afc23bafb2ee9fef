"""A small program for the round tests: who should match whom is plain to see."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorship.db import get_session
from mentorship.models import MatchRound, Program, Role, RoundProposal
from mentorship.services import matches, round_runs, rounds
from tests.factories import create, make_enrolment, make_program, make_user

MENTORS = {  # name: (expertise, languages, capacity)
    "Grace": (["python", "testing"], ["en"], 2),
    "Linus": (["kubernetes", "linux"], ["en"], 1),
    "Hedy": (["radio engineering"], ["de"], 1),
}
MENTEES = {  # name: (skills to grow, languages)
    "Ada": (["python"], ["en"]),
    "Bea": (["testing", "python"], ["en"]),
    "Cy": (["kubernetes"], ["en"]),
    "Dee": (["radio engineering"], ["de"]),
    "Eve": (["python"], ["ja"]),  # shares a language with no mentor
}


def build(session: Session, **program: Any) -> dict[str, int]:
    """The program, an admin, and enrolment ids by first name (``program`` and ``admin``)."""
    found = make_program(session, **program)
    ids = {"program": found.id, "admin": make_user(session, name="Admin", is_admin=True).id}
    for name, (expertise, languages, capacity) in MENTORS.items():
        user = make_user(session, name=name)
        user.profile.languages = languages
        ids[name] = make_enrolment(session, user, found, Role.MENTOR, expertise=expertise,
                                   about=f"I help with {', '.join(expertise)}",
                                   capacity=capacity).id
    for name, (skills, languages) in MENTEES.items():
        user = make_user(session, name=name)
        user.profile.languages = languages
        ids[name] = make_enrolment(session, user, found, Role.MENTEE, skills_to_grow=skills,
                                   goals=f"I want to learn {' and '.join(skills)}").id
    session.flush()
    return ids


def make_cohort(app: Flask, **program: Any) -> dict[str, int]:
    return create(app, lambda session: build(session, **program))


SCORE = {"objective": "score", "min_score": "", "equity": "0", "group_by": "language"}


def run(app: Flask, program_id: int, **settings: Any) -> int:
    """Start and run a round through the service, as the page does; its id."""
    with app.app_context():
        db = get_session()
        program = db.get(Program, program_id)
        round_ = rounds.start_round(db, program, SCORE | settings, None)
        db.commit()
        return round_runs.run_round(db, round_.id, matches.MatcherCache()).id


def proposals(app: Flask, round_id: int) -> dict[int, tuple[int, bool]]:
    """mentee enrolment id -> (mentor enrolment id, pinned)."""
    with app.app_context():
        rows = get_session().execute(select(
            RoundProposal.mentee_enrolment_id, RoundProposal.mentor_enrolment_id,
            RoundProposal.pinned).where(RoundProposal.round_id == round_id))
        return {a: (b, pinned) for a, b, pinned in rows}


def stored(app: Flask, round_id: int) -> MatchRound:
    with app.app_context():
        return get_session().get(MatchRound, round_id)
