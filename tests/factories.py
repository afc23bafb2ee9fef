"""Plain factory functions for tests. They flush, never commit."""

from __future__ import annotations

import itertools
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mentorship.db import get_session
from mentorship.models import Availability, Enrolment, Profile, Program, ProgramStatus, Role, User
from mentorship.security import hash_password
from mentorship.services import accounts

PASSWORD = "tangerine orbit canyon 42"
PASSWORD_HASH = hash_password(PASSWORD)  # hashing is slow on purpose; do it once
_seq = itertools.count(1)


def make_user(session: Session, **overrides: Any) -> User:
    n = next(_seq)
    email = overrides.pop("email", f"user{n}@example.test")
    user = User(**({"name": f"Test Person {n}", "email": email,
                    "email_normalized": email.casefold(), "password_hash": PASSWORD_HASH}
                   | overrides))
    user.profile = Profile()
    session.add(user)
    session.flush()
    return user


def make_program(session: Session, **overrides: Any) -> Program:
    n = next(_seq)
    program = Program(**({"name": f"Program {n}", "description": "A test cohort",
                          "status": ProgramStatus.OPEN, "max_pending_requests": 3} | overrides))
    session.add(program)
    session.flush()
    return program


def make_enrolment(session: Session, user: User, program: Program, role: Role = Role.MENTEE,
                   **overrides: Any) -> Enrolment:
    defaults: dict[str, Any] = {"goals": "Grow as an engineer", "skills_to_grow": ["python"]}
    if role == Role.MENTOR:
        defaults = {"about": "I help engineers grow", "expertise": ["python"], "capacity": 2,
                    "availability": Availability.OPEN}
    enrolment = Enrolment(user=user, program=program, role=role, **(defaults | overrides))
    session.add(enrolment)
    session.flush()
    return enrolment


def login(app: Flask, client: FlaskClient, user_id: int) -> str:
    """Sign ``client`` in as the user without the form; returns the device token."""
    with app.app_context():
        session = get_session()
        user = session.get(User, user_id)
        token = accounts.start_login_session(session, user, remember=False)
        session.commit()
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = token
        cookie_session["_fresh"] = True
    return token


def signed_in(app: Flask, user_id: int) -> FlaskClient:
    """A test client signed in as the user (``login``)."""
    client = app.test_client()
    login(app, client, user_id)
    return client


def create(app: Flask, build: Any) -> Any:
    """Run ``build(session)`` in an app context, commit, and return what it returns."""
    with app.app_context():
        result = build(get_session())
        get_session().commit()
        return result
