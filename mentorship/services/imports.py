"""Participants of a program imported from a CSV file. Take a session; never commit.

``check`` reads the whole file and reports every problem (row, column, message) before
anything is written; ``apply`` writes it all in the caller's transaction or, when the
report has any error, nothing. Every cell is cleaned by the same field specifications
as the forms and the API.

Rules a file follows:

- Columns ``name``, ``email``, ``role`` (mentee or mentor) are required; the profile
  columns and the enrolment columns of each role are optional. Unknown columns are
  ignored with a warning. A mentee's row leaves the mentor columns empty and the reverse.
- One row per person and role: an email twice in one role is an error. Someone in both
  roles has a row for each, agreeing on name and profile.
- Existing accounts are matched by email in any letter case; their name and profile
  stay as their owner wrote them, only the enrolment in this program is created or
  updated. An empty enrolment cell leaves the stored value as it is.
- New accounts get no password: a set-password link is emailed (``invitations``).
- Cells starting with ``=``, ``+``, ``-`` or ``@`` are kept as text, with a warning;
  the ``'`` our exports put before such cells is removed.

Importing the same file twice changes nothing the second time.

50,000 rows take well under a minute: each distinct cell is cleaned once, people are
looked up in bulk (a temporary table joined on PostgreSQL, IN lists of CHUNK emails
elsewhere), and rows are inserted in bulk (COPY on PostgreSQL, executemany elsewhere);
see ``benchmarks/imports.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Integer, Text, any_, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from mentorship.models import Base, Enrolment, Program, User, utcnow
from mentorship.services import invitations
from mentorship.services.audit import Action
from mentorship.services.bulk import CHUNK, bulk_insert, chunks, on_postgres, refresh_statistics
from mentorship.services.errors import Conflict
from mentorship.services.exports import record_action
from mentorship.services.import_files import Progress, Report, Row, read
from mentorship.services.specs import ROLE_SPECS

RACED = ("Some of these people were added or changed by someone else while the file was "
         "being imported, so nothing was imported. Import the file again.")
PROFILE_DEFAULTS: dict[str, Any] = {"headline": "", "bio": "", "languages": [], "timezone": None,
                                    "years_experience": None, "industry": "", "skills": []}
ENROLMENT_DEFAULTS: dict[str, Any] = {"goals": "", "skills_to_grow": [], "about": "",
                                      "expertise": [], "capacity": None, "availability": None}
# Core tables: bulk inserts through them are several times faster than the ORM's bulk
# path (the values are cleaned already; the models' defaults are filled in).
USERS, PROFILES, ENROLMENTS, TOKENS, OUTBOX = (
    Base.metadata.tables[name] for name in ("users", "profiles", "enrolments",
                                            "password_tokens", "outbox_emails"))
ROLE_DEFAULTS = {role: spec.clean({}, partial=False) for role, spec in ROLE_SPECS.items()}




def check(session: Session, program: Program, data: bytes,
          progress: Progress | None = None) -> Report:
    """The dry run: read the file and work out what importing it would change."""
    report = read(data, progress)
    if report.rows:
        _plan(session, program, report)
    return report


def _plan(session: Session, program: Program, report: Report) -> _Plan:
    """Match the rows to stored accounts and enrolments (looked up in bulk) and count."""
    users = _user_ids(session, [row.key for row in report.rows])
    stored = {(e.user_id, e.role): e for e in _stored(session, program, list(users.values()))}
    plan = _Plan(users)
    report.new_accounts = report.existing_accounts = 0
    report.new_enrolments = report.updated_enrolments = report.unchanged = 0
    counted: set[str] = set()
    for row in report.rows:
        user_id = users.get(row.key)
        if row.key not in counted:  # a person in both roles has two rows
            counted.add(row.key)
            report.existing_accounts += user_id is not None
            report.new_accounts += user_id is None
        found = stored.get((user_id, row.role)) if user_id is not None else None
        if found is None:
            report.new_enrolments += 1
            plan.fresh.append(row)
            continue
        changes = {k: v for k, v in row.enrolment.items() if getattr(found, k) != v}
        if changes.get("capacity") is not None and changes["capacity"] < found.seats_taken:
            report.error(row.line, "capacity", f"This mentor has {found.seats_taken} "
                                               "mentees now: capacity cannot be lower.")
        elif changes:
            report.updated_enrolments += 1
            plan.updates.append((found, changes))
        else:
            report.unchanged += 1
    return plan


@dataclass
class _Plan:
    """What ``_plan`` found: stored accounts by email key, and the enrolment changes."""

    users: dict[str, int]
    updates: list[tuple[Enrolment, dict[str, Any]]] = field(default_factory=list)
    fresh: list[Row] = field(default_factory=list)  # rows whose enrolment is new


def apply(session: Session, program: Program, data: bytes, actor: User | None,
          link_for: Callable[[str], str], progress: Progress | None = None) -> Report:
    """Import the file, all or nothing: with any error in the report nothing is written.

    Inserts go in bulk; the caller commits. ``link_for`` turns a token into the
    set-password URL of the invitation email.
    """
    report = read(data, progress)
    plan = _plan(session, program, report) if report.rows else _Plan({})
    if not report.ok or not report.rows:
        return report
    now = utcnow()
    new_rows = list({row.key: row for row in report.rows if row.key not in plan.users}.values())
    roles: dict[str, list[str]] = {}
    for row in report.rows:
        roles.setdefault(row.key, []).append(row.role.value)
    try:
        with session.begin_nested():  # someone else's change meanwhile: refuse it all
            users = plan.users | _insert_accounts(session, new_rows, now)
            _insert_enrolments(session, program, plan.fresh, users, now)
            for enrolment, changes in plan.updates:
                for name, value in changes.items():
                    setattr(enrolment, name, value)
            session.flush()
    except (IntegrityError, StaleDataError):
        raise Conflict(RACED) from None
    tokens, emails = invitations.invitations(
        [invitations.Invitee(users[row.key], row.name, row.email, " and ".join(roles[row.key]))
         for row in new_rows], program.name, link_for)
    bulk_insert(session, TOKENS, tokens)
    bulk_insert(session, OUTBOX, emails)
    refresh_statistics(session, (USERS, PROFILES, ENROLMENTS))  # what signed-in pages read
    report.invited = len(emails)
    record_action(session, actor, Action.PARTICIPANTS_IMPORTED, program, "participants",
                **report.summary())
    report.applied = True
    return report


def _insert_accounts(session: Session, rows: list[Row], now: datetime) -> dict[str, int]:
    """Create the new accounts and their profiles; their ids by email key."""
    bulk_insert(session, USERS, [
        {"name": row.name, "email": row.email, "email_normalized": row.key,
         "password_hash": invitations.NO_PASSWORD, "is_admin": False, "created_at": now}
        for row in rows])
    made = _user_ids(session, [row.key for row in rows])
    bulk_insert(session, PROFILES, [
        PROFILE_DEFAULTS | row.profile | {"user_id": made[row.key], "updated_at": now,
                                          "version": 1} for row in rows])
    return made


def _user_ids(session: Session, keys: list[str]) -> dict[str, int]:
    """Account ids by compared email.

    PostgreSQL looks the emails up in the index from one array parameter (a long IN
    list of parameters is compared one by one with every row); elsewhere the emails go
    CHUNK at a time.
    """
    if on_postgres(session):
        return dict(session.execute(select(User.email_normalized, User.id).where(
            User.email_normalized == any_(bindparam("keys", keys, type_=ARRAY(Text))))).all())
    found: dict[str, int] = {}
    for part in chunks(keys, CHUNK):
        found.update(session.execute(select(User.email_normalized, User.id)
                                     .where(User.email_normalized.in_(part))).all())
    return found


def _stored(session: Session, program: Program, user_ids: list[int]) -> list[Enrolment]:
    """The program's enrolments of these accounts (elsewhere than PostgreSQL, CHUNK at
    a time)."""
    if on_postgres(session):
        return list(session.scalars(select(Enrolment).where(
            Enrolment.program_id == program.id,
            Enrolment.user_id == any_(bindparam("ids", user_ids, type_=ARRAY(Integer))))))
    found: list[Enrolment] = []
    for part in chunks(user_ids, CHUNK):
        found += session.scalars(select(Enrolment).where(
            Enrolment.program_id == program.id, Enrolment.user_id.in_(part)))
    return found


def _insert_enrolments(session: Session, program: Program, rows: list[Row],
                       users: dict[str, int], now: datetime) -> None:
    """Insert the enrolments that do not exist yet, with each role's defaults."""
    bulk_insert(session, ENROLMENTS, [
        ENROLMENT_DEFAULTS | ROLE_DEFAULTS[row.role] | row.enrolment
        | {"program_id": program.id, "user_id": users[row.key], "role": row.role,
           "created_at": now, "updated_at": now, "version": 1, "seats_taken": 0}
        for row in rows])
