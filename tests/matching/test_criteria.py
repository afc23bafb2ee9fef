"""One behaviour per structured criterion and per hard constraint."""

import numpy as np
import pytest

from matching import DEFAULT_WEIGHTS, Matcher, Mentee, Mentor
from matching.criteria import utc_offset_hours

ONLY = {c: 0.0 for c in DEFAULT_WEIGHTS}


def only(criterion: str, **extra: object) -> Matcher:
    return Matcher(weights={**ONLY, criterion: 1.0}, **extra)


def test_default_weights_let_text_dominate() -> None:
    assert DEFAULT_WEIGHTS["text"] > sum(v for k, v in DEFAULT_WEIGHTS.items() if k != "text")


def test_shared_language_scores_one_and_mentor_unknown_is_neutral() -> None:
    m = only("language").fit([Mentor(id=1, languages=["en"]), Mentor(id=2, languages=["de", "EN-gb"]),
                               Mentor(id=3)])
    np.testing.assert_allclose(m.score([Mentee(id=1, languages=["en"])]), [[1.0, 1.0, 0.5]])


def test_timezone_score_falls_with_the_clock_gap_around_the_globe() -> None:
    m = only("timezone").fit([Mentor(id=1, timezone="Europe/Berlin"), Mentor(id=2, timezone="Asia/Kolkata"),
                              Mentor(id=3, timezone="Pacific/Honolulu")])
    s = m.score([Mentee(id=1, timezone="Europe/Paris")])
    np.testing.assert_allclose(s, [[1.0, 1 - 4.5 / 12, 1 - 11 / 12]])
    auckland = m.score([Mentee(id=2, timezone="Pacific/Auckland")])  # UTC+13 vs UTC-10: 1 hour
    assert auckland[0, 2] == pytest.approx(1 - 1 / 12)


def test_offsets_more_than_a_day_apart_wrap_around_the_globe() -> None:
    # Kiritimati is UTC+14 and Pago Pago UTC-11: 25 hours on paper, 1 hour on the clock.
    mentors = [Mentor(id="kir", timezone="Pacific/Kiritimati"), Mentor(id="ber", timezone="Europe/Berlin")]
    pago = Mentee(id=1, timezone="Pacific/Pago_Pago")
    s = only("timezone").fit(mentors).score([pago])
    assert s[0, 0] == pytest.approx(1 - 1 / 12) and s[0, 0] <= 1.0
    limited = Matcher(max_timezone_gap_hours=0.5).fit(mentors)
    assert np.isneginf(limited.score([pago])).all()
    assert limited.suggest(pago) == []
    reasons = Matcher().fit(mentors[:1]).suggest(pago)[0].reasons
    assert "1 hour apart" in reasons and "Same time zone" not in reasons


def test_more_experienced_mentor_scores_higher_and_saturates() -> None:
    m = only("experience").fit([Mentor(id=j, years_experience=y) for j, y in enumerate([2, 5, 8, 30])])
    np.testing.assert_allclose(m.score([Mentee(id=1, years_experience=5)]), [[0.0, 0.0, 0.6, 1.0]])


def test_same_industry_is_case_insensitive() -> None:
    m = only("industry").fit([Mentor(id=1, industry="FinTech"), Mentor(id=2, industry="media"), Mentor(id=3)])
    np.testing.assert_allclose(m.score([Mentee(id=1, industry="fintech")]), [[1.0, 0.0, 0.0]])


def test_unknown_mentee_fields_drop_out_and_empty_mentee_scores_zero() -> None:
    m = Matcher().fit([Mentor(id=1, languages=["en"], years_experience=10)])
    assert m.score([Mentee(id=1, languages=["en"])])[0, 0] == pytest.approx(1.0)
    assert m.score([Mentee(id=2)])[0, 0] == 0.0


def test_mentee_without_text_is_scored_by_structured_criteria() -> None:
    m = Matcher().fit([Mentor(id=1, about="Kubernetes", timezone="Europe/Berlin"),
                       Mentor(id=2, about="Kubernetes", timezone="America/Los_Angeles")])
    s = m.score([Mentee(id=1, timezone="Europe/Paris")])
    assert 0 < s[0, 1] < s[0, 0] <= 1


def test_no_shared_language_is_forbidden_only_when_both_give_languages() -> None:
    m = Matcher().fit([Mentor(id=1, languages=["de"]), Mentor(id=2)])
    s = m.score([Mentee(id=1, languages=["en"]), Mentee(id=2)])
    assert s[0, 0] == -np.inf and np.isfinite(s[0, 1]) and np.isfinite(s[1]).all()


def test_timezone_gap_limit_is_a_hard_constraint() -> None:
    mentors = [Mentor(id=1, timezone="Europe/Berlin"), Mentor(id=2, timezone="Asia/Tokyo"), Mentor(id=3)]
    s = Matcher(max_timezone_gap_hours=3).fit(mentors).score([Mentee(id=1, timezone="Europe/London")])
    assert np.isfinite(s[0, 0]) and s[0, 1] == -np.inf and np.isfinite(s[0, 2])
    assert np.isfinite(Matcher().fit(mentors).score([Mentee(id=1, timezone="Europe/London")])).all()


def test_excluded_mentors_and_full_mentors_are_forbidden() -> None:
    m = Matcher().fit([Mentor(id="a"), Mentor(id="b", capacity=0), Mentor(id="c")])
    s = m.score([Mentee(id=1, exclude={"c", "unknown"}), Mentee(id=2)])
    assert np.isfinite(s[0, 0]) and s[0, 1] == -np.inf and s[0, 2] == -np.inf
    assert s[1, 1] == -np.inf and np.isfinite(s[1, 2])
    assert [x.mentor_id for x in m.suggest(Mentee(id=1, exclude={"c"}))] == ["a"]


def test_unknown_time_zone_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        Mentor(id=1, timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="unknown time zone"):
        Mentee(id=1, timezone="../etc/passwd")
    for directory_or_too_long in ("Europe", "A" * 5000):
        with pytest.raises(ValueError, match="unknown time zone"):
            Mentor(id=1, timezone=directory_or_too_long)


@pytest.mark.parametrize("name", ["localtime", "posixrules", "Factory", "posix/Factory", "right/Factory"])
def test_zones_that_place_nobody_are_refused(name: str) -> None:
    # "localtime" is the server's own zone: a score must not depend on where the engine runs.
    with pytest.raises(ValueError, match="does not say where a person is"):
        Mentee(id=1, timezone=name)


def test_offsets_are_read_at_a_fixed_instant() -> None:
    assert utc_offset_hours("America/New_York") == -5.0  # January: standard time


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"weights": {"charisma": 1}}, "unknown weight names"),
    ({"weights": {"text": -1}}, "non-negative"),
    ({"max_timezone_gap_hours": -2}, "max_timezone_gap_hours"),
])
def test_bad_matcher_settings_raise_on_fit(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Matcher(**kwargs).fit([Mentor(id=1)])


def test_duplicate_mentor_ids_and_empty_pool_raise() -> None:
    with pytest.raises(ValueError, match="unique"):
        Matcher().fit([Mentor(id=1), Mentor(id=1)])
    with pytest.raises(ValueError, match="at least one mentor"):
        Matcher().fit([])
