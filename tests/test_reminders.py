"""``send-reminders``: what is due reaches the right side, once per thing, person and day."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from mentorship.db import get_session
from mentorship.models import (
    ActionItem,
    Agreement,
    Cadence,
    Meeting,
    MeetingStatus,
    Notification,
    OutboxEmail,
    PairingStatus,
    ReminderSent,
    Role,
)
from mentorship.services.notifications import describe
from tests.factories import create, login, make_program
from tests.flows import mentee, mentor, paired, pending

NOW = datetime(2026, 12, 7, 12, 0)  # naive UTC; 13:00 in Berlin, 04:00 in Los Angeles
TODAY = NOW.date()


def at(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S")


@pytest.fixture
def world(app: Flask) -> dict[str, int]:
    def build(session: Any) -> dict[str, int]:
        program = make_program(session, name="Winter Cohort")
        grace = mentor(session, program, "Grace Hopper", capacity=3)
        ada = mentee(session, program, "Ada Lovelace")
        pairing = paired(session, ada, grace)
        # An ended mentorship: nothing of it is reminded.
        old_mentor = mentor(session, program, "Old Mentor")
        cy = mentee(session, program, "Cy Ended")
        ended = paired(session, cy, old_mentor)
        ended.status = PairingStatus.ENDED
        ended.ended_at = NOW - timedelta(days=3)
        bea = mentee(session, program, "Bea Asking")
        soon = pending(session, bea, grace)
        soon.expires_at = NOW + timedelta(hours=30)
        dan = mentee(session, program, "Dan Asking")
        far = pending(session, dan, grace)
        far.expires_at = NOW + timedelta(days=5)
        session.add_all([
            Meeting(pairing_id=pairing.id, starts_at=NOW + timedelta(hours=3),
                    duration_minutes=45),
            Meeting(pairing_id=pairing.id, starts_at=NOW + timedelta(hours=30),
                    duration_minutes=45),
            Meeting(pairing_id=pairing.id, starts_at=NOW - timedelta(days=7),
                    duration_minutes=45, status=MeetingStatus.COMPLETED,
                    logged_at=NOW - timedelta(days=6), next_check_in=TODAY + timedelta(days=1)),
            Meeting(pairing_id=ended.id, starts_at=NOW + timedelta(hours=2),
                    duration_minutes=45),
            ActionItem(pairing_id=pairing.id, title="Read the paper", owner=Role.MENTEE,
                       due_on=TODAY - timedelta(days=1)),
            ActionItem(pairing_id=pairing.id, title="Draft the plan", owner=Role.MENTEE,
                       due_on=TODAY - timedelta(days=3)),
            ActionItem(pairing_id=pairing.id, title="Done already", owner=Role.MENTEE,
                       due_on=TODAY - timedelta(days=3), done_at=NOW),
            ActionItem(pairing_id=pairing.id, title="Send intro", owner=Role.MENTOR,
                       due_on=TODAY + timedelta(days=1)),
            ActionItem(pairing_id=ended.id, title="Ended item", owner=Role.MENTEE,
                       due_on=TODAY - timedelta(days=3)),
            Agreement(pairing_id=pairing.id, number=1, cadence=Cadence.MONTHLY,
                      session_minutes=45, mentor_accepted_at=NOW - timedelta(days=1)),
        ])
        return {"ada": ada.user_id, "grace": grace.user_id, "pairing": pairing.id,
                "cy": cy.user_id, "soon": soon.id}
    return create(app, build)


def remind(app: Flask, now: datetime = NOW) -> str:
    result = app.test_cli_runner().invoke(args=["send-reminders", "--now", at(now)])
    assert result.exit_code == 0, result.output
    return result.output


def notices(app: Flask, user_id: int) -> list[str]:
    with app.app_context():
        found = get_session().scalars(select(Notification).where(
            Notification.user_id == user_id).order_by(Notification.id))
        return [describe(n) for n in found]


def test_each_side_is_reminded_of_what_concerns_them(app: Flask, world: dict[str, int]
                                                     ) -> None:
    output = remind(app)
    assert "Gave 7 reminders" in output
    ada = notices(app, world["ada"])
    assert sorted(ada) == sorted([
        "Reminder: your session with Grace Hopper starts on 7 Dec 2026 at 16:00 (Europe/Berlin).",
        "Reminder: your check-in with Grace Hopper is due tomorrow.",
        "Reminder: 2 action item(s) with Grace Hopper are overdue.",
        "Reminder: your agreement with Grace Hopper is waiting for your acceptance.",
    ])
    grace = notices(app, world["grace"])
    assert sorted(grace) == sorted([
        "Reminder: your session with Ada Lovelace starts on 7 Dec 2026 at 16:00 (Europe/Berlin).",
        "Reminder: your check-in with Ada Lovelace is due tomorrow.",
        "Reminder: Bea Asking's request in Winter Cohort expires on 8 Dec 2026 at 19:00 "
        "(Europe/Berlin).",
    ])
    assert notices(app, world["cy"]) == []  # an ended mentorship is left alone


def test_running_twice_a_day_reminds_once_and_the_next_day_again(
        app: Flask, world: dict[str, int]) -> None:
    assert "Gave 7 reminders" in remind(app)
    again = remind(app, NOW + timedelta(hours=1))
    assert "Gave 0 reminders; 7 given already today." in again
    with app.app_context():
        session = get_session()
        assert len(session.scalars(select(ReminderSent)).all()) == 7
        assert len(session.scalars(select(Notification)).all()) == 7
        kinds = Counter(session.scalars(select(Notification.kind)))
    assert kinds == {"reminder_session": 2, "reminder_check_in": 2, "reminder_action_items": 1,
                     "reminder_agreement": 1, "reminder_request": 1}
    tomorrow = remind(app, NOW + timedelta(days=1))
    # The next session is within 24 hours now; the check-in is due today, the items are
    # still overdue, the agreement still waits and the request expires within 48 hours.
    assert ("Gave 7 reminders (2 sessions, 2 check-ins, 1 overdue action items, "
            "1 agreements, 1 expiring requests); 0 given already today.") in tomorrow
    assert "Reminder: your check-in with Grace Hopper is due today." in notices(app, world["ada"])


def test_reminders_go_by_email_through_the_outbox(app: Flask, world: dict[str, int]) -> None:
    remind(app)
    with app.app_context():
        emails = get_session().scalars(select(OutboxEmail)).all()
    assert len(emails) == 7  # reminders come by email by default
    assert {e.subject for e in emails} >= {"Reminder: session coming up",
                                           "Reminder: check-in due"}


def test_an_overdue_check_in_is_reminded_as_overdue(app: Flask, world: dict[str, int]) -> None:
    remind(app, NOW + timedelta(days=3))
    assert ("Reminder: your check-in with Grace Hopper is due on 8 Dec 2026 (overdue)."
            in notices(app, world["ada"]))


def test_an_accepted_agreement_is_not_reminded(app: Flask, world: dict[str, int]) -> None:
    def accept(session: Any) -> None:
        agreement = session.scalars(select(Agreement)).one()
        agreement.mentee_accepted_at = NOW
    create(app, accept)
    remind(app)
    assert not any("agreement" in text for text in notices(app, world["ada"]))


def test_the_mentee_sees_the_check_in_reminder_on_the_notifications_page(
        app: Flask, world: dict[str, int]) -> None:
    remind(app)
    client = app.test_client()
    login(app, client, world["ada"])
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Reminder: your check-in with Grace Hopper is due tomorrow." in page
    assert f'href="/pairings/{world["pairing"]}"' in page


def test_the_command_explains_itself() -> None:
    from mentorship.cli_mail import send_reminders_command
    assert "once per thing" in (send_reminders_command.help or "")


def test_help_lists_the_mail_commands(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["send-reminders", "--help"])
    assert result.exit_code == 0 and "--now" in result.output
    assert "once per thing" in result.output


def test_no_reminder_today_for_a_date_in_the_persons_own_zone(app: Flask) -> None:
    """An item due 'yesterday' in UTC may still be due today where its owner lives."""
    def build(session: Any) -> int:
        program = make_program(session)
        grace = mentor(session, program, "Grace", timezone="Europe/Berlin")
        ada = mentee(session, program, "Ada", timezone="America/Los_Angeles")
        pairing = paired(session, ada, grace)
        session.add(ActionItem(pairing_id=pairing.id, title="Call", owner=Role.MENTEE,
                               due_on=date(2026, 12, 6)))
        return ada.user_id
    ada = create(app, build)
    remind(app, datetime(2026, 12, 7, 5, 0))  # 6 Dec, 21:00 in Los Angeles: not overdue
    assert notices(app, ada) == []
    remind(app, datetime(2026, 12, 7, 9, 0))  # 7 Dec, 01:00 there: overdue now
    assert notices(app, ada) == ["Reminder: 1 action item(s) with Grace are overdue."]


def test_a_reminder_recorded_by_another_run_meanwhile_is_skipped(app: Flask) -> None:
    from mentorship.services.reminders import _record
    user = create(app, lambda s: mentee(s, make_program(s), "Ada").user_id)
    first = (user, "reminder_check_in", 1, TODAY)
    second = (user, "reminder_check_in", 2, TODAY)
    create(app, lambda s: s.add(ReminderSent(user_id=user, kind="reminder_check_in",
                                             subject_id=1, on_day=TODAY)))
    with app.app_context():
        session = get_session()
        assert _record(session, [first, second]) == {second}
        session.commit()
        assert len(session.scalars(select(ReminderSent)).all()) == 2


def test_two_runs_at_once_remind_once(file_app: Flask) -> None:
    import threading

    from mentorship.services import reminders
    app = file_app
    create(app, lambda s: world_rows(s))
    errors: list[BaseException] = []

    def one_run() -> None:
        try:
            with app.app_context():
                session = get_session()
                reminders.send_reminders(session, NOW, reminders.due_reminders(session, NOW))
                session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
    threads = [threading.Thread(target=one_run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with app.app_context():
        session = get_session()
        assert len(session.scalars(select(Notification)).all()) == 2
        assert len(session.scalars(select(ReminderSent)).all()) == 2


def world_rows(session: Any) -> None:
    program = make_program(session)
    pairing = paired(session, mentee(session, program, "Ada"), mentor(session, program, "Grace"))
    session.add(Meeting(pairing_id=pairing.id, starts_at=NOW + timedelta(hours=2),
                        duration_minutes=30))
