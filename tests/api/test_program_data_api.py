"""The import and the exports in the API: admins only, the same report and files."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mentorship.models import Enrolment, OutboxEmail
from tests.api.helpers import bearer, count
from tests.factories import create, make_program, make_user
from tests.test_imports import GOOD


@pytest.fixture
def ids(app: Flask) -> dict[str, int]:
    return create(app, lambda s: {"program": make_program(s).id,
                                  "admin": make_user(s, is_admin=True).id,
                                  "member": make_user(s).id})


def post_csv(client: FlaskClient, app: Flask, ids: dict[str, int], body: str, *,
             who: str = "admin", query: str = "", mimetype: str = "text/csv") -> Any:
    return client.post(f"/api/v1/admin/programs/{ids['program']}/imports{query}",
                       data=body.encode(), content_type=mimetype,
                       headers=bearer(app, ids[who]))


def test_a_dry_run_answers_the_report_and_writes_nothing(app: Flask, client: FlaskClient,
                                                         ids: dict[str, int]) -> None:
    answer = post_csv(client, app, ids, GOOD, query="?dry_run=true")
    assert answer.status_code == 200
    assert answer.json["applied"] is False and answer.json["new_accounts"] == 3
    assert answer.json["error_list"] == [] and count(app, Enrolment) == 0


def test_an_import_writes_and_a_bad_file_is_422_with_the_report(
        app: Flask, client: FlaskClient, ids: dict[str, int]) -> None:
    bad = post_csv(client, app, ids, GOOD + "Eve,not-an-email,mentee,,,,,,,\n")
    assert bad.status_code == 422 and bad.json["error"]["code"] == "invalid"
    assert bad.json["report"]["error_list"] == [
        {"row": 5, "column": "email",
         "message": "Enter a valid email address, like name@example.org."}]
    assert count(app, Enrolment) == 0 and count(app, OutboxEmail) == 0
    good = post_csv(client, app, ids, GOOD)
    assert good.status_code == 200 and good.json["applied"] is True
    assert good.json["invited"] == 3 and count(app, Enrolment) == 3


def test_the_import_is_for_admins_and_takes_csv_only(app: Flask, client: FlaskClient,
                                                     ids: dict[str, int]) -> None:
    path = f"/api/v1/admin/programs/{ids['program']}/imports"
    assert client.post(path, data=GOOD, content_type="text/csv").status_code == 401
    assert post_csv(client, app, ids, GOOD, who="member").status_code == 403
    assert post_csv(client, app, ids, "{}", mimetype="application/json").status_code == 415
    missing = client.post("/api/v1/admin/programs/999/imports", data=GOOD,
                          content_type="text/csv", headers=bearer(app, ids["admin"]))
    assert missing.status_code == 404
    assert count(app, Enrolment) == 0


def test_exports_answer_401_403_and_csv(app: Flask, client: FlaskClient,
                                        ids: dict[str, int]) -> None:
    post_csv(client, app, ids, GOOD)
    path = f"/api/v1/admin/programs/{ids['program']}/exports/participants.csv"
    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer(app, ids["member"])).status_code == 403
    answer = client.get(path, headers=bearer(app, ids["admin"]))
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert "ada@example.org" in answer.get_data(as_text=True)


def test_the_import_takes_bodies_larger_than_other_requests(app: Flask, client: FlaskClient,
                                                            ids: dict[str, int]) -> None:
    rows = "".join(f"Person {i},p{i}@example.org,mentee,,,,,,,\n" for i in range(40_000))
    assert len(GOOD + rows) > app.config["MAX_CONTENT_LENGTH"]
    answer = post_csv(client, app, ids, GOOD + rows, query="?dry_run=1")
    assert answer.status_code == 200 and answer.json["rows"] == 40_003
    app.config["IMPORT_MAX_BYTES"] = 1024
    assert post_csv(client, app, ids, GOOD + rows, query="?dry_run=1").status_code == 413
