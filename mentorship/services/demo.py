"""The demo program behind `make run`: invented people, three programs and an admin.

Take a session; never commit. Every stored value goes through the same field rules
as a sign-up or enrolment form, so the demo never shows data a user could not enter.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorship.models import Availability, Base, Enrolment, Profile, Program, Role, User
from mentorship.security import hash_password
from mentorship.services import demo_activity, demo_workspace, programs
from mentorship.services.bulk import refresh_statistics
from mentorship.services.demo_people import (
    DEMO_DOMAIN,
    Person,
    make_people,
    role_counts,
)
from mentorship.services.errors import Conflict
from mentorship.services.fields import normalize_email
from mentorship.services.matches import MatcherCache
from mentorship.services.specs import ACCOUNT, PROFILE, ROLE_SPECS

# Fixed so it can be documented; `flask demo-logins` prints it. It passes the password rules.
DEMO_PASSWORD = "mentor-demo-2026-harbour"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
MAX_PEOPLE = 10_000
MAIN_PROGRAM = "Career Mentoring Program"
ADMIN_PROFILE = {
    "headline": "Program lead, People & Culture",
    "bio": "I run our mentoring programs: matching rounds, check-ins and the end-of-cohort survey.",
    "languages": ["en", "de"], "timezone": "Europe/Berlin", "years_experience": 14,
    "industry": "software", "skills": ["mentoring", "program management", "coaching"],
}


@dataclass(frozen=True)
class DemoSummary:
    program_id: int
    mentees: int
    mentors: int
    people: int
    paused: int
    dual: int


@dataclass(frozen=True)
class DemoLogins:
    admin: str
    mentor: str | None
    mentee: str | None
    password: str = DEMO_PASSWORD


def has_programs(session: Session) -> bool:
    return session.scalar(select(Program.id).limit(1)) is not None


def demo_loaded(session: Session) -> bool:
    query = select(User.id).where(User.email_normalized.like(f"%@{DEMO_DOMAIN}")).limit(1)
    return session.scalar(query) is not None


def check_sizes(mentees: int, mentors: int) -> None:
    for label, value in (("mentees", mentees), ("mentors", mentors)):
        if not 0 <= value <= MAX_PEOPLE:
            raise ValueError(f"The number of {label} must be between 0 and {MAX_PEOPLE}.")


def seed_demo(session: Session, *, mentees: int, mentors: int, seed: int, today: date,
              progress: Callable[[int], None] | None = None) -> DemoSummary:
    """Create the demo; ``progress(n)`` is called as the ``mentees + mentors`` enrolments are made.

    The same ``seed`` and ``today`` give the same people, texts and dates.
    """
    check_sizes(mentees, mentors)
    if demo_loaded(session):
        raise Conflict("Demo data is already loaded in this database.")
    password_hash = hash_password(DEMO_PASSWORD)  # argon2 is slow on purpose: hash once
    people = make_people(random.Random(seed), mentees, mentors)
    admin = _add_user(session, "Morgan Avery", ADMIN_EMAIL, password_hash, ADMIN_PROFILE,
                      is_admin=True)
    main, _draft, closed, track = _add_programs(session, today)
    users: list[tuple[Person, User]] = []
    for person in people:
        user = _add_user(session, person.name, person.email, password_hash, person.profile)
        for role, data in ((Role.MENTOR, person.mentor), (Role.MENTEE, person.mentee)):
            if data is not None:
                _add_enrolment(session, main, user, role, data)
                if progress:
                    progress(1)
        users.append((person, user))
    _add_past_cohort(session, closed, users)
    session.flush()
    cache = MatcherCache()
    demo_activity.add_requests(session, main, cache)
    demo_activity.add_published_round(session, main, track, admin, cache)
    for program in (main, track):
        demo_workspace.add_workspaces(session, program, today=today, seed=seed)
    session.flush()
    refresh_statistics(session, Base.metadata.sorted_tables)  # it writes to nearly all
    paused, dual = role_counts(mentees, mentors)
    return DemoSummary(main.id, mentees, mentors, len(people), paused, dual)


def demo_logins(session: Session) -> DemoLogins | None:
    """The admin, an open mentor and a mentee to try the demo with; None without demo data."""
    admin = session.scalar(select(User.email).where(User.email_normalized == ADMIN_EMAIL))
    if admin is None:
        return None
    return DemoLogins(admin, _first_demo_user(session, Role.MENTOR),
                      _first_demo_user(session, Role.MENTEE))


def _first_demo_user(session: Session, role: Role) -> str | None:
    """The earliest demo user in ``role`` only (an open mentor), so each login shows one side."""
    other = Role.MENTEE if role == Role.MENTOR else Role.MENTOR
    query = (select(User.email).join(Enrolment, Enrolment.user_id == User.id)
             .join(Program, Program.id == Enrolment.program_id)
             .where(Program.name == MAIN_PROGRAM, Enrolment.role == role,
                    User.email_normalized.like(f"%@{DEMO_DOMAIN}"),
                    User.id.not_in(select(Enrolment.user_id).where(Enrolment.role == other)))
             .order_by(User.id).limit(1))
    if role == Role.MENTOR:
        query = query.where(Enrolment.availability == Availability.OPEN)
    return session.scalar(query)


def _add_user(session: Session, name: str, email: str, password_hash: str,
              profile: Mapping[str, Any], *, is_admin: bool = False) -> User:
    account = ACCOUNT.clean({"name": name, "email": email}, partial=False)
    user = User(**account, email_normalized=normalize_email(account["email"]),
                password_hash=password_hash, is_admin=is_admin)
    user.profile = Profile(**PROFILE.clean(profile))
    session.add(user)
    return user


def _add_enrolment(session: Session, program: Program, user: User, role: Role,
                   data: Mapping[str, Any]) -> None:
    values = ROLE_SPECS[role].clean(data, partial=False)
    session.add(Enrolment(program=program, user=user, role=role, **values))


def _add_programs(session: Session, today: date) -> tuple[Program, Program, Program, Program]:
    """The open cohort everyone is in, a draft being planned, last year's closed one, and a
    running track whose pairs came from a published matching round."""
    starts = today + timedelta(days=14)
    main = programs.save_program(session, {
        "name": MAIN_PROGRAM, "status": "open", "max_pending_requests": 3,
        "starts_on": starts, "ends_on": starts + timedelta(days=182),
        "description": (
            "Our company-wide mentoring program. Mentees bring goals for the next six "
            "months; mentors share their experience in engineering, data, product, design "
            "and leadership. Pairs meet every two to three weeks, agree on goals in the "
            "first session, and close with a short retrospective."),
    })
    draft = programs.save_program(session, {
        "name": "Leadership Circle (pilot)", "status": "draft", "max_pending_requests": 2,
        "starts_on": today + timedelta(days=90), "ends_on": today + timedelta(days=270),
        "description": (
            "A small pilot pairing new directors with experienced executives. Still being "
            "planned: invitations go out once the mentor list is confirmed."),
    })
    past = today - timedelta(days=400)
    closed = programs.save_program(session, {
        "name": f"New Manager Mentoring {past.year}", "status": "closed",
        "starts_on": past, "ends_on": past + timedelta(days=182),
        "description": ("Six months of mentoring for engineers who had recently become team "
                        "leads or engineering managers."),
    })
    track = programs.save_program(session, {
        "name": "Engineering Leadership Track", "status": "running", "max_pending_requests": 2,
        "starts_on": today - timedelta(days=30), "ends_on": today + timedelta(days=150),
        "description": ("Senior engineers paired with engineering leaders for six months. "
                        "Pairs were made by a matching round at the start of the track."),
    })
    return main, draft, closed, track


def _add_past_cohort(session: Session, closed: Program,
                     users: list[tuple[Person, User]]) -> None:
    """Enrol a few managers in last year's closed cohort, so its admin page is not empty."""
    leads = [(p, u) for p, u in users if p.track in ("managers", "leaders")]
    mentors = [(p, u) for p, u in leads if p.mentor and not p.mentee][:4]
    mentees = [(p, u) for p, u in leads if p.mentee and not p.mentor][:8]
    for person, user in mentors:
        _add_enrolment(session, closed, user, Role.MENTOR, person.mentor)  # type: ignore[arg-type]
    for person, user in mentees:
        _add_enrolment(session, closed, user, Role.MENTEE, person.mentee)  # type: ignore[arg-type]

