"""The pair's thread pages: posting once per key, editing, tombstones, paging, the read
marker, privacy, query counts and the read-only rule after the end."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, insert, select

from mentorship.db import get_session
from mentorship.models import Message, utcnow
from tests.factories import create, login, make_program, make_user
from tests.flows import mentee, mentor, paired, person

SECRET = "Our secret plan: the compiler talk"


def build_pairs(session: Any) -> dict[str, int]:
    """Pair A (Ada and Grace) with a message, pair B (Bea and Carl), an admin, a stranger."""
    program = make_program(session, name="Autumn Cohort")
    grace = mentor(session, program, "Grace Hopper")
    ada = mentee(session, program, "Ada Lovelace")
    carl = mentor(session, program, "Carl Friedrich")
    bea = mentee(session, program, "Bea Blue")
    a, b = paired(session, ada, grace), paired(session, bea, carl)
    session.add(Message(pairing_id=a.id, author_id=grace.user_id, body=SECRET,
                        client_key="seed-1", created_at=utcnow() - timedelta(hours=1)))
    session.flush()
    first = session.scalar(select(func.max(Message.id)))
    admin = make_user(session, name="Admin", is_admin=True)
    return {"a": a.id, "b": b.id, "ada": ada.user_id, "grace": grace.user_id,
            "bea": bea.user_id, "carl": carl.user_id, "admin": admin.id,
            "stranger": person(session, "Olga Stranger").id, "first": first}


@pytest.fixture
def pairs(app: Flask) -> dict[str, int]:
    return create(app, build_pairs)


def signed_in(app: Flask, user_id: int) -> FlaskClient:
    client = app.test_client()
    login(app, client, user_id)
    return client


def messages(app: Flask, pairing_id: int) -> list[Message]:
    with app.app_context():
        return list(get_session().scalars(select(Message).where(
            Message.pairing_id == pairing_id).order_by(Message.id)))


def key_of(page: str) -> str:
    found = re.search(r'name="client_key" type="hidden" value="([^"]+)"', page)
    assert found, "the form carries a client key"
    return found.group(1)


def add_messages(app: Flask, pairing_id: int, author_id: int, n: int,
                 created_at: Any = None) -> None:
    when = created_at or utcnow() - timedelta(hours=2)
    with app.app_context():
        session = get_session()
        session.execute(insert(Message), [
            {"pairing_id": pairing_id, "author_id": author_id, "body": f"Note number {i}",
             "client_key": f"bulk-{author_id}-{i}", "created_at": when} for i in range(n)])
        session.commit()


def test_the_thread_shows_messages_and_the_mentees_goals_pinned(
        app: Flask, pairs: dict[str, int]) -> None:
    page = signed_in(app, pairs["ada"]).get(f"/pairings/{pairs['a']}/thread")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert SECRET in text and "Grace Hopper" in text
    assert text.index("Grow into a python tech lead") < text.index(SECRET)  # pinned on top
    assert "leadership" in text
    assert 'aria-current="page">Thread' in text


def test_a_message_is_sent_and_rendered_from_markdown(app: Flask, pairs: dict[str, int]) -> None:
    ada = signed_in(app, pairs["ada"])
    key = key_of(ada.get(f"/pairings/{pairs['a']}/thread").get_data(as_text=True))
    sent = ada.post(f"/pairings/{pairs['a']}/thread",
                    data={"body": "Thanks! **Bold** and [docs](https://docs.python.org)",
                          "client_key": key})
    assert sent.status_code == 302
    text = ada.get(sent.location).get_data(as_text=True)
    assert "<strong>Bold</strong>" in text
    assert '<a href="https://docs.python.org" rel="nofollow noopener noreferrer">docs</a>' in text


def test_a_double_submit_stores_one_message(app: Flask, pairs: dict[str, int]) -> None:
    ada = signed_in(app, pairs["ada"])
    key = key_of(ada.get(f"/pairings/{pairs['a']}/thread").get_data(as_text=True))
    for _ in range(3):
        sent = ada.post(f"/pairings/{pairs['a']}/thread",
                        data={"body": "Sent once, clicked thrice", "client_key": key})
        assert sent.status_code == 302
    assert [m.body for m in messages(app, pairs["a"])].count("Sent once, clicked thrice") == 1
    fresh = key_of(ada.get(f"/pairings/{pairs['a']}/thread").get_data(as_text=True))
    assert fresh != key  # each rendering of the form gets its own key


@pytest.mark.parametrize("body", ["", "   \n\t ", "\u200b\ufeff", "x" * 10_001])
def test_blank_or_too_long_messages_are_refused_at_the_field(
        app: Flask, pairs: dict[str, int], body: str) -> None:
    ada = signed_in(app, pairs["ada"])
    sent = ada.post(f"/pairings/{pairs['a']}/thread", data={"body": body, "client_key": "k-1"})
    text = sent.get_data(as_text=True)
    assert sent.status_code == 422
    assert "This field is required." in text or "Use at most 10000 characters." in text
    assert len(messages(app, pairs["a"])) == 1


def test_a_message_of_exactly_the_limit_is_kept(app: Flask, pairs: dict[str, int]) -> None:
    ada = signed_in(app, pairs["ada"])
    sent = ada.post(f"/pairings/{pairs['a']}/thread",
                    data={"body": "y" * 10_000, "client_key": "k-2"})
    assert sent.status_code == 302
    assert len(messages(app, pairs["a"])[-1].body) == 10_000


def test_a_form_without_its_key_stores_nothing(app: Flask, pairs: dict[str, int]) -> None:
    sent = signed_in(app, pairs["ada"]).post(f"/pairings/{pairs['a']}/thread",
                                             data={"body": "Hello"})
    assert sent.status_code == 422
    assert "Reload the page" in sent.get_data(as_text=True)
    assert len(messages(app, pairs["a"])) == 1
