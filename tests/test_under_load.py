"""The database under pressure: reads never wait for writers, and nothing answers 500.

Real threads against a real threaded server on a SQLite file (or PostgreSQL), with the
write lock held by another connection the way a long write would hold it.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import urllib.request
from collections import Counter
from collections.abc import Iterator
from urllib.error import HTTPError

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.factories import create, make_user
from tests.helpers import ON_POSTGRES, app_on

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="the SQLite write lock is what is tested")


def serve(app: Flask) -> tuple[str, object, threading.Thread]:
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{httpd.server_port}", httpd, thread


@pytest.fixture
def storm_app(tmp_path) -> Iterator[Flask]:  # noqa: ANN001
    """A small pool and short waits, so a storm is over in a second or two."""
    yield from app_on(f"sqlite:///{tmp_path / 'storm.sqlite'}", DATABASE_POOL_SIZE=2,
                      DATABASE_POOL_TIMEOUT=0.5)


@contextlib.contextmanager
def write_lock(app: Flask) -> Iterator[None]:
    """Another process's long write: the database's write lock held meanwhile."""
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO login_failures (key, at, failed) VALUES ('lock', '2026-01-01', 1)")
    yield
    holder.execute("ROLLBACK")
    holder.close()


def hit_all(requests: list[urllib.request.Request]) -> Counter[int]:
    statuses: list[int] = []
    barrier = threading.Barrier(len(requests))

    def send(request: urllib.request.Request) -> None:
        barrier.wait()
        try:
            statuses.append(urllib.request.urlopen(request, timeout=30).status)
        except HTTPError as exc:
            statuses.append(exc.code)

    threads = [threading.Thread(target=send, args=(r,)) for r in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return Counter(statuses)


def test_reads_carry_on_while_someone_holds_the_write_lock(storm_app: Flask) -> None:
    base, httpd, thread = serve(storm_app)
    with write_lock(storm_app):
        statuses = hit_all([urllib.request.Request(f"{base}/healthz") for _ in range(40)]
                           + [urllib.request.Request(f"{base}/login") for _ in range(10)])
    httpd.shutdown()  # type: ignore[attr-defined]
    thread.join(5)
    assert statuses == Counter({200: 50})


def test_a_lock_storm_answers_503_never_500(storm_app: Flask) -> None:
    # Writers wait for the lock (5 s busy timeout) holding their connections, so the
    # rest wait for the pool: both must end in a clear 503 with Retry-After.
    create(storm_app, lambda s: make_user(s, email="storm@example.org"))
    base, httpd, thread = serve(storm_app)
    body = b"email=storm%40example.org&password=wrong+but+long+enough"
    with write_lock(storm_app):
        statuses = hit_all([urllib.request.Request(f"{base}/login", data=body)
                            for _ in range(12)])
    httpd.shutdown()  # type: ignore[attr-defined]
    thread.join(5)
    assert set(statuses) == {503}
