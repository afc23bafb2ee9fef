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
    out: dict[str, Any] = {"steps": meter.steps,
                           "round": meter.total(["fit", "score", "linear_sum_assignment"]),
                           "total_score": total_score(scores, exact),
                           "matched": int((exact >= 0).sum())}
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
    if args.get("dense_engine"):  # slow: the engine's exact solver on every allowed pair
        with meter.step("engine assign on dense"):
            dense = assign(scores, capacity)
        out["engine_dense_total"] = total_score(scores, dense)
        out["engine_dense_seconds"] = meter.steps["engine assign on dense"]["seconds"]
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
