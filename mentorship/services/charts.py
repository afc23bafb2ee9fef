"""Charts drawn on the server as SVG: no script, no CDN, readable by screen readers.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by a
``<desc>``, and carries the same figures as table rows, which the page shows beside it.
Every label is escaped here; the SVG is then safe to put in a page as it is.
``report_charts`` draws the dashboard's three charts from its figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from mentorship.services import reports
from mentorship.services.reports import Report

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 44
COLOURS = ("#1f5f8b", "#b35900")
DASHES = ("", "6 4")  # the second series is dashed: colour is never the only cue


@dataclass
class Chart:
    """An SVG chart and the table of the same figures."""

    id: str
    title: str
    description: str
    columns: list[str]
    rows: list[list[str]]
    svg: Markup = field(default_factory=Markup)


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _scale_top(values: Sequence[float]) -> float:
    """The axis top: the smallest 4 x (1, 2 or 5) x 10^n at or above the largest value."""
    top = max(values, default=0)
    if top <= 0:
        return 1
    candidates = []
    for step in (1, 2, 5):
        magnitude = 1
        while magnitude * step * 4 < top:
            magnitude *= 10
        candidates.append(magnitude * step * 4)
    return min(candidates)


def _frame(chart_id: str, title: str, description: str, top: float, body: list[str],
           labels: Sequence[str], xs: Sequence[float]) -> Markup:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
             f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
             '<g class="chart-axes" font-size="11" fill="#4a5563">']
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#d5dbe3" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                     f'{escape(_number(value))}</text>')
    # Label every n-th slot so the labels never overlap (about 6.5 px per character).
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    every = max(1, math.ceil((max((len(label) for label in labels), default=0) * 6.5 + 8) / slot))
    for i, (label, x) in enumerate(zip(labels, xs, strict=True)):
        if i % every == 0:
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                         f'{escape(label)}</text>')
    parts.append("</g>")
    parts.extend(body)
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(chart_id: str, title: str, description: str, labels: Sequence[str],
              values: Sequence[int], *, label_column: str, value_column: str) -> Chart:
    """Vertical bars, one per label, each with its value written above it."""
    top = _scale_top(values)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(values), 1)
    xs = [LEFT + slot * (i + 0.5) for i in range(len(values))]
    body = ['<g class="chart-bars" fill="#1f5f8b" font-size="11">']
    for x, label, value in zip(xs, labels, values, strict=True):
        height = plot_h * value / top
        y = TOP + plot_h - height
        body.append(f'<rect x="{x - slot * 0.35:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" '
                    f'height="{height:.1f}"><title>{escape(label)}: {value}</title></rect>')
        body.append(f'<text x="{x:.1f}" y="{y - 3:.1f}" text-anchor="middle" fill="#1c2430">'
                    f'{value}</text>')
    body.append("</g>")
    return Chart(chart_id, title, description, [label_column, value_column],
                 [[label, str(value)] for label, value in zip(labels, values, strict=True)],
                 _frame(chart_id, title, description, top, body, labels, xs))


def line_chart(chart_id: str, title: str, description: str, labels: Sequence[str],
               series: Sequence[tuple[str, Sequence[float | None]]], *, top: float,
               label_column: str, missing: str) -> Chart:
    """Lines over ``labels``; a None value is a gap (and reads ``missing`` in the table)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    xs = [LEFT + slot * (i + 0.5) for i in range(len(labels))]
    body = []
    for n, (name, values) in enumerate(series):
        colour, dash = COLOURS[n % 2], DASHES[n % 2]
        body.append(f'<g class="chart-series chart-series-{n}" stroke="{colour}" '
                    f'fill="{colour}" stroke-width="2">')
        run: list[str] = []
        points = [(x, v) for x, v in zip(xs, values, strict=True)]
        for x, value in [*points, (0.0, None)]:
            if value is None:
                if len(run) > 1:
                    body.append(f'<polyline fill="none" points="{" ".join(run)}"'
                                + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
                run = []
                continue
            y = TOP + plot_h - plot_h * value / top
            run.append(f"{x:.1f},{y:.1f}")
            marker = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5">' if n % 2 == 0 else
                      f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7">')
            body.append(marker + f"<title>{escape(name)}: {escape(_number(value))}</title>"
                        + ("</circle>" if n % 2 == 0 else "</rect>"))
        body.append("</g>")
    legend_y = HEIGHT - 8
    x = float(LEFT)
    for n, (name, _values) in enumerate(series):
        x += 0 if n == 0 else len(series[n - 1][0]) * 6 + 50  # after the previous entry
        body.append(f'<g font-size="11" fill="#1c2430"><line x1="{x}" x2="{x + 24}" '
                    f'y1="{legend_y - 4}" y2="{legend_y - 4}" stroke="{COLOURS[n % 2]}" '
                    f'stroke-width="2"' + (f' stroke-dasharray="{DASHES[n % 2]}"'
                                           if DASHES[n % 2] else "")
                    + f'/><text x="{x + 30}" y="{legend_y}">{escape(name)}</text></g>')
    rows = [[label, *(missing if values[i] is None else _number(values[i] or 0)
                      for _name, values in series)] for i, label in enumerate(labels)]
    return Chart(chart_id, title, description, [label_column, *(name for name, _ in series)],
                 rows, _frame(chart_id, title, description, top, body, labels, xs))


def report_charts(report: Report) -> dict[str, Chart]:
    """The three figures a person would rather look at: sessions, mentor load, ratings."""
    weeks = [start.strftime("%-d %b") for start, _n in report.weeks]
    sessions = bar_chart(
        "sessions-chart", "Sessions per week",
        f"Completed sessions in each of the last {reports.WEEKS} weeks, oldest first.",
        weeks, [n for _start, n in report.weeks], label_column="Week of",
        value_column="Sessions")
    load = bar_chart(
        "load-chart", "Mentors by seats used",
        "How many mentors have 0, 1, 2… mentees right now.",
        [str(seats) for seats, _n in report.load], [n for _seats, n in report.load],
        label_column="Seats used", value_column="Mentors")
    months = [b.month.strftime("%b %Y") for b in report.mentee_ratings]
    ratings = line_chart(
        "ratings-chart", "Ratings per month",
        f"Mean rating from 1 to 5 per month; months with feedback from fewer than "
        f"{reports.PRIVACY_FLOOR} pairs are left out.", months,
        [("Mentees: how useful the sessions were", [b.mean for b in report.mentee_ratings]),
         ("Mentors: the mentee's progress", [b.mean for b in report.mentor_ratings])],
        top=5, label_column="Month", missing=reports.TOO_FEW)
    return {"sessions": sessions, "load": load, "ratings": ratings}
