"""The admin CLI: schema set-up and admin creation."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from mentorship.db import get_session
from mentorship.models import User
from mentorship.services import accounts


def admins(app: Flask) -> list[str]:
    with app.app_context():
        return list(get_session().scalars(select(User.email).where(User.is_admin)))


def test_create_admin_reads_password_from_stdin(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-admin", "lead@example.org", "--password-stdin"],
        input="lighthouse keeper 1909\n")
    assert result.exit_code == 0, result.output
    assert admins(app) == ["lead@example.org"]
    with app.app_context():
        assert accounts.password_matches(
            accounts.user_by_email(get_session(), "lead@example.org"), "lighthouse keeper 1909")


def test_create_admin_prompts_for_the_password(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-admin", "prompt@example.org"],
        input="lighthouse keeper 1909\nlighthouse keeper 1909\n")
    assert result.exit_code == 0, result.output
    assert admins(app) == ["prompt@example.org"]


def test_create_admin_rejects_a_weak_password(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-admin", "lead@example.org", "--password-stdin"], input="password1234\n")
    assert result.exit_code != 0
    assert "password" in result.output
    assert admins(app) == []


def test_create_admin_rejects_a_bad_email_and_a_duplicate(app: Flask) -> None:
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["create-admin", "not-an-email", "--password-stdin"],
                        input="lighthouse keeper 1909\n")
    assert bad.exit_code != 0 and "email" in bad.output
    runner.invoke(args=["create-admin", "lead@example.org", "--password-stdin"],
                  input="lighthouse keeper 1909\n")
    again = runner.invoke(args=["create-admin", "LEAD@example.org", "--password-stdin"],
                          input="lighthouse keeper 1909\n")
    assert again.exit_code != 0 and "already exists" in again.output
    assert admins(app) == ["lead@example.org"]


def test_every_command_has_help(app: Flask) -> None:
    runner = app.test_cli_runner()
    for command in ("init-db", "create-admin", "seed-demo", "demo-logins", "prepare-demo"):
        result = runner.invoke(args=[command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output
