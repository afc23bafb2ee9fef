"""The admin's import pages: upload, the report (a dry run), then "Import N people"."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from mentorship.db import get_session
from mentorship.models import AuditEntry, Enrolment, OutboxEmail, User
from mentorship.services.audit import Action
from tests.factories import create, login, make_program, make_user
from tests.helpers import count_queries
from tests.test_imports import GOOD

BAD = GOOD + "Eve,not-an-email,mentee,,,,,,,\n"


@pytest.fixture
def admin(app: Flask, tmp_path: Path) -> dict[str, Any]:
    app.config["IMPORT_STAGING_DIR"] = str(tmp_path / "staged")
    ids = create(app, lambda s: {"program": make_program(s, name="Spring Cohort").id,
                                 "admin": make_user(s, name="Admin", is_admin=True).id,
                                 "member": make_user(s).id})
    client = app.test_client()
    login(app, client, ids["admin"])
    return ids | {"client": client, "staged": tmp_path / "staged"}


def upload(client: FlaskClient, program_id: int, text: str | bytes) -> Any:
    """Post the file as a browser does (the body encoded here, in memory: the test
    client's own encoder spools large bodies to a file it leaves open on a 413)."""
    data = text.encode() if isinstance(text, str) else text
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(data), "people.csv", content_type="text/csv")})
    return client.post(f"/admin/programs/{program_id}/import", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def people(app: Flask) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(Enrolment))


def test_upload_shows_a_dry_run_report_then_imports_on_confirmation(
        app: Flask, admin: dict[str, Any]) -> None:
    client, program_id = admin["client"], admin["program"]
    form = client.get(f"/admin/programs/{program_id}/import")
    assert form.status_code == 200 and 'type="file"' in form.get_data(as_text=True)
    sent = upload(client, program_id, GOOD)
    assert sent.status_code == 302
    report = client.get(sent.headers["Location"])
    text = report.get_data(as_text=True)
    assert report.status_code == 200 and "Dry run: nothing is written yet." in text
    assert "Import 3 people" in text and people(app) == 0
    done = client.post(sent.headers["Location"])
    assert done.status_code == 302
    assert "Imported 3 enrolments" in client.get(done.headers["Location"]).get_data(
        as_text=True)
    assert people(app) == 3
    assert list(admin["staged"].iterdir()) == []  # the staged file is gone
    with app.app_context():
        entry = get_session().scalar(select(AuditEntry))
        assert (entry.action, entry.actor_name) == (Action.PARTICIPANTS_IMPORTED, "Admin")
        assert get_session().scalar(select(func.count()).select_from(OutboxEmail)) == 3


def test_a_file_with_errors_shows_them_in_a_table_and_offers_no_import(
        app: Flask, admin: dict[str, Any]) -> None:
    client = admin["client"]
    location = upload(client, admin["program"], BAD).headers["Location"]
    report = client.get(location)
    text = report.get_data(as_text=True)
    assert report.status_code == 422
    assert "<td>5</td><td><code>email</code></td>" in text
    assert "Enter a valid email address" in text
    assert "Import 3 people" not in text and "nothing will be imported" in text
    assert client.post(location).status_code == 422  # a forced confirmation writes nothing
    assert people(app) == 0


def test_fixing_the_file_and_uploading_again_imports_it(app: Flask,
                                                        admin: dict[str, Any]) -> None:
    client = admin["client"]
    upload(client, admin["program"], BAD)
    fixed = upload(client, admin["program"], BAD.replace("not-an-email", "eve@example.org"))
    assert client.post(fixed.headers["Location"]).status_code == 302
    assert people(app) == 4


def test_an_upload_without_a_file_is_refused_at_the_field(admin: dict[str, Any]) -> None:
    answer = admin["client"].post(f"/admin/programs/{admin['program']}/import",
                                  data={}, content_type="multipart/form-data")
    assert answer.status_code == 422
    assert "Choose a CSV file to upload." in answer.get_data(as_text=True)


def test_an_unknown_or_malformed_staged_file_is_404(admin: dict[str, Any]) -> None:
    base = f"/admin/programs/{admin['program']}/import"
    assert admin["client"].get(f"{base}/{'0' * 64}").status_code == 404
    assert admin["client"].get(f"{base}/..%2f..%2fsecret_key").status_code == 404
    assert admin["client"].post(f"{base}/{'a' * 64}").status_code == 404


def test_the_import_is_for_admins_only(app: Flask, admin: dict[str, Any]) -> None:
    member = app.test_client()
    login(app, member, admin["member"])
    assert upload(member, admin["program"], GOOD).status_code == 403
    anonymous = upload(app.test_client(), admin["program"], GOOD)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert not admin["staged"].exists() or not any(admin["staged"].iterdir())
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(User)) == 2


def test_the_upload_takes_files_larger_than_other_bodies(app: Flask,
                                                         admin: dict[str, Any]) -> None:
    rows = "".join(f"Person {i},p{i}@example.org,mentee,,,,,,,\n" for i in range(40_000))
    data = (GOOD + rows).encode()
    assert len(data) > app.config["MAX_CONTENT_LENGTH"]
    assert upload(admin["client"], admin["program"], data).status_code == 302
    app.config["IMPORT_MAX_BYTES"] = 1024
    assert upload(admin["client"], admin["program"], data).status_code == 413


def test_a_csrf_token_is_required(csrf_app: Flask, tmp_path: Path) -> None:
    csrf_app.config["IMPORT_STAGING_DIR"] = str(tmp_path)
    ids = create(csrf_app, lambda s: (make_program(s).id, make_user(s, is_admin=True).id))
    client = csrf_app.test_client()
    login(csrf_app, client, ids[1])
    assert upload(client, ids[0], GOOD).status_code == 400
    assert list(tmp_path.iterdir()) == []


def test_the_report_page_query_count_does_not_grow_with_rows(app: Flask,
                                                             admin: dict[str, Any]) -> None:
    counts = []
    for n in (3, 60):
        rows = "".join(f"P{i},q{n}-{i}@example.org,mentee\n" for i in range(n))
        location = upload(admin["client"], admin["program"],
                          "name,email,role\n" + rows).headers["Location"]
        with count_queries(app) as queries:
            assert admin["client"].get(location).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
