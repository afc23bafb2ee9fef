"""Text relevance, suggestions, candidates and reasons of the fitted matcher."""

import numpy as np
import pytest
import scipy.sparse as sp

from matching import Matcher, Mentee, Mentor, Suggestion, assign
from matching.corpus import analyse
from matching.text import stem
from tests.matching.synthetic import make_people

TEXT_ONLY = {"text": 1.0, "language": 0.0, "timezone": 0.0, "experience": 0.0, "industry": 0.0}


def rank(mentors: list[Mentor], mentee: Mentee) -> list:
    return [s.mentor_id for s in Matcher(weights=TEXT_ONLY).fit(mentors).suggest(mentee, k=len(mentors))]


@pytest.mark.parametrize(("words", "same"), [
    (["managing", "management", "manager", "manage"], True),
    (["negotiating", "negotiation", "negotiate"], True),
    (["leading", "leads", "lead"], True),
    (["leadership", "leader"], False),  # derivations: the chars block relates them, not the stemmer
])
def test_inflections_share_a_stem(words: list[str], same: bool) -> None:
    assert (len({stem(w) for w in words}) == 1) is same


def test_aliases_and_multi_word_skills_resolve_to_one_concept() -> None:
    a = analyse("I'm a team lead and want to do ML", ())
    b = analyse("", ("people management", "machine learning"))
    assert set(a.concepts) == set(b.concepts)


def test_ambiguous_words_count_as_skills_only_in_tags() -> None:
    assert not analyse("I want to go into consulting", ()).concepts.keys() & analyse("", ("go",)).concepts.keys()


def test_matching_is_asymmetric_goals_meet_expertise() -> None:
    # The look-alike mentor wants the same thing; the right one can give it.
    alike = Mentor(id="alike", about="I want to move into management", expertise=["public speaking"])
    giver = Mentor(id="giver", about="Engineering manager for 12 years; I grew two teams",
                   expertise=["people management"])
    mentee = Mentee(id=1, goals="I want to move from senior engineer into management",
                    skills_to_grow=["leading a team"])
    assert rank([alike, giver], mentee)[0] == "giver"


@pytest.mark.parametrize(("goal", "best"), [
    ("help with ML and deep learning models", "ml"),
    ("I am a new PM, roadmaps and prioritising scare me", "pm"),
    ("get better at UX, wireframes and user testing", "ux"),
    ("negotiate my salary for an offer", "career"),
    ("running our k8s clusters", "ops"),
])
def test_abbreviations_and_synonyms_find_the_right_mentor(goal: str, best: str) -> None:
    mentors = [Mentor(id="ml", about="Machine learning engineer, neural networks"),
               Mentor(id="pm", about="Product manager: roadmap planning and prioritization"),
               Mentor(id="ux", about="User experience designer, prototyping and usability testing"),
               Mentor(id="career", about="Recruiter. I coach on salary negotiation and job offers"),
               Mentor(id="ops", about="Platform engineer: Kubernetes, Docker, Terraform")]
    assert rank(mentors, Mentee(id=1, goals=goal))[0] == best


def test_related_terms_score_above_unrelated_ones() -> None:
    m = Matcher().fit([Mentor(id=1, expertise=["deep learning"]), Mentor(id=2, expertise=["typography"])])
    sim = m.text_similarity([Mentee(id=1, goals="natural language processing")])
    assert sim[0, 0] > sim[0, 1]


def test_text_similarity_is_in_unit_range_and_zero_without_text() -> None:
    mentors, mentees = make_people(30, 20, seed=1)
    sim = Matcher().fit(mentors).text_similarity([*mentees, Mentee(id="blank")])
    assert sim.shape == (21, 30) and np.all((sim >= 0) & (sim <= 1 + 1e-12))
    assert np.all(sim[-1] == 0)


def test_scores_are_calibrated_and_consistent_between_entry_points() -> None:
    mentors, mentees = make_people(40, 25, seed=2)
    m = Matcher(max_timezone_gap_hours=6).fit(mentors)
    s = m.score(mentees)
    finite = np.isfinite(s)
    assert np.all((s[finite] >= 0) & (s[finite] <= 1)) and np.all(s[~finite] == -np.inf)
    top = m.suggest(mentees[0], k=3)
    order = np.flatnonzero(finite[0])[np.argsort(-s[0, finite[0]], kind="stable")][:3]
    assert [x.mentor_id for x in top] == [mentors[j].id for j in order]
    assert [x.score for x in top] == pytest.approx(s[0, order].tolist())


def test_a_perfect_pair_scores_at_most_one_whatever_the_weights() -> None:
    # float32 sums of these weights round an ulp above 1 unless the score is capped
    m = Matcher(weights={"timezone": 0.7, "experience": 0.3, "industry": 0.7, "language": 0}).fit(
        [Mentor(id=1, timezone="UTC", years_experience=20, industry="tech")])
    mentee = Mentee(id=0, timezone="UTC", years_experience=0, industry="tech")
    assert m.score([mentee])[0, 0] == 1.0
    assert m.suggest(mentee)[0].score == 1.0
    assert m.candidates([mentee] * 70, k=1).data.max() == 1.0  # the batch path too


def test_candidates_hold_each_mentees_best_allowed_pairs() -> None:
    mentors, mentees = make_people(40, 60, seed=3)
    m = Matcher(max_timezone_gap_hours=8).fit(mentors)
    s, c = m.score(mentees), m.candidates(mentees, k=5)
    assert sp.issparse(c) and c.shape == s.shape
    rows, cols = np.repeat(np.arange(c.shape[0]), np.diff(c.indptr)), c.indices
    np.testing.assert_allclose(c.data, s[rows, cols])
    assert np.all(np.isfinite(c.data))
    for i in range(len(mentees)):
        allowed = np.sort(s[i][np.isfinite(s[i])])[::-1]
        kept = np.sort(c.data[c.indptr[i]:c.indptr[i + 1]])[::-1]
        np.testing.assert_allclose(kept[: min(5, len(allowed))], allowed[:5])


def test_mentees_who_wrote_nothing_keep_k_candidates_not_every_mentor() -> None:
    # Empty profiles score the same with everyone; keeping every tie made such rows dense.
    m = Matcher().fit([Mentor(id=j) for j in range(1000)])
    c = m.candidates([Mentee(id=i) for i in range(200)], k=5)
    assert c.nnz <= 200 * 5 + 5 * 1000  # k per mentee plus each mentor's few best mentees
    assert np.all(np.diff(c.indptr) >= 5)


def test_mentees_who_wrote_nothing_are_matched_from_candidates_as_from_all_pairs() -> None:
    # Ties read from the first mentor gave every empty profile the same 10 mentors,
    # so most of them were left out although seats were free.
    topics = ["python", "ux design", "people management", "kubernetes", "sql"]
    mentors = [Mentor(id=j, expertise=[topics[j % 5]], capacity=2) for j in range(200)]
    mentees = ([Mentee(id=i, skills_to_grow=[topics[i % 5]]) for i in range(150)]
               + [Mentee(id=f"blank{i}") for i in range(100)])
    m = Matcher().fit(mentors)
    capacity = np.full(200, 2)
    on_candidates = assign(m.candidates(mentees, k=10), capacity)
    assert (assign(m.score(mentees), capacity) >= 0).all()
    assert (on_candidates >= 0).all()


@pytest.mark.parametrize("chunk_cells", [10**9, 40 * 13])  # one chunk; five, on two threads
def test_thinning_ties_changes_no_candidate(monkeypatch: pytest.MonkeyPatch, chunk_cells: int) -> None:
    mentors, mentees = make_people(40, 60, seed=7)
    # a third give only their languages: they tie with most mentors
    mentees = [Mentee(id=e.id, languages=e.languages) if i % 3 == 0 else e for i, e in enumerate(mentees)]
    m = Matcher().fit(mentors)
    monkeypatch.setattr("matching.scoring._CHUNK_CELLS", chunk_cells)
    monkeypatch.setattr("matching.matcher.BLOCK_CELLS", 40 * 4)
    kept = m.candidates(mentees, k=5)
    monkeypatch.setattr("matching.topk._TIES_PER_WANTED", 0)  # every block thinned
    thinned = m.candidates(mentees, k=5)
    for a, b in [(kept.indptr, thinned.indptr), (kept.indices, thinned.indices), (kept.data, thinned.data)]:
        np.testing.assert_array_equal(a, b)
    s = m.score(mentees).astype(np.float32)
    for i in range(len(mentees)):  # each row holds its 5 best, ties read from mentor 5 * i on
        allowed = np.flatnonzero(np.isfinite(s[i]))
        best = allowed[np.lexsort(((allowed - 5 * i) % 40, -s[i, allowed]))][:5]
        assert set(best) <= set(kept.indices[kept.indptr[i]:kept.indptr[i + 1]])


@pytest.mark.parametrize("chunk_cells", [10**9, 40 * 13])  # one chunk; five, on two threads
def test_candidates_do_not_depend_on_the_selection_blocks(monkeypatch: pytest.MonkeyPatch,
                                                          chunk_cells: int) -> None:
    mentors, mentees = make_people(40, 60, seed=5)
    m = Matcher().fit(mentors)
    monkeypatch.setattr("matching.scoring._CHUNK_CELLS", chunk_cells)
    whole = m.candidates(mentees, k=5)
    for block_cells in (1, 40 * 3):
        monkeypatch.setattr("matching.matcher.BLOCK_CELLS", block_cells)
        c = m.candidates(mentees, k=5)
        for a, b in [(whole.indptr, c.indptr), (whole.indices, c.indices), (whole.data, c.data)]:
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("share", [0.0, 0.04, 2.0])  # every feature dense on the mentors' side, some, none
def test_sparse_text_products_are_the_same_against_all_some_or_a_few_mentors(monkeypatch: pytest.MonkeyPatch,
                                                                            share: float) -> None:
    # Exactly the same numbers (the dense part is a BLAS product: its last bits follow its shape).
    monkeypatch.setattr("matching.encoder._DENSE_SHARE", share)
    mentors, mentees = make_people(40, 150, seed=6)
    m = Matcher().fit(mentors)
    enc, batch = m.encoder_, m._prepare(mentees)
    no_dense = np.zeros_like(batch.dense)
    whole = enc.similarity(batch.sparse, no_dense)
    cols = np.array([1, 5, 6, 30])
    np.testing.assert_array_equal(enc.similarity(batch.sparse, no_dense, mentors=enc.mentors(cols)), whole[:, cols])
    for i in (0, 17, 149):  # one row, as a suggestion scores it
        row = slice(i, i + 1)
        np.testing.assert_array_equal(enc.similarity(batch.sparse[row], no_dense[row], cols=cols), whole[row, cols])
        np.testing.assert_array_equal(enc.similarity(batch.sparse[row], no_dense[row]), whole[row])
    np.testing.assert_allclose(enc.similarity(batch.sparse, batch.dense, mentors=enc.mentors(cols)),
                               enc.similarity(batch.sparse, batch.dense)[:, cols], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("seed", range(4))
def test_assignment_on_candidates_is_close_to_the_full_optimum(seed: int) -> None:
    # About as many seats as mentees (165-195 for 200), where candidates lose the most:
    # k=10 left up to 0.2 % on these cohorts, k=20 at most 0.02 % (the default is 50).
    mentors, mentees = make_people(60, 200, seed=seed)
    m = Matcher().fit(mentors)
    cap = np.array([x.capacity for x in mentors])
    s = m.score(mentees)
    full = assign(s, cap)
    cand = assign(m.candidates(mentees, k=20), cap)
    def value(a: np.ndarray) -> float:
        return float(s[np.flatnonzero(a >= 0), a[a >= 0]].sum())
    assert value(cand) >= 0.999 * value(full)


def test_suggest_returns_best_first_with_reasons_and_respects_k() -> None:
    mentors, mentees = make_people(30, 5, seed=5)
    out = Matcher().fit(mentors).suggest(mentees[0], k=4)
    assert len(out) == 4 and all(isinstance(x, Suggestion) for x in out)
    assert [x.score for x in out] == sorted((x.score for x in out), reverse=True)
    assert all(x.reasons for x in out)


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_bad_k_raises(k: object) -> None:
    m = Matcher().fit([Mentor(id=1)])
    with pytest.raises(ValueError, match="k must be a positive integer"):
        m.suggest(Mentee(id=1), k=k)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="k must be a positive integer"):
        m.candidates([Mentee(id=1)], k=k)  # type: ignore[arg-type]


def test_unfitted_matcher_and_wrong_records_raise() -> None:
    with pytest.raises(ValueError, match="not fitted"):
        Matcher().score([Mentee(id=1)])
    with pytest.raises(ValueError, match="Mentee records"):
        Matcher().fit([Mentor(id=1)]).score([Mentor(id=2)])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="Mentor records"):
        Matcher().fit([Mentee(id=1)])  # type: ignore[list-item]
