"""The participants import at its limit: a 50,000-row CSV checked, imported, imported again.

``python -m benchmarks.imports`` writes a CSV of 50,000 people (mentees and mentors with
every profile and enrolment column filled, a few thousand of them already holding an
account), then times through the service, each in its own transaction:

- the dry run (read, clean every row, look people up, report);
- the import (the same, then bulk inserts of accounts, profiles, enrolments,
  set-password links and invitation emails), committed;
- the same file again (idempotent: nothing changes);
- the participants export of the 50,000 enrolments;
- with ``--sessions N`` (default 500,000): 20,000 pairings of the imported people and N
  sessions are inserted, then the sessions export is timed with the process's peak
  memory before and after (rows are read in batches, never all at once).

``DATABASE_URL`` picks the database (default: a SQLite file in a temporary folder).
Not run in CI. Exit status 1 when the import misses its target (60 s).

Figures (2 cores shared with other work, 2026-12-07; 16.4 MB file, 45,000 new accounts
and 5,000 existing). Two runs each: load average 5 to 7, then 9 to 12.

===================  ===============  ===============
step                 PostgreSQL       SQLite
===================  ===============  ===============
dry run              6.5 / 10.0 s     3.7 / 7.1 s
import               19.1 / 26.7 s    20.7 / 32.4 s
re-import            12.0 / 18.5 s    12.5 / 15.5 s
participants export  6.6 / 6.1 s      5.8 / 12.5 s
500,000 sessions     17.3 s           25.5 s
  export, memory     no growth        no growth
===================  ===============  ===============
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from mentorship import create_app
from mentorship.db import Base, get_engine, get_session
from mentorship.models import (
    Enrolment,
    MeetingStatus,
    Pairing,
    PairingSource,
    PairingStatus,
    Profile,
    Program,
    ProgramStatus,
    Role,
    User,
)
from mentorship.services import bulk, csv_files, exports, import_files, imports

SECRET = "benchmark-secret-key-that-is-long-enough-0123456789"
TARGET_SECONDS = 60.0
START = datetime(2026, 1, 5, 9, 0)
LANGUAGES = ("en", "de", "fr", "es", "pt", "ja", "hi", "pl")
ZONES = ("Europe/Berlin", "Europe/London", "America/New_York", "Asia/Tokyo", "Asia/Kolkata")
SKILLS = ("python", "leadership", "public speaking", "system design", "hiring", "data",
          "product management", "negotiation", "career change", "writing")


def make_csv(rows: int, seed: int = 0) -> bytes:
    """A participants file of ``rows`` people, one in four a mentor, every column filled."""
    rng = random.Random(seed)
    lines: list[list[object]] = [list(import_files.KNOWN)]
    for i in range(rows):
        mentor = i % 4 == 0
        skills = ", ".join(rng.sample(SKILLS, 3))
        lines.append([f"Person {i}", f"person{i}@example.org", "mentor" if mentor else "mentee",
                      f"Engineer number {i}", "A bio that says a little about me. " * 3,
                      ", ".join(rng.sample(LANGUAGES, 2)), rng.choice(ZONES), rng.randint(0, 30),
                      rng.choice(("fintech", "health", "software")), skills,
                      "" if mentor else "Grow into a lead and learn to mentor others.",
                      "" if mentor else skills,
                      "Career moves and system design." if mentor else "",
                      skills if mentor else "", rng.randint(1, 5) if mentor else "",
                      "open" if mentor else ""])
    return "".join(csv_files.write_rows(lines)).encode()


def seed_existing(count: int) -> None:
    """Accounts that already exist for the first ``count`` people (matched by email)."""
    db = get_session()
    for start in range(0, count, 5000):
        ids = db.execute(insert(User).returning(User.id), [
            {"name": f"Person {i}", "email": f"Person{i}@Example.org",
             "email_normalized": f"person{i}@example.org", "password_hash": "!"}
            for i in range(start, min(count, start + 5000))]).scalars().all()
        db.execute(insert(Profile), [{"user_id": user_id} for user_id in ids])
    db.commit()


def seed_sessions(program: Program, count: int) -> None:
    """20,000 pairings of the program's people and ``count`` sessions spread over them."""
    db = get_session()
    mentees = db.scalars(select(Enrolment.id).where(Enrolment.program_id == program.id,
                                                    Enrolment.role == Role.MENTEE)).all()
    mentors = db.scalars(select(Enrolment.id).where(Enrolment.program_id == program.id,
                                                    Enrolment.role == Role.MENTOR)).all()
    pairs = min(20_000, len(mentees))
    bulk.bulk_insert(db, Base.metadata.tables["pairings"], [
        {"program_id": program.id, "mentee_enrolment_id": mentees[i],
         "mentor_enrolment_id": mentors[i % len(mentors)], "status": PairingStatus.ENDED,
         "source": PairingSource.ROUND, "reasons": [], "started_at": START,
         "end_reason": None, "end_note": ""} for i in range(pairs)])
    ids = db.scalars(select(Pairing.id).where(Pairing.program_id == program.id)).all()
    meetings = Base.metadata.tables["meetings"]
    for start in range(0, count, 50_000):
        bulk.bulk_insert(db, meetings, [
            {"pairing_id": ids[i % len(ids)], "starts_at": START + timedelta(hours=i),
             "duration_minutes": 60, "location": "", "agenda": "private", "discussed": "",
             "guidance": "", "status": MeetingStatus.COMPLETED, "created_at": START,
             "updated_at": START, "sequence": 0, "version": 1}
            for i in range(start, min(count, start + 50_000))])
    db.commit()


def peak_mb() -> float:
    """The process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, figures: dict[str, float], work: Any) -> Any:
    """Run ``work()``, keep and print its wall time."""
    began = time.perf_counter()
    result = work()
    figures[label] = round(time.perf_counter() - began, 2)
    print(f"{label:>15}: {figures[label]:6.2f} s")
    return result


def main() -> int:
    """Generate, check, import, import again and export; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=import_files.MAX_ROWS)
    parser.add_argument("--existing", type=int, default=5000,
                        help="people of the file who already have an account")
    parser.add_argument("--sessions", type=int, default=500_000,
                        help="sessions to export after the import (0: none)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="import-bench-"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite'}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "TESTING": True})
    figures: dict[str, float] = {}
    data = timed("generate", figures, lambda: make_csv(args.rows))
    print(f"{'file':>15}: {len(data) / 1e6:6.1f} MB, {args.rows:,} rows")
    with app.app_context():
        Base.metadata.create_all(get_engine())
        db = get_session()
        program = Program(name=f"Import benchmark {time.time():.0f}", status=ProgramStatus.OPEN)
        db.add(program)
        db.commit()
        seed_existing(min(args.existing, args.rows))

        def link(token: str) -> str:
            return f"https://mentor.example/set-password/{token}"

        def dry_run() -> import_files.Report:
            report = imports.check(db, program, data)
            db.rollback()
            return report

        def run() -> import_files.Report:
            report = imports.apply(db, program, data, None, link)
            db.commit()
            return report

        checked = timed("dry run", figures, dry_run)
        assert checked.ok, checked.errors[:5]
        done = timed("import", figures, run)
        again = timed("re-import", figures, run)
        assert done.applied and again.unchanged == args.rows and again.changes == 0
        lines = timed("export", figures,
                      lambda: sum(1 for _ in exports.export_csv(db, program, "participants")))
        assert lines == args.rows + 2  # the byte-order mark and the header
        if args.sessions:
            timed("seed sessions", figures, lambda: seed_sessions(program, args.sessions))
            before = peak_mb()
            lines = timed("sessions export", figures,
                          lambda: sum(1 for _ in exports.export_csv(db, program, "sessions")))
            assert lines == args.sessions + 2
            figures["export peak MB"] = round(peak_mb(), 1)
            print(f"{'peak memory':>15}: {before:.0f} MB before the sessions export, "
                  f"{peak_mb():.0f} MB after")
        print(f"{'dialect':>15}: {get_engine().dialect.name}; new accounts {done.new_accounts:,},"
              f" existing {done.existing_accounts:,}, invitations {done.invited:,}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    missed = figures["import"] > TARGET_SECONDS or figures["dry run"] > TARGET_SECONDS
    print("target (60 s):", "MISSED" if missed else "met")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
