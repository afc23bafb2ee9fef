"""The pairs the goals and feedback tests share (no tests here): pair A with sessions and
an action item from a session log, pair B beside it, an admin and a stranger."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask

from mentorship.models import ActionItem, Meeting, MeetingStatus, Pairing, Role, utcnow
from tests.factories import create, make_program, make_user
from tests.flows import mentee, mentor, paired, person


def meeting(session: Any, pairing: Pairing, *, status: MeetingStatus = MeetingStatus.COMPLETED,
            days_ago: int = 3) -> Meeting:
    """A session stored directly: completed ones are logged."""
    starts = utcnow() - timedelta(days=days_ago)
    done = status == MeetingStatus.COMPLETED
    item = Meeting(pairing_id=pairing.id, starts_at=starts, duration_minutes=60, status=status,
                   discussed="Talked about design reviews" if done else "",
                   logged_at=starts + timedelta(hours=2) if done else None)
    session.add(item)
    session.flush()
    return item


def build_pairs(app: Flask) -> dict[str, int]:
    def build(session: Any) -> dict[str, int]:
        program = make_program(session, name="Autumn Cohort")
        grace = mentor(session, program, "Grace Hopper")
        ada = mentee(session, program, "Ada Lovelace")
        pairing = paired(session, ada, grace)
        bob = mentor(session, program, "Bob Builder")
        cleo = mentee(session, program, "Cleo Other")
        other = paired(session, cleo, bob)
        done = meeting(session, pairing)
        planned = meeting(session, pairing, status=MeetingStatus.SCHEDULED, days_ago=-5)
        next_step = ActionItem(pairing_id=pairing.id, meeting_id=done.id, title="Read the SRE book",
                               owner=Role.MENTEE, due_on=(utcnow() - timedelta(days=1)).date())
        session.add(next_step)
        session.flush()
        return {"pairing": pairing.id, "program": program.id, "ada": ada.user_id,
                "grace": grace.user_id, "bob": bob.user_id, "cleo": cleo.user_id,
                "other": other.id, "completed": done.id, "scheduled": planned.id,
                "session_item": next_step.id,
                "admin": make_user(session, name="Admin Person", is_admin=True).id,
                "stranger": person(session, "Stranger Sam").id}
    return create(app, build)

