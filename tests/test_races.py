"""Concurrent requests against a real threaded server: the database keeps the rules."""

from __future__ import annotations

import threading
import urllib.parse
import urllib.request
from collections import Counter
from urllib.error import HTTPError

from flask import Flask
from sqlalchemy import func, select

from mentorship.db import get_session
from mentorship.models import Enrolment, User
from tests.factories import PASSWORD, create, login, make_program, make_user

THREADS = 8


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def post_all(url: str, data: dict[str, str], cookie: str | None = None) -> Counter[int]:
    """POST the same form from THREADS threads released at once; count the statuses."""
    opener = urllib.request.build_opener(NoRedirect)
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def send() -> None:
        request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode())
        if cookie:
            request.add_header("Cookie", f"session={cookie}")
        barrier.wait()
        try:
            status = opener.open(request, timeout=30).status
        except HTTPError as exc:
            status = exc.code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=send) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return Counter(statuses)


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model))


def test_racing_duplicate_enrolments_store_exactly_one(file_app: Flask, server: str) -> None:
    user_id = create(file_app, lambda s: make_user(s).id)
    program_id = create(file_app, lambda s: make_program(s).id)
    client = file_app.test_client()
    login(file_app, client, user_id)
    cookie = client.get_cookie("session").value
    statuses = post_all(f"{server}/programs/{program_id}/enrol",
                        {"role": "mentee", "goals": "Grow", "skills_to_grow": "python"}, cookie)
    assert statuses[302] == 1
    assert statuses[409] == THREADS - 1
    assert count(file_app, Enrolment) == 1


def test_racing_sign_ups_with_one_email_create_one_account(file_app: Flask, server: str) -> None:
    statuses = post_all(f"{server}/register", {"name": "Twin", "email": "twin@example.org",
                                                "password": "two of us racing 2027"})
    assert statuses == Counter({302: THREADS})  # every answer looks the same
    assert count(file_app, User) == 1


def test_simultaneous_wrong_passwords_check_at_most_the_limit(file_app: Flask,
                                                             server: str) -> None:
    MAX_PER_ACCOUNT = file_app.config["THROTTLE_SIGN_IN_PER_ACCOUNT"]
    create(file_app, lambda s: make_user(s, email="target@example.org"))
    statuses = post_all(f"{server}/login", {"email": "target@example.org",
                                            "password": "a wrong guess here"})
    assert statuses[422] <= MAX_PER_ACCOUNT  # each 422 is one password actually checked
    assert statuses[422] + statuses[429] == THREADS


def test_simultaneous_guesses_of_the_current_password_check_at_most_the_limit(
        file_app: Flask, server: str) -> None:
    MAX_PER_ACCOUNT = file_app.config["THROTTLE_SIGN_IN_PER_ACCOUNT"]
    user_id = create(file_app, lambda s: make_user(s).id)
    client = file_app.test_client()
    login(file_app, client, user_id)
    statuses = post_all(f"{server}/account/password", {
        "current_password": "a wrong guess here", "new_password": "a brand new passphrase 77"},
        client.get_cookie("session").value)
    assert statuses[422] <= MAX_PER_ACCOUNT  # each 422 is one password actually checked
    assert statuses[422] + statuses[429] == THREADS


def test_simultaneous_email_changes_to_one_address_never_fail(file_app: Flask,
                                                            server: str) -> None:
    ids = [create(file_app, lambda s: make_user(s).id) for _ in range(THREADS)]
    cookies = []
    for user_id in ids:
        client = file_app.test_client()
        login(file_app, client, user_id)
        cookies.append(client.get_cookie("session").value)
    opener = urllib.request.build_opener(NoRedirect)
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []

    def change(cookie: str) -> None:
        request = urllib.request.Request(f"{server}/account/", data=urllib.parse.urlencode(
            {"name": "Same", "email": "same@example.org", "current_password": PASSWORD}).encode())
        request.add_header("Cookie", f"session={cookie}")
        barrier.wait()
        try:
            statuses.append(opener.open(request, timeout=30).status)
        except HTTPError as exc:
            statuses.append(exc.code)

    threads = [threading.Thread(target=change, args=(c,)) for c in cookies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert Counter(statuses)[302] == 1
    assert Counter(statuses)[422] == THREADS - 1
    with file_app.app_context():
        owners = get_session().scalar(select(func.count()).select_from(User)
                                      .where(User.email_normalized == "same@example.org"))
    assert owners == 1
