"""Email through the outbox, against a real SMTP server on loopback (aiosmtpd).

An email is written with its event, sent after commit, retried when the server refuses,
never sent twice by two runs, and never sent for an event that was rolled back.
"""

from __future__ import annotations

import email
import re
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select

from mentorship.cli_mail import deliver
from mentorship.db import get_session
from mentorship.models import Notification, NotificationPreference, OutboxEmail, utcnow
from mentorship.services import agreements, outbox
from mentorship.services.notifications import Kind, notify, notify_many
from tests.factories import create, make_program
from tests.flows import mentee, mentor, paired
from tests.helpers import app_on
from tests.test_imports import run as import_rows


class Inbox:
    """An SMTP server's handler: keeps what it accepts; refuses while told to."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refusals: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusals:
            return self.refusals.pop(0)
        message = email.message_from_bytes(envelope.original_content)
        message["X-Rcpt-To"] = ",".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages]


def free_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def mail_config(port: int) -> dict[str, Any]:
    return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
            "MAIL_TIMEOUT": 5, "MAIL_FROM": "Mentorship <noreply@mentorship.test>",
            "MAIL_SITE_URL": "https://mentoring.example.test"}


@pytest.fixture
def mail_app(database_url: str, smtp: tuple[Inbox, int]) -> Iterator[Flask]:
    yield from app_on(database_url, **mail_config(smtp[1]))


@pytest.fixture
def shared_mail_app(file_database_url: str, smtp: tuple[Inbox, int]) -> Iterator[Flask]:
    """A mail app whose database several threads can share."""
    yield from app_on(file_database_url, **mail_config(smtp[1]))


@pytest.fixture
def inbox(smtp: tuple[Inbox, int]) -> Inbox:
    return smtp[0]


def people(app: Flask) -> dict[str, int]:
    def build(session: Any) -> dict[str, int]:
        program = make_program(session, name="Spring Cohort")
        grace = mentor(session, program, "Grace Hopper", email="grace@example.test")
        ada = mentee(session, program, "Ada Lovelace", email="ada@example.test")
        pairing = paired(session, ada, grace)
        return {"grace": grace.user_id, "ada": ada.user_id, "pairing": pairing.id}
    return create(app, build)


def tell(app: Flask, user_id: int, kind: Kind = Kind.REQUEST_RECEIVED, **data: Any) -> None:
    create(app, lambda s: notify(s, user_id, kind, "match_request", 7,
                                 **({"mentee": "Ada Lovelace", "program": "Spring Cohort"}
                                    | data)))


def run(app: Flask, command: str, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=[command, *args])
    assert result.exit_code == 0, result.output
    return result.output


def rows(app: Flask) -> list[OutboxEmail]:
    with app.app_context():
        return list(get_session().scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def later(minutes: float) -> str:
    return (utcnow() + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S")


def test_a_notice_wanted_by_email_arrives_once(mail_app: Flask, inbox: Inbox) -> None:
    who = people(mail_app)
    tell(mail_app, who["grace"])
    output = run(mail_app, "deliver-mail")
    assert "Sent 1 email;" in output
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["X-Rcpt-To"] == "grace@example.test"
    assert message["Subject"] == "New mentoring request"
    body = message.get_payload(decode=True).decode().replace("\r\n", "\n")
    assert "Hello Grace Hopper" in body
    assert "Ada Lovelace asked you to be their mentor in Spring Cohort." in body
    assert "https://mentoring.example.test/notifications/preferences" in body
    assert message["Message-ID"].endswith("@mentorship.test>")
    assert "Sent 0 emails;" in run(mail_app, "deliver-mail")
    assert len(inbox.messages) == 1
    [row] = rows(mail_app)
    assert row.sent_at is not None and row.attempts == 1 and row.last_error == ""


def test_in_app_only_notices_write_no_email(mail_app: Flask, inbox: Inbox) -> None:
    who = people(mail_app)
    tell(mail_app, who["ada"], Kind.SESSION_LOGGED, partner="Grace Hopper", when="Monday")
    create(mail_app, lambda s: s.add(NotificationPreference(
        user_id=who["grace"], kind=Kind.REQUEST_RECEIVED.value, channel="app")))
    tell(mail_app, who["grace"])
    run(mail_app, "deliver-mail")
    assert rows(mail_app) == [] and inbox.messages == []


def test_nothing_is_sent_for_a_rolled_back_event(mail_app: Flask, inbox: Inbox) -> None:
    who = people(mail_app)
    with mail_app.app_context():
        session = get_session()
        pairing = session.get(agreements.Pairing, who["pairing"])
        grace = session.get(agreements.User, who["grace"])
        agreements.propose(session, pairing, grace,
                           {"cadence": "monthly", "session_minutes": "45"}, based_on=0)
        assert session.scalars(select(OutboxEmail)).all()  # written with the event ...
        session.rollback()  # ... which then fails
    run(mail_app, "deliver-mail")
    assert rows(mail_app) == [] and inbox.messages == []


def test_the_proposed_agreement_reaches_the_partner(mail_app: Flask, inbox: Inbox) -> None:
    who = people(mail_app)

    def propose(session: Any) -> None:
        agreements.propose(session, session.get(agreements.Pairing, who["pairing"]),
                           session.get(agreements.User, who["grace"]),
                           {"cadence": "monthly", "session_minutes": "45"}, based_on=0)
    create(mail_app, propose)
    run(mail_app, "deliver-mail")
    assert [m["X-Rcpt-To"] for m in inbox.messages] == ["ada@example.test"]
    assert "Grace Hopper proposed a mentorship agreement" in inbox.messages[0].get_payload(decode=True).decode()


def test_a_delivered_invitation_keeps_no_copy_of_its_link(mail_app: Flask,
                                                         inbox: Inbox) -> None:
    program_id = create(mail_app, lambda s: make_program(s, name="Spring Cohort").id)
    assert import_rows(mail_app, program_id,
                       "name,email,role\nAda Lovelace,ada@example.test,mentee\n").applied
    assert "Sent 1 email;" in run(mail_app, "deliver-mail")
    body = inbox.messages[0].get_payload(decode=True).decode()
    link = re.search(r"/set-password/[\w-]+", body)
    assert link
    [row] = rows(mail_app)
    assert row.sent_at is not None and row.body == "" and row.subject
    with mail_app.app_context():
        stored = get_session().scalars(select(OutboxEmail.body)).all()
    assert not any(link.group(0) in text for text in stored)


def test_an_email_given_up_on_keeps_no_body(mail_app: Flask, inbox: Inbox) -> None:
    who = people(mail_app)
    tell(mail_app, who["grace"])
    inbox.refusals = ["550 5.1.1 No such mailbox"]
    run(mail_app, "deliver-mail")
    [row] = rows(mail_app)
    assert row.sent_at is None and row.body == "" and "550" in row.last_error


def test_a_refusal_is_retried_later_with_the_same_message_id(mail_app: Flask,
                                                            inbox: Inbox) -> None:
    who = people(mail_app)
    tell(mail_app, who["grace"])
    inbox.refusals = ["451 4.3.0 Try again later", "452 4.3.1 Still busy"]
    assert "1 failed (0 of them for good)" in run(mail_app, "deliver-mail")
    [row] = rows(mail_app)
    assert row.sent_at is None and row.attempts == 1 and "451" in row.last_error
    assert "Sent 0 emails; 0 failed" in run(mail_app, "deliver-mail")  # not due yet
    run(mail_app, "deliver-mail", "--now", later(1.5))  # first wait: 1 minute
    [row] = rows(mail_app)
    assert row.attempts == 2 and "452" in row.last_error
    assert "Sent 0 emails; 0 failed" in run(mail_app, "deliver-mail", "--now", later(2.5))
    assert "Sent 1 email;" in run(mail_app, "deliver-mail", "--now", later(4))  # then 2
    [row] = rows(mail_app)
    assert row.sent_at is not None and row.attempts == 3
    assert inbox.ids() == [f"<{row.message_id}@mentorship.test>"]


def test_a_permanent_refusal_gives_up_at_once(mail_app: Flask, inbox: Inbox) -> None:
    who = people(mail_app)
    tell(mail_app, who["grace"])
    inbox.refusals = ["550 5.1.1 No such mailbox"]
    assert "1 failed (1 of them for good)" in run(mail_app, "deliver-mail")
    output = run(mail_app, "deliver-mail", "--now", later(60 * 24))
    assert "Sent 0 emails" in output and "1 given up in all" in output
    assert inbox.messages == []


def test_a_server_that_is_down_is_tried_again(database_url: str, smtp: tuple[Inbox, int]
                                              ) -> None:
    inbox, port = smtp
    for app in app_on(database_url, **mail_config(free_port())):
        who = people(app)
        tell(app, who["grace"])
        assert "1 failed (0 of them for good)" in run(app, "deliver-mail")
        [row] = rows(app)
        assert row.sent_at is None and row.last_error
        app.config["MAIL_PORT"] = port  # the server is back
        assert "Sent 1 email;" in run(app, "deliver-mail", "--now", later(2))
    assert len(inbox.messages) == 1


def test_delivery_gives_up_after_the_last_attempt(mail_app: Flask, inbox: Inbox) -> None:
    mail_app.config["MAIL_MAX_ATTEMPTS"] = 2
    who = people(mail_app)
    tell(mail_app, who["grace"])
    inbox.refusals = ["421 4.7.0 Busy"] * 5
    run(mail_app, "deliver-mail")
    assert "1 of them for good" in run(mail_app, "deliver-mail", "--now", later(2))
    assert "given up" in run(mail_app, "deliver-mail", "--now", later(600))
    [row] = rows(mail_app)
    assert row.attempts == 2 and row.sent_at is None and inbox.messages == []


def test_a_run_that_died_after_claiming_loses_nothing(mail_app: Flask, inbox: Inbox) -> None:
    who = people(mail_app)
    tell(mail_app, who["grace"])
    [row] = rows(mail_app)
    with mail_app.app_context():  # a run claims the email, sends it, and dies
        session = get_session()
        assert outbox.claim(session, row.id, utcnow(), max_attempts=8) is not None
        session.commit()
    assert "Sent 0 emails" in run(mail_app, "deliver-mail")  # still claimed: not sent twice
    assert "Sent 1 email;" in run(mail_app, "deliver-mail", "--now", later(11))  # lease over
    assert inbox.ids() == [f"<{row.message_id}@mentorship.test>"]


def test_only_one_of_two_sessions_claims_an_email(shared_mail_app: Flask) -> None:
    app = shared_mail_app
    who = people(app)
    tell(app, who["grace"])
    [row] = rows(app)
    now = utcnow()
    with app.app_context():
        make = app.extensions["db_sessionmaker"]
        first, second = make(), make()
        # Both see it due (one at a time: SQLite transactions here take the write lock).
        assert outbox.due(first, now, max_attempts=8, limit=10) == [row.id]
        first.commit()
        assert outbox.due(second, now, max_attempts=8, limit=10) == [row.id]
        second.commit()
        assert outbox.claim(first, row.id, now, max_attempts=8) is not None
        first.commit()
        assert outbox.claim(second, row.id, now, max_attempts=8) is None
        second.commit()
        first.close()
        second.close()


def test_two_runs_at_once_never_send_an_email_twice(shared_mail_app: Flask,
                                                    inbox: Inbox) -> None:
    app = shared_mail_app
    who = people(app)
    for n in range(30):
        tell(app, who["grace"], mentee=f"Mentee {n}")
    now = utcnow()
    tallies: list[Any] = []

    def one_run() -> None:
        with app.app_context():
            session = get_session()
            ids = outbox.due(session, now, max_attempts=8, limit=100)
            session.commit()
            tallies.append(deliver(session, app.config, now, ids))
    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(t["sent"] for t in tallies) == 30
    assert len(inbox.messages) == 30 and len(set(inbox.ids())) == 30


def test_the_digest_gathers_a_days_notices_once(mail_app: Flask, inbox: Inbox) -> None:
    who = people(mail_app)
    create(mail_app, lambda s: s.add(NotificationPreference(
        user_id=who["grace"], kind=Kind.REQUEST_RECEIVED.value, channel="digest")))
    tell(mail_app, who["grace"], mentee="Old Request")
    with mail_app.app_context():
        session = get_session()
        old = session.scalars(select(Notification)).one()
        old.created_at = utcnow() - timedelta(days=2)  # outside the last day
        session.commit()
    tell(mail_app, who["grace"], mentee="Bea")
    tell(mail_app, who["grace"], mentee="Cy")
    tell(mail_app, who["ada"], Kind.REQUEST_ACCEPTED, mentor="Grace Hopper")  # email now
    assert "Queued 1 digest holding 2 notices" in run(mail_app, "send-digest")
    assert "Queued 0 digests" in run(mail_app, "send-digest")
    run(mail_app, "deliver-mail")
    digest = next(m for m in inbox.messages if m["X-Rcpt-To"] == "grace@example.test")
    assert digest["Subject"] == "Your Mentorship digest: 2 notices"
    body = digest.get_payload(decode=True).decode()
    assert "Bea asked you" in body and "Cy asked you" in body and "Old Request" not in body
    assert len(inbox.messages) == 2  # the digest, and Ada's email sent at once
    with mail_app.app_context():
        emailed = get_session().scalars(select(Notification.emailed_at).where(
            Notification.user_id == who["grace"]).order_by(Notification.id)).all()
    assert emailed[0] is None and None not in emailed[1:]


def test_bulk_notices_email_those_who_want_it(mail_app: Flask, inbox: Inbox) -> None:
    who = people(mail_app)
    create(mail_app, lambda s: s.add(NotificationPreference(
        user_id=who["ada"], kind=Kind.PAIRED_BY_ROUND.value, channel="app")))
    create(mail_app, lambda s: notify_many(s, [
        (who["ada"], Kind.PAIRED_BY_ROUND, "pairing", who["pairing"],
         {"partner": "Grace Hopper", "program": "Spring Cohort"}),
        (who["grace"], Kind.PAIRED_BY_ROUND, "pairing", who["pairing"],
         {"partner": "Ada Lovelace", "program": "Spring Cohort"})]))
    with mail_app.app_context():
        emailed = dict(get_session().execute(select(Notification.user_id,
                                                    Notification.emailed_at)).all())
    assert emailed[who["ada"]] is None and emailed[who["grace"]] is not None
    run(mail_app, "deliver-mail")
    assert [m["X-Rcpt-To"] for m in inbox.messages] == ["grace@example.test"]
    assert ("You were paired with Ada Lovelace in Spring Cohort's matching round."
            in inbox.messages[0].get_payload(decode=True).decode())


def test_an_email_that_cannot_be_written_gives_up_and_the_rest_go(mail_app: Flask,
                                                                  inbox: Inbox) -> None:
    who = people(mail_app)

    def broken(session: Any) -> None:
        session.add(OutboxEmail(to_address="ada@example.test", subject="Broken", body="x",
                                message_id="<already-bracketed@elsewhere>"))
    create(mail_app, broken)
    tell(mail_app, who["grace"])
    output = run(mail_app, "deliver-mail")
    assert "Sent 1 email; 1 failed (1 of them for good)" in output
    assert [m["Subject"] for m in inbox.messages] == ["New mentoring request"]
    bad = next(row for row in rows(mail_app) if row.subject == "Broken")
    assert bad.sent_at is None and bad.body == "" and "as written" in bad.last_error
