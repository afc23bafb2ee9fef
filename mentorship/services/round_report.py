"""What a matching round's report says: figures, fairness per group, the unmatched and why.

Pure functions over what the engine returned, so the report can be tested without
running the engine. The report is stored as JSON on the round and read by the page,
the API and the CLI alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from mentorship.services.vocabulary import language_names

GROUPINGS = (("language", "First language"), ("region", "Time-zone region"),
             ("industry", "Industry"), ("experience", "Experience band"))
#: A group whose coverage is below this share of the best group's is flagged.
FAIR_SHARE = 0.8
NOT_GIVEN = "Not given"
REGIONS = {"America": "Americas"}
EXPERIENCE_BANDS = ((2, "0–2 years"), (5, "3–5 years"), (10, "6–10 years"))
SCORE_BINS = 10

NO_MENTOR, BELOW_MINIMUM, SEATS_TAKEN = "no_allowed_mentor", "below_min_score", "seats_taken"
WHY = {
    NO_MENTOR: "No allowed mentor with a free seat (shared language, time-zone gap, an "
               "earlier pairing or an exclusion rules every one out).",
    BELOW_MINIMUM: "Every allowed pair scores below the minimum score.",
    SEATS_TAKEN: "The seats of the allowed mentors went to pairs that make the round better.",
}


class ProfileFacts(Protocol):
    """What grouping reads of a mentee's profile: a ``Profile`` or a row of its columns."""

    languages: list[str]
    timezone: str | None
    industry: str | None
    years_experience: int | None


def group_label(profile: ProfileFacts, group_by: str) -> str:
    """The group a mentee falls in for the fairness report."""
    if group_by == "language":
        first = profile.languages[0] if profile.languages else None
        return language_names().get(first, first) if first else NOT_GIVEN
    if group_by == "region":
        if not profile.timezone:
            return NOT_GIVEN
        area = profile.timezone.split("/")[0]
        return REGIONS.get(area, area)
    if group_by == "industry":
        return profile.industry or NOT_GIVEN
    years = profile.years_experience
    if years is None:
        return NOT_GIVEN
    return next((label for top, label in EXPERIENCE_BANDS if years <= top), "11+ years")


def unmatched_reason(best: float | None, min_score: float | None) -> str:
    """Why a mentee was left out, from its best allowed score among mentors with a seat."""
    if best is None:
        return NO_MENTOR
    if min_score is not None and best < min_score:
        return BELOW_MINIMUM
    return SEATS_TAKEN


def build_report(figures: Mapping[str, Any], *, scores: Sequence[float],
                 seats: Mapping[int, int], used: Mapping[int, int],
                 unmatched: Mapping[int, float | None], settings: Mapping[str, Any],
                 pinned: int, excluded: int, dropped: Sequence[tuple[int, int]],
                 certified: bool) -> dict[str, Any]:
    """The stored report: the engine's figures plus what an admin reads them for."""
    groups = figures.get("coverage_by_group", {})
    best = max((g["coverage"] for g in groups.values()), default=0.0)
    reasons = {mentee_id: unmatched_reason(top, settings.get("min_score"))
               for mentee_id, top in unmatched.items()}
    return {
        **{key: figures[key] for key in (
            "mentees", "matched", "coverage", "mean_score", "min_score", "p10_score",
            "seats", "mentors_used", "load_mean", "load_std", "load_gini")},
        "mentors": sum(1 for n in seats.values() if n > 0),
        "certified": certified, "pinned": pinned, "excluded": excluded,
        "dropped_pins": [list(pair) for pair in dropped], "edited": False,
        "group_by": settings.get("group_by"),
        "groups": sorted(({"label": str(label) if label is not None else NOT_GIVEN,
                           "mentees": g["mentees"], "matched": g["matched"],
                           "coverage": g["coverage"],
                           "warning": g["coverage"] < FAIR_SHARE * best}
                          for label, g in groups.items()), key=lambda g: -g["mentees"]),
        "score_bins": score_bins(scores),
        "load_bins": load_bins(seats, used),
        "why_counts": dict(Counter(reasons.values())),
        "unmatched": [[mentee_id, why, top] for (mentee_id, why), top
                      in zip(reasons.items(), unmatched.values(), strict=True)],
    }


def score_bins(scores: Sequence[float]) -> list[int]:
    """How many pairs score in each tenth of [0, 1] (1.0 counts in the last)."""
    bins = [0] * SCORE_BINS
    for score in scores:
        bins[min(SCORE_BINS - 1, max(0, int(score * SCORE_BINS)))] += 1
    return bins


def load_bins(seats: Mapping[int, int], used: Mapping[int, int]) -> dict[str, int]:
    """Mentors with a seat in the round by how many of their seats the round fills."""
    counts = {"none": 0, "some": 0, "all": 0}
    for mentor_id, free in seats.items():
        if free > 0:
            taken = used.get(mentor_id, 0)
            counts["none" if taken == 0 else "all" if taken >= free else "some"] += 1
    return counts


def chart_rows(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The score distribution as rows the page draws as bars and lists as a table."""
    bins = report.get("score_bins") or []
    top = max(bins, default=0) or 1
    return [{"label": f"{i / SCORE_BINS:.1f}–{(i + 1) / SCORE_BINS:.1f}", "count": n,
             "share": n / top} for i, n in enumerate(bins)]
