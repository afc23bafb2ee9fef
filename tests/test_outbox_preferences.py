"""Each person chooses per kind of notice: in the app only, by email too, or a daily digest."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from mentorship.db import get_session
from mentorship.models import NotificationPreference, OutboxEmail
from mentorship.services.notifications import GROUPS, Kind, notify
from tests.api.helpers import bearer
from tests.factories import create, login, make_user
from tests.helpers import count_queries

PAGE = "/notifications/preferences"
API = "/api/v1/me/notification-preferences"


def member(app: Flask) -> tuple[FlaskClient, int]:
    user_id = create(app, lambda s: make_user(s, name="Ada").id)
    client = app.test_client()
    login(app, client, user_id)
    return client, user_id


def emails_after_notice(app: Flask, user_id: int, kind: Kind) -> int:
    create(app, lambda s: notify(s, user_id, kind, "pairing", 1, partner="Grace"))
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(OutboxEmail)) or 0


def checked(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input checked id="[\w-]+" name="(\w+)" type="radio" value="(\w+)">',
                           page))


def test_the_page_offers_one_labelled_choice_per_group_with_the_defaults(app: Flask) -> None:
    client, _ = member(app)
    page = client.get(PAGE)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for name, label, _kinds in GROUPS:
        assert f"<legend>{label}</legend>" in text
        for channel in ("app", "email", "digest"):
            assert f'for="{name}-' in text and f'value="{channel}"' in text
    assert checked(text) == {"requests": "email", "mentorship": "email", "sessions": "email",
                             "reminders": "email"}
    assert "In the app only" in text and "daily email digest" in text


def test_choosing_in_app_only_stops_the_emails(app: Flask) -> None:
    client, user_id = member(app)
    assert emails_after_notice(app, user_id, Kind.SESSION_SCHEDULED) == 1
    saved = client.post(PAGE, data={"requests": "email", "mentorship": "email",
                                    "sessions": "app", "reminders": "digest"})
    assert saved.status_code == 302
    assert checked(client.get(PAGE).get_data(as_text=True))["sessions"] == "app"
    assert emails_after_notice(app, user_id, Kind.SESSION_SCHEDULED) == 1  # no new email
    assert emails_after_notice(app, user_id, Kind.REMINDER_SESSION) == 1  # waits for digest
    assert emails_after_notice(app, user_id, Kind.REQUEST_ACCEPTED) == 2


def test_a_bad_choice_is_shown_at_its_field_and_nothing_changes(app: Flask) -> None:
    client, user_id = member(app)
    page = client.post(PAGE, data={"requests": "pigeon", "mentorship": "app",
                                   "sessions": "app", "reminders": "app"})
    assert page.status_code == 422
    assert "Choose app, email or digest." in page.get_data(as_text=True)
    with app.app_context():
        assert get_session().scalars(select(NotificationPreference)).all() == []


def test_the_form_needs_its_csrf_token(csrf_app: Flask) -> None:
    client, _ = member(csrf_app)
    refused = client.post(PAGE, data={"requests": "app", "mentorship": "app",
                                      "sessions": "app", "reminders": "app"})
    assert refused.status_code == 400
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get(PAGE).get_data(as_text=True)).group(1)
    saved = client.post(PAGE, data={"csrf_token": token, "requests": "app",
                                    "mentorship": "app", "sessions": "app", "reminders": "app"})
    assert saved.status_code == 302


def test_signed_out_people_are_sent_to_sign_in(client: FlaskClient) -> None:
    answer = client.get(PAGE)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert client.get(API).status_code == 401


def test_the_api_reads_and_sets_by_group_or_kind(app: Flask) -> None:
    user_id = create(app, lambda s: make_user(s).id)
    client, headers = app.test_client(), bearer(app, user_id)
    start = client.get(API, headers=headers).json
    assert start["kinds"]["request_received"] == "email"
    assert start["kinds"]["feedback_received"] == "app"  # in the app only by default
    assert [g["name"] for g in start["groups"]] == [name for name, _l, _k in GROUPS]
    done = client.put(API, headers=headers, json={"sessions": "digest", "session_logged": "email"})
    assert done.status_code == 200
    assert done.json["kinds"]["session_scheduled"] == "digest"
    assert done.json["kinds"]["session_logged"] == "email"  # the kind wins over its group
    assert done.json["kinds"]["request_received"] == "email"  # not named: unchanged
    assert client.get(API, headers=headers).json == done.json


@pytest.mark.parametrize(("body", "field"), [({"sessions": "fax"}, "sessions"),
                                             ({"everything": "app"}, "everything"),
                                             ({"request_received": None}, "request_received")])
def test_the_api_refuses_bad_choices_at_their_field(app: Flask, body: dict[str, object],
                                                    field: str) -> None:
    user_id = create(app, lambda s: make_user(s).id)
    answer = app.test_client().put(API, headers=bearer(app, user_id), json=body)
    assert answer.status_code == 422
    assert field in answer.json["error"]["fields"]
    with app.app_context():
        assert get_session().scalars(select(NotificationPreference)).all() == []


def test_the_notifications_page_costs_the_same_for_any_number_of_notices(app: Flask) -> None:
    client, user_id = member(app)

    def queries() -> int:
        with count_queries(app) as statements:
            assert client.get("/notifications/").status_code == 200
        return len(statements)

    def tell(n: int) -> None:
        def build(session: Any) -> None:
            for i in range(n):
                notify(session, user_id, Kind.PAIRING_ENDED, "pairing", i + 1,
                       partner="Grace", program="Spring")
        create(app, build)
    tell(1)
    one = queries()
    tell(30)
    assert queries() == one
    with count_queries(app) as statements:
        assert client.get(PAGE).status_code == 200
    assert len(statements) <= one + 2
