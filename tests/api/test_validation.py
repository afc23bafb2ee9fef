"""Request bodies and ids that every endpoint refuses the same way, changing nothing."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mentorship.models import Profile, User
from tests.api.helpers import fetch

TOO_BIG = 1024 * 1024 + 1


def patch_profile(client: FlaskClient, headers: dict[str, str], **kwargs: object):  # noqa: ANN201
    return client.patch("/api/v1/me/profile", headers=headers, **kwargs)


@pytest.mark.parametrize("kwargs", [
    {"data": "headline=x"},
    {"data": "headline=x", "content_type": "application/x-www-form-urlencoded"},
    {"data": '{"headline": "x"}', "content_type": "text/plain"},
    {"data": b"", "content_type": "multipart/form-data; boundary=x"},
])
def test_a_body_that_is_not_json_is_415(app: Flask, client: FlaskClient, member: int,
                                        auth: dict[str, str], kwargs: dict[str, object]) -> None:
    response = patch_profile(client, auth, **kwargs)
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media"
    assert fetch(app, Profile, member).headline == ""


@pytest.mark.parametrize("raw", [
    "", "{", '{"headline": "x",}', "{'headline': 'x'}", '{"headline": NaN}',
    '{"years_experience": Infinity}', b'{"headline": "\xff"}', "[" * 100_000 + "]" * 100_000,
])
def test_malformed_json_is_400(app: Flask, client: FlaskClient, member: int,
                               auth: dict[str, str], raw: str | bytes) -> None:
    response = patch_profile(client, auth, data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"
    assert fetch(app, Profile, member).headline == ""


@pytest.mark.parametrize("raw", ['["headline"]', '"headline"', "42", "null", "true"])
def test_a_body_that_is_not_an_object_is_400(client: FlaskClient, auth: dict[str, str],
                                             raw: str) -> None:
    response = patch_profile(client, auth, data=raw, content_type="application/json")
    assert response.status_code == 400
    assert "object" in response.json["error"]["message"]


def test_a_body_over_one_mebibyte_is_413(app: Flask, client: FlaskClient, member: int,
                                         auth: dict[str, str]) -> None:
    body = '{"bio": "' + "x" * TOO_BIG + '"}'
    response = patch_profile(client, auth, data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
    assert fetch(app, Profile, member).bio == ""


@pytest.mark.parametrize("field", ["is_admin", "id", "user_id", "created_at", "password_hash"])
def test_protected_fields_are_422_and_never_applied(app: Flask, client: FlaskClient,
                                                    member: int, auth: dict[str, str],
                                                    field: str) -> None:
    response = patch_profile(client, auth, json={"headline": "Changed", field: True})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {field: "This field cannot be set."}
    assert fetch(app, Profile, member).headline == ""
    assert fetch(app, User, member).is_admin is False


def test_unknown_fields_are_listed(client: FlaskClient, auth: dict[str, str]) -> None:
    response = patch_profile(client, auth, json={"headline": "x", "nickname": "y", "Bio": "z"})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"nickname": "Unknown field.",
                                                "Bio": "Unknown field."}


@pytest.mark.parametrize("value", ["nul\x00byte", "lone \ud800 surrogate",
                                   ["ok", "bad\x00"]])
def test_text_the_database_cannot_store_is_422(app: Flask, client: FlaskClient, member: int,
                                               auth: dict[str, str], value: object) -> None:
    field = "skills" if isinstance(value, list) else "headline"
    response = patch_profile(client, auth, json={field: value})
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert fetch(app, Profile, member).headline == ""


@pytest.mark.parametrize("path", [
    "/api/v1/programs/abc", "/api/v1/programs/-1", "/api/v1/programs/1.5",
    "/api/v1/programs/99999999999999999999", f"/api/v1/programs/{2**31}",
    "/api/v1/programs/0", "/api/v1/nowhere",
])
def test_malformed_or_impossible_ids_are_404(client: FlaskClient, auth: dict[str, str],
                                             path: str) -> None:
    response = client.get(path, headers=auth)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize(("method", "path"), [
    ("patch", "/api/v1/enrolments/99999999999999999999"),
    ("post", "/api/v1/programs/99999999999999999999/enrolments"),
])
def test_impossible_ids_in_writes_are_404(client: FlaskClient, auth: dict[str, str],
                                          method: str, path: str) -> None:
    response = getattr(client, method)(path, headers=auth, json={})
    assert response.status_code == 404


def test_wrong_method_is_a_json_405(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.put("/api/v1/me", headers=auth, json={})
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"
