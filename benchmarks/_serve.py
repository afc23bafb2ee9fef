"""Servers for the web benchmarks: a fresh database, the app's CLI, and gunicorn on loopback.

Everything started here runs in its own process group and is stopped when the
``with`` block ends, also on Ctrl-C, an exception or SIGTERM.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks import _http

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
WORKERS = 2
CLI_TIMEOUT = 900  # seconds; seeding 20,000 enrolments takes about a minute


class SetupError(RuntimeError):
    """The benchmark cannot run: a server did not start or a page did not answer."""


def raise_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so ``finally`` blocks stop the servers."""
    def _exit(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, _exit)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Database:
    url: str
    backend: str  # "sqlite" or "postgresql"


@contextlib.contextmanager
def fresh_database(backend: str, workdir: Path) -> Iterator[Database]:
    """An empty database: a SQLite file in ``workdir``, or a new PostgreSQL database.

    PostgreSQL is reached through the libpq environment (``PGHOST``, ``PGPORT``,
    ``PGUSER``, ``PGPASSWORD``), as ``pg_virtualenv`` sets it; the database is
    created with a random name and dropped afterwards.
    """
    if backend == "sqlite":
        yield Database(f"sqlite:///{workdir / 'bench.sqlite'}", backend)
        return
    if backend != "postgresql":
        raise ValueError(f"unknown database backend {backend!r}")
    import psycopg  # only needed for this backend

    name = f"mentorship_bench_{secrets.token_hex(4)}"
    with psycopg.connect(dbname=os.environ.get("PGDATABASE", "postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Database(f"postgresql+psycopg:///{name}", backend)
    finally:
        with psycopg.connect(dbname=os.environ.get("PGDATABASE", "postgres"),
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def app_env(database: Database) -> dict[str, str]:
    """Production settings (strong random key, no debug) on the benchmark's database."""
    env = dict(os.environ)
    env.update(DATABASE_URL=database.url, SECRET_KEY=secrets.token_urlsafe(48),
               MENTORSHIP_ENV="production", PYTHONUNBUFFERED="1")
    return env


def flask_cli(env: dict[str, str], *args: str) -> str:
    """Run ``flask --app wsgi ARGS`` in the checkout and return its standard output."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=CLI_TIMEOUT)
    if done.returncode != 0:
        raise SetupError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def demo_logins(env: dict[str, str]) -> dict[str, str]:
    """``{"admin": email, "mentor": email, "mentee": email}`` from ``flask demo-logins``."""
    logins = {}
    for line in flask_cli(env, "demo-logins").splitlines():
        label, _, email = line.strip().partition(":")
        if label in ("admin", "mentor", "mentee") and "@" in email:
            logins[label] = email.strip()
    return logins


@dataclass
class Server:
    """A gunicorn master (and its workers) in its own process group."""

    name: str
    base_url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue


@contextlib.contextmanager
def gunicorn(name: str, target: str, env: dict[str, str], workdir: Path,
             extra: Sequence[str] = (), threads: int | None = None) -> Iterator[Server]:
    """``gunicorn -w 2 TARGET`` on a free loopback port, until the block ends.

    Every other setting comes from ``gunicorn.conf.py``, as ``make run`` serves (its
    threads per worker too, unless ``threads`` is given: 1 means sync workers).
    """
    port = free_port()
    log = workdir / f"{name}.log"
    workers = [] if threads is None else ["--threads", str(threads),
                                          "-k", "sync" if threads == 1 else "gthread"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), *workers,
             "-b", f"{HOST}:{port}", "--chdir", str(ROOT), *extra, target],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(name, f"http://{HOST}:{port}", process, log)
    try:
        _wait_until_up(server)
        wait_until_idle(server)
        yield server
    finally:
        server.stop()


def group_cpu_seconds(leader: int) -> float:
    """CPU seconds used so far by every live process of ``leader``'s process group (Linux)."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[2]) == leader:  # pgrp
            ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_until_idle(server: Server, timeout: float = 120.0, window: float = 1.0) -> None:
    """Wait until the server's processes use under 10 % of a core over ``window`` seconds.

    Each worker builds the matching engine's set-up in the background once it serves
    (``gunicorn.conf.py``): seconds of CPU that must not be counted against the first URLs.
    """
    deadline = time.monotonic() + timeout
    used = group_cpu_seconds(server.process.pid)
    while time.monotonic() < deadline:
        time.sleep(window)
        now = group_cpu_seconds(server.process.pid)
        if now - used < 0.1 * window:
            return
        used = now
    raise SetupError(f"{server.name} was still busy after {timeout:.0f} s")


def _wait_until_up(server: Server, timeout: float = 60.0) -> None:
    """Both workers import the app; wait until the port answers at all."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SetupError(f"{server.name} exited:\n{server.log.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            _http.request(server.base_url, "GET", "/", timeout=2)
            time.sleep(1.0)  # let the second worker finish importing too
            return
        time.sleep(0.2)
    raise SetupError(f"{server.name} did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def workdir(keep: bool = False) -> Iterator[Path]:
    if keep:
        yield Path(tempfile.mkdtemp(prefix="mentorship-bench-"))
        return
    with tempfile.TemporaryDirectory(prefix="mentorship-bench-") as path:
        yield Path(path)


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


DEMO_MENTEE_SHARE = 0.75  # the demo's 150 mentees and 50 mentors


def seed_demo(env: dict[str, str], enrolments: int) -> str:
    """Migrate and load the demo with ``enrolments`` enrolments, three mentees to a mentor.

    Through ``flask seed-demo`` while the size fits its cap, else through the same demo
    service with the cap lifted (``benchmarks._seed``).
    """
    from mentorship.services.demo import MAX_PEOPLE

    mentees = round(enrolments * DEMO_MENTEE_SHARE)
    mentors = enrolments - mentees
    flask_cli(env, "init-db")
    if max(mentees, mentors) <= MAX_PEOPLE:
        out = flask_cli(env, "seed-demo", "--force", "--mentees", str(mentees),
                        "--mentors", str(mentors))
    else:
        out = _python(env, "-m", "benchmarks._seed", "demo", "--mentees", str(mentees),
                      "--mentors", str(mentors))
    return out.strip().splitlines()[-1]


def demo_emails(env: dict[str, str], count: int) -> list[str]:
    """``count`` demo accounts that are not admins (they share the demo password)."""
    return _python(env, "-m", "benchmarks._seed", "emails", str(count)).split()


def _python(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=CLI_TIMEOUT)
    if done.returncode != 0:
        raise SetupError(f"python {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout
