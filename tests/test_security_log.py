"""The security log: request ids, automatic events, and no secret ever written."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mentorship import seclog
from tests.api.helpers import bearer
from tests.factories import PASSWORD, create, login, make_user
from tests.helpers import app_on

SECURITY = "mentorship.security"


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)  # everything any logger writes, not only ours
    return caplog


def events(caplog: pytest.LogCaptureFixture, name: str) -> list[dict[str, Any]]:
    return [r.security for r in caplog.records
            if r.name == SECURITY and r.security["event"] == name]


def only_event(caplog: pytest.LogCaptureFixture, name: str) -> dict[str, Any]:
    found = events(caplog, name)
    assert len(found) == 1, [r.getMessage() for r in caplog.records if r.name == SECURITY]
    return found[0]


def signed_in(app: Flask, **user: Any) -> tuple[FlaskClient, int]:
    user_id = create(app, lambda s: make_user(s, **user).id)
    client = app.test_client()
    login(app, client, user_id)
    return client, user_id


def test_every_response_carries_a_request_id(client: FlaskClient) -> None:
    first, second = client.get("/login"), client.get("/login")
    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_a_sane_incoming_request_id_is_kept(client: FlaskClient) -> None:
    incoming = "edge-7f3a.9c:12/trace=1"
    assert client.get("/login", headers={"X-Request-ID": incoming}).headers[
        "X-Request-ID"] == incoming


@pytest.mark.parametrize("incoming", ["", "a" * 65, "two words", "<script>", "x\u00e9",
                                      "id;drop"])
def test_an_unsafe_incoming_request_id_is_replaced(client: FlaskClient, incoming: str) -> None:
    answer = client.get("/login", headers={"X-Request-ID": incoming})
    assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-ID"])


def test_forbidden_page_is_logged_with_account_and_request_id(
        app: Flask, log: pytest.LogCaptureFixture) -> None:
    client, user_id = signed_in(app)
    response = client.get("/admin/programs")
    assert response.status_code == 403
    event = only_event(log, "access_denied")
    assert event["request_id"] == response.headers["X-Request-ID"]
    assert event | {"time": None} == {
        "time": None, "event": "access_denied", "request_id": response.headers["X-Request-ID"],
        "account_id": user_id, "remote_addr": "127.0.0.1", "method": "GET",
        "path": "/admin/programs", "status": 403}


def test_forbidden_api_call_names_the_token_holder(app: Flask,
                                                   log: pytest.LogCaptureFixture) -> None:
    user_id = create(app, lambda s: make_user(s).id)
    response = app.test_client().post("/api/v1/programs", json={"name": "Mine"},
                                      headers=bearer(app, user_id))
    assert response.status_code == 403
    event = only_event(log, "access_denied")
    assert (event["account_id"], event["request_id"]) == (user_id,
                                                          response.headers["X-Request-ID"])


def test_unauthenticated_api_call_is_logged(client: FlaskClient,
                                            log: pytest.LogCaptureFixture) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    event = only_event(log, "access_denied")
    assert (event["account_id"], event["status"]) == (None, 401)


def test_not_found_is_normal_traffic(client: FlaskClient, log: pytest.LogCaptureFixture) -> None:
    assert client.get("/no/such/page").status_code == 404
    assert not [r for r in log.records if r.name == SECURITY]


def test_throttled_sign_in_is_logged(client: FlaskClient, log: pytest.LogCaptureFixture) -> None:
    statuses = [client.post("/login", data={"email": "someone@example.test",
                                            "password": f"wrong guess {n}"})
                for n in range(6)]
    assert [r.status_code for r in statuses] == [422] * 5 + [429]
    event = only_event(log, "throttled")
    assert event["request_id"] == statuses[-1].headers["X-Request-ID"]
    assert (event["path"], event["method"], event["status"]) == ("/login", "POST", 429)


@pytest.mark.parametrize("headers, reason", [({}, "token"),
                                              ({"Origin": "https://evil.example"}, "origin")])
def test_csrf_refusal_is_logged(csrf_app: Flask, log: pytest.LogCaptureFixture,
                                headers: dict[str, str], reason: str) -> None:
    client, user_id = signed_in(csrf_app)
    response = client.post("/logout", headers=headers)
    assert response.status_code == 400
    event = only_event(log, "csrf_failed")
    assert (event["reason"], event["account_id"]) == (reason, user_id)
    assert event["request_id"] == response.headers["X-Request-ID"]


def test_other_bad_requests_are_not_csrf_failures(app: Flask,
                                                  log: pytest.LogCaptureFixture) -> None:
    response = app.test_client().post("/api/v1/tokens", data="{", content_type="application/json")
    assert response.status_code == 400
    assert not events(log, "csrf_failed")


def test_no_password_or_token_is_ever_logged(app: Flask, log: pytest.LogCaptureFixture) -> None:
    user_id = create(app, lambda s: make_user(s, email="lead@example.test").id)
    client = app.test_client()
    client.post("/login", data={"email": "lead@example.test", "password": "not my password"})
    assert client.post("/login", data={"email": "lead@example.test",
                                       "password": PASSWORD}).status_code == 302
    cookies = [cookie.value for cookie in client._cookies.values()]
    answer = app.test_client().post("/api/v1/tokens",
                                    json={"email": "lead@example.test", "password": PASSWORD})
    assert answer.status_code == 201
    token = answer.json["token"]
    denied = app.test_client().post("/api/v1/programs", json={},
                                    headers={"Authorization": f"Bearer {token}"})
    assert denied.status_code == 403
    with app.test_request_context("/", headers={"Authorization": f"Bearer {token}"}):
        seclog.security_event("admin_action", action="test", password=PASSWORD,
                              api_token=token, Authorization=f"Bearer {token}",
                              session_cookie=cookies[0], client_secret=token)
    assert only_event(log, "access_denied")["account_id"] == user_id
    lines = [record.getMessage() for record in log.records]
    lines += [json.dumps(getattr(record, "security", {})) for record in log.records]
    for secret in (PASSWORD, "not my password", token, *cookies):
        assert not [line for line in lines if secret in line], secret
    assert set(only_event(log, "admin_action")) == set(seclog.CORE_FIELDS) | {"action"}


def test_fields_cannot_forge_the_context_or_a_second_line(app: Flask,
                                                          log: pytest.LogCaptureFixture) -> None:
    with app.test_request_context("/somewhere"):
        seclog.security_event("admin_action", event="other", path="/else", account_id=99,
                              note="done\nsecurity event=sign_in_failed account_id=1")
    event = only_event(log, "admin_action")
    assert (event["path"], event["account_id"]) == ("/somewhere", None)
    message = [r.getMessage() for r in log.records if r.name == SECURITY][0]
    assert "\n" not in message
    assert message.startswith("security time=")
    assert ' note="done\\nsecurity event=sign_in_failed account_id=1"' in message


def test_production_writes_json_lines(log: pytest.LogCaptureFixture) -> None:
    app = Flask(__name__)
    app.config.update(ENV="production", DATABASE_URL="sqlite://")
    with app.test_request_context("/admin", method="POST", headers={"X-Request-ID": "abc-123"},
                                  environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        seclog.security_event("admin_action", action="publish_round", target="program:7")
    line = json.loads([r.getMessage() for r in log.records if r.name == SECURITY][0])
    assert line | {"time": None} == {
        "time": None, "event": "admin_action", "request_id": "abc-123", "account_id": None,
        "remote_addr": "203.0.113.9", "method": "POST", "path": "/admin",
        "action": "publish_round", "target": "program:7"}


def test_outside_a_request_only_the_event_is_logged(log: pytest.LogCaptureFixture) -> None:
    seclog.security_event("admin_action", action="cli")
    assert set(only_event(log, "admin_action")) == {"time", "event", "action"}


def test_many_apps_add_one_handler(database_url: str) -> None:
    """With no logging set up (a fresh gunicorn worker), apps share one stderr handler."""
    root = logging.getLogger()
    saved_root, saved_own = root.handlers[:], seclog.logger.handlers[:]
    root.handlers.clear()
    seclog.logger.handlers.clear()
    try:
        for _ in range(3):
            for _app in app_on(database_url):
                pass
        assert len(seclog.logger.handlers) == 1
        assert seclog.logger.level == logging.INFO
    finally:
        root.handlers[:] = saved_root
        seclog.logger.handlers[:] = saved_own
