"""Every reason is true of the pair and comes from a criterion that scored."""

from dataclasses import replace

import numpy as np
import pytest

from matching import Matcher, Mentee, Mentor
from tests.matching.synthetic import make_people

MENTOR = Mentor(id=1, about="Engineering manager for 12 years; I grew two teams",
                expertise=["people management", "system design"], languages=["en", "de"],
                timezone="Europe/Berlin", years_experience=12, industry="Fintech", capacity=3)


def reasons(mentee: Mentee, mentor: Mentor = MENTOR) -> list[str]:
    return Matcher().fit([mentor]).explain(mentee, 0)


def test_shared_topics_are_named() -> None:
    assert "You both mention people management" in reasons(Mentee(id=1, goals="help leading a team"))


def test_shared_plain_words_are_named_when_no_vocabulary_term_is_shared() -> None:
    mentor = Mentor(id=1, about="I maintain Kafka clusters")
    assert reasons(Mentee(id=1, goals="Learning Kafka"), mentor) == ["You both mention kafka"]


def test_language_reason_names_the_shared_language() -> None:
    assert reasons(Mentee(id=1, languages=["de", "fr"])) == ["Both speak German"]
    assert reasons(Mentee(id=1, languages=["en", "de"])) == ["Both speak English and German"]


def test_blank_language_entries_are_not_named() -> None:
    mentor = Mentor(id=1, languages=["", "en"])
    assert reasons(Mentee(id=1, languages=["en", ""]), mentor) == ["Both speak English"]


def test_both_written_forms_of_norwegian_are_one_language() -> None:
    matcher = Matcher().fit([Mentor(id=1, languages=["nb"]), Mentor(id=2, languages=["nn-NO"])])
    found = matcher.suggest(Mentee(id=1, languages=["no"]), k=2)
    assert [s.mentor_id for s in found] == [1, 2]
    assert all(s.reasons == ("Both speak Norwegian",) for s in found)


@pytest.mark.parametrize(("zone", "text"), [
    ("Europe/Paris", "Same time zone"), ("Europe/London", "1 hour apart"),
    ("Asia/Kolkata", "4.5 hours apart"),
])
def test_time_zone_reason_says_how_far_apart(zone: str, text: str) -> None:
    got = reasons(Mentee(id=1, timezone=zone))
    assert got == ([text] if text != "4.5 hours apart" else [])


def test_a_gap_under_an_hour_reads_in_minutes() -> None:
    kathmandu = Mentor(id=1, timezone="Asia/Kathmandu")  # UTC+5:45, India UTC+5:30
    assert reasons(Mentee(id=1, timezone="Asia/Kolkata"), kathmandu) == ["15 minutes apart"]


def test_experience_reason_only_when_the_mentor_is_ahead() -> None:
    assert reasons(Mentee(id=1, years_experience=5)) == ["12 years of experience"]
    assert reasons(Mentee(id=1, years_experience=15)) == []


def test_industry_reason_only_for_the_same_industry() -> None:
    assert reasons(Mentee(id=1, industry="fintech")) == ["Both work in fintech"]
    assert reasons(Mentee(id=1, industry="retail")) == []
    for written in ("IT", "SaaS"):  # capitals past the first letter are kept
        assert reasons(Mentee(id=1, industry=written.lower()), Mentor(id=1, industry=written)) == [
            f"Both work in {written}"]


def test_related_topics_only_on_a_real_text_match() -> None:
    # Both touch the career area (a job after leave, a visa): that alone is no reason.
    found = reasons(Mentee(id=1, goals="Returning to work after parental leave"),
                    Mentor(id=1, about="Immigration lawyer helping people with work visas and job offers"))
    assert not any(r.startswith("Related topics") for r in found), found


def test_no_reason_for_what_the_mentee_did_not_say_or_what_did_not_match() -> None:
    assert reasons(Mentee(id=1)) == []
    assert reasons(Mentee(id=1, goals="woodworking", languages=["en"]))[0] == "Both speak English"


def test_full_example_orders_reasons_by_contribution() -> None:
    mentee = Mentee(id=7, goals="I want to move from senior engineer into management",
                    skills_to_grow=["people management", "giving feedback"], languages=["en"],
                    timezone="Europe/Paris", years_experience=5, industry="fintech")
    got = Matcher().fit([MENTOR]).suggest(mentee, k=1)[0].reasons
    assert got[0].startswith("You both mention people management")  # the shared term leads
    assert set(got[1:]) == {"Both speak English", "Same time zone", "12 years of experience",
                            "Both work in fintech"}


def test_forbidden_pair_has_no_reasons_and_bad_column_raises() -> None:
    m = Matcher().fit([MENTOR])
    assert m.explain(Mentee(id=1, languages=["ja"]), 0) == []
    with pytest.raises(ValueError, match="mentor column"):
        m.explain(Mentee(id=1), 3)


def test_filler_words_are_not_offered_as_shared_topics() -> None:
    mentor = Mentor(id=1, about="Data scientist; I teach machine learning", languages=["en"])
    mentee = Mentee(id=2, goals="I want to learn to grow into a new role", languages=["en"])
    reasons = Matcher().fit([mentor]).explain(mentee, 0)
    assert not any(r.startswith("You both mention") for r in reasons)


@pytest.mark.parametrize(("mentor_about", "mentee_goals", "not_named"), [
    ("Palliative care nurse", "I want to grow in palliative care", "career growth"),  # care / career
    ("Two-time founder", "I found my first job hard", "entrepreneurship"),  # found / founder
    ("Corporate lawyer; I know what partners look for and I am happy to talk",
     "Looking for someone to talk to about my career", "public speaking"),  # talk / talks
    ("Corporate lawyer; I know what partners look for", "Looking for a lawyer", "business intelligence"),
    ("Product lead, free after 6 pm", "Calls after 5 pm suit me", "product management"),
])
def test_everyday_words_are_not_named_as_skills(mentor_about: str, mentee_goals: str, not_named: str) -> None:
    found = reasons(Mentee(id=1, goals=mentee_goals), Mentor(id=1, about=mentor_about))
    assert not any(not_named in r for r in found), found


def _pool_reasons(mentor_about: str, mentee_goals: str) -> list[str]:
    """Reasons for the first of a few mentors, two of whom write what nearly every mentor writes."""
    pool = [Mentor(id=0, about=mentor_about), Mentor(id=1, about="I enjoy mentoring; career growth"),
            Mentor(id=2, about="Mentoring people through career growth"), Mentor(id=3, about="Woodworking")]
    return Matcher().fit(pool).explain(Mentee(id=1, goals=mentee_goals), 0)


def test_the_telling_shared_word_comes_before_what_every_mentor_says() -> None:
    found = _pool_reasons("I mentor new nurses in oncology and palliative care; mentoring is my joy",
                          "I want mentoring to help me specialise in oncology")
    assert found[0].startswith("You both mention oncology"), found


@pytest.mark.parametrize(("mentor_about", "mentee_goals"), [
    ("Project management for hospitals", "Pain management techniques"),  # one word of two different phrases
    ("I have built https://example.com since 2015", "I built https://foo.com in 2019"),  # addresses, numbers
])
def test_words_that_are_no_shared_topic_are_not_named(mentor_about: str, mentee_goals: str) -> None:
    assert not any(r.startswith("You both mention") for r in _pool_reasons(mentor_about, mentee_goals))


def test_a_shared_stem_is_named_only_by_a_word_both_wrote() -> None:
    # "animal" and "animation" share a Snowball stem: it scores, but neither word is the other's
    mentor = Mentor(id=1, about="Animation studio lead")
    assert reasons(Mentee(id=1, goals="Animal welfare"), mentor) == []
    shelter = Mentor(id=1, about="I run an animal shelter")
    assert reasons(Mentee(id=1, goals="Animals and their welfare"), shelter) == ["You both mention animals"]


def _words(text: str, tags: tuple[str, ...] = ()) -> set[str]:
    from matching.text import tokenize
    return {w for part in (text, *tags) for w in tokenize(part)}


def test_every_named_word_or_term_is_on_both_sides() -> None:
    from matching.corpus import analyse
    from matching.text import _phrases
    from tests.matching.synthetic import make_people

    mentors, mentees = make_people(40, 60, seed=3)
    matcher = Matcher().fit(mentors)
    names = set(_phrases().names)
    checked = 0
    for mentee in mentees:
        for s in matcher.suggest(mentee, k=3):
            mentor = mentors[matcher.mentor_index_[s.mentor_id]]
            for reason in s.reasons:
                if not reason.startswith("You both mention "):
                    continue
                listed = reason.removeprefix("You both mention ")
                joined = [n for n in names if " and " in n and n in listed]  # "diversity and inclusion"
                for n in joined:
                    listed = listed.replace(n, n.replace(" and ", "\0"))
                items = [i.replace("\0", " and ") for i in listed.replace(" and ", ", ").split(", ")]
                a = analyse(mentee.goals, mentee.skills_to_grow)
                b = analyse(mentor.about, mentor.expertise)
                for item in items:
                    checked += 1
                    c = _phrases().names.index(item) if item in names else -1
                    if c in a.concepts and c in b.concepts:  # a term found (by name or alias) in both
                        continue
                    forms = {item, item + "s", item.removesuffix("s")}  # else a word both wrote
                    assert forms & _words(mentee.goals, mentee.skills_to_grow), (reason, mentee)
                    assert forms & _words(mentor.about, mentor.expertise), (reason, mentor)
    assert checked > 50


def test_reasons_of_many_pairs_are_those_of_each_pair_alone() -> None:
    mentors, mentees = make_people(30, 90, seed=11)
    mentors[4] = replace(mentors[4], capacity=0)  # closed: no reasons
    mentors[5] = replace(mentors[5], timezone=None, languages=(), industry=None, years_experience=None)
    mentees[0] = replace(mentees[0], exclude={mentors[0].id})
    mentees[1] = Mentee(id="blank")
    mentees[2] = replace(mentees[2], goals="Returning to work after parental leave, maybe in fintech")
    matcher = Matcher(max_timezone_gap_hours=9.0).fit(mentors)
    rng = np.random.default_rng(0)
    columns = rng.integers(0, len(mentors), size=len(mentees))
    columns[:2] = [0, 4]  # an excluded pair; a closed mentor
    assigned = matcher.round(mentees, np.full(len(mentors), 3)).assignment
    columns[10:] = np.where(assigned[10:] >= 0, assigned[10:], columns[10:])  # good pairs, many reasons
    many = matcher.explain_many(mentees, columns)
    assert many == [matcher.explain(e, int(j)) for e, j in zip(mentees, columns, strict=True)]
    assert many[0] == [] and sum(len(r) >= 2 for r in many) > len(mentees) // 2
    assert any(r[0].startswith("You both mention") for r in many if r)
    for s in matcher.suggest(mentees[20], k=5):  # suggestions give the same reasons too
        assert list(s.reasons) == matcher.explain(mentees[20], matcher.mentor_index_[s.mentor_id])
