"""How long the app takes to start: ``import wsgi`` and every CLI command's ``--help``.

    python -m benchmarks.startup [--runs N]

Each figure is the median over ``--runs`` fresh interpreters of the statement's CPU and
wall time (the interpreter's own start, the same for all, left out). Beside them, in the
same run, the floor: importing only the libraries any Flask + SQLAlchemy app of this
kind imports (``flask``, ``sqlalchemy.orm``, ``flask_login``, ``wtforms``, ``jinja2``).
Targets: the app imports in at most 0.4 s; each ``--help`` takes no longer than that.

Python reads compiled bytecode when it finds it; ``make install`` writes it for the
project's own modules (a fresh checkout has none, and an environment with
``PYTHONDONTWRITEBYTECODE`` set never writes it). The report says whether it was there:
without it, every start compiles the app's source again (about 0.4 s more).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks._serve import ROOT, load_average

TARGET_SECONDS = 0.4
FLOOR_IMPORTS = "import flask, sqlalchemy.orm, flask_login, wtforms, jinja2"
COMMANDS = ("create-admin", "deliver-mail", "demo-logins", "expire-requests", "export-csv",
            "import-participants", "init-db", "match-round", "prepare-demo", "seed-demo",
            "send-digest", "send-reminders")
# Times the statement in a fresh interpreter; prints "cpu wall" in seconds.
_TIMED = ("import time as _t\n_c, _w = _t.process_time(), _t.perf_counter()\n{code}\n"
          "print(_t.process_time() - _c, _t.perf_counter() - _w)")
_CLI = ("import sys\nfrom flask.cli import main\nsys.argv = {argv!r}\n"
        "try:\n    main()\nexcept SystemExit:\n    pass")


@dataclass(frozen=True)
class Figure:
    label: str
    cpu: float
    wall: float
    targeted: bool

    @property
    def meets_target(self) -> bool:
        return self.wall <= TARGET_SECONDS


def timed(code: str, runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Median CPU and wall seconds of ``code`` in ``runs`` fresh interpreters."""
    cpus, walls = [], []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", _TIMED.format(code=code)], cwd=ROOT,
                              env=env, capture_output=True, text=True, check=True)
        cpu, wall = done.stdout.strip().splitlines()[-1].split()
        cpus.append(float(cpu))
        walls.append(float(wall))
    return statistics.median(cpus), statistics.median(walls)


def measure(runs: int, env: dict[str, str]) -> list[Figure]:
    figures = [Figure(f"floor: {FLOOR_IMPORTS}", *timed(FLOOR_IMPORTS, runs, env), False),
               Figure("import wsgi", *timed("import wsgi", runs, env), True)]
    for name in ("", *COMMANDS):
        argv = ["flask", "--app", "wsgi", *([name] if name else []), "--help"]
        code = _CLI.format(argv=argv)
        figures.append(Figure(" ".join(argv), *timed(code, runs, env), True))
    return figures


def bytecode_state() -> str:
    """Whether every module of the app has up-to-date compiled bytecode beside it."""
    sources = [ROOT / "wsgi.py", *(ROOT / "mentorship").rglob("*.py")]
    missing = [path for path in sources if not is_compiled(path)]
    if not missing:
        return "present"
    return (f"missing for {len(missing)} of {len(sources)} modules "
            "(`make install` writes it; each start compiles them)")


def is_compiled(source: Path) -> bool:
    cached = Path(importlib.util.cache_from_source(str(source)))
    return cached.exists() and cached.stat().st_mtime >= source.stat().st_mtime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per figure")
    args = parser.parse_args(argv)
    env = dict(os.environ, MENTORSHIP_ENV="development", PYTHONPATH=str(ROOT))
    print(f"load average before: {load_average()}")
    print(f"the app's compiled bytecode: {bytecode_state()}")
    figures = measure(args.runs, env)
    print(f"load average after: {load_average()}\n")
    floor = figures[0]
    print(f"median of {args.runs} fresh processes; target: wall <= {TARGET_SECONDS} s")
    print(f"{'':58} {'CPU s':>7} {'wall s':>7} {'/ floor':>8}  target")
    for figure in figures:
        verdict = ("ok" if figure.meets_target else "MISS") if figure.targeted else ""
        print(f"{figure.label[:58]:58} {figure.cpu:7.3f} {figure.wall:7.3f} "
              f"{figure.wall / floor.wall:8.2f}  {verdict}")
    misses = [f.label for f in figures if f.targeted and not f.meets_target]
    if misses:
        print(f"\n{len(misses)} target(s) missed")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
