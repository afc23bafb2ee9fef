"""Turning the benchmark figures into the printed tables and PASS/FAIL targets."""

from __future__ import annotations

import argparse
from typing import Any

from benchmarks import evalset

GB_MB = 1024.0


def parse_sizes(text: str) -> list[tuple[int, int]]:
    """``"10000x2000,50000x10000"`` -> ``[(10000, 2000), (50000, 10000)]``."""
    sizes = []
    for part in text.split(","):
        mentees, _, mentors = part.strip().lower().partition("x")
        if not mentees.isdigit() or not mentors.isdigit():
            raise argparse.ArgumentTypeError(f"size {part!r} is not MENTEESxMENTORS")
        sizes.append((int(mentees), int(mentors)))
    return sizes


def _find(figures: dict[str, Any], mentees: int, mentors: int) -> dict[str, Any] | None:
    for size in figures["sizes"]:
        if (size["mentees"], size["mentors"]) == (mentees, mentors):
            return size
    return None


def engine_total(size: dict[str, Any]) -> float:
    """The engine's total score, re-scored on the dense matrix when the baseline ran."""
    base = size.get("baseline") or {}
    return base.get("engine_total_dense", size["engine"]["report"]["total_score"])


def gap(size: dict[str, Any]) -> float | None:
    """Relative shortfall of the engine against the exact optimum (None if unknown)."""
    base = size.get("baseline")
    if not base or base["total_score"] <= 0:
        return None
    return (base["total_score"] - engine_total(size)) / base["total_score"]


def speedup(size: dict[str, Any]) -> float | None:
    base = size.get("baseline")
    return base["round"]["seconds"] / size["engine"]["round"]["seconds"] if base else None


def _first_round(side: dict[str, Any]) -> float:
    """A round in a fresh process: the once-per-process set-up (when measured) and the round."""
    return side["round"]["seconds"] + side["steps"].get("set-up", {}).get("seconds", 0.0)


def speedup_first_round(size: dict[str, Any]) -> float | None:
    """The ratio for a round that is its process's first: both sides pay their set-up."""
    base = size.get("baseline")
    return _first_round(base) / _first_round(size["engine"]) if base else None


def speedup_after_fit(size: dict[str, Any]) -> float | None:
    """The same ratio without the ``fit`` step, which both sides share."""
    base = size.get("baseline")
    if not base:
        return None
    engine = size["engine"]["round"]["seconds"] - size["engine"]["steps"]["fit"]["seconds"]
    return (base["round"]["seconds"] - base["steps"]["fit"]["seconds"]) / engine


def targets(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with its measured value; ok is None when the size was not run."""
    out: list[dict[str, Any]] = []

    def add(name: str, value: float | None, ok: bool | None, shown: str) -> None:
        out.append({"target": name, "value": value, "ok": ok, "shown": shown})

    small, large = _find(figures, 10_000, 2_000), _find(figures, 50_000, 10_000)
    if small:
        sec, peak = small["engine"]["round"]["seconds"], small["engine"]["round"]["peak_mb"]
        add("10,000 x 2,000 round <= 3 s", sec, sec <= 3, f"{sec:.2f} s")
        sp = speedup(small)
        add(">= 10x faster than baseline", sp, None if sp is None else sp >= 10,
            "baseline not run" if sp is None else f"{sp:.1f}x")
        g = gap(small)
        add("gap to exact optimum < 0.1%", g, None if g is None else g < 0.001,
            "exact not computed" if g is None else f"{100 * g:.4f}%")
        add("10,000 x 2,000 peak RSS <= 1 GB", peak, peak <= GB_MB, f"{peak:,.0f} MB")
    if small and small["engine"].get("certified"):
        cert = small["engine"]["certified"]
        add("certified 10,000 x 2,000 round <= 1 s", cert["seconds"], cert["seconds"] <= 1 and cert["certified"],
            f"{cert['seconds']:.2f} s")
    if small and (small.get("baseline") or {}).get("dense_input"):
        d = small["baseline"]["dense_input"]
        add("dense assign >= 10x linear_sum_assignment", d["ratio"], d["ratio"] >= 10 and d["equal"],
            f"{d['ratio']:.1f}x, totals {'equal' if d['equal'] else 'differ'}")
    if large:
        sec, peak = large["engine"]["round"]["seconds"], large["engine"]["round"]["peak_mb"]
        add("50,000 x 10,000 round <= 30 s", sec, sec <= 30, f"{sec:.2f} s")
        add("50,000 x 10,000 peak RSS <= 3 GB", peak, peak <= 3 * GB_MB, f"{peak:,.0f} MB")
        if large["engine"].get("certified"):
            cert = large["engine"]["certified"]
            add("certified 50,000 x 10,000 round <= 15 s", cert["seconds"],
                cert["seconds"] <= 15 and cert["certified"], f"{cert['seconds']:.2f} s")
    p95 = figures["suggest"]["p95_ms"]
    add("suggest p95 <= 10 ms", p95, p95 <= 10, f"{p95:.2f} ms")
    return out


def _size_table(size: dict[str, Any]) -> list[str]:
    eng, rep = size["engine"], size["engine"]["report"]
    lines = [f"{size['mentees']:,} mentees x {size['mentors']:,} mentors "
             f"({eng['slots']:,} mentor slots; {eng['candidates_nnz']:,} candidate pairs kept)",
             f"  {'step':<20}{'time':>10}{'CPU time':>10}{'peak RSS':>12}{'RSS before':>12}"]
    for name, s in [*eng["steps"].items(), ("whole round", eng["round"])]:
        lines.append(f"  {name:<20}{s['seconds']:>8.2f} s{s.get('cpu_seconds', 0):>8.2f} s"
                     f"{s['peak_mb']:>9,.0f} MB{s['start_mb']:>9,.0f} MB")
    base = size.get("baseline")
    if base:
        r = base["round"]
        lines.append(f"  {'baseline':<20}{r['seconds']:>8.2f} s{r.get('cpu_seconds', 0):>8.2f} s"
                     f"{r['peak_mb']:>9,.0f} MB"
                     f"   (fit {base['steps']['fit']['seconds']:.2f} s + dense score "
                     f"{base['steps']['score']['seconds']:.2f} s + linear_sum_assignment "
                     f"{base['steps']['linear_sum_assignment']['seconds']:.2f} s)")
        lines.append(f"  speed-up of the engine round over the baseline: {speedup(size):.1f}x "
                     f"({speedup_after_fit(size):.1f}x leaving out the fit both share; "
                     f"{speedup_first_round(size):.1f}x for a process's first round, set-up included)")
    else:
        lines.append(f"  baseline: does not fit (would need {size['baseline_need_gb']:.1f} GB)")
    lines.append(f"  matched {rep['matched']:,}/{size['mentees']:,} (coverage "
                 f"{100 * rep['coverage']:.1f}%), total score {rep['total_score']:,.1f}, "
                 f"mean {rep['mean_score']:.3f}, min {rep['min_score']:.3f}, "
                 f"p10 {rep['p10_score']:.3f}, blocking pairs {rep['blocking_pairs']}")
    g = gap(size)
    lines += _certified_lines(size)
    if base:
        lines.append(f"  exact optimum {base['total_score']:,.1f} ({base['matched']:,} matched); "
                     f"engine {engine_total(size):,.1f}; gap {100 * g:.4f}%")
        lines += _dense_lines(base)
        lines.append(f"  engine pairs breaking hard constraints: {base['engine_forbidden_pairs']}"
                     f" forbidden, {base['engine_over_capacity']} mentors over capacity")
        if base.get("k_sweep") and base["total_score"] > 0:
            lines.append("  gap with other candidate counts: " + "; ".join(
                f"k={row['k']} {100 * (base['total_score'] - row['total_score']) / base['total_score']:.4f}%"
                f" ({row['pairs']:,} pairs, assign {row['assign_seconds']:.2f} s)" for row in base["k_sweep"]))
    else:
        lines.append("  exact optimum: not computed at this size")
    return lines


def _certified_lines(size: dict[str, Any]) -> list[str]:
    """The certified round (Matcher.round) beside the candidate round."""
    cert = size["engine"].get("certified")
    if not cert:
        return []
    base = size.get("baseline") or {}
    exact = ""
    if "certified_total_dense" in base:
        diff = base["certified_total_dense"] - base["total_score"]
        exact = (f"; total {base['certified_total_dense']:,.6f} vs exact optimum "
                 f"{base['total_score']:,.6f} ({diff:+.2e})")
    return [f"  certified round (fit -> round, k={cert['k']}): {cert['seconds']:.2f} s "
            f"(CPU {cert['cpu_seconds']:.2f} s, round {cert['round_seconds']:.2f} s), {cert['peak_mb']:,.0f} MB peak; "
            f"certified {cert['certified']}, {cert['passes']} solve(s), {cert['extra_pairs']:,} extra pairs, "
            f"{cert['matched']:,} matched{exact}"]


def _dense_lines(base: dict[str, Any]) -> list[str]:
    """assign on the dense matrix against linear_sum_assignment on the same matrix, same process."""
    d = base.get("dense_input")
    if not d:
        return []
    return [f"  dense input: assign {d['seconds']:.2f} s (CPU {d['cpu_seconds']:.2f} s) vs "
            f"linear_sum_assignment {d['lsa_seconds']:.2f} s on the same matrix: {d['ratio']:.1f}x; totals "
            f"{d['total']:,.6f} vs {d['lsa_total']:,.6f} ({d['difference']:+.2e}, rounding bound "
            f"{d['rounding']:.1e}: {'equal' if d['equal'] else 'NOT EQUAL'}; integer total "
            f"{'>=' if d['integer_at_least'] else '<'} the baseline's)"]


def _equity_table(size: dict[str, Any]) -> list[str]:
    rows = size["engine"]["equity"]
    base = rows[0]["total_score"]
    lines = [f"Equity trade-off at {size['mentees']:,} x {size['mentors']:,}: "
             "coverage per mentee group, total score and its cost against equity 0",
             f"  {'equity':<8}{'overall':>9}{'total score':>13}{'cost':>8}{'min score':>11}"
             f"{'assign':>9}"]
    for row in rows:
        cost = (base - row["total_score"]) / base if base else 0.0
        lines.append(f"  {row['equity']:<8}{100 * row['coverage']:>8.1f}%"
                     f"{row['total_score']:>13,.1f}{100 * cost:>7.2f}%{row['min_score']:>11.3f}"
                     f"{row['seconds']:>7.2f} s")
    for grouping in rows[0]["coverage_by_group"]:
        groups = sorted(rows[0]["coverage_by_group"][grouping])
        lines.append(f"  by {grouping}: " + ", ".join(
            f"{g} ({_count(rows[0]['coverage_by_group'][grouping][g])})" for g in groups))
        for row in rows:
            cov = row["coverage_by_group"][grouping]
            lines.append(f"    equity {row['equity']:<4}" + "".join(
                f"{100 * _cov(cov[g]):>10.1f}%" for g in groups))
    return lines


def _count(value: Any) -> str:
    return f"{value['mentees']:,}" if isinstance(value, dict) and "mentees" in value else "?"


def _cov(value: Any) -> float:
    """A group's coverage, whether reported as a number or as a dict with ``coverage``."""
    return float(value["coverage"] if isinstance(value, dict) else value)


def render(figures: dict[str, Any]) -> str:
    """Everything ``python -m benchmarks.matching`` prints, in reading order."""
    lines = [f"Matching benchmark of {figures.get('engine', 'the engine')} "
             f"(seed {figures['seed']}, candidates k={figures['k']}"
             f"{', rich free text' if figures.get('rich_text') else ''}).",
             "Peak RSS: resident-set high-water mark (VmHWM) of a fresh process per size,"
             " reset before each step;", "it includes the interpreter, libraries and the "
             "generated cohort ('RSS before').", ""]
    for size in figures["sizes"]:
        lines += _size_table(size) + [""]
        if "equity" in size["engine"]:
            lines += _equity_table(size) + [""]
    if "sparse_profiles" in figures:
        sp_ = figures["sparse_profiles"]
        lines += [f"candidates(k={figures['k']}), {sp_['mentees']:,} mentees x {sp_['mentors']:,} mentors, "
                  "by what the mentees filled in: " + "; ".join(
                      f"{name} {v['seconds']:.2f} s ({v['pairs']:,} pairs)" for name, v in sp_["variants"].items()),
                  ""]
    s = figures["suggest"]
    lines += [f"suggest(k=5) among {s['mentors']:,} fitted mentors, {s['queries']} queries: "
              f"p50 {s['p50_ms']:.2f} ms, p95 {s['p95_ms']:.2f} ms, p99 {s['p99_ms']:.2f} ms, "
              f"max {s['max_ms']:.2f} ms; CPU time p50 {s.get('cpu_p50_ms', 0):.2f} ms, "
              f"p95 {s.get('cpu_p95_ms', 0):.2f} ms (fit {s['fit_seconds']:.2f} s)", ""]
    if "texteval" in figures:
        lines += [evalset.render(figures["texteval"]), ""]
    lines.append("Targets")
    for t in figures["targets"]:
        verdict = {True: "PASS", False: "FAIL", None: "SKIP"}[t["ok"]]
        lines.append(f"  {verdict}  {t['target']:<36} {t['shown']}")
    lines.append(f"(benchmark wall time {figures['wall_seconds']:.0f} s on {figures.get('cpus')} "
                 f"CPUs; 1-minute load average {figures.get('load_before', 0):.1f} before, "
                 f"{figures.get('load_after', 0):.1f} after: other work on the machine slows "
                 "every timing)")
    return "\n".join(lines)
