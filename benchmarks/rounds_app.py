"""Matching rounds end to end in the app: people in the database, a draft written, published.

``python -m benchmarks.rounds_app`` seeds a program of 10,000 mentees and 2,000 mentors
(bulk inserts through the models, profiles from ``benchmarks.cohort``), runs a round
through the service (read the program from the database, fit, solve, explain, write the
draft) and publishes it, each timed. ``--cli`` then seeds 50,000 × 10,000 in a database
of its own and runs ``flask match-round`` on it in a child process, timed with its peak
resident memory. ``DATABASE_URL`` picks the database (default: a SQLite file in a
temporary folder). Each phase is printed with its wall time and the process's CPU time
(all threads), and the load averages at start and end: on a shared machine wall times
move with the load, CPU times much less. Not run in CI. Exit status 1 when a target is
missed.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from benchmarks.cohort import make_cohort
from mentorship import create_app
from mentorship.db import Base, get_engine, get_session
from mentorship.models import (
    Availability,
    Enrolment,
    Profile,
    Program,
    ProgramStatus,
    Role,
    User,
)
from mentorship.services import matches, round_publish, round_runs, rounds

ROOT = Path(__file__).resolve().parent.parent
SECRET = "benchmark-secret-key-that-is-long-enough-0123456789"
TARGETS = {"round": 5.0, "publish": 3.0, "cli": 60.0, "cli_rss_mb": 3072}
BATCH = 5000


def seed(url: str, n_mentees: int, n_mentors: int, seed_value: int = 0) -> int:
    """An open program with generated people, inserted in bulk; its id."""
    cohort = make_cohort(n_mentees, n_mentors, seed=seed_value)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    with app.app_context():
        Base.metadata.create_all(get_engine())
        db = get_session()
        program = Program(name=f"Benchmark {n_mentees}x{n_mentors}", status=ProgramStatus.OPEN)
        db.add(program)
        db.flush()
        first = (db.scalar(select(User.id).order_by(User.id.desc()).limit(1)) or 0) + 1
        people = [(Role.MENTOR, p) for p in cohort.mentors] + [(Role.MENTEE, p)
                                                               for p in cohort.mentees]
        users, profiles, enrolments = [], [], []
        for n, (role, p) in enumerate(people):
            uid = first + n
            email = f"{role.value}{uid}@bench.example"
            users.append({"id": uid, "name": f"{role.value.title()} {uid}", "email": email,
                          "email_normalized": email, "password_hash": "-"})
            profiles.append({"user_id": uid, "languages": p["languages"],
                             "timezone": p["timezone"], "industry": p["industry"],
                             "years_experience": p["years_experience"]})
            extra: dict[str, Any] = (
                {"about": p["about"], "expertise": p["expertise"], "capacity": p["capacity"],
                 "availability": Availability.OPEN} if role == Role.MENTOR
                else {"goals": p["goals"], "skills_to_grow": p["skills_to_grow"]})
            enrolments.append({"program_id": program.id, "user_id": uid, "role": role} | extra)
        for model, rows in ((User, users), (Profile, profiles), (Enrolment, enrolments)):
            for start in range(0, len(rows), BATCH):
                db.execute(insert(model), rows[start:start + BATCH])
        db.commit()
        program_id = program.id
        get_engine().dispose()
    return program_id


def run_in_app(url: str, program_id: int) -> dict[str, float]:
    """A round through the service, then its publication; seconds per step and phase."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    figures: dict[str, float] = {}
    with app.app_context():
        import matching  # noqa: PLC0415 - a serving worker has done this before any round
        matching.warm_up()
        db = get_session()
        marks = [("start", time.perf_counter(), time.process_time())]
        began, cpu = marks[0][1:]
        round_ = rounds.start_round(db, db.get(Program, program_id), {}, None)
        db.commit()
        round_ = round_runs.run_round(db, round_.id, matches.MatcherCache(), lambda phase: marks.append(
            (phase, time.perf_counter(), time.process_time())))
        end = time.perf_counter()
        if round_.error:
            raise SystemExit(f"round failed: {round_.error}")
        marks.append(("end", end, time.process_time()))
        for (phase, at, at_cpu), (_, nxt, nxt_cpu) in zip(marks[1:], marks[2:], strict=False):
            figures[f"phase {phase}"] = nxt - at
            figures[f"cpu {phase}"] = nxt_cpu - at_cpu  # all threads of the process
        figures["round"] = end - began
        figures["round cpu"] = marks[-1][2] - cpu
        figures["matched"] = round_.report["matched"]
        began = time.perf_counter()
        made = round_publish.publish(db, rounds.get_round(db, round_.id))
        db.commit()
        figures["publish"] = time.perf_counter() - began
        figures["pairings"] = len(made)
        get_engine().dispose()
    return figures


def run_cli(url: str, program_id: int) -> dict[str, float]:
    """``flask match-round`` in a child process: wall time and the child's peak RSS."""
    env = os.environ | {"DATABASE_URL": url, "SECRET_KEY": SECRET}
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "match-round",
                           str(program_id)], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=False)
    seconds = time.perf_counter() - began
    print(done.stdout[-2000:], done.stderr[-2000:], sep="\n")
    if done.returncode:
        raise SystemExit(f"match-round exited {done.returncode}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the child alone: seeding runs here
    return {"cli": seconds, "cli cpu": usage.ru_utime + usage.ru_stime,
            "cli_rss_mb": usage.ru_maxrss / 1024}  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rounds_app")
    parser.add_argument("--mentees", type=int, default=10_000)
    parser.add_argument("--mentors", type=int, default=2_000)
    parser.add_argument("--cli", action="store_true", help="also 50,000 x 10,000 via the CLI")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="rounds-bench-"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'app.sqlite'}"
    print("load average (1, 5, 15 min) at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    began = time.perf_counter()
    program_id = seed(url, args.mentees, args.mentors)
    print(f"seeded {args.mentees} x {args.mentors} in {time.perf_counter() - began:.1f} s")
    figures = run_in_app(url, program_id)
    if args.cli:
        big = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'big.sqlite'}"
        began = time.perf_counter()
        big_id = seed(big, 50_000, 10_000, seed_value=1)
        print(f"seeded 50000 x 10000 in {time.perf_counter() - began:.1f} s")
        figures |= run_cli(big, big_id)
    print("load average (1, 5, 15 min) at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    missed = [key for key, limit in TARGETS.items() if key in figures and figures[key] > limit]
    for key, value in figures.items():
        target = f"  (target <= {TARGETS[key]:g})" if key in TARGETS else ""
        print(f"{key:>16}: {value:10.2f}{target}")
    if missed:
        print("missed: " + ", ".join(missed))
        raise SystemExit(1)


if __name__ == "__main__":
    main()
