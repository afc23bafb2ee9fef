"""Matching-round benchmark: ``python -m benchmarks.matching [--quick] [--json PATH]``.

Answers the questions a program lead or an operator asks before trusting the
engine with a company-wide round: how long a round takes and how much memory it
needs at realistic sizes, how far its total score is from the exact optimum,
how much faster it is than the obvious exact method (dense scores +
``linear_sum_assignment``), whether mentees with empty profiles slow it down,
what a single suggestion costs, what equity costs, what the certified round
(the optimum over every allowed pair) costs beside the candidate round, how
much faster ``assign`` is than ``linear_sum_assignment`` on the same dense matrix,
and how well the text scorer ranks the right mentor on real labelled text.
Each measurement runs in a fresh subprocess (see ``benchmarks.workers``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import report, texteval
from benchmarks.baseline import baseline_bytes
from benchmarks.cohort import CAPACITY_WEIGHTS
from benchmarks.measure import progress
from benchmarks.report import parse_sizes

GB = 1024**3
#: Other candidate counts whose gap to the optimum is shown next to the measured round.
K_SWEEP = (5, 10, 20, 50)
#: Candidates per mentee of the certified round (Matcher.round's default): reading the rows
#: they leave in doubt is cheap, and 120 cost more than they save (50,000 x 10,000: +15 % CPU).
ROUND_K = 50
MEAN_CAPACITY = sum((i + 1) * w for i, w in enumerate(CAPACITY_WEIGHTS))


def engine_version() -> str:
    """The commit measured, and whether ``matching/`` had uncommitted edits then."""
    def git(*cmd: str) -> str:
        proc = subprocess.run(["git", *cmd], capture_output=True, text=True, check=False,
                              cwd=Path(__file__).resolve().parent.parent)
        return proc.stdout.strip() if proc.returncode == 0 else ""
    head = git("rev-parse", "--short", "HEAD") or "unknown commit"
    dirty = git("status", "--porcelain", "--", "matching")
    return head + (" with uncommitted changes in matching/" if dirty else "")


def run_worker(task: str, args: dict[str, Any]) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return its JSON result."""
    proc = subprocess.run([sys.executable, "-m", "benchmarks.workers", task, json.dumps(args)],
                          stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"worker {task} {args.get('label', '')} failed ({proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_size(mentees: int, mentors: int, opts: argparse.Namespace, tmp: Path,
               equity: bool) -> dict[str, Any]:
    label = f"{mentees}x{mentors}"
    saved = tmp / f"assignment-{label}.npy"
    args = {"mentees": mentees, "mentors": mentors, "seed": opts.seed, "k": opts.k,
            "label": label, "save_assignment": str(saved), "rich_text": opts.rich_text,
            "equity": [0.0, 0.5, 1.0] if equity else None, "round_k": opts.round_k,
            "save_certified": str(tmp / f"certified-{label}.npy")}
    result: dict[str, Any] = {"mentees": mentees, "mentors": mentors,
                              "engine": run_worker("engine", args)}
    slots = result["engine"]["slots"]
    need = baseline_bytes(mentees, mentors, slots)
    result["baseline_need_gb"] = need / GB
    if need <= opts.baseline_budget_gb * GB:
        result["baseline"] = run_worker("baseline", {
            "mentees": mentees, "mentors": mentors, "seed": opts.seed, "label": label,
            "rich_text": opts.rich_text, "engine_assignment": str(saved),
            "certified_assignment": args["save_certified"],
            "k_sweep": [k for k in K_SWEEP if k != opts.k] if equity else None})
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default=None,
                        help="MENTEESxMENTORS list (default 10000x2000,50000x10000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true",
                        help="only 10000x2000 and 200 suggest queries (about a minute)")
    parser.add_argument("--k", type=int, default=10, help="candidates kept per mentee (default 10)")
    parser.add_argument("--round-k", type=int, default=ROUND_K,
                        help=f"candidates per mentee of the certified round (default {ROUND_K})")
    parser.add_argument("--suggest-mentors", type=int, default=10_000)
    parser.add_argument("--suggest-queries", type=int, default=None)
    parser.add_argument("--baseline-budget-gb", type=float, default=4.0,
                        help="skip the dense baseline when it would need more (default 4)")
    parser.add_argument("--rich-text", action="store_true",
                        help="lengthen every profile with words from a 60,000-word vocabulary "
                             "(see benchmarks.cohort.with_rich_text)")
    parser.add_argument("--no-texteval", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="also write all figures here")
    opts = parser.parse_args(argv)
    sizes = opts.sizes or parse_sizes("10000x2000" if opts.quick else "10000x2000,50000x10000")
    queries = opts.suggest_queries or (200 if opts.quick else 500)

    started = time.perf_counter()
    figures: dict[str, Any] = {"seed": opts.seed, "k": opts.k, "sizes": [], "rich_text": opts.rich_text,
                               "cpus": os.cpu_count(), "load_before": os.getloadavg()[0],
                               "engine": engine_version()}
    with tempfile.TemporaryDirectory() as tmp:
        for mentees, mentors in sizes:
            progress(f"== {mentees} mentees x {mentors} mentors")
            equity = (mentees, mentors) == (10_000, 2_000) or len(sizes) == 1
            figures["sizes"].append(bench_size(mentees, mentors, opts, Path(tmp), equity))
    progress("== mentees with empty profiles")
    figures["sparse_profiles"] = run_worker("sparse_profiles", {
        "mentees": 10_000, "mentors": 2_000, "seed": opts.seed, "k": opts.k, "rich_text": opts.rich_text})
    progress("== suggest latency")
    figures["suggest"] = run_worker("suggest", {"mentors": opts.suggest_mentors, "queries": queries,
                                                "seed": opts.seed, "rich_text": opts.rich_text})
    if not opts.no_texteval:
        progress("== text relevance")
        figures["texteval"] = texteval.run()
    figures["targets"] = report.targets(figures)
    figures["wall_seconds"] = time.perf_counter() - started
    figures["load_after"] = os.getloadavg()[0]

    print(report.render(figures))
    if opts.json:
        opts.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if all(t["ok"] for t in figures["targets"] if t["ok"] is not None) else 1


if __name__ == "__main__":
    sys.exit(main())
