"""Time zones on a program's dates, and the numpy-free modules the web app imports."""

import subprocess
import sys
from datetime import UTC, date, datetime

import numpy as np
import pytest

import matching
from matching import Matcher, Mentee, Mentor
from matching.criteria import Facts, criterion_scores
from matching.zones import REFERENCE_INSTANT, UNPLACED_ZONES, as_instant, check_zone, clock_gap, utc_offset_hours

HEAVY = {"numpy", "scipy", "sklearn", "ortools"}


@pytest.mark.parametrize("module", ["matching.vocabulary", "matching.zones"])
def test_validation_modules_load_nothing_heavy(module: str) -> None:
    probe = (
        f"import sys, {module}, matching; "
        f"loaded = {HEAVY!r} & {{m.split('.')[0] for m in sys.modules}}; "
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)


def test_public_names_still_load_on_first_use() -> None:
    probe = (
        "import sys, matching; assert 'numpy' not in sys.modules; "
        "assert matching.Round.__name__ == 'Round' and callable(matching.assign); "
        "assert 'numpy' in sys.modules; assert set(matching.__all__) <= set(dir(matching))"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        matching.nothing  # noqa: B018


def test_offsets_follow_the_date_given() -> None:
    assert utc_offset_hours("Europe/London") == 0.0  # January by default
    assert utc_offset_hours("Europe/London", date(2025, 7, 1)) == 1.0
    assert utc_offset_hours("America/New_York", datetime(2025, 7, 1, 12)) == -4.0
    assert utc_offset_hours("Australia/Sydney", date(2025, 7, 1)) == 10.0  # southern winter
    assert as_instant(datetime(2025, 7, 1, 12, tzinfo=UTC)) == datetime(2025, 7, 1, 12, tzinfo=UTC)
    assert as_instant(None) == REFERENCE_INSTANT


def test_same_time_zone_is_judged_on_the_programs_dates() -> None:
    # London and Lagos share a clock in summer only.
    people = [Mentee(id=1, timezone="Europe/London")]
    mentors = [Mentor(id=2, timezone="Africa/Lagos")]
    for on, expected in [(None, 1 - 1 / 12), (date(2025, 7, 1), 1.0)]:
        e, m = Facts.encode(people, {}, {}, on=on), Facts.encode(mentors, {}, {}, on=on)
        scores, _, _ = criterion_scores(e, m, None, only=("timezone",))
        assert scores["timezone"][0, 0] == pytest.approx(expected)


def test_zone_validation_and_clock_gap_need_no_numpy() -> None:
    assert check_zone("Asia/Kolkata") == "Asia/Kolkata"
    for bad in ["localtime", "posix/Factory", "Mars/Olympus", "Europe"]:
        with pytest.raises(ValueError, match="time zone"):
            check_zone(bad)
    assert "Factory" in UNPLACED_ZONES
    assert clock_gap(14.0, -11.0) == 1.0 and clock_gap(-3.5, 2.0) == 5.5
    assert np.isnan(clock_gap(float("nan"), 1.0))
    with pytest.raises(ValueError, match="reference date"):
        utc_offset_hours("Europe/Paris", "2025-07-01")  # type: ignore[arg-type]


def test_a_default_matcher_reads_zones_at_the_reference_instant() -> None:
    m = Matcher().fit([Mentor(id=2, timezone="Africa/Lagos")])
    assert m.explain(Mentee(id=1, timezone="Europe/London"), 0) == ["1 hour apart"]


def test_a_matcher_judges_same_time_zone_on_its_reference_date() -> None:
    # Berlin and Lagos share UTC+1 in winter; in July Berlin is an hour ahead.
    mentor = Mentor(id=1, timezone="Africa/Lagos")
    mentee = Mentee(id=7, timezone="Europe/Berlin")
    winter = Matcher(reference_date=date(2027, 1, 15)).fit([mentor])
    summer = Matcher(reference_date=date(2027, 7, 15)).fit([mentor])
    assert "Same time zone" in winter.explain(mentee, 0)
    assert "Same time zone" not in summer.explain(mentee, 0)
    assert any("1 hour" in reason for reason in summer.explain(mentee, 0))
    assert summer.score([mentee])[0, 0] < winter.score([mentee])[0, 0]
