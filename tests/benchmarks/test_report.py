"""Targets and tables are computed from the figures as documented."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from benchmarks import report
from benchmarks.measure import Meter, peak_bytes, rss_bytes
from benchmarks.report import parse_sizes


def _step(seconds: float, peak: float) -> dict[str, float]:
    return {"seconds": seconds, "peak_mb": peak, "start_mb": 100.0}


def _size(mentees: int, mentors: int, seconds: float, peak: float,
          baseline: dict[str, Any] | None) -> dict[str, Any]:
    steps = {n: _step(seconds / 4, peak) for n in ("fit", "candidates", "assign", "evaluate")}
    engine = {"steps": steps, "round": _step(seconds, peak), "slots": 10,
              "certified": {"k": 120, "seconds": seconds / 2, "round_seconds": seconds / 3, "cpu_seconds": seconds / 2,
                            "peak_mb": peak, "certified": True, "passes": 2, "extra_pairs": 7, "matched": 9},
              "candidates_nnz": 50, "report": {
                  "matched": 9, "coverage": 0.9, "total_score": 99.5, "mean_score": 0.5,
                  "min_score": 0.1, "p10_score": 0.2, "blocking_pairs": 0}}
    size = {"mentees": mentees, "mentors": mentors, "engine": engine, "baseline_need_gb": 28.0}
    if baseline:
        size["baseline"] = baseline
    return size


def _figures() -> dict[str, Any]:
    base = {"steps": {n: _step(10, 900) for n in ("fit", "score", "linear_sum_assignment")},
            "round": _step(30.0, 1500), "total_score": 100.0, "matched": 9,
            "engine_total_dense": 99.95, "engine_forbidden_pairs": 0,
            "engine_over_capacity": 0, "certified_total_dense": 100.0,
            "dense_input": {"seconds": 1.0, "cpu_seconds": 1.0, "lsa_seconds": 8.0, "ratio": 8.0, "total": 100.0,
                            "lsa_total": 100.0, "difference": 0.0, "rounding": 1e-7, "equal": True,
                            "integer_at_least": True}}
    return {"seed": 0, "k": 50, "wall_seconds": 1.0,
            "sizes": [_size(10_000, 2_000, 2.0, 800, base), _size(50_000, 10_000, 40.0, 2000, None)],
            "suggest": {"mentors": 10_000, "queries": 500, "p50_ms": 1, "p95_ms": 12,
                        "p99_ms": 20, "max_ms": 30, "fit_seconds": 1}}


def test_targets_pass_and_fail_on_the_right_figures() -> None:
    verdicts = {t["target"]: t["ok"] for t in report.targets(_figures())}
    assert verdicts["10,000 x 2,000 round <= 3 s"] is True
    assert verdicts[">= 10x faster than baseline"] is True  # 30 s vs 2 s
    assert verdicts["gap to exact optimum < 0.1%"] is True  # 0.05%
    assert verdicts["10,000 x 2,000 peak RSS <= 1 GB"] is True
    assert verdicts["50,000 x 10,000 round <= 30 s"] is False
    assert verdicts["50,000 x 10,000 peak RSS <= 3 GB"] is True
    assert verdicts["suggest p95 <= 10 ms"] is False
    assert verdicts["certified 10,000 x 2,000 round <= 1 s"] is True  # 1 s
    assert verdicts["certified 50,000 x 10,000 round <= 15 s"] is False  # 20 s
    assert verdicts["dense assign >= 10x linear_sum_assignment"] is False  # 8x


def test_render_shows_the_certified_round_and_dense_input() -> None:
    figures = _figures()
    figures["targets"] = report.targets(figures)
    text = report.render(figures)
    assert "certified round (fit -> round, k=120): 1.00 s" in text and "2 solve(s), 7 extra pairs" in text
    assert "vs exact optimum 100.000000 (+0.00e+00)" in text
    assert "linear_sum_assignment 8.00 s on the same matrix: 8.0x" in text and "equal; integer total >=" in text


def test_render_says_when_the_baseline_does_not_fit() -> None:
    figures = _figures()
    figures["targets"] = report.targets(figures)
    text = report.render(figures)
    assert "baseline: does not fit (would need 28.0 GB)" in text
    assert "FAIL  suggest p95 <= 10 ms" in text and "PASS  10,000 x 2,000 round <= 3 s" in text


def test_render_shows_the_gap_for_other_candidate_counts() -> None:
    figures = _figures()
    figures["sizes"][0]["baseline"]["k_sweep"] = [
        {"k": 5, "pairs": 60, "assign_seconds": 0.01, "total_score": 99.0},
        {"k": 20, "pairs": 200, "assign_seconds": 0.02, "total_score": 100.0}]
    figures["targets"] = report.targets(figures)
    text = report.render(figures)
    assert "k=5 1.0000% (60 pairs, assign 0.01 s); k=20 0.0000% (200 pairs" in text


def test_parse_sizes() -> None:
    assert parse_sizes("10000x2000, 50000X10000") == [(10_000, 2_000), (50_000, 10_000)]
    with pytest.raises(argparse.ArgumentTypeError):
        parse_sizes("10000by2000")


def test_meter_records_time_and_memory() -> None:
    meter = Meter("t")
    with meter.step("allocate"):
        block = bytearray(64 * 1024 * 1024)
    del block
    step = meter.steps["allocate"]
    assert step["seconds"] >= 0 and step["peak_mb"] >= step["start_mb"]
    assert rss_bytes() > 0 and peak_bytes() > 0


def test_first_round_ratio_adds_each_sides_set_up() -> None:
    figures = _figures()
    small = figures["sizes"][0]
    small["engine"]["steps"]["set-up"] = _step(1.0, 100)
    small["baseline"]["steps"]["set-up"] = _step(2.0, 100)
    assert report.speedup(small) == pytest.approx(15.0)  # 30 s / 2 s: set-up is not the round
    assert report.speedup_first_round(small) == pytest.approx(32.0 / 3.0)
    figures["targets"] = report.targets(figures)
    assert "10.7x for a process's first round, set-up included" in report.render(figures)


def test_render_shows_candidates_for_empty_profiles() -> None:
    figures = _figures()
    figures["sparse_profiles"] = {"mentees": 10_000, "mentors": 2_000, "variants": {
        "as generated": {"seconds": 0.5, "pairs": 102_000}, "nothing at all": {"seconds": 0.45, "pairs": 119_900}}}
    figures["targets"] = report.targets(figures)
    assert ("candidates(k=50), 10,000 mentees x 2,000 mentors, by what the mentees filled in: as generated 0.50 s "
            "(102,000 pairs); nothing at all 0.45 s (119,900 pairs)") in report.render(figures)
