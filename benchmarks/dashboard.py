"""The program dashboard at scale: 50,000 participants, 20,000 pairings, 500,000 sessions.

``python -m benchmarks.dashboard`` bulk-inserts one program (Core ``insert()``, in
batches) with its people, pairings, sessions, feedback, goals, messages, agreements,
fit checks and requests, then times the admin's dashboard page server side through the
Flask test client (median of several runs after one warm-up), beside the app's bare
``/healthz`` measured the same way in the same run, and the at-risk page and the
dashboard API. ``DATABASE_URL`` picks the database (default: a SQLite file in a
temporary folder); on PostgreSQL run it inside ``pg_virtualenv``::

    pg_virtualenv bash -c 'DATABASE_URL="postgresql+psycopg://" .venv/bin/python -m benchmarks.dashboard'

Targets: 500 ms on SQLite, 300 ms on PostgreSQL. Exit status 1 when missed. Not run in CI.
``--reuse FILE`` keeps the SQLite file for later runs; ``--seeded`` times an already
seeded ``DATABASE_URL``.

The sessions per week, ratings per month and each pair's latest session are read from
the counts the app keeps as they are written (seeded here by the same recounts the
migrations run). Figures: README, "Performance of the workspace and of program health".
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import insert, text

from mentorship import create_app
from mentorship.db import Base, get_engine, get_session
from mentorship.models import (
    Agreement,
    Availability,
    Cadence,
    DeclineReason,
    Enrolment,
    Feedback,
    FitAnswer,
    FitCheck,
    Goal,
    GoalStatus,
    MatchRequest,
    Meeting,
    MeetingStatus,
    Message,
    Pairing,
    PairingSource,
    PairingStatus,
    Profile,
    Program,
    ProgramStatus,
    RequestStatus,
    Role,
    User,
    utcnow,
)
from mentorship.services import accounts, rating_months, session_counts

SECRET = "benchmark-secret-key-that-is-long-enough-0123456789"
TARGET_MS = {"sqlite": 500.0, "postgresql": 300.0}
BATCH = 10_000
PARTICIPANTS, MENTORS, PAIRINGS, SESSIONS = 50_000, 10_000, 20_000, 500_000
ENDED_SHARE = 0.2


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _put(model: Any, rows: Iterator[dict[str, Any]]) -> int:
    done = 0
    with get_engine().begin() as conn:
        for batch in _batches(rows):
            conn.execute(insert(model), batch)
            done += len(batch)
    return done


def seed(app: Flask, rng: random.Random) -> tuple[int, int]:
    """One program at full size; (program id, admin id)."""
    now = utcnow()
    with app.app_context():
        Base.metadata.drop_all(get_engine())
        Base.metadata.create_all(get_engine())
        db = get_session()
        program = Program(name="Benchmark cohort", status=ProgramStatus.OPEN)
        admin = User(name="Admin", email="admin@bench.test", email_normalized="admin@bench.test",
                     password_hash="!", is_admin=True)
        admin.profile = Profile()
        db.add_all([program, admin])
        db.commit()
        pid, first = program.id, admin.id + 1
        mentees = PARTICIPANTS - MENTORS
        _put(User, ({"id": first + i, "name": f"Person {i}", "email": f"p{i}@bench.test",
                     "email_normalized": f"p{i}@bench.test", "password_hash": "!",
                     "is_admin": False, "created_at": now} for i in range(PARTICIPANTS)))
        # Enrolment ids 1..MENTORS are mentors, then the mentees.
        active_of = [0] * MENTORS
        pairs = []
        for n in range(PAIRINGS):
            mentor_index = n % MENTORS
            ended = n % 5 == 0
            if not ended:
                active_of[mentor_index] += 1
            pairs.append((n + 1, MENTORS + 1 + n, mentor_index + 1, ended,
                          now - timedelta(days=rng.randint(20, 360))))
        _put(Enrolment, ({"id": i + 1, "program_id": pid, "user_id": first + i,
                          "role": Role.MENTOR, "capacity": 3, "availability": Availability.OPEN,
                          "seats_taken": active_of[i], "about": "", "expertise": [],
                          "goals": "", "skills_to_grow": [], "created_at": now - timedelta(
                              days=400), "updated_at": now, "version": 1}
                         for i in range(MENTORS)))
        _put(Enrolment, ({"id": MENTORS + 1 + i, "program_id": pid, "user_id": first + MENTORS + i,
                          "role": Role.MENTEE, "about": "", "expertise": [], "goals": "",
                          "skills_to_grow": [], "seats_taken": 0,
                          "created_at": now - timedelta(days=400 - rng.randint(0, 30)),
                          "updated_at": now, "version": 1} for i in range(mentees)))
        _put(Pairing, ({"id": p, "program_id": pid, "mentee_enrolment_id": mentee,
                        "mentor_enrolment_id": mentor,
                        "status": PairingStatus.ENDED if ended else PairingStatus.ACTIVE,
                        "source": PairingSource.REQUEST, "reasons": [], "started_at": started,
                        "ended_at": now if ended else None, "end_note": ""}
                       for p, mentee, mentor, ended, started in pairs))
        per_pair = SESSIONS // PAIRINGS
        statuses = [MeetingStatus.COMPLETED] * 7 + [MeetingStatus.CANCELLED,
                                                    MeetingStatus.MISSED,
                                                    MeetingStatus.SCHEDULED]
        meetings: list[tuple[int, int, datetime, MeetingStatus]] = []
        for p, _mentee, _mentor, _ended, started in pairs:
            span = max((now - started).days, 1)
            for k in range(per_pair):
                at = started + timedelta(days=span * k / per_pair, hours=rng.randint(8, 18))
                status = rng.choice(statuses)
                if status == MeetingStatus.SCHEDULED:
                    at = now + timedelta(days=rng.randint(1, 30))
                meetings.append((len(meetings) + 1, p, at, status))
        _put(Meeting, ({"id": m, "pairing_id": p, "starts_at": at, "duration_minutes": 60,
                        "location": "", "agenda": "", "status": status, "created_at": at,
                        "updated_at": at, "sequence": 0, "version": 1, "discussed": "",
                        "guidance": "",
                        "logged_at": at + timedelta(hours=2)
                        if status == MeetingStatus.COMPLETED else None,
                        "next_check_in": (at + timedelta(days=14)).date()
                        if status == MeetingStatus.COMPLETED else None}
                       for m, p, at, status in meetings))
        completed = [(m, p, at) for m, p, at, status in meetings
                     if status == MeetingStatus.COMPLETED]
        _put(Feedback, ({"pairing_id": p, "meeting_id": m, "author_role": role,
                         "went_well": "", "to_improve": "", "advice": "",
                         "rating": rng.randint(1, 5), "created_at": at + timedelta(hours=3)}
                        for m, p, at in completed[::2]
                        for role in (Role.MENTEE, Role.MENTOR)))
        rating_months.recount(db, pid)  # as migrations 0014 and 0015 fill them
        session_counts.recount(db, pid)
        db.commit()
        _put(Goal, ({"pairing_id": p, "title": "Goal", "description": "", "measure": "",
                     "status": rng.choice(list(GoalStatus)), "progress": 0,
                     "created_at": started, "updated_at": started, "version": 1}
                    for p, _me, _mo, _e, started in pairs for _ in range(2)))
        _put(Message, ({"pairing_id": p, "body": "Hello", "client_key": f"k{k}",
                        "created_at": started + timedelta(days=k * 3)}
                       for p, _me, _mo, _e, started in pairs for k in range(5)))
        _put(Agreement, ({"pairing_id": p, "number": 1, "cadence": Cadence.FORTNIGHTLY,
                          "session_minutes": 60, "mentee_wants": "", "contact": "",
                          "confidentiality": "", "created_at": started,
                          "mentee_accepted_at": started,
                          "mentor_accepted_at": started if p % 7 else None}
                         for p, _me, _mo, _e, started in pairs))
        _put(FitCheck, ({"pairing_id": p, "author_role": Role.MENTEE,
                         "answer": FitAnswer.NO if p % 25 == 0 else FitAnswer.YES,
                         "answered_at": started} for p, _me, _mo, _e, started in pairs))
        reasons = list(DeclineReason)
        _put(MatchRequest, ({"program_id": pid, "mentee_enrolment_id": MENTORS + 1 + i,
                             "mentor_enrolment_id": 1 + i % MENTORS, "message": "",
                             "status": RequestStatus.DECLINED if i % 3 else RequestStatus.ACCEPTED,
                             "decline_reason": reasons[i % len(reasons)] if i % 3 else None,
                             "decline_note": "", "reasons": [],
                             "created_at": now - timedelta(days=i % 365),
                             "expires_at": now} for i in range(30_000)))
        with get_engine().begin() as conn:
            conn.execute(text("ANALYZE"))
        return pid, admin.id


def median_ms(client: Any, path: str, runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process (which includes SQLite's
    work, but not a PostgreSQL server's), in ms, after one warm-up request."""
    first = client.get(path)
    assert first.status_code == 200, (path, first.status_code)
    walls, cpus = [], []
    for _ in range(runs):
        began, cpu = time.perf_counter(), time.process_time()
        answer = client.get(path)
        walls.append((time.perf_counter() - began) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        assert answer.status_code == 200
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dashboard")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", type=Path, help="a SQLite file seeded by an earlier run "
                        "(seeded now if missing), to time again without seeding")
    parser.add_argument("--seeded", action="store_true",
                        help="DATABASE_URL already holds this benchmark's data: time only")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dashboard-bench-")) if not args.reuse else None
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{args.reuse or folder / 'app.sqlite'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    began = time.perf_counter()
    if args.seeded or (args.reuse and args.reuse.exists()):
        program_id, admin_id = 1, 1  # the first program and user of an earlier seeding
    else:
        program_id, admin_id = seed(app, random.Random(args.seed))
        print(f"seeded {PARTICIPANTS} participants, {PAIRINGS} pairings and {SESSIONS} "
              f"sessions in {time.perf_counter() - began:.1f} s")
    client = app.test_client()
    with app.app_context():
        db = get_session()
        token = accounts.start_login_session(db, db.get(User, admin_id), remember=False)
        db.commit()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = token
        cookie["_fresh"] = True
    dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
    base = f"/admin/programs/{program_id}"
    figures = {"/healthz (baseline)": median_ms(client, "/healthz", args.runs),
               "dashboard page": median_ms(client, f"{base}/dashboard", args.runs),
               "at-risk page": median_ms(client, f"{base}/at-risk", args.runs),
               "dashboard API": median_ms(client, f"/api/v1{base}/dashboard", args.runs)}
    target = TARGET_MS[dialect]
    print(f"{dialect}, median of {args.runs} runs after a warm-up ({date.today()}):")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{'':>20}   wall ms   CPU ms (load average {load:.1f} on {os.cpu_count()} cores)")
    for name, (wall, cpu) in figures.items():
        note = f"  (target <= {target:g} ms)" if name == "dashboard page" else ""
        print(f"{name:>20}: {wall:8.1f} {cpu:8.1f}{note}")
    with app.app_context():
        get_engine().dispose()
    if figures["dashboard page"][0] > target:
        print("missed: dashboard page")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
