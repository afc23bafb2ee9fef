"""The mail settings and the development backend (a file per message, one log line)."""

from __future__ import annotations

import email
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from mentorship import mail
from mentorship.services.notifications import Kind, notify
from mentorship.settings import ConfigError
from tests.factories import create, make_user
from tests.helpers import app_on


@pytest.fixture
def file_mail_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    yield from app_on(database_url, MAIL_FILE_DIR=str(tmp_path / "mail"))


def test_development_writes_each_email_to_a_file_and_logs_a_line(
        file_mail_app: Flask, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    app = file_mail_app
    assert app.config["MAIL_BACKEND"] == "file"  # the default outside production
    user = create(app, lambda s: make_user(s, name="Ada", email="ada@example.test").id)
    create(app, lambda s: notify(s, user, Kind.REQUEST_ACCEPTED, "pairing", 3,
                                 mentor="Grace", program="Spring"))
    with caplog.at_level(logging.INFO, logger="mentorship.mail"):
        result = app.test_cli_runner().invoke(args=["deliver-mail"])
    assert result.exit_code == 0, result.output
    [path] = (tmp_path / "mail").glob("*.eml")
    message = email.message_from_bytes(path.read_bytes())
    assert message["To"] == "ada@example.test"
    assert message["Subject"] == "Your mentoring request was accepted"
    assert "Grace accepted your request in Spring." in message.get_payload(decode=True).decode()
    lines = [r.getMessage() for r in caplog.records if r.name == "mentorship.mail"]
    assert len(lines) == 1 and "ada@example.test" in lines[0] and str(path) in lines[0]


def test_every_attempt_at_one_email_has_the_same_message_id() -> None:
    outgoing = mail.Outgoing("notification-5.abc", "ada@example.test", "Hi", "Hello")
    first = mail.build(outgoing, "Mentorship <noreply@mentoring.example.org>")
    again = mail.build(outgoing, "Mentorship <noreply@mentoring.example.org>")
    assert first["Message-ID"] == again["Message-ID"] == "<notification-5.abc@mentoring.example.org>"


@pytest.mark.parametrize(("settings", "complaint"), [
    ({"MAIL_BACKEND": "carrier-pigeon"}, "MAIL_BACKEND"),
    ({"MAIL_USE_TLS": True, "MAIL_USE_SSL": True}, "not both"),
    ({"MAIL_PORT": "twenty-five"}, "MAIL_PORT"),
    ({"MAIL_TIMEOUT": 0}, "MAIL_TIMEOUT"),
])
def test_contradictory_mail_settings_stop_the_app(settings: dict[str, object],
                                                  complaint: str) -> None:
    with pytest.raises(ConfigError, match=complaint):
        next(app_on("sqlite://", **settings))


def test_mail_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from mentorship import create_app
    monkeypatch.setenv("MENTORSHIP_MAIL_BACKEND", "smtp")
    monkeypatch.setenv("MENTORSHIP_MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("MENTORSHIP_MAIL_PORT", "587")
    monkeypatch.setenv("MENTORSHIP_MAIL_USE_TLS", "true")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app()
    assert app.config["MAIL_BACKEND"] == "smtp"
    assert app.config["MAIL_SERVER"] == "smtp.example.org"
    assert app.config["MAIL_PORT"] == 587 and app.config["MAIL_USE_TLS"] is True
    assert isinstance(mail.backend_for(app.config), mail.SmtpBackend)


def test_an_unwritable_mail_folder_is_a_clear_error(database_url: str, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    for app in app_on(database_url, MAIL_FILE_DIR=str(blocker / "mail")):
        result = app.test_cli_runner().invoke(args=["deliver-mail"])
        assert result.exit_code == 1 and "Cannot create" in result.output
