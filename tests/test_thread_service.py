"""The thread's services without HTTP: unread counts in one query, the race on one client
key, the read marker's upsert, and cleaning of what people type."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from mentorship.db import get_session
from mentorship.models import Message, Pairing, User, utcnow
from mentorship.services import thread
from mentorship.services.errors import FieldErrors
from mentorship.services.markdown import to_html
from tests.factories import create, login
from tests.helpers import count_queries
from tests.test_races import THREADS, post_all
from tests.test_thread import add_messages, build_pairs
from tests.test_thread_markdown import problems


@pytest.fixture
def pairs(app: Flask) -> dict[str, int]:
    return create(app, build_pairs)


def test_unread_counts_cover_many_pairings_in_one_query(app: Flask,
                                                        pairs: dict[str, int]) -> None:
    add_messages(app, pairs["a"], pairs["ada"], 4)  # Ada's own messages never count for her
    add_messages(app, pairs["a"], pairs["grace"], 2)

    def deleted(session: Any) -> None:
        session.add(Message(pairing_id=pairs["a"], author_id=pairs["grace"], body="",
                            client_key="gone", deleted_at=utcnow()))
    create(app, deleted)
    with app.app_context():
        session = get_session()
        ada = session.get(User, pairs["ada"])
        grace = session.get(User, pairs["grace"])
        with count_queries(app) as queries:
            counts = thread.unread_counts(session, ada, [pairs["a"], pairs["b"]])
        assert len(queries) == 1
        assert counts == {pairs["a"]: 3}  # the first message and Grace's two new ones
        assert thread.unread_counts(session, grace, [pairs["a"]]) == {pairs["a"]: 4}
        assert thread.unread_counts(session, ada, []) == {}
        pairing = session.get(Pairing, pairs["a"])
        thread.mark_read(session, pairing, ada, pairs["first"])
        assert thread.unread_count(session, pairing, ada) == 2
        thread.mark_read(session, pairing, ada)
        assert thread.unread_count(session, pairing, ada) == 0
        assert thread.unread_count(session, pairing, grace) == 4  # hers is a separate marker


def test_the_marker_never_passes_the_newest_message_nor_goes_back(
        app: Flask, pairs: dict[str, int]) -> None:
    with app.app_context():
        session = get_session()
        pairing = session.get(Pairing, pairs["a"])
        ada = session.get(User, pairs["ada"])
        assert thread.mark_read(session, pairing, ada, 10**6) == pairs["first"]
        assert thread.mark_read(session, pairing, ada, 1) == pairs["first"]
        empty = session.get(Pairing, pairs["b"])
        assert thread.mark_read(session, empty, session.get(User, pairs["bea"])) == 0


def test_a_key_that_wins_a_race_at_the_database_returns_the_stored_message(
        app: Flask, pairs: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    with app.app_context():
        session = get_session()
        pairing = session.get(Pairing, pairs["a"])
        ada = session.get(User, pairs["ada"])
        first, new = thread.post_message(session, pairing, ada, "Hello", "race-1")
        assert new
        session.commit()
        looked_up = thread._by_key
        calls: list[int] = []

        def misses_once(*args: Any) -> Message | None:
            calls.append(1)  # the first look-up misses, as if the winner had not committed
            return None if len(calls) == 1 else looked_up(*args)
        monkeypatch.setattr(thread, "_by_key", misses_once)
        again, new = thread.post_message(session, pairing, ada, "Hello", "race-1")
        assert not new and again.id == first.id and len(calls) == 2
        other, new = thread.post_message(session, pairing, ada, "Next", "race-2")
        assert new  # the session is still usable after the rolled-back savepoint
        session.commit()
        assert [m.body for m in session.scalars(select(Message).where(
            Message.pairing_id == pairs["a"]).order_by(Message.id))][-2:] == ["Hello", "Next"]


@pytest.mark.parametrize(("typed", "stored"), [
    ("Hello", "Hello"), ("\n\n  \nHello\r\nthere  \n\n", "Hello\nthere"),
    ("    indented code", "    indented code")])
def test_what_people_type_is_kept_as_written(typed: str, stored: str) -> None:
    assert thread.clean_body(typed) == stored


@pytest.mark.parametrize("key", ["", "a b", "é", "x" * 65, None, 7])
def test_bad_client_keys_are_refused(key: object) -> None:
    with pytest.raises(FieldErrors):
        thread.clean_client_key(key)


def test_edit_window_ends_after_15_minutes(app: Flask, pairs: dict[str, int]) -> None:
    now = utcnow()
    message = Message(author_id=pairs["ada"], created_at=now - timedelta(minutes=15))
    with app.app_context():
        ada = get_session().get(User, pairs["ada"])
        assert thread.can_edit(message, ada, now)
        assert not thread.can_edit(message, ada, now + timedelta(seconds=1))


FRAGMENTS = st.sampled_from([
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "javascript:", "data:",
    "[", "]", "(", ")", "![", "<", ">", "\"", "'", "&", "#", "`", "*", "_", "\n", " ",
    "<a href=", "onload=", "https://x.example", "vbscript:", "&#x6A;avascript:", "\\",
    "<svg", "<iframe", "style=", "|", "-", "1.", "~~"])


@settings(max_examples=300, deadline=None)
@given(st.lists(FRAGMENTS | st.text(max_size=5), max_size=40).map("".join))
def test_any_mix_of_markdown_and_html_renders_inert(text: str) -> None:
    assert problems(to_html(text)) == []


def test_racing_submits_of_one_form_store_one_message(file_app: Flask, server: str) -> None:
    pairs = create(file_app, build_pairs)
    client = file_app.test_client()
    login(file_app, client, pairs["ada"])
    statuses = post_all(f"{server}/pairings/{pairs['a']}/thread",
                        {"body": "Clicked eight times at once", "client_key": "race-form"},
                        client.get_cookie("session").value)
    assert statuses == Counter({302: THREADS})  # every click lands on the thread...
    with file_app.app_context():
        stored = get_session().scalars(select(Message.body).where(
            Message.pairing_id == pairs["a"], Message.client_key == "race-form")).all()
    assert stored == ["Clicked eight times at once"]  # ...which holds the message once
