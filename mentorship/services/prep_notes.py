"""Each side's preparation for a session: written by its author until the session is
logged or cancelled, read by both. Take a session; never commit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mentorship.models import Meeting, MeetingStatus, Pairing, PrepNote, Role, User, utcnow
from mentorship.services.errors import Conflict
from mentorship.services.meetings import CLOSED
from mentorship.services.specs import Field, Spec
from mentorship.services.workspace import require_active

PREP = Spec((
    Field("wins", "Wins since last time", kind="textarea", max_length=4000),
    Field("challenges", "Challenges", kind="textarea", max_length=4000),
    Field("questions", "Questions", kind="textarea", max_length=4000),
    Field("help_wanted", "Where I want help", kind="textarea", max_length=4000),
))


def save(session: Session, pairing: Pairing, meeting: Meeting, user: User,
              data: Mapping[str, object]) -> PrepNote:
    """Write one's own prep note; open until the session is logged or cancelled."""
    require_active(pairing)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict(CLOSED[meeting.status] + " Prep notes are closed.")
    values = PREP.clean({k: v for k, v in data.items() if k in PREP.names})
    note = _own_note(session, meeting, user)
    if note is None:
        try:
            with session.begin_nested():
                note = PrepNote(meeting_id=meeting.id, author_id=user.id)
                session.add(note)
                session.flush()
        except IntegrityError:  # the same person saved from another tab at the same moment
            note = _own_note(session, meeting, user)
            assert note is not None
    for name, value in values.items():
        setattr(note, name, value)
    note.updated_at = utcnow()
    session.flush()
    return note


def _own_note(session: Session, meeting: Meeting, user: User) -> PrepNote | None:
    return session.scalar(select(PrepNote).where(PrepNote.meeting_id == meeting.id,
                                                 PrepNote.author_id == user.id))


def of_meetings(session: Session, pairing: Pairing, meeting_ids: list[int]
               ) -> dict[int, dict[Role, PrepNote]]:
    """Per session, each side's prep note: one query whatever the number of sessions."""
    found: dict[int, dict[Role, PrepNote]] = defaultdict(dict)
    if not meeting_ids:
        return found
    for note in session.scalars(select(PrepNote).where(PrepNote.meeting_id.in_(meeting_ids))):
        role = Role.MENTEE if note.author_id == pairing.mentee.user_id else Role.MENTOR
        found[note.meeting_id][role] = note
    return found
