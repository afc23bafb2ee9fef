"""Throughput and latency of the signed-in pages and API reads, against a bare Flask app.

    python -m benchmarks.web [--db sqlite|postgresql] [--enrolments N ...] [--duration S]

For each size, a fresh database is seeded with the demo, the app and a one-route
Flask app run under the same gunicorn settings (`gunicorn.conf.py`, 2 workers) on loopback, and
``wrk -t1 -c8 --latency`` measures each URL in turn. The bare app is measured before
and after each URL; each URL is compared with the mean of those two runs. Only HTTP is used
against the app (plus its CLI to seed), so any version of the app can be measured.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks import _http, _serve

DEMO_PASSWORD = "mentor-demo-2026-harbour"
DEFAULT_SIZES = (200, 20_000)
TARGET_SHARE = 0.12  # of the bare app's req/s
TARGET_P99_MS = 50.0
FLAT_SHARE = 0.85  # req/s at a larger size, as a share of the smallest size's
WRK_THREADS, WRK_CONNECTIONS = 1, 8
WARMUP_SECONDS = 1  # of wrk per URL before it is measured, not counted


@dataclass(frozen=True)
class Endpoint:
    label: str
    path: str
    who: str | None  # None: anonymous; "mentee" etc.: cookie; "api": bearer token
    targeted: bool  # judged against the targets


ENDPOINTS = (
    Endpoint("/healthz", "/healthz", None, False),
    Endpoint("/ (mentee dashboard)", "/", "mentee", True),
    Endpoint("/ (mentor dashboard)", "/", "mentor", True),
    Endpoint("/ (admin dashboard)", "/", "admin", True),
    Endpoint("/programs/ (mentee)", "/programs/", "mentee", True),
    Endpoint("/profile/ (mentee)", "/profile/", "mentee", True),
    Endpoint("GET /api/v1/me", "/api/v1/me", "api", True),
    Endpoint("GET /api/v1/programs", "/api/v1/programs", "api", True),
)


@dataclass
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx_3xx: int = 0
    socket_errors: int = 0


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def duration_ms(text: str) -> float:
    """wrk's ``812.00us``, ``2.20ms`` or ``1.01s`` in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """The figures of one ``wrk --latency`` run."""
    def find(pattern: str) -> re.Match[str] | None:
        return re.search(pattern, output, re.MULTILINE)

    total = find(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m)")
    rps = find(r"^Requests/sec:\s*([\d.]+)")
    p50 = find(r"^\s*50%\s+(\S+)")
    p99 = find(r"^\s*99%\s+(\S+)")
    if not (total and rps and p50 and p99):
        raise ValueError(f"unexpected wrk output:\n{output}")
    errors = find(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
    non_2xx = find(r"Non-2xx or 3xx responses: (\d+)")
    return WrkResult(
        requests=int(total.group(1)),
        seconds=duration_ms(total.group(2) + total.group(3)) / 1000,
        rps=float(rps.group(1)),
        p50_ms=duration_ms(p50.group(1)),
        p99_ms=duration_ms(p99.group(1)),
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
    )


def run_wrk(url: str, seconds: int, headers: dict[str, str]) -> WrkResult:
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 30)
    if done.returncode != 0:
        raise _serve.SetupError(f"wrk failed on {url}: {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


def check_ok(base_url: str, path: str, headers: dict[str, str]) -> None:
    """wrk counts a redirect to the sign-in page as a success: make sure it is a 200."""
    answer = _http.request(base_url, "GET", path, headers=headers)
    if answer.status != 200:
        raise _serve.SetupError(f"GET {path} answered {answer.status}, not 200 "
                                f"({answer.header('Location') or answer.body[:200]!r})")


def credentials(base_url: str, logins: dict[str, str]) -> dict[str, dict[str, str]]:
    """Request headers per kind of caller: cookies of the three demo roles, and a token."""
    headers: dict[str, dict[str, str]] = {}
    for role in ("mentee", "mentor", "admin"):
        cookie, _ = _http.sign_in(base_url, logins[role], DEMO_PASSWORD)
        headers[role] = {"Cookie": cookie}
    token = _http.api_token(base_url, logins["mentee"], DEMO_PASSWORD)
    headers["api"] = {"Authorization": f"Bearer {token}"}
    return headers


@dataclass
class Row:
    size: int
    label: str
    targeted: bool
    result: WrkResult
    share: float  # of the bare app's req/s

    @property
    def meets_target(self) -> bool:
        return self.share >= TARGET_SHARE and self.result.p99_ms <= TARGET_P99_MS


def measure_size(backend: str, size: int, seconds: int, bare: _serve.Server,
                 keep: bool, threads: int | None) -> list[Row]:
    with contextlib.ExitStack() as stack:
        work = stack.enter_context(_serve.workdir(keep))
        database = stack.enter_context(_serve.fresh_database(backend, work))
        env = _serve.app_env(database)
        print(f"  seeding {size:,} enrolments ({backend}) ...", flush=True)
        print("  " + _serve.seed_demo(env, size), flush=True)
        logins = _serve.demo_logins(env)
        app = stack.enter_context(_serve.gunicorn("app", "wsgi:app", env, work,
                                                  threads=threads))
        headers = credentials(app.base_url, logins)
        for endpoint in ENDPOINTS:
            check_ok(app.base_url, endpoint.path, headers.get(endpoint.who or "", {}))
        check_ok(bare.base_url, "/ping", {})
        bare_url = bare.base_url + "/ping"
        bare_runs = [measure(bare_url, "bare /ping", {}, seconds)]
        pages: list[tuple[Endpoint, WrkResult, float]] = []
        for endpoint in ENDPOINTS:
            result = measure(app.base_url + endpoint.path, endpoint.label,
                             headers.get(endpoint.who or "", {}), seconds)
            bare_runs.append(measure(bare_url, "bare /ping", {}, seconds))
            # Compared with the bare route measured just before and just after: the
            # machine's speed drifts during a run far more than between neighbours.
            pages.append((endpoint, result, statistics.mean(r.rps for r in bare_runs[-2:])))
        for endpoint in ENDPOINTS:  # sessions must still be valid after the load
            check_ok(app.base_url, endpoint.path, headers.get(endpoint.who or "", {}))
    median_bare = sorted(bare_runs, key=lambda r: r.rps)[len(bare_runs) // 2]
    rates = [r.rps for r in bare_runs]
    rows = [Row(size, f"bare /ping (median of {len(bare_runs)})", False, median_bare, 1.0)]
    rows += [Row(size, e.label, e.targeted, r, r.rps / base) for e, r, base in pages]
    print(f"  bare route across the run: {min(rates):,.0f}-{max(rates):,.0f} req/s", flush=True)
    return rows


def measure(url: str, label: str, headers: dict[str, str], seconds: int) -> WrkResult:
    """One URL under wrk, after an uncounted second: each worker's first requests of a
    page build its SQL and, on PostgreSQL, prepare its statements on every connection."""
    run_wrk(url, WARMUP_SECONDS, headers)
    result = run_wrk(url, seconds, headers)
    print(f"    {label:26} {result.rps:8.0f} req/s  p99 {result.p99_ms:7.1f} ms", flush=True)
    return result


def print_table(backend: str, size: int, rows: list[Row]) -> None:
    print(f"\n{backend}, {size:,} enrolments  (targets: signed-in pages and API reads "
          f">= {TARGET_SHARE:.0%} of bare req/s, p99 <= {TARGET_P99_MS:.0f} ms)")
    print(f"{'endpoint':28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'of bare':>8} "
          f"{'non-2xx':>8} {'sock err':>8}  target")
    for row in rows:
        r = row.result
        verdict = ("ok" if row.meets_target else "MISS") if row.targeted else ""
        print(f"{row.label:28} {r.rps:8.0f} {r.p50_ms:8.1f} {r.p99_ms:8.1f} {row.share:8.1%} "
              f"{r.non_2xx_3xx:8d} {r.socket_errors:8d}  {verdict}")


def print_flatness(rows: list[Row], sizes: list[int]) -> list[str]:
    """req/s at each larger size as a share of the smallest size's; returns the misses."""
    smallest = {row.label: row for row in rows if row.size == sizes[0]}
    misses = []
    print(f"\nFlatness: req/s as a share of the {sizes[0]:,}-enrolment figure "
          f"(target >= {FLAT_SHARE:.0%})")
    print(f"{'endpoint':28} " + " ".join(f"{s:>10,}" for s in sizes[1:]))
    for label, first in smallest.items():
        if not first.targeted:
            continue
        cells = []
        for size in sizes[1:]:
            row = next(r for r in rows if r.size == size and r.label == label)
            share = row.result.rps / first.result.rps
            cells.append(f"{share:10.0%}")
            if share < FLAT_SHARE:
                misses.append(f"{label} not flat at {size:,}")
        print(f"{label:28} " + " ".join(cells))
    return misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.web", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite",
                        help="postgresql needs the libpq environment, e.g. under pg_virtualenv")
    parser.add_argument("--enrolments", type=int, action="append", metavar="N",
                        help="demo size; repeat for several (default: 200 and 20,000)")
    parser.add_argument("--duration", type=int, default=10, metavar="S",
                        help="seconds of wrk per URL (default 10)")
    parser.add_argument("--threads", type=int, metavar="N",
                        help="threads per worker for both servers (1: sync workers; "
                             "default: gunicorn.conf.py's)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (database, server logs)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed: apt-get install -y --no-install-recommends wrk")
    sizes = sorted(args.enrolments or DEFAULT_SIZES)
    _serve.raise_on_sigterm()
    print(f"load average before: {_serve.load_average()}")
    kind = ("gunicorn.conf.py's worker threads" if args.threads is None
            else "sync workers" if args.threads == 1 else f"{args.threads} threads per worker")
    print(f"servers: {_serve.WORKERS} workers, {kind}")
    rows: list[Row] = []
    with _serve.workdir(args.keep) as work, \
            _serve.gunicorn("bare", "benchmarks.bareapp:app", dict(os.environ), work,
                            threads=args.threads) as bare:
        for size in sizes:
            rows += measure_size(args.db, size, args.duration, bare, args.keep, args.threads)
    print(f"\nload average after: {_serve.load_average()}")
    for size in sizes:
        print_table(args.db, size, [r for r in rows if r.size == size])
    misses = [f"{r.label} at {r.size:,}" for r in rows if r.targeted and not r.meets_target]
    if len(sizes) > 1:
        misses += print_flatness(rows, sizes)
    if args.json:
        args.json.write_text(json.dumps(
            {"db": args.db, "duration_s": args.duration,
             "rows": [{**asdict(r), "share_of_bare": r.share} for r in rows]}, indent=2))
    print(f"\n{len(misses)} target(s) missed" + (": " + "; ".join(misses) if misses else ""))
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
