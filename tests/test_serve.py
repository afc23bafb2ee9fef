"""`make run` serves with gunicorn, and no response tells which server versions run it."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from tests.live import gunicorn_command, gunicorn_server

VERSION = re.compile(r"\d|werkzeug|python", re.IGNORECASE)


def test_make_run_serves_with_gunicorn_and_its_config() -> None:
    command = gunicorn_command("127.0.0.1:5000")
    assert Path(command[0]).name == "gunicorn"
    assert "--config" in command and "gunicorn.conf.py" in command


def test_served_pages_reveal_no_server_version(file_app: Flask, file_database_url: str,
                                               tmp_path: Path) -> None:
    with gunicorn_server(file_database_url, tmp_path / "gunicorn.log") as server:
        for path in ("/login", "/healthz", "/static/does-not-exist.css", "/api/v1/me"):
            answer = server.request("GET", path)
            assert answer.status < 500
            assert not VERSION.search(answer.headers.get("Server", "")), answer.headers
        assert server.request("GET", "/login").status == 200

