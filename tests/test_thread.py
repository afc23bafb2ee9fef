"""The pair's thread pages: posting once per key, editing, tombstones, paging, the read
marker, privacy, query counts and the read-only rule after the end."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, insert, select

from mentorship.db import get_session
from mentorship.models import Message, Pairing, PairingStatus, ThreadRead, utcnow
from tests.factories import create, make_program, make_user, signed_in
from tests.flows import mentee, mentor, paired, person
from tests.helpers import count_queries

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
             "client_key": f"bulk-{secrets.token_hex(8)}", "created_at": when} for i in range(n)])
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


def own_message(app: Flask, pairs: dict[str, int], *, minutes_ago: int = 1) -> int:
    def build(session: Any) -> int:
        message = Message(pairing_id=pairs["a"], author_id=pairs["ada"], body="Frist draft",
                          client_key="own-1", created_at=utcnow() - timedelta(minutes=minutes_ago))
        session.add(message)
        session.flush()
        return message.id
    return create(app, build)


def test_authors_edit_their_message_within_15_minutes_and_it_shows_edited(
        app: Flask, pairs: dict[str, int]) -> None:
    mid = own_message(app, pairs, minutes_ago=14)
    ada = signed_in(app, pairs["ada"])
    url = f"/pairings/{pairs['a']}/thread/messages/{mid}/edit"
    form = ada.get(url)
    assert form.status_code == 200 and "Frist draft</textarea>" in form.get_data(as_text=True)
    saved = ada.post(url, data={"body": "First draft"})
    assert saved.status_code == 302
    text = ada.get(f"/pairings/{pairs['a']}/thread").get_data(as_text=True)
    assert "First draft" in text and "Frist" not in text and "edited" in text


def test_editing_after_15_minutes_is_refused_with_a_reason(app: Flask,
                                                          pairs: dict[str, int]) -> None:
    mid = own_message(app, pairs, minutes_ago=16)
    ada = signed_in(app, pairs["ada"])
    url = f"/pairings/{pairs['a']}/thread/messages/{mid}/edit"
    page = ada.get(f"/pairings/{pairs['a']}/thread").get_data(as_text=True)
    assert f"messages/{mid}/edit" not in page  # no Edit button any more
    for response in (ada.get(url), ada.post(url, data={"body": "Too late"})):
        assert response.status_code == 409
        assert "15 minutes" in response.get_data(as_text=True)
    assert "Save the message" not in ada.get(url).get_data(as_text=True)  # no dead form
    assert messages(app, pairs["a"])[-1].body == "Frist draft"


def test_an_edit_must_still_say_something(app: Flask, pairs: dict[str, int]) -> None:
    mid = own_message(app, pairs)
    url = f"/pairings/{pairs['a']}/thread/messages/{mid}/edit"
    refused = signed_in(app, pairs["ada"]).post(url, data={"body": "  "})
    assert refused.status_code == 422 and "This field is required." in refused.get_data(
        as_text=True)
    assert messages(app, pairs["a"])[-1].body == "Frist draft"


def test_deleting_leaves_a_tombstone(app: Flask, pairs: dict[str, int]) -> None:
    mid = own_message(app, pairs)
    ada = signed_in(app, pairs["ada"])
    gone = ada.post(f"/pairings/{pairs['a']}/thread/messages/{mid}/delete")
    assert gone.status_code == 302
    stored = messages(app, pairs["a"])[-1]
    assert stored.id == mid and stored.body == "" and stored.deleted_at is not None
    text = ada.get(f"/pairings/{pairs['a']}/thread").get_data(as_text=True)
    assert "Message deleted" in text and "Frist draft" not in text
    edit = ada.post(f"/pairings/{pairs['a']}/thread/messages/{mid}/edit", data={"body": "Back"})
    assert edit.status_code == 409


def test_the_partners_message_cannot_be_edited_or_deleted(app: Flask,
                                                         pairs: dict[str, int]) -> None:
    ada = signed_in(app, pairs["ada"])
    base = f"/pairings/{pairs['a']}/thread/messages/{pairs['first']}"
    assert ada.get(f"{base}/edit").status_code == 404
    assert ada.post(f"{base}/edit", data={"body": "Forged"}).status_code == 404
    assert ada.post(f"{base}/delete").status_code == 404
    assert messages(app, pairs["a"])[0].body == SECRET
    page = ada.get(f"/pairings/{pairs['a']}/thread").get_data(as_text=True)
    assert f"messages/{pairs['first']}/delete" not in page


def test_newest_at_the_bottom_and_older_pages_by_cursor(app: Flask,
                                                        pairs: dict[str, int]) -> None:
    add_messages(app, pairs["a"], pairs["grace"], 120)
    ada = signed_in(app, pairs["ada"])
    newest = ada.get(f"/pairings/{pairs['a']}/thread").get_data(as_text=True)
    shown = [int(n) for n in re.findall(r"Note number (\d+)<", newest)]
    assert shown == list(range(70, 120))  # the newest 50, oldest first
    older_url = re.search(r'href="([^"]*before=\d+)">Show older messages', newest).group(1)
    older = ada.get(older_url.replace("&amp;", "&")).get_data(as_text=True)
    assert [int(n) for n in re.findall(r"Note number (\d+)<", older)] == list(range(20, 70))
    assert "Show the newest messages" in older
    oldest_url = re.search(r'href="([^"]*before=\d+)">Show older messages', older).group(1)
    oldest = ada.get(oldest_url).get_data(as_text=True)
    assert [int(n) for n in re.findall(r"Note number (\d+)<", oldest)] == list(range(20))
    assert SECRET in oldest and "Show older messages" not in oldest


@pytest.mark.parametrize("cursor", ["abc", "-1", "1.5"])
def test_a_malformed_cursor_is_refused(app: Flask, pairs: dict[str, int], cursor: str) -> None:
    client = signed_in(app, pairs["ada"])
    assert client.get(f"/pairings/{pairs['a']}/thread?before={cursor}").status_code == 422


def test_a_cursor_past_every_id_shows_the_newest_page(app: Flask, pairs: dict[str, int]) -> None:
    page = signed_in(app, pairs["ada"]).get(f"/pairings/{pairs['a']}/thread?before=9999999999")
    assert page.status_code == 200 and SECRET in page.get_data(as_text=True)


def test_new_divider_and_mark_as_read(app: Flask, pairs: dict[str, int]) -> None:
    ada = signed_in(app, pairs["ada"])
    text = ada.get(f"/pairings/{pairs['a']}/thread").get_data(as_text=True)
    assert text.index('id="new"') < text.index(SECRET)
    assert "1 new</span>" in text  # the Thread tab
    marked = ada.post(f"/pairings/{pairs['a']}/thread/read",
                      data={"up_to": str(pairs["first"])})
    assert marked.status_code == 302
    text = ada.get(f"/pairings/{pairs['a']}/thread").get_data(as_text=True)
    assert 'id="new"' not in text and "Mark as read" not in text
    add_messages(app, pairs["a"], pairs["grace"], 2)
    text = ada.get(f"/pairings/{pairs['a']}/thread").get_data(as_text=True)
    assert text.index(SECRET) < text.index('id="new"') < text.index("Note number 0")
    assert "2 new</span>" in text


def test_sending_a_message_marks_the_thread_read(app: Flask, pairs: dict[str, int]) -> None:
    ada = signed_in(app, pairs["ada"])
    ada.post(f"/pairings/{pairs['a']}/thread", data={"body": "Read you", "client_key": "k-9"})
    assert 'id="new"' not in ada.get(f"/pairings/{pairs['a']}/thread").get_data(as_text=True)
    grace = signed_in(app, pairs["grace"]).get(f"/pairings/{pairs['a']}/thread")
    assert 'id="new"' in grace.get_data(as_text=True)  # Grace has not read Ada's reply


def thread_urls(pairs: dict[str, int]) -> list[tuple[str, str, dict[str, str]]]:
    base = f"/pairings/{pairs['a']}/thread"
    mid = pairs["first"]
    return [("get", base, {}), ("get", f"{base}?before={mid + 1}", {}),
            ("post", base, {"body": "Intruding", "client_key": "x-1"}),
            ("post", f"{base}/read", {"up_to": str(mid)}),
            ("get", f"{base}/messages/{mid}/edit", {}),
            ("post", f"{base}/messages/{mid}/edit", {"body": "Intruding"}),
            ("post", f"{base}/messages/{mid}/delete", {})]


@pytest.mark.parametrize("who", ["carl", "admin", "stranger"])
def test_nobody_outside_the_pair_reaches_its_thread(app: Flask, pairs: dict[str, int],
                                                    who: str) -> None:
    client = signed_in(app, pairs[who])
    for method, url, data in thread_urls(pairs):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 404, (method, url)
        assert SECRET not in response.get_data(as_text=True)
    assert [m.body for m in messages(app, pairs["a"])] == [SECRET]
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(ThreadRead)) == 0
    own = client.get(f"/pairings/{pairs['b']}/thread")
    assert SECRET not in own.get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(client: FlaskClient,
                                                pairs: dict[str, int]) -> None:
    for method, url, data in thread_urls(pairs):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 302 and "/login" in response.location


def test_the_page_runs_the_same_queries_for_5_and_200_messages(
        app: Flask, pairs: dict[str, int]) -> None:
    ada = signed_in(app, pairs["ada"])
    url = f"/pairings/{pairs['a']}/thread"
    add_messages(app, pairs["a"], pairs["grace"], 4)
    ada.get(url)  # warm up: the first request of a client loads its session
    with count_queries(app) as few:
        assert ada.get(url).status_code == 200
    add_messages(app, pairs["a"], pairs["grace"], 195, created_at=utcnow())
    with count_queries(app) as many:
        assert ada.get(url).status_code == 200
    assert len(few) == len(many)
    assert len(few) <= 15


def end(app: Flask, pairing_id: int) -> None:
    with app.app_context():
        session = get_session()
        pairing = session.get(Pairing, pairing_id)
        pairing.status = PairingStatus.ENDED
        pairing.ended_at = utcnow()
        session.commit()


def test_the_thread_is_read_only_after_the_end(app: Flask, pairs: dict[str, int]) -> None:
    mid = own_message(app, pairs)
    end(app, pairs["a"])
    ada = signed_in(app, pairs["ada"])
    base = f"/pairings/{pairs['a']}/thread"
    page = ada.get(base).get_data(as_text=True)
    assert SECRET in page and "Write a message" not in page and "Delete" not in page
    sent = ada.post(base, data={"body": "After the end", "client_key": "late-1"})
    assert sent.status_code == 409 and "has ended" in sent.get_data(as_text=True)
    assert ada.post(f"{base}/messages/{mid}/edit", data={"body": "x"}).status_code == 409
    assert ada.post(f"{base}/messages/{mid}/delete").status_code == 409
    assert [m.body for m in messages(app, pairs["a"])] == [SECRET, "Frist draft"]
    assert ada.post(f"{base}/read").status_code == 302  # the reader's own marker still moves


def test_a_post_without_the_csrf_token_stores_nothing(csrf_app: Flask) -> None:
    pairs = create(csrf_app, build_pairs)
    ada = signed_in(csrf_app, pairs["ada"])
    url = f"/pairings/{pairs['a']}/thread"
    refused = ada.post(url, data={"body": "Forged", "client_key": "f-1"})
    assert refused.status_code == 400
    page = ada.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    sent = ada.post(url, data={"body": "Genuine", "client_key": key_of(page),
                               "csrf_token": token}, headers={"Origin": "http://localhost"})
    assert sent.status_code == 302
    assert [m.body for m in messages(csrf_app, pairs["a"])] == [SECRET, "Genuine"]
