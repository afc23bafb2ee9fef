"""The signed-in home page: each figure right for each person, read in a fixed number of
queries however many pairings, requests, messages and programs there are."""

from __future__ import annotations

import enum
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from mentorship.models import (
    Meeting,
    MeetingStatus,
    Message,
    Notification,
    Pairing,
    PairingStatus,
    Program,
    User,
    utcnow,
)
from tests.factories import create, make_program, make_user, signed_in
from tests.flows import mentee, mentor, paired, pending
from tests.helpers import count_queries


def build(session: Any, *, extra: int = 0, name: str = "Spring Cohort") -> dict[str, int]:
    """Grace mentors Ada (two unread messages for Grace, an overdue check-in) and Bea (all
    read); one request waits for her, one has expired; Carl's pairing with her ended.
    ``extra`` more programs where she mentors a pair with history of its own."""
    now = utcnow()
    spring = make_program(session, name=name)
    grace = mentor(session, spring, "Grace Hopper", capacity=5)
    ada = mentee(session, spring, "Ada Lovelace")
    bea = mentee(session, spring, "Bea Blue")
    with_ada = paired(session, ada, grace)
    paired(session, bea, grace)
    carl = mentee(session, spring, "Carl Friedrich")
    ended = paired(session, carl, grace)
    ended.status, ended.ended_at = PairingStatus.ENDED, now
    pending(session, mentee(session, spring, "Dora Waiting"), grace)
    pending(session, mentee(session, spring, "Eve Late"), grace, expires_in=timedelta(days=-1))
    session.add_all([
        Message(pairing_id=with_ada.id, author_id=ada.user_id, body=f"Question {i}",
                client_key=f"ada-{i}") for i in range(2)])
    session.add(Message(pairing_id=with_ada.id, author_id=grace.user_id, body="Mine",
                        client_key="grace-1"))
    session.add(Meeting(pairing_id=with_ada.id, starts_at=now - timedelta(days=20),
                        duration_minutes=45, status=MeetingStatus.COMPLETED,
                        logged_at=now - timedelta(days=19),
                        next_check_in=(now - timedelta(days=5)).date()))
    session.add(Notification(user_id=grace.user_id, kind="request_received",
                             subject_type="request", subject_id=1, data={}))
    for n in range(extra):
        program = make_program(session, name=f"{name} {n}")
        other = mentor(session, program, "Grace Hopper", user=grace.user)
        pairing = paired(session, mentee(session, program, f"Mentee {n}"), other)
        pending(session, mentee(session, program, f"Asker {n}"), other)
        session.add(Message(pairing_id=pairing.id, author_id=pairing.mentee.user_id,
                            body="Hello", client_key=f"extra-{n}"))
    session.flush()
    return {"grace": grace.user_id, "ada": ada.user_id, "carl": carl.user_id,
            "admin": make_user(session, name="Admin", is_admin=True).id,
            "spring": spring.id}


@pytest.fixture
def people(app: Flask) -> dict[str, int]:
    return create(app, build)


def test_a_mentor_sees_her_pairs_their_news_and_the_requests_waiting(
        app: Flask, people: dict[str, int]) -> None:
    page = signed_in(app, people["grace"]).get("/").get_data(as_text=True)
    mentorships = page.split('id="my-mentorships"')[1].split("</ul>")[0]
    assert "Ada Lovelace" in mentorships and "Bea Blue" in mentorships
    assert "Carl Friedrich" not in mentorships  # that pairing ended
    assert "2 unread messages" in mentorships and mentorships.count("unread message") == 1
    assert re.search(r"Overdue check-ins:</strong>\s*<a [^>]*>Ada Lovelace</a>", page)
    assert "1 request waiting for you" in page  # Eve's expired
    assert 'aria-label="1 unread"' in page  # the navigation's notifications


def test_a_mentors_pairs_come_newest_first_beside_one_card_per_enrolment(
        app: Flask) -> None:
    people = create(app, lambda session: build(session, extra=2))

    def start_bea_pairing_last(session: Any) -> None:
        bea = session.scalar(select(Pairing).join(Pairing.mentee).join(User)
                             .where(User.name == "Bea Blue"))
        bea.started_at = utcnow() + timedelta(minutes=1)
    create(app, start_bea_pairing_last)
    page = signed_in(app, people["grace"]).get("/").get_data(as_text=True)
    mentorships = page.split('id="my-mentorships"')[1].split("</ul>")[0]
    names = re.findall(r"<h3><a [^>]*>([^<]+)</a></h3>", mentorships)
    # Bea's pairing started last; the rest were started together, the newest first.
    assert names == ["Bea Blue", "Mentee 1", "Mentee 0", "Ada Lovelace"]
    cards = page.split('id="my-programs"')[1].split("</section>")[0]
    # Two pairs on her Spring enrolment, one card for it, its one request counted once.
    assert cards.count("Spring Cohort</a></h3>") == 1
    assert cards.count("request waiting for you") == 3


def test_a_mentee_sees_her_mentor_and_her_own_news(app: Flask, people: dict[str, int]) -> None:
    page = signed_in(app, people["ada"]).get("/").get_data(as_text=True)
    assert re.search(r"Your mentor: <a [^>]*>Grace Hopper</a>", page)
    assert "1 unread message<" in page  # Grace's; Ada's own two are not news to her
    assert "waiting for you" not in page and 'aria-label="' not in page.split("</nav>")[0] \
        .split("Notifications")[1]


def test_a_mentee_whose_pairing_ended_can_find_a_mentor_again(
        app: Flask, people: dict[str, int]) -> None:
    page = signed_in(app, people["carl"]).get("/").get_data(as_text=True)
    assert "My mentorships" not in page and "Find a mentor" in page


def test_an_admin_sees_each_programs_people(app: Flask, people: dict[str, int]) -> None:
    def enrol_the_admin_twice(session: Any) -> None:
        spring = session.get(Program, people["spring"])
        admin = session.get(User, people["admin"])
        mentee(session, spring, "Admin", user=admin)
        mentor(session, spring, "Admin", user=admin)
    create(app, enrol_the_admin_twice)
    page = signed_in(app, people["admin"]).get("/").get_data(as_text=True)
    table = page.split('id="admin-overview"')[1].split("</table>")[0]
    assert table.count("Spring Cohort</a>") == 1  # one row, however they are enrolled
    row = table.split("Spring Cohort</a>")[1].split("</tr>")[0]
    assert re.findall(r"<td>(\d+)</td>", row) == ["6", "2"]  # with the admin on both sides
    cards = page.split('id="my-programs"')[1].split("</section>")[0]
    assert cards.count("Spring Cohort</a></h3>") == 2  # an enrolment card per role


def test_the_home_page_reads_a_fixed_number_of_queries(app: Flask) -> None:
    few = create(app, build)
    many = create(app, lambda session: build(session, extra=12, name="Autumn Cohort"))

    def statements(user_id: int) -> list[str]:
        client = signed_in(app, user_id)
        client.get("/")  # the client's first request also writes its cookie
        with count_queries(app) as found:
            assert client.get("/").status_code == 200
        return [s for s in found if s.strip().upper() != "BEGIN"]

    small, large = statements(few["grace"]), statements(many["grace"])
    assert len(small) == len(large) == 3  # sign-in, programs with pairings, follow-ups
    # Written into the SQL, not bound: SQLite compiles a statement again on every run when
    # a bound value meets a partial index's condition (active pairings, one per mentee).
    assert any("pairings.status = 'active'" in statement for statement in small)
    assert len(statements(few["ada"])) == 3
    for who in ("carl", "admin"):
        assert len(statements(few[who])) == 2  # no active pairing's follow-ups to read


def test_an_enum_compared_with_a_member_is_written_once_when_compiled() -> None:
    """The member's value is in the SQL SQLAlchemy compiles and caches, not rendered again
    at every run (``POSTCOMPILE``): the home page's queries compare statuses on every visit."""
    query = select(Pairing.id).where(Pairing.status == PairingStatus.ACTIVE,
                                     Pairing.status != PairingStatus.ENDED)
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        sql = str(query.compile(dialect=dialect))
        assert "status = 'active'" in sql and "status != 'ended'" in sql
        assert "POSTCOMPILE" not in sql
    odd = enum.Enum("Odd", {"QUOTED": "it's"})
    with pytest.raises(ValueError, match="plain words"):
        select(Pairing.id).where(Pairing.status == odd.QUOTED)
