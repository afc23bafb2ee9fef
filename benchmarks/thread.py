"""The pair's thread at 10,000 messages: the page's server time and posting latency.

    python -m benchmarks.thread [--messages 10000] [--requests 200]
    pg_virtualenv bash -c 'DATABASE_URL="postgresql+psycopg://" python -m benchmarks.thread'
    ... --skip-sqlite                    # PostgreSQL only

One pairing gets a thread of ``--messages`` Markdown messages (bulk inserts through the
app's models), then the app answers requests in this process through its WSGI
interface (Flask's test client: no network, no server process), so each figure is the
server's own time for the request: routing, sign-in, queries, Markdown rendering and
sanitising, the template. CSRF protection stays on (the token comes from the page).

Measured in the same run, in this order:

* baseline: ``/healthz`` (one ``SELECT 1``) and the pair's agreement page, which has
  the same workspace frame (tabs, up-next panel) as the thread but no messages;
* the thread page (the newest 50) and an older page (``?before=`` the middle);
* posting: ``POST /pairings/<id>/thread`` with a fresh client key each time (stored,
  committed, redirected), and the same submit replayed with a used key.

p50/p95 of wall time over ``--requests`` requests each after 10 warm-up requests, and
of this process's CPU time (the figure least disturbed by other work on a shared
machine); the last column is the CPU p50 as a multiple of ``/healthz``'s. Always on SQLite
(a file in a temporary folder); on PostgreSQL too when ``DATABASE_URL`` is set (a
throw-away schema, dropped afterwards). Targets: page p95 <= 100 ms, post p95 <= 50 ms.
The exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, insert, text
from werkzeug.test import TestResponse

from mentorship import create_app
from mentorship.db import Base, get_engine, get_session
from mentorship.models import (
    Availability,
    Enrolment,
    Message,
    Pairing,
    PairingSource,
    Program,
    ProgramStatus,
    Role,
    ThreadRead,
    User,
    utcnow,
)
from mentorship.services import accounts

TARGET_PAGE_MS = 100.0
TARGET_POST_MS = 50.0
BATCH = 2000
WARM_UP = 10
WORDS = ("career", "promotion", "feedback", "team", "python", "review", "goal", "plan",
         "interview", "manager", "project", "deadline", "design", "skills", "growth")


def message_text(rng: random.Random) -> str:
    """A message as people write them: a few sentences, sometimes a list, a link, code."""
    sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize()
                 + "." for _ in range(rng.randint(1, 4))]
    parts = [" ".join(sentences)]
    if rng.random() < 0.3:
        parts.append("\n".join(f"- **{rng.choice(WORDS)}** {rng.choice(WORDS)}"
                               for _ in range(rng.randint(2, 4))))
    if rng.random() < 0.2:
        parts.append(f"See [the notes](https://example.org/{rng.choice(WORDS)}) and "
                     f"`{rng.choice(WORDS)}()`.")
    return "\n\n".join(parts)


def build(n_messages: int, seed: int) -> dict[str, int]:
    """A program, a mentor and a mentee paired, and their thread; returns the ids."""
    session = get_session()
    program = Program(name="Benchmark cohort", status=ProgramStatus.RUNNING)
    session.add(program)
    session.flush()
    users = [User(name=name, email=f"{name.split()[0].lower()}@example.test",
                  email_normalized=f"{name.split()[0].lower()}@example.test",
                  password_hash="-") for name in ("Ada Lovelace", "Grace Hopper")]
    session.add_all(users)
    session.flush()
    ada, grace = users
    mentee = Enrolment(program_id=program.id, user_id=ada.id, role=Role.MENTEE,
                       goals="Become a tech lead within a year", skills_to_grow=["leadership"])
    mentor = Enrolment(program_id=program.id, user_id=grace.id, role=Role.MENTOR, capacity=3,
                       expertise=["python"], availability=Availability.OPEN, seats_taken=1)
    session.add_all([mentee, mentor])
    session.flush()
    pairing = Pairing(program_id=program.id, mentee_enrolment_id=mentee.id,
                      mentor_enrolment_id=mentor.id, source=PairingSource.REQUEST, score=0.7,
                      reasons=[])
    session.add(pairing)
    session.flush()
    rng = random.Random(seed)
    start = utcnow()
    rows = [{"pairing_id": pairing.id, "author_id": (ada.id, grace.id)[i % 2],
             "body": message_text(rng), "client_key": f"seed-{i}",
             "created_at": start.replace(microsecond=0)} for i in range(n_messages)]
    for first in range(0, len(rows), BATCH):
        session.execute(insert(Message), rows[first:first + BATCH])
    # Ada has read all but the last few: the page shows its "New" divider.
    newest = session.scalar(text("SELECT max(id) FROM messages")) or 0
    session.add(ThreadRead(pairing_id=pairing.id, user_id=ada.id, last_read_id=newest - 5))
    session.commit()
    return {"pairing": pairing.id, "ada": ada.id, "newest": newest}


def signed_in(app: Flask, user_id: int) -> FlaskClient:
    """A client with a sign-in session for ``user_id`` (as the sign-in form makes one)."""
    with app.app_context():
        session = get_session()
        user = session.get(User, user_id)
        assert user is not None
        token = accounts.start_login_session(session, user, remember=False)
        session.commit()
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = token
        cookie["_fresh"] = True
    return client


@dataclass
class Timing:
    """Wall and CPU milliseconds of each call, sorted."""

    wall: list[float]
    cpu: list[float]


def timed(call: Callable[[int], TestResponse], n: int, expect: int) -> Timing:
    """Times of ``n`` calls after a warm-up; each must answer ``expect``."""
    for i in range(WARM_UP):
        assert call(-1 - i).status_code == expect
    wall, cpu = [], []
    for i in range(n):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = call(i)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == expect, (response.status_code, response.location)
    return Timing(sorted(wall), sorted(cpu))


def p95(sorted_ms: list[float]) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, round(0.95 * (len(sorted_ms) - 1)))]


def run(url: str, label: str, n_messages: int, n_requests: int, seed: int) -> bool:
    """Build the thread on ``url``, print the figures; True when both targets are met."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark-" + "x" * 40,
                      "CSRF_ENABLED": True})
    started = time.perf_counter()
    with app.app_context():
        Base.metadata.create_all(get_engine())
        ids = build(n_messages, seed)
    print(f"\n{label}: a thread of {n_messages:,} messages, written in "
          f"{time.perf_counter() - started:.1f} s")
    ada = signed_in(app, ids["ada"])
    base = f"/pairings/{ids['pairing']}"
    page = ada.get(f"{base}/thread")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="new"' in html and "Show older messages" in html
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert token, "the page carries a CSRF token"
    form = {"csrf_token": token.group(1), "body": "Thanks, **that helps**. See you Tuesday."}
    origin = {"Origin": "http://localhost"}
    middle = ids["newest"] - n_messages // 2
    rows = [
        ("baseline: /healthz", timed(lambda i: ada.get("/healthz"), n_requests, 200)),
        ("baseline: agreement page (same frame)",
         timed(lambda i: ada.get(f"{base}/agreement"), n_requests, 200)),
        ("thread page, newest 50", timed(lambda i: ada.get(f"{base}/thread"), n_requests, 200)),
        ("thread page, ?before= the middle",
         timed(lambda i: ada.get(f"{base}/thread?before={middle}"), n_requests, 200)),
        ("post a message (new key)",
         timed(lambda i: ada.post(f"{base}/thread", headers=origin,
                                  data=form | {"client_key": f"bench-{i}"}), n_requests, 302)),
        ("post again (replayed key)",
         timed(lambda i: ada.post(f"{base}/thread", headers=origin,
                                  data=form | {"client_key": "bench-0"}), n_requests, 302)),
    ]
    with app.app_context():
        get_engine().dispose()
    print(f"{'request (ms)':40} {'p50':>7} {'p95':>7} {'CPU p50':>8} {'CPU p95':>8} "
          f"{'x healthz':>10}")
    bare = statistics.median(rows[0][1].cpu)
    for name, times in rows:
        print(f"{name:40} {statistics.median(times.wall):7.1f} {p95(times.wall):7.1f} "
              f"{statistics.median(times.cpu):8.1f} {p95(times.cpu):8.1f} "
              f"{statistics.median(times.cpu) / bare:10.1f}")
    page_p95, post_p95 = p95(rows[2][1].wall), p95(rows[4][1].wall)
    ok_page, ok_post = page_p95 <= TARGET_PAGE_MS, post_p95 <= TARGET_POST_MS
    print(f"thread page p95 {page_p95:.1f} ms, target <= {TARGET_PAGE_MS:.0f}: "
          f"{'ok' if ok_page else 'MISSED'}")
    print(f"posting p95 {post_p95:.1f} ms, target <= {TARGET_POST_MS:.0f}: "
          f"{'ok' if ok_post else 'MISSED'}")
    return ok_page and ok_post


def speed_check() -> str:
    """How fast this process runs Python now: a shared machine's figures scale with it."""
    started = time.process_time()
    sum(range(10**6))
    return (f"sum(range(10**6)) took {(time.process_time() - started) * 1000:.0f} ms of CPU "
            "(10-20 ms on an idle core)")


def postgres_schema(url: str, schema: str, *, create: bool) -> str:
    """Drop (and create) a throw-away schema; the URL that uses it as the search path."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        if create:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote('-csearch_path=' + schema)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-sqlite", action="store_true",
                        help="only PostgreSQL (needs DATABASE_URL)")
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f}; {speed_check()}")
    ok = True
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            ok = run(f"sqlite:///{Path(folder) / 'thread.sqlite'}", "SQLite", args.messages,
                     args.requests, args.seed)
    postgres = os.environ.get("DATABASE_URL", "")
    if postgres:
        if postgres.startswith("postgresql://"):
            postgres = "postgresql+psycopg://" + postgres[len("postgresql://"):]
        schema = f"bench_thread_{os.getpid()}"
        try:
            ok = run(postgres_schema(postgres, schema, create=True), "PostgreSQL",
                     args.messages, args.requests, args.seed) and ok
        finally:
            postgres_schema(postgres, schema, create=False)
    print(f"\nload average after: {os.getloadavg()[0]:.2f}; {speed_check()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
