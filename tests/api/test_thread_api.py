"""The thread in the API: cursor paging, idempotent posting, edits, tombstones, the read
marker, privacy and the documented shapes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from mentorship.db import get_session
from mentorship.models import Message, utcnow
from tests.api.helpers import bearer
from tests.factories import create
from tests.test_thread import SECRET, add_messages, build_pairs, end, messages

API = "/api/v1"


@pytest.fixture
def pairs(app: Flask) -> dict[str, int]:
    return create(app, build_pairs)


def headers(app: Flask, pairs: dict[str, int], who: str, **extra: str) -> dict[str, str]:
    return bearer(app, pairs[who]) | extra


def send(client: FlaskClient, app: Flask, pairs: dict[str, int], body: Any, **extra: str) -> Any:
    return client.post(f"{API}/pairings/{pairs['a']}/messages", json={"body": body},
                       headers=headers(app, pairs, "ada", **extra))


def test_messages_come_with_raw_markdown_and_sanitised_html(
        app: Flask, client: FlaskClient, pairs: dict[str, int]) -> None:
    sent = send(client, app, pairs, "See [this](javascript:alert(1)) and **that**")
    assert sent.status_code == 201
    listed = client.get(f"{API}/pairings/{pairs['a']}/messages",
                        headers=headers(app, pairs, "grace"))
    assert listed.status_code == 200
    newest = listed.json["messages"][-1]
    assert newest["body"] == "See [this](javascript:alert(1)) and **that**"
    assert newest["html"] == "<p>See [this](javascript:alert(1)) and <strong>that</strong></p>\n"
    assert newest["author_name"] == "Ada Lovelace" and newest["mine"] is False
    assert newest["editable_until"] is None  # not Grace's to edit
    assert listed.json["unread"] == 1 and listed.json["next_before"] is None


def test_the_same_idempotency_key_stores_one_message(
        app: Flask, client: FlaskClient, pairs: dict[str, int]) -> None:
    first = send(client, app, pairs, "Once", **{"Idempotency-Key": "5f0c-retry"})
    again = send(client, app, pairs, "Once", **{"Idempotency-Key": "5f0c-retry"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["id"] == again.json["id"]
    assert [m.body for m in messages(app, pairs["a"])] == [SECRET, "Once"]
    other = send(client, app, pairs, "Once", **{"Idempotency-Key": "another-key"})
    assert other.status_code == 201
    unkeyed = [send(client, app, pairs, "No key").status_code for _ in range(2)]
    assert unkeyed == [201, 201]  # without a key each request is a new message


def test_the_same_key_from_the_partner_is_a_different_message(
        app: Flask, client: FlaskClient, pairs: dict[str, int]) -> None:
    url = f"{API}/pairings/{pairs['a']}/messages"
    for who in ("ada", "grace"):
        answer = client.post(url, json={"body": f"From {who}"},
                             headers=headers(app, pairs, who, **{"Idempotency-Key": "k1"}))
        assert answer.status_code == 201


@pytest.mark.parametrize(("body", "key", "field"), [
    ("", None, "body"), ("  \u200b ", None, "body"), ("x" * 10_001, None, "body"),
    (42, None, "body"), (None, None, "body"),
    ("Fine", "has spaces in it", "Idempotency-Key"), ("Fine", "k" * 65, "Idempotency-Key")])
def test_bad_input_is_refused_and_nothing_is_stored(
        app: Flask, client: FlaskClient, pairs: dict[str, int], body: Any, key: str | None,
        field: str) -> None:
    extra = {"Idempotency-Key": key} if key is not None else {}
    answer = send(client, app, pairs, body, **extra)
    assert answer.status_code == 422
    assert field in answer.json["error"]["fields"]
    assert len(messages(app, pairs["a"])) == 1


def test_unknown_fields_are_refused(app: Flask, client: FlaskClient,
                                    pairs: dict[str, int]) -> None:
    answer = client.post(f"{API}/pairings/{pairs['a']}/messages",
                         json={"body": "Hi", "author_id": pairs["grace"]},
                         headers=headers(app, pairs, "ada"))
    assert answer.status_code == 422 and "author_id" in answer.json["error"]["fields"]


def test_cursor_paging_walks_the_whole_thread(app: Flask, client: FlaskClient,
                                              pairs: dict[str, int]) -> None:
    add_messages(app, pairs["a"], pairs["grace"], 120)
    seen: list[int] = []
    url = f"{API}/pairings/{pairs['a']}/messages"
    before = None
    while True:
        page = client.get(url, query_string={"before": before} if before else {},
                          headers=headers(app, pairs, "ada")).json
        ids = [m["id"] for m in page["messages"]]
        assert ids == sorted(ids) and len(ids) <= 50
        seen = ids + seen
        before = page["next_before"]
        if before is None:
            break
    assert seen == [m.id for m in messages(app, pairs["a"])]
    bad = client.get(url, query_string={"before": "x"}, headers=headers(app, pairs, "ada"))
    assert bad.status_code == 422 and "before" in bad.json["error"]["fields"]


def test_edit_within_the_window_then_409(app: Flask, client: FlaskClient,
                                         pairs: dict[str, int]) -> None:
    mid = send(client, app, pairs, "Draft").json["id"]
    url = f"{API}/pairings/{pairs['a']}/messages/{mid}"
    edited = client.patch(url, json={"body": "Final"}, headers=headers(app, pairs, "ada"))
    assert edited.status_code == 200
    assert edited.json["body"] == "Final" and edited.json["edited_at"] is not None
    assert edited.json["editable_until"] is not None
    with app.app_context():
        session = get_session()
        session.get(Message, mid).created_at = utcnow() - timedelta(minutes=15, seconds=1)
        session.commit()
    late = client.patch(url, json={"body": "Later"}, headers=headers(app, pairs, "ada"))
    assert late.status_code == 409 and "15 minutes" in late.json["error"]["message"]
    assert messages(app, pairs["a"])[-1].body == "Final"


def test_delete_leaves_a_tombstone(app: Flask, client: FlaskClient,
                                   pairs: dict[str, int]) -> None:
    mid = send(client, app, pairs, "Oops").json["id"]
    url = f"{API}/pairings/{pairs['a']}/messages/{mid}"
    assert client.delete(url, headers=headers(app, pairs, "ada")).status_code == 204
    listed = client.get(f"{API}/pairings/{pairs['a']}/messages",
                        headers=headers(app, pairs, "grace")).json["messages"]
    assert listed[-1]["id"] == mid and listed[-1]["deleted_at"] is not None
    assert listed[-1]["body"] == "" and listed[-1]["html"] == ""
    again = client.patch(url, json={"body": "Back"}, headers=headers(app, pairs, "ada"))
    assert again.status_code == 409


def test_the_partners_message_is_404_to_edit_or_delete(app: Flask, client: FlaskClient,
                                                      pairs: dict[str, int]) -> None:
    url = f"{API}/pairings/{pairs['a']}/messages/{pairs['first']}"
    auth = headers(app, pairs, "ada")
    assert client.patch(url, json={"body": "Forged"}, headers=auth).status_code == 404
    assert client.delete(url, headers=auth).status_code == 404
    assert messages(app, pairs["a"])[0].body == SECRET


def test_the_read_marker(app: Flask, client: FlaskClient, pairs: dict[str, int]) -> None:
    url = f"{API}/pairings/{pairs['a']}/messages"
    auth = headers(app, pairs, "ada")
    assert client.get(url, headers=auth).json["unread"] == 1
    add_messages(app, pairs["a"], pairs["grace"], 3)
    marked = client.post(f"{url}/read", json={"up_to_id": pairs["first"]}, headers=auth)
    assert marked.json == {"last_read_id": pairs["first"], "unread": 3}
    back = client.post(f"{url}/read", json={"up_to_id": 1}, headers=auth)
    assert back.json["last_read_id"] == pairs["first"]  # never moves backwards
    everything = client.post(f"{url}/read", headers=auth)
    assert everything.json["unread"] == 0
    assert client.get(url, headers=auth).json["last_read_id"] == everything.json["last_read_id"]
    bad = client.post(f"{url}/read", json={"up_to_id": "soon"}, headers=auth)
    assert bad.status_code == 422 and "up_to_id" in bad.json["error"]["fields"]


def test_read_only_after_the_end(app: Flask, client: FlaskClient,
                                 pairs: dict[str, int]) -> None:
    mid = send(client, app, pairs, "Before the end").json["id"]
    end(app, pairs["a"])
    auth = headers(app, pairs, "ada")
    base = f"{API}/pairings/{pairs['a']}/messages"
    assert send(client, app, pairs, "After").status_code == 409
    assert client.patch(f"{base}/{mid}", json={"body": "x"}, headers=auth).status_code == 409
    assert client.delete(f"{base}/{mid}", headers=auth).status_code == 409
    assert client.get(base, headers=auth).status_code == 200
    assert [m.body for m in messages(app, pairs["a"])] == [SECRET, "Before the end"]


@pytest.mark.parametrize("who", ["carl", "admin", "stranger"])
def test_every_path_is_404_outside_the_pair(app: Flask, client: FlaskClient,
                                            pairs: dict[str, int], who: str) -> None:
    auth = headers(app, pairs, who)
    base = f"{API}/pairings/{pairs['a']}/messages"
    mid = pairs["first"]
    answers = [client.get(base, headers=auth),
               client.get(base, query_string={"before": mid + 1}, headers=auth),
               client.post(base, json={"body": "Hi"}, headers=auth),
               client.post(f"{base}/read", json={}, headers=auth),
               client.patch(f"{base}/{mid}", json={"body": "Hi"}, headers=auth),
               client.delete(f"{base}/{mid}", headers=auth)]
    for answer in answers:
        assert answer.status_code == 404
        assert SECRET not in answer.get_data(as_text=True)
    assert [m.body for m in messages(app, pairs["a"])] == [SECRET]


def test_signed_out_is_401(client: FlaskClient, pairs: dict[str, int]) -> None:
    assert client.get(f"{API}/pairings/{pairs['a']}/messages").status_code == 401
    assert client.post(f"{API}/pairings/{pairs['a']}/messages",
                       json={"body": "Hi"}).status_code == 401


def test_answers_have_exactly_the_documented_fields(app: Flask, client: FlaskClient,
                                                    pairs: dict[str, int]) -> None:
    schemas = client.get(f"{API}/openapi.json").json["components"]["schemas"]
    sent = send(client, app, pairs, "Shape")
    listed = client.get(f"{API}/pairings/{pairs['a']}/messages",
                        headers=headers(app, pairs, "ada")).json
    assert set(sent.json) == set(schemas["Message"]["properties"])
    assert set(listed) == set(schemas["MessagePage"]["properties"])
    assert all(set(m) == set(schemas["Message"]["required"]) for m in listed["messages"])
    with app.app_context():
        assert get_session().scalar(select(Message.body).where(Message.id == sent.json["id"]))
