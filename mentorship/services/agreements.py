"""The mentorship agreement (the answer to misaligned expectations). Take a session; never
commit.

Either side drafts or edits; both accept. Every save is a new numbered version, so an
edit after acceptance needs both to accept again and the accepted versions stay on
record. A save or an acceptance names the version it was based on: two people editing
at once cannot overwrite each other (the later one gets 409), and the numbers are kept
unique by the database, not by a check in Python.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mentorship.models import (
    SESSION_MINUTES_MAX,
    SESSION_MINUTES_MIN,
    Agreement,
    Cadence,
    Pairing,
    Role,
    User,
    utcnow,
)
from mentorship.services.errors import Conflict, FieldErrors
from mentorship.services.fields import clean_int
from mentorship.services.notifications import Kind, notify
from mentorship.services.specs import Field, Spec, choices_of, column_length
from mentorship.services.workspace import require_active, role_in

CADENCE_LABELS = {Cadence.WEEKLY.value: "Weekly", Cadence.FORTNIGHTLY.value: "Every two weeks",
                  Cadence.MONTHLY.value: "Monthly"}
CONFIDENTIALITY = ("What we say in our sessions and write in this workspace stays between "
                   "us. The program team sees only dates and counts, never our words.")
STALE = ("The agreement changed since you opened it (now version {number}): "
         "read the new version before you save or accept.")

AGREEMENT = Spec((
    Field("cadence", "How often you meet", kind="choice", required=True, enum=Cadence,
          default=Cadence.FORTNIGHTLY, choices=choices_of(Cadence, CADENCE_LABELS)),
    Field("session_minutes", "Session length (minutes)", kind="int", required=True,
          low=SESSION_MINUTES_MIN, high=SESSION_MINUTES_MAX, default=60),
    Field("ends_on", "The mentorship runs until", kind="date",
          help="Leave empty to run until the program ends."),
    Field("mentee_wants", "What the mentee wants from it", kind="textarea", max_length=2000,
          help="The outcome that would make this mentorship worth it."),
    Field("contact", "How to reach each other", max_length=column_length(Agreement.contact),
          help="e.g. this thread for questions, video call link for sessions"),
    Field("confidentiality", "Confidentiality", kind="textarea", max_length=2000,
          default=CONFIDENTIALITY),
))


class State(enum.StrEnum):
    """Where the agreement stands, seen by one side."""

    NONE = "none"
    WAITING_FOR_YOU = "waiting_for_you"
    WAITING_FOR_PARTNER = "waiting_for_partner"
    ACCEPTED = "accepted"


def current(session: Session, pairing: Pairing) -> Agreement | None:
    """The newest version (the one to accept), or None before anyone drafted one."""
    return session.scalar(select(Agreement).where(Agreement.pairing_id == pairing.id)
                          .order_by(Agreement.number.desc()).limit(1))


def versions(session: Session, pairing: Pairing) -> list[Agreement]:
    """Every version, newest first."""
    return list(session.scalars(select(Agreement).where(Agreement.pairing_id == pairing.id)
                                .order_by(Agreement.number.desc())))


def accepted_by(agreement: Agreement, role: Role) -> bool:
    return (agreement.mentee_accepted_at if role == Role.MENTEE
            else agreement.mentor_accepted_at) is not None


def is_accepted(agreement: Agreement | None) -> bool:
    return agreement is not None and accepted_by(agreement, Role.MENTEE) \
        and accepted_by(agreement, Role.MENTOR)


def state(agreement: Agreement | None, role: Role) -> State:
    if agreement is None:
        return State.NONE
    if is_accepted(agreement):
        return State.ACCEPTED
    return State.WAITING_FOR_PARTNER if accepted_by(agreement, role) else State.WAITING_FOR_YOU


def last_accepted(session: Session, pairing: Pairing) -> Agreement | None:
    """The newest version both sides accepted (still in force while an edit waits)."""
    return session.scalar(select(Agreement).where(
        Agreement.pairing_id == pairing.id, Agreement.mentee_accepted_at.is_not(None),
        Agreement.mentor_accepted_at.is_not(None)).order_by(Agreement.number.desc()).limit(1))


def _based_on(value: object) -> int:
    """The version number a form or client started from (0: there was none)."""
    try:
        return clean_int(value, low=0, high=2**31 - 1, required=True) or 0
    except ValueError:
        raise FieldErrors({"based_on": "Reload the page: this form is missing its version."}) \
            from None


def propose(session: Session, pairing: Pairing, user: User, data: dict[str, Any], *,
            based_on: object) -> Agreement:
    """Save a new version drafted by ``user``, who accepts it by proposing it; the partner
    is asked to accept. Conflict if another version was saved since ``based_on``."""
    require_active(pairing)
    values = AGREEMENT.clean(data, partial=False)
    if values["ends_on"] is not None and values["ends_on"] < date.today():
        raise FieldErrors({"ends_on": "Choose a date from today on."})
    latest = current(session, pairing)
    number = latest.number if latest else 0
    if _based_on(based_on) != number:
        raise Conflict(STALE.format(number=number))
    role = role_in(pairing, user)
    now = utcnow()
    agreement = Agreement(pairing_id=pairing.id, number=number + 1, author_id=user.id,
                          mentee_accepted_at=now if role == Role.MENTEE else None,
                          mentor_accepted_at=now if role == Role.MENTOR else None, **values)
    try:
        with session.begin_nested():
            session.add(agreement)
            session.flush()
    except IntegrityError:  # someone saved the same number first
        raise Conflict(STALE.format(number=number + 1)) from None
    partner = pairing.mentor if role == Role.MENTEE else pairing.mentee
    notify(session, partner.user_id, Kind.AGREEMENT_PROPOSED, "pairing", pairing.id,
           partner=user.name, program=pairing.program.name)
    return agreement


def accept(session: Session, pairing: Pairing, user: User, number: object) -> Agreement:
    """Accept version ``number``, which must still be the newest (Conflict otherwise)."""
    require_active(pairing)
    wanted = _based_on(number)
    latest = current(session, pairing)
    if latest is None or latest.number != wanted:
        raise Conflict(STALE.format(number=latest.number if latest else 0))
    role = role_in(pairing, user)
    column = Agreement.mentee_accepted_at if role == Role.MENTEE else Agreement.mentor_accepted_at
    # Conditional on being the newest: a version saved meanwhile makes this a no-op.
    newest = select(Agreement.number).where(Agreement.pairing_id == pairing.id) \
        .order_by(Agreement.number.desc()).limit(1).scalar_subquery()
    done = session.execute(update(Agreement).where(
        Agreement.id == latest.id, Agreement.number == newest, column.is_(None))
        .values({column: utcnow()}).execution_options(synchronize_session=False))
    session.refresh(latest)
    if not done.rowcount:  # type: ignore[attr-defined]
        if accepted_by(latest, role) and current(session, pairing) is latest:
            return latest  # accepted already: accepting twice changes nothing
        raise Conflict(STALE.format(number=wanted + 1))
    if is_accepted(latest):
        author = pairing.mentor if role == Role.MENTEE else pairing.mentee
        notify(session, author.user_id, Kind.AGREEMENT_ACCEPTED, "pairing", pairing.id,
               partner=user.name, program=pairing.program.name)
    return latest
