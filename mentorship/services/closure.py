"""When a mentorship ends: each side's short reflection. Take a session; never commit.

A reflection is written once per side, after the end, and both sides read both: it is
the last page of their shared story, not feedback for the program team.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mentorship.models import Pairing, PairingStatus, Reflection, Role, User
from mentorship.services.errors import Conflict, FieldErrors
from mentorship.services.fields import shows_something
from mentorship.services.specs import Field, Spec
from mentorship.services.workspace import role_in

REFLECTION_MAX = 2000
REFLECTION = Spec((
    Field("what_changed", "What changed for you", kind="textarea", max_length=REFLECTION_MAX,
          help="What you learned, tried or decided during this mentorship."),
    Field("what_next", "What comes next", kind="textarea", max_length=REFLECTION_MAX,
          help="The next step you will take on your own."),
))


def reflections(session: Session, pairing: Pairing) -> dict[Role, Reflection]:
    """Both sides' reflections, by side (empty before anyone wrote one)."""
    return {r.author_role: r for r in session.scalars(
        select(Reflection).where(Reflection.pairing_id == pairing.id))}


def reflection_due(session: Session, pairing: Pairing, user: User) -> bool:
    """True once the pairing has ended and ``user``'s side has not reflected yet."""
    return pairing.status == PairingStatus.ENDED \
        and role_in(pairing, user) not in reflections(session, pairing)


def reflect(session: Session, pairing: Pairing, user: User, data: dict[str, Any]) -> Reflection:
    """Record ``user``'s reflection on an ended pairing, once (Conflict on a second one)."""
    if pairing.status != PairingStatus.ENDED:
        raise Conflict("Reflections are written once the mentorship has ended.")
    values = REFLECTION.clean(data, partial=False)
    if not any(shows_something(v) for v in values.values()):
        raise FieldErrors({"what_changed": "Write a line here or under what comes next."})
    reflection = Reflection(pairing_id=pairing.id, author_role=role_in(pairing, user), **values)
    try:
        with session.begin_nested():
            session.add(reflection)
            session.flush()
    except IntegrityError:
        raise Conflict("You have already written your reflection.") from None
    return reflection
