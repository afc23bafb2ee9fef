"""Editing the shared profile: good input is kept, bad input changes nothing."""

from __future__ import annotations

import pytest
from flask import Flask

from mentorship.db import get_session
from mentorship.models import User
from tests.factories import create, login, make_user

GOOD = {"headline": "Backend engineer at a bank", "bio": "I build payment systems.",
        "languages": "en, DE", "timezone": "Europe/Berlin", "years_experience": "6",
        "industry": "Fintech", "skills": "Python,  System Design, python"}


def signed_in(app: Flask) -> tuple[object, int]:
    user_id = create(app, lambda s: make_user(s).id)
    client = app.test_client()
    login(app, client, user_id)
    return client, user_id


def profile_of(app: Flask, user_id: int) -> dict[str, object]:
    with app.app_context():
        p = get_session().get(User, user_id).profile
        return {"headline": p.headline, "languages": p.languages, "timezone": p.timezone,
                "years_experience": p.years_experience, "skills": p.skills, "industry": p.industry}


def test_profile_is_saved_normalised_and_shown(app: Flask) -> None:
    client, user_id = signed_in(app)
    response = client.post("/profile/edit", data=GOOD)
    assert response.status_code == 302
    saved = profile_of(app, user_id)
    assert saved["languages"] == ["en", "de"]
    assert saved["skills"] == ["python", "system design"]
    assert saved["industry"] == "fintech"
    html = client.get("/profile/").get_data(as_text=True)
    assert "Backend engineer at a bank" in html
    assert "German" in html and "Europe/Berlin" in html


@pytest.mark.parametrize(("field", "value", "message"), [
    ("timezone", "Mars/Olympus_Mons", "Unknown time zone"),
    ("timezone", "localtime", "Unknown time zone"),  # the server's zone, not the person's
    ("languages", "en, xx", "Unknown language code: xx"),
    ("languages", "english", "Unknown language code"),
    ("years_experience", "-1", "between 0 and 70"),
    ("years_experience", "lots", "whole number"),
    ("headline", "h" * 141, "at most 140"),
    ("skills", "a" * 61, "under 60 characters"),
    ("skills", ",".join(f"skill {i}" for i in range(31)), "at most 30"),
])
def test_bad_profile_input_is_shown_at_the_field_and_nothing_changes(
        app: Flask, field: str, value: str, message: str) -> None:
    client, user_id = signed_in(app)
    before = profile_of(app, user_id)
    response = client.post("/profile/edit", data=GOOD | {field: value})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert profile_of(app, user_id) == before


def test_profile_pages_need_sign_in(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/profile/").status_code == 302
    assert client.post("/profile/edit", data=GOOD).status_code == 302


def test_industry_that_grows_when_lower_cased_is_refused_at_the_field(app: Flask) -> None:
    client, user_id = signed_in(app)
    response = client.post("/profile/edit", data=GOOD | {"industry": "İ" * 80})
    assert response.status_code == 422
    assert 'id="industry-error"' in response.get_data(as_text=True)
