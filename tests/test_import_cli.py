"""The import-participants and export-csv commands: exit codes, --dry-run, output."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from mentorship.db import get_session
from mentorship.models import AuditEntry, Enrolment, OutboxEmail
from mentorship.services.audit import Action
from tests.factories import create, make_program
from tests.test_imports import GOOD

BAD = GOOD + "Eve,not-an-email,mentee,,,,,,,\n"


@pytest.fixture
def program_id(app: Flask) -> int:
    return create(app, lambda s: make_program(s, name="Spring Cohort").id)


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def enrolled(app: Flask) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(Enrolment))


def test_a_dry_run_reports_and_writes_nothing(app: Flask, program_id: int,
                                              tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(
        args=["import-participants", str(program_id), write(tmp_path, GOOD), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "New accounts: 3" in result.output and "Dry run: nothing was written" in result.output
    assert enrolled(app) == 0


def test_an_import_writes_everything_and_invites_new_people(app: Flask, program_id: int,
                                                            tmp_path: Path) -> None:
    app.config["MAIL_SITE_URL"] = "https://mentor.example/"
    result = app.test_cli_runner().invoke(
        args=["import-participants", str(program_id), write(tmp_path, GOOD)])
    assert result.exit_code == 0, result.output
    assert "3 invitations queued" in result.output
    assert enrolled(app) == 3
    with app.app_context():
        body = get_session().scalar(select(OutboxEmail.body))
        entry = get_session().scalar(select(AuditEntry))
    assert "https://mentor.example/set-password/" in body
    assert (entry.action, entry.actor_name) == (Action.PARTICIPANTS_IMPORTED, "Command line")
    again = app.test_cli_runner().invoke(
        args=["import-participants", str(program_id), write(tmp_path, GOOD)])
    assert again.exit_code == 0 and "unchanged: 3" in again.output


def test_a_bad_file_exits_non_zero_naming_the_row_and_imports_nothing(
        app: Flask, program_id: int, tmp_path: Path) -> None:
    for extra in ([], ["--dry-run"]):
        result = app.test_cli_runner().invoke(
            args=["import-participants", str(program_id), write(tmp_path, BAD), *extra])
        assert result.exit_code == 1
        assert "row 5, column email: Enter a valid email address" in result.output
        assert "Nothing imported: the file has 1 error(s)" in result.output
    assert enrolled(app) == 0


def test_an_unknown_program_or_file_exits_non_zero(app: Flask, program_id: int,
                                                   tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["import-participants", "999", write(tmp_path, GOOD)])
    assert unknown.exit_code == 1 and "No program has the id 999" in unknown.output
    missing = runner.invoke(args=["import-participants", str(program_id), "/nonexistent.csv"])
    assert missing.exit_code == 2 and "No such file" in missing.output
    binary = tmp_path / "sheet.xlsx"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    refused = runner.invoke(args=["import-participants", str(program_id), str(binary)])
    assert refused.exit_code == 1 and "binary data" in refused.output


def test_export_csv_writes_a_file_or_standard_output(app: Flask, program_id: int,
                                                     tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["import-participants", str(program_id), write(tmp_path, GOOD)])
    out = tmp_path / "participants.csv"
    to_file = runner.invoke(args=["export-csv", str(program_id), "participants", "-o", str(out)])
    assert to_file.exit_code == 0, to_file.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("\ufeffname,email,role,") and "grace@example.org" in text
    to_stdout = runner.invoke(args=["export-csv", str(program_id), "pairings"])
    assert to_stdout.exit_code == 0 and to_stdout.output.startswith("pairing_id,mentee_name")
    wrong = runner.invoke(args=["export-csv", str(program_id), "messages"])
    assert wrong.exit_code == 2 and "messages" in wrong.output
    with app.app_context():
        targets = list(get_session().scalars(select(AuditEntry.target).where(
            AuditEntry.action == Action.DATA_EXPORTED).order_by(AuditEntry.id)))
    assert targets == ["participants", "pairings"]


def test_the_commands_have_help(app: Flask) -> None:
    for command in ("import-participants", "export-csv"):
        result = app.test_cli_runner().invoke(args=[command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output
