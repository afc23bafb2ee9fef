"""Seed a demo larger than ``seed-demo`` allows, and list demo accounts.

Run as a subprocess with the benchmark's environment (``DATABASE_URL`` and so on):
``python -m benchmarks._seed demo --mentees 15000 --mentors 5000`` or
``python -m benchmarks._seed emails 10``. It uses the app's own demo service, so the
people are the ones ``flask seed-demo`` would make; only the size cap is lifted.
"""

from __future__ import annotations

import argparse
from datetime import date

from sqlalchemy import select

from mentorship import create_app
from mentorship.db import get_session
from mentorship.models import User
from mentorship.services import demo
from mentorship.services.demo_people import DEMO_DOMAIN


def seed(mentees: int, mentors: int, seed: int) -> None:
    demo.MAX_PEOPLE = max(demo.MAX_PEOPLE, mentees, mentors)  # this process only
    with create_app().app_context():
        session = get_session()
        summary = demo.seed_demo(session, mentees=mentees, mentors=mentors, seed=seed,
                                 today=date.today())
        session.commit()
    print(f"Demo program loaded: {summary.people} people, {summary.mentees} mentees and "
          f"{summary.mentors} mentors.")


def emails(count: int) -> None:
    """The first ``count`` demo people who are not admins, one email per line."""
    with create_app().app_context():
        query = (select(User.email).where(User.email_normalized.like(f"%@{DEMO_DOMAIN}"),
                                          User.is_admin.is_(False))
                 .order_by(User.id).limit(count))
        for email in get_session().scalars(query):
            print(email)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._seed")
    commands = parser.add_subparsers(dest="command", required=True)
    demo_cmd = commands.add_parser("demo")
    demo_cmd.add_argument("--mentees", type=int, required=True)
    demo_cmd.add_argument("--mentors", type=int, required=True)
    demo_cmd.add_argument("--seed", type=int, default=2026)
    emails_cmd = commands.add_parser("emails")
    emails_cmd.add_argument("count", type=int)
    args = parser.parse_args()
    if args.command == "demo":
        seed(args.mentees, args.mentors, args.seed)
    else:
        emails(args.count)


if __name__ == "__main__":
    main()
