"""Reads while many people sign in at once: does a sign-in storm starve everyone else?

    python -m benchmarks.signin [--db sqlite|postgresql] [--enrolments N] [--duration S]

The app runs under gunicorn (2 sync workers) on loopback with a fresh demo
database. First 20 reader threads alone fetch ``/healthz`` and ``GET /api/v1/me``
(with a bearer token) in turn: the baseline. Then the same readers run while 10
other threads sign in over and over through the HTML form (GET /login for the
CSRF token, then POST /login), each as its own demo account and from its own
loopback address, so the per-address sign-in limit sees ten machines. Every
request opens a new connection, as gunicorn's sync workers close it anyway.
Only the standard library is used.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import math
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from benchmarks import _http, _serve

DEMO_PASSWORD = "mentor-demo-2026-harbour"
SIGN_IN_CLIENTS = 10
READ_CLIENTS = 20
READ_PATHS = ("/healthz", "/api/v1/me")
REQUEST_TIMEOUT = 30.0  # gunicorn kills a worker after 30 s anyway


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Log:
    """Thread-safe record of (kind, status, seconds); status is an int or an error name."""

    entries: list[tuple[str, int | str, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, status: int | str, seconds: float) -> None:
        with self.lock:
            self.entries.append((kind, status, seconds))

    def latencies_ms(self, kinds: tuple[str, ...], status: int | None = None) -> list[float]:
        return [s * 1000 for k, st, s in self.entries
                if k in kinds and (status is None or st == status)]

    def statuses(self, kinds: tuple[str, ...]) -> Counter[int | str]:
        return Counter(st for k, st, _ in self.entries if k in kinds)


def timed(log: Log, kind: str, base_url: str, method: str, path: str,
          **kwargs: object) -> _http.Response | None:
    start = time.perf_counter()
    try:
        answer = _http.request(base_url, method, path, timeout=REQUEST_TIMEOUT, **kwargs)  # type: ignore[arg-type]
    except (OSError, http.client.HTTPException) as exc:
        log.add(kind, type(exc).__name__, time.perf_counter() - start)
        return None
    log.add(kind, answer.status, time.perf_counter() - start)
    return answer


def reader(log: Log, stop: threading.Event, base_url: str, token: str, offset: int) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    turn = offset
    while not stop.is_set():
        path = READ_PATHS[turn % len(READ_PATHS)]
        timed(log, f"GET {path}", base_url, "GET", path,
              headers=auth if path.startswith("/api/") else {})
        turn += 1


def signer(log: Log, stop: threading.Event, base_url: str, email: str, source: str) -> None:
    """Sign in again and again; one sign-in is the GET of the form plus its POST."""
    while not stop.is_set():
        start = time.perf_counter()
        page = timed(log, "GET /login", base_url, "GET", "/login", source=source)
        if page is None or page.status != 200:
            time.sleep(0.05)
            continue
        jar = _http.merge_cookies({}, page.set_cookies())
        try:
            csrf = _http.form_csrf_token(page.body.decode("utf-8", "replace"))
        except ValueError:
            log.add("POST /login", "no csrf field", 0.0)
            continue
        form = urlencode({"csrf_token": csrf, "email": email, "password": DEMO_PASSWORD})
        answer = timed(log, "POST /login", base_url, "POST", "/login", source=source,
                       body=form.encode(), headers={
                           "Content-Type": "application/x-www-form-urlencoded",
                           "Cookie": _http.cookie_header(jar)})
        if answer is not None and answer.status == 302:
            log.add("sign-in (GET+POST)", 302, time.perf_counter() - start)
        elif answer is not None and answer.status in (429, 503):
            time.sleep(0.05)  # a client would at least not hammer a refusal


def run_phase(base_url: str, seconds: float, token: str, emails: list[str]) -> tuple[Log, float]:
    log, stop = Log(), threading.Event()
    threads = [threading.Thread(target=reader, args=(log, stop, base_url, token, i), daemon=True)
               for i in range(READ_CLIENTS)]
    threads += [threading.Thread(target=signer, daemon=True,
                                 args=(log, stop, base_url, email, f"127.0.0.{11 + i}"))
                for i, email in enumerate(emails)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    try:
        time.sleep(seconds)
    finally:
        stop.set()
        for thread in threads:
            thread.join(REQUEST_TIMEOUT + 5)
    return log, time.perf_counter() - start


def fmt_ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.0f}"


def fmt_statuses(counts: Counter[int | str]) -> str:
    return ", ".join(f"{status}: {n}" for status, n in
                     sorted(counts.items(), key=lambda item: str(item[0]))) or "-"


def report(baseline: tuple[Log, float], storm: tuple[Log, float]) -> int:
    """Print the tables; the number of failed (non-2xx/3xx) reads and sign-ins in the storm."""
    (calm, calm_s), (busy, busy_s) = baseline, storm
    print(f"\n{'':34} {'reads alone':>14} {'during storm':>14} {'ratio':>8}")
    reads = tuple(f"GET {p}" for p in READ_PATHS)
    rows = [("read req/s (all answers)", len(calm.latencies_ms(reads)) / calm_s,
             len(busy.latencies_ms(reads)) / busy_s)]
    for kind in (*reads, reads):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        name = "reads" if isinstance(kind, tuple) else kind
        for q in (50, 99):
            rows.append((f"{name} p{q} ms", percentile(calm.latencies_ms(kinds), q),
                         percentile(busy.latencies_ms(kinds), q)))
    for label, before, during in rows:
        ratio = during / before if before and not math.isnan(before) else math.nan
        print(f"{label:34} {fmt_ms(before) if 'ms' in label else f'{before:.0f}':>14} "
              f"{fmt_ms(during) if 'ms' in label else f'{during:.0f}':>14} "
              f"{'-' if math.isnan(ratio) else f'{ratio:.2f}x':>8}")
    done = busy.latencies_ms(("sign-in (GET+POST)",))
    print(f"\nSign-ins: {len(done)} in {busy_s:.1f} s = {len(done) / busy_s:.1f} per second "
          f"({SIGN_IN_CLIENTS} clients)")
    for kind in ("POST /login", "sign-in (GET+POST)"):
        values = busy.latencies_ms((kind,), 302)
        print(f"  {kind:22} p50 {fmt_ms(percentile(values, 50)):>6} ms   "
              f"p99 {fmt_ms(percentile(values, 99)):>6} ms   (successful ones)")
    print("\nStatus counts")
    failures = 0
    for name, log in (("reads alone", calm), ("storm", busy)):
        for kind in (*reads, "GET /login", "POST /login"):
            counts = log.statuses((kind,))
            if counts:
                print(f"  {name:12} {kind:18} {fmt_statuses(counts)}")
            if log is busy:
                failures += sum(n for st, n in counts.items()
                                if not isinstance(st, int) or st >= 400)
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.signin", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite",
                        help="postgresql needs the libpq environment, e.g. under pg_virtualenv")
    parser.add_argument("--enrolments", type=int, default=200, metavar="N",
                        help="demo size (default 200)")
    parser.add_argument("--duration", type=float, default=15.0, metavar="S",
                        help="seconds of the storm (default 15); the baseline takes a third")
    parser.add_argument("--threads", type=int, default=1, metavar="N",
                        help="threads per worker (1: sync workers, as make run serves)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (database, server log)")
    args = parser.parse_args(argv)
    _serve.raise_on_sigterm()
    print(f"load average before: {_serve.load_average()}")
    with contextlib.ExitStack() as stack:
        work = stack.enter_context(_serve.workdir(args.keep))
        database = stack.enter_context(_serve.fresh_database(args.db, work))
        env = _serve.app_env(database)
        print(f"seeding {args.enrolments:,} enrolments ({args.db}) ...", flush=True)
        print(_serve.seed_demo(env, args.enrolments), flush=True)
        emails = _serve.demo_emails(env, SIGN_IN_CLIENTS)
        mentee = _serve.demo_logins(env)["mentee"]
        app = stack.enter_context(_serve.gunicorn("app", "wsgi:app", env, work,
                                                  threads=args.threads))
        token = _http.api_token(app.base_url, mentee, DEMO_PASSWORD)
        for path in READ_PATHS:
            answer = _http.request(app.base_url, "GET", path,
                                   headers={"Authorization": f"Bearer {token}"})
            if answer.status != 200:
                raise _serve.SetupError(f"GET {path} answered {answer.status}")
        for i, email in enumerate(emails):  # each account and address can sign in
            _http.sign_in(app.base_url, email, DEMO_PASSWORD, source=f"127.0.0.{11 + i}")
        print(f"baseline: {READ_CLIENTS} readers alone for {args.duration / 3:.0f} s ...",
              flush=True)
        baseline = run_phase(app.base_url, args.duration / 3, token, [])
        print(f"storm: {READ_CLIENTS} readers and {SIGN_IN_CLIENTS} sign-in clients for "
              f"{args.duration:.0f} s ...", flush=True)
        storm = run_phase(app.base_url, args.duration, token, emails)
        if args.keep:
            print(f"server log: {app.log}")
    print(f"load average after: {_serve.load_average()}")
    kind = "sync" if args.threads == 1 else f"gthread, {args.threads} threads"
    print(f"\n{args.db}, {args.enrolments:,} enrolments, gunicorn -w {_serve.WORKERS} {kind}")
    failures = report(baseline, storm)
    print(f"\n{failures} failed request(s) during the storm (status >= 400 or no answer)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
