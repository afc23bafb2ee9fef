"""Imports flow one way, and starting the app loads only what serving a page needs."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from mentorship.db import get_session
from mentorship.models import MatchRequest, RequestStatus, utcnow
from mentorship.services import request_queries
from tests.factories import create, make_enrolment, make_program, make_user
from tests.flows import mentee, mentor, pending
from tests.helpers import ON_POSTGRES

APP = Path(__file__).resolve().parents[1] / "mentorship"
# What each layer may import from the app (besides itself). Lower layers never import
# higher ones: views and the API call services, services use models, models use db.
ALLOWED = {
    "db": set(),
    "models": {"db"},
    "security": set(),
    "settings": set(),
    "routing": {"models"},  # the largest id a row can have
    "services": {"db", "models", "security"},
    "forms": {"models", "services", "security"},
    "errors": {"db", "services"},
    "auth": {"db", "errors", "models", "security", "services"},
    "seclog": {"auth", "settings"},
    "guards": {"auth", "errors", "forms", "seclog"},
    "views": {"auth", "db", "forms", "models", "security", "services"},
    "api": {"auth", "db", "errors", "models", "routing", "security", "services"},
    "cli": {"cli_requests", "db", "services", "settings"},
    "cli_requests": {"db", "services"},
    "cli_rounds": {"db", "models", "services"},
    "cli_mail": {"db", "mail", "models", "services"},
    "mail": set(),  # talks to SMTP and the file system, knows nothing of the app
    "cli_data": {"db", "models", "services"},
    "migrate": {"cli", "db", "models"},
}
ENGINE_IMPORTERS = {"services/matches.py", "services/round_solve.py"}  # and it reaches the engine lazily
ENGINE_DATA = {"matching.vocabulary", "matching.zones", "matching.defaults"}


def layer(path: Path) -> str:
    return path.relative_to(APP).parts[0].removesuffix(".py")


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


@pytest.mark.parametrize("path", sorted(p for p in APP.rglob("*.py") if p.name != "__init__.py"
                                        or p.parent != APP), ids=lambda p: str(p.relative_to(APP)))
def test_imports_flow_one_way(path: Path) -> None:
    own = layer(path)
    for module in imports(path):
        if module.startswith("mentorship."):
            target = module.split(".")[1]
            assert target == own or target in ALLOWED[own], f"{own} imports {module}"
        if module == "matching" or module.startswith("matching."):
            relative = str(path.relative_to(APP))
            assert relative in ENGINE_IMPORTERS or module in ENGINE_DATA, (
                f"{relative} imports the engine ({module}); only {sorted(ENGINE_IMPORTERS)} may")


def test_starting_the_app_leaves_the_engine_migrations_hashing_and_mappers_for_later() -> None:
    # Each is paid on every start of the app and of every command otherwise; the mapped
    # models are configured by the first query (or a gunicorn worker before it serves).
    probe = ("import sys, wsgi, mentorship.security as s, sqlalchemy, mentorship.models as m; "
             "heavy = {'numpy', 'scipy', 'sklearn', 'ortools', 'alembic', 'icalendar', "
             "'markdown_it', 'zxcvbn', 'pycountry'} & set(sys.modules); "
             "assert not heavy, heavy; "
             "assert 'dummy_hash' not in vars(s._hashing), 'hashed at import'; "
             "assert not sqlalchemy.inspect(m.User).configured, 'mappers configured at import'")
    # The embedded database: a PostgreSQL URL would make the app demand a production key.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    subprocess.run([sys.executable, "-c", probe], check=True, env=env,
                   cwd=Path(__file__).resolve().parents[1])


def query_plan(session: Session, sql: str) -> str:
    """The database's plan for ``sql`` as one line; on PostgreSQL with sequential scans
    off, so a usable index is chosen even on a table this small."""
    if ON_POSTGRES:
        session.execute(text("SET enable_seqscan = off"))
        return " ".join(session.scalars(text(f"EXPLAIN {sql}")))
    return " ".join(str(row[-1]) for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))


def test_a_persons_enrolments_are_found_by_index(app) -> None:  # noqa: ANN001
    def build(session):  # noqa: ANN001, ANN202
        program = make_program(session)
        for _ in range(3):
            make_enrolment(session, make_user(session), program)
    create(app, build)
    with app.app_context():
        plan = query_plan(get_session(), "SELECT * FROM enrolments WHERE user_id = 2")
    assert "ix_enrolments_user_id" in plan


def test_a_mentors_waiting_requests_are_found_by_the_pending_index(app) -> None:  # noqa: ANN001
    """The dashboard's waiting count reads only pending requests, not a mentor's history."""
    def build(session):  # noqa: ANN001, ANN202 - a history of answered requests, few waiting
        program = make_program(session)
        mentors = [mentor(session, program, f"Mentor {i}") for i in range(3)]
        for i in range(30):
            asker = mentee(session, program, f"Mentee {i}")
            for asked in mentors:
                item = pending(session, asker, asked)
                if i >= 2:
                    item.status = RequestStatus.DECLINED
        session.flush()
        return mentors[0].id
    mentor_id = create(app, build)
    query = select(func.count()).select_from(MatchRequest).where(
        MatchRequest.mentor_enrolment_id == mentor_id, request_queries.waiting(utcnow()))
    with app.app_context():
        session = get_session()
        sql = str(query.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
        if ON_POSTGRES:  # statistics, so the planner knows which index narrows by mentor
            session.execute(text("ANALYZE match_requests"))
        plan = query_plan(session, sql)
    assert "ix_match_requests_pending_mentor" in plan
