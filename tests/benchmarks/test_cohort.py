"""The cohort generator: deterministic, well-formed, and realistic enough to matter."""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.cohort import LANGUAGES, Term, load_terms, make_cohort, with_rich_text

TERMS = [
    Term("python", "engineering", ("py",)),
    Term("system design", "engineering"),
    Term("code review", "engineering", ("reviewing code",)),
    Term("people management", "leadership", ("managing people",)),
    Term("giving feedback", "leadership"),
    Term("public speaking", "communication", ("presenting",)),
]


def test_same_seed_same_cohort_and_other_seed_differs() -> None:
    a = make_cohort(200, 40, seed=3, terms=TERMS)
    b = make_cohort(200, 40, seed=3, terms=TERMS)
    c = make_cohort(200, 40, seed=4, terms=TERMS)
    assert a.mentors == b.mentors and a.mentees == b.mentees
    assert a.groups.tolist() == b.groups.tolist()
    assert a.mentees != c.mentees


def test_profiles_are_well_formed() -> None:
    cohort = make_cohort(300, 60, seed=0, terms=TERMS)
    names = {t.name for t in TERMS}
    mentor_ids = {m["id"] for m in cohort.mentors}
    mentee_ids = {m["id"] for m in cohort.mentees}
    assert len(mentor_ids) == 60 and len(mentee_ids) == 300
    assert not mentor_ids & mentee_ids  # a mentee is never mistaken for a mentor
    zones = {z for _, zs in LANGUAGES.values() for z in zs}
    for m in cohort.mentors:
        assert 1 <= m["capacity"] <= 5
        assert set(m["expertise"]) <= names and len(m["expertise"]) >= 3
        assert m["languages"] and m["timezone"] in zones and m["about"]
    for m in cohort.mentees:
        assert set(m["skills_to_grow"]) <= names and m["skills_to_grow"]
        assert m["exclude"] <= mentor_ids
        assert m["languages"] and m["timezone"] in zones and m["goals"]
    assert cohort.capacity.shape == (60,)


def test_mix_has_a_majority_language_minorities_and_scarce_slots() -> None:
    cohort = make_cohort(2000, 400, seed=1, terms=TERMS)
    first = Counter(m["languages"][0] for m in cohort.mentees)
    assert 0.4 < first["en"] / 2000 < 0.65
    assert len(first) >= 8
    assert any(len(m["languages"]) > 1 for m in cohort.mentees)
    assert set(cohort.groups) == {"English first", "other first language"}
    groupings = cohort.groupings()
    assert set(groupings["English"]) == {"speaks English", "no English"}
    assert set(groupings["region"]) == {"Americas", "Europe & Africa", "Asia-Pacific"}
    assert all(len(labels) == 2000 for labels in groupings.values())
    assert cohort.capacity.sum() < 2000  # fewer slots than mentees, as in real programs


def test_uses_the_engine_vocabulary_when_present() -> None:
    try:
        terms = load_terms()
    except FileNotFoundError:
        pytest.skip("matching/data/vocabulary.json not present")
    cohort = make_cohort(50, 10, seed=0)
    names = {t.name for t in terms}
    assert all(set(m["expertise"]) <= names for m in cohort.mentors)


def test_rich_text_lengthens_free_text_and_keeps_everything_else() -> None:
    plain = make_cohort(30, 10, seed=3)
    rich = with_rich_text(plain, seed=3, mentor_words=40, mentee_words=20)
    assert rich == with_rich_text(plain, seed=3, mentor_words=40, mentee_words=20)
    for before, after, added in [*zip(plain.mentors, rich.mentors, [40] * 10, strict=True),
                                 *zip(plain.mentees, rich.mentees, [20] * 30, strict=True)]:
        text = "about" if "about" in before else "goals"
        assert after[text].startswith(before[text] + " ")
        assert len(after[text].split()) == len(before[text].split()) + added
        assert {k: v for k, v in after.items() if k != text} == {k: v for k, v in before.items() if k != text}
    distinct = {w for m in rich.mentors for w in m["about"].split()}
    assert len(distinct) > 2 * len({w for m in plain.mentors for w in m["about"].split()})
