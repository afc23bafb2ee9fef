"""`make run` serves with gunicorn, and no response tells which server versions run it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from flask import Flask

from tests.live import gunicorn_command, gunicorn_server

ROOT = Path(__file__).resolve().parent.parent

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


# A worker as gunicorn starts one: the app imported, then the config's hook, whose
# engine set-up runs in a thread; then how many objects the collector still walks.
WORKER = """
import gc, runpy, threading
import wsgi
runpy.run_path("gunicorn.conf.py")["post_worker_init"](None)
for thread in threading.enumerate():
    if thread.name == "warm-matching-engine":
        thread.join()
print(gc.get_freeze_count(), len(gc.get_objects()))
"""


def test_a_worker_keeps_what_it_loaded_out_of_the_collectors_full_passes() -> None:
    """Else each full pass walks the app and the engine's tables again (a few hundred
    thousand objects), and every request in the worker waits 60-110 ms for it."""
    # The embedded database: a PostgreSQL URL would make the app demand a production key.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run([sys.executable, "-c", WORKER], cwd=ROOT, capture_output=True,
                          text=True, check=True, timeout=120, env=env)
    frozen, walked = map(int, done.stdout.split()[-2:])
    assert frozen > 150_000, done.stdout
    assert walked < frozen / 20, done.stdout


def test_security_events_reach_the_server_log(file_app: Flask, file_database_url: str,
                                              tmp_path: Path) -> None:
    log = tmp_path / "gunicorn.log"
    with gunicorn_server(file_database_url, log) as server:
        answer = server.request("GET", "/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert answer.status == 401
    request_id = answer.headers["X-Request-ID"]
    lines = [line for line in log.read_text().splitlines() if request_id in line]
    assert len(lines) == 1 and "access_denied" in lines[0], log.read_text()[-2000:]
    assert "nope" not in log.read_text()
