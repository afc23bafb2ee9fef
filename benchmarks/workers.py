"""Measurements that each run in a fresh process: ``python -m benchmarks.workers TASK ARGS``.

A fresh interpreter per measurement keeps peak memory honest (nothing left over
from a previous size) and lets the exact baseline run apart from the engine.
Each task prints one JSON object on stdout; progress goes to stderr.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.baseline import baseline_assign, total_score
from benchmarks.cohort import Cohort, make_cohort, with_rich_text
from benchmarks.measure import MB, Meter, progress, rss_bytes
from matching import Matcher, Mentee, Mentor, assign, evaluate, warm_up
from matching.flow import COST_BITS, integer_weights

ROUND = ["fit", "candidates", "assign", "evaluate"]
#: What a process does once before its first round (see matching.warmup): importing
#: scikit-learn and OR-Tools and building the engine's tables. Timed, not part of the round.
SET_UP = "set-up"


def _people(cohort: Cohort) -> tuple[list[Mentor], list[Mentee]]:
    return ([Mentor(**m) for m in cohort.mentors], [Mentee(**m) for m in cohort.mentees])


def _plain(report: dict[str, Any]) -> dict[str, Any]:
    """Make an engine report JSON-safe (numpy scalars and arrays to Python)."""
    def conv(v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): conv(x) for k, x in v.items()}
        if isinstance(v, np.ndarray):
            return v.tolist()
        if isinstance(v, np.generic):
            return v.item()
        if isinstance(v, (list, tuple)):
            return [conv(x) for x in v]
        return v
    return conv(report)


def _cohort(args: dict[str, Any]) -> Cohort:
    cohort = make_cohort(args["mentees"], args["mentors"], seed=args["seed"])
    return with_rich_text(cohort, seed=args["seed"]) if args.get("rich_text") else cohort


def engine(args: dict[str, Any]) -> dict[str, Any]:
    """One whole matching round on candidates, then the equity sweep if asked."""
    label = args["label"]
    cohort = _cohort(args)
    mentors, mentees = _people(cohort)
    capacity, groupings = cohort.capacity, cohort.groupings()
    groups = groupings["first language"]
    meter = Meter(label)
    with meter.step(SET_UP):
        warm_up()
    with meter.step("fit"):
        matcher = Matcher().fit(mentors)
    with meter.step("candidates"):
        cand = matcher.candidates(mentees, k=args["k"])
    with meter.step("assign"):
        result = assign(cand, capacity)
    with meter.step("evaluate"):
        report = evaluate(cand, result, capacity, groups=groups)
    out: dict[str, Any] = {"steps": meter.steps, "round": meter.total(ROUND),
                           "windowed_peak": meter.windowed, "report": _plain(report),
                           "slots": int(capacity.sum()), "candidates_nnz": int(cand.nnz)}
    if args.get("save_assignment"):
        np.save(args["save_assignment"], result)
    if args.get("round_k"):  # the certified round, in the same process after the same fit
        out["certified"] = certified(matcher, mentees, capacity, args["round_k"], meter)
        if args.get("save_certified"):
            np.save(args["save_certified"], out["certified"].pop("assignment"))
        else:
            out["certified"].pop("assignment")
    if args.get("equity"):
        out["equity"] = []
        for equity in args["equity"]:
            progress(f"{label} equity {equity} ...")
            t0 = time.perf_counter()
            fair = assign(cand, capacity, equity=equity)
            seconds = time.perf_counter() - t0
            reps = {name: _plain(evaluate(cand, fair, capacity, groups=labels))
                    for name, labels in groupings.items()}
            rep = reps["first language"]
            out["equity"].append({
                "equity": equity, "seconds": seconds, "total_score": rep["total_score"],
                "coverage": rep["coverage"], "min_score": rep["min_score"],
                "coverage_by_group": {n: r["coverage_by_group"] for n, r in reps.items()}})
    return out


def certified(matcher: Matcher, mentees: list[Mentee], capacity: np.ndarray, k: int,
              meter: Meter) -> dict[str, Any]:
    """``Matcher.round``: the optimum over every allowed pair, certified from ``k`` candidates per mentee."""
    with meter.step("certified round"):
        result = matcher.round(mentees, capacity, k=k)
    step = meter.steps["certified round"]
    fit = meter.steps["fit"]
    return {"k": k, "seconds": fit["seconds"] + step["seconds"], "round_seconds": step["seconds"],
            "cpu_seconds": fit["cpu_seconds"] + step["cpu_seconds"], "peak_mb": max(fit["peak_mb"], step["peak_mb"]),
            "certified": result.certified, "passes": result.passes, "extra_pairs": result.extra_pairs,
            "matched": int((result.assignment >= 0).sum()), "assignment": result.assignment}


def dense_input(scores: np.ndarray, capacity: np.ndarray, exact: np.ndarray, lsa_seconds: float,
                meter: Meter) -> dict[str, Any]:
    """``assign`` on the dense matrix beside ``linear_sum_assignment`` on it, with the totals compared.

    The engine optimises integer weights (``max|score| / 2**COST_BITS`` apart),
    the baseline the float scores: the two optima may differ by at most half
    a unit per mentee; the engine's integer total must be at least the baseline's.
    """
    with meter.step("assign on dense"):
        dense = assign(scores, capacity)
    seconds = meter.steps["assign on dense"]["seconds"]
    engine_total, exact_total = total_score(scores, dense), total_score(scores, exact)
    rounding = len(scores) * float(np.abs(scores[np.isfinite(scores)]).max(initial=0.0)) / 2.0**COST_BITS
    return {"seconds": seconds, "cpu_seconds": meter.steps["assign on dense"]["cpu_seconds"],
            "lsa_seconds": lsa_seconds, "ratio": lsa_seconds / seconds if seconds else None,
            "total": engine_total, "lsa_total": exact_total, "difference": engine_total - exact_total,
            "rounding": rounding, "equal": abs(engine_total - exact_total) <= rounding,
            "integer_at_least": integer_total(scores, capacity, dense) >= integer_total(scores, capacity, exact)}


def integer_total(scores: np.ndarray, capacity: np.ndarray, assignment: np.ndarray) -> int:
    """Total integer weight (as the engine's solver counts it, one unit off per unmatched mentee)."""
    finite = scores[np.isfinite(scores) & (capacity > 0)[None, :]]
    largest = float(np.abs(finite).max(initial=0.0))
    matched = np.flatnonzero(assignment >= 0)
    weights = integer_weights(scores[matched, assignment[matched]], largest)
    return int(weights.sum()) - (len(assignment) - len(matched))


def baseline(args: dict[str, Any]) -> dict[str, Any]:
    """Dense scores and linear_sum_assignment; also scores the engine's assignment densely."""
    cohort = _cohort(args)
    mentors, mentees = _people(cohort)
    capacity = cohort.capacity
    meter = Meter(args["label"] + " baseline")
    with meter.step(SET_UP):
        warm_up()
    with meter.step("fit"):
        matcher = Matcher().fit(mentors)
    with meter.step("score"):
        scores = matcher.score(mentees)
    with meter.step("linear_sum_assignment"):
        exact = baseline_assign(scores, capacity)
    out: dict[str, Any] = {"steps": dict(meter.steps),
                           "round": meter.total(["fit", "score", "linear_sum_assignment"]),
                           "total_score": total_score(scores, exact),
                           "matched": int((exact >= 0).sum())}
    out["dense_input"] = dense_input(scores, capacity, exact, meter.steps["linear_sum_assignment"]["seconds"], meter)
    saved = args.get("certified_assignment")
    if saved and Path(saved).exists():
        out["certified_total_dense"] = total_score(scores, np.load(saved))
    saved = args.get("engine_assignment")
    if saved and Path(saved).exists():
        result = np.load(saved)
        matched = np.flatnonzero(result >= 0)
        pair_scores = scores[matched, result[matched]]
        load = np.bincount(result[matched], minlength=len(capacity))
        finite = pair_scores[np.isfinite(pair_scores)]
        out["engine_total_dense"] = float(finite.sum(dtype=np.float64))
        out["engine_forbidden_pairs"] = int((~np.isfinite(pair_scores)).sum())
        out["engine_over_capacity"] = int((load > capacity).sum())
    if args.get("k_sweep"):  # how the gap and the work grow with the candidates kept per mentee
        out["k_sweep"] = []
        for k in args["k_sweep"]:
            progress(f"{args['label']} gap with k={k} ...")
            cand = matcher.candidates(mentees, k=k)
            t0 = time.perf_counter()
            result = assign(cand, capacity)
            seconds = time.perf_counter() - t0
            out["k_sweep"].append({"k": k, "pairs": int(cand.nnz), "assign_seconds": seconds,
                                   "total_score": total_score(scores, result)})
    out["steps"] = meter.steps
    return out


def suggest(args: dict[str, Any]) -> dict[str, Any]:
    """Latency of one ``suggest`` call among ``mentors`` fitted mentors."""
    cohort = _cohort({**args, "mentees": args["queries"], "seed": args["seed"] + 1})
    mentors, mentees = _people(cohort)
    warm_up()  # as a running service has done; the rounds time it, this measures queries
    t0 = time.perf_counter()
    matcher = Matcher().fit(mentors)
    fit_seconds = time.perf_counter() - t0
    for mentee in mentees[:10]:  # warm caches and lazy set-up before timing
        matcher.suggest(mentee, k=5)
    wall, cpu = np.empty(len(mentees)), np.empty(len(mentees))
    progress(f"suggest: timing {len(mentees)} queries among {len(mentors)} mentors ...")
    for i, mentee in enumerate(mentees):
        t, c = time.perf_counter(), time.process_time()
        matcher.suggest(mentee, k=5)
        wall[i], cpu[i] = time.perf_counter() - t, time.process_time() - c
    ms, cpu_ms = wall * 1000, cpu * 1000
    return {"fit_seconds": fit_seconds, "queries": len(mentees), "mentors": len(mentors),
            "p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)),
            "p99_ms": float(np.percentile(ms, 99)), "max_ms": float(ms.max()),
            "cpu_p50_ms": float(np.percentile(cpu_ms, 50)),
            "cpu_p95_ms": float(np.percentile(cpu_ms, 95)), "rss_mb": rss_bytes() / MB}


def sparse_profiles(args: dict[str, Any]) -> dict[str, Any]:
    """``candidates`` for mentees who left most of their profile empty: their scores tie in bulk.

    Each variant replaces the generated mentees by the same people with less
    said: nothing at all, or only their languages. The cohort's own mentees
    are timed too, for comparison in the same process.
    """
    cohort = _cohort(args)
    mentors, mentees = _people(cohort)
    warm_up()
    matcher = Matcher().fit(mentors)
    variants = {
        "as generated": mentees,
        "only languages": [Mentee(id=e.id, languages=e.languages) for e in mentees],
        "nothing at all": [Mentee(id=e.id) for e in mentees],
    }
    out = {}
    for name, people in variants.items():
        progress(f"candidates for mentees with {name} ...")
        t0 = time.perf_counter()
        cand = matcher.candidates(people, k=args["k"])
        out[name] = {"seconds": time.perf_counter() - t0, "pairs": int(cand.nnz)}
    return {"mentees": len(mentees), "mentors": len(mentors), "variants": out}


TASKS = {"engine": engine, "baseline": baseline, "suggest": suggest, "sparse_profiles": sparse_profiles}


def main(argv: list[str] | None = None) -> None:
    task, raw = (argv if argv is not None else sys.argv[1:])[:2]
    out = TASKS[task](json.loads(raw))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
