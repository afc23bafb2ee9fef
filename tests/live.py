"""Real HTTP for the tests that need it: the app behind the development server or gunicorn."""

from __future__ import annotations

import http.client
import os
import shlex
import socket
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

from tests.helpers import TEST_SECRET

ROOT = Path(__file__).resolve().parent.parent
MAKEFILE = ROOT / "Makefile"
STARTUP_SECONDS = 60


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


@dataclass
class Server:
    host: str
    port: int

    def request(self, method: str, path: str, body: bytes | None = None, *,
                headers: dict[str, str] | None = None, chunked: bool = False) -> Answer:
        """One request on a fresh connection; ``chunked`` sends the body without a length.

        A server may answer before it has read the whole body; the answer still counts
        even if sending the rest then fails.
        """
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            payload: bytes | Iterable[bytes] | None = body
            if chunked and body is not None:
                payload = (body[i:i + 65536] for i in range(0, len(body), 65536))
            try:
                conn.request(method, path, body=payload, headers=headers or {},
                             encode_chunked=chunked)
            except (BrokenPipeError, ConnectionResetError):
                pass
            response = conn.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            conn.close()


@contextmanager
def development_server(app: Flask) -> Iterator[Server]:
    """The werkzeug threaded server in a thread of the test process."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server("127.0.0.1", server.server_port)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def gunicorn_command(bind: str) -> list[str]:
    """The command the Makefile's ``run`` target serves with, bound to ``bind`` instead."""
    lines = MAKEFILE.read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0].splitlines()
    serve = [line.strip() for line in lines if "gunicorn" in line and line.startswith("\t")]
    assert len(serve) == 1, "`make run` serves with exactly one gunicorn command"
    command = serve[0].replace("$(VENV)", ".venv").replace("$(HOST):$(PORT)", bind)
    assert "$(" not in command, f"unexpected make variable in {command!r}"
    return shlex.split(command)


@contextmanager
def gunicorn_server(database_url: str, log: Path, **env: str) -> Iterator[Server]:
    """gunicorn as ``make run`` starts it, on a socket bound here (so no port race)."""
    environment = os.environ | {"DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET} | env
    with socket.socket() as listener, open(log, "wb") as output:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        port = listener.getsockname()[1]
        process = subprocess.Popen(gunicorn_command(f"fd://{listener.fileno()}"), cwd=ROOT,
                                   env=environment, stdout=output, stderr=subprocess.STDOUT,
                                   pass_fds=(listener.fileno(),))
    try:
        server = Server("127.0.0.1", port)
        _wait_until_ready(server, process, log)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _wait_until_ready(server: Server, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{log.read_text()}")
        try:
            server.request("GET", "/login")
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer in {STARTUP_SECONDS} s:\n{log.read_text()}")
