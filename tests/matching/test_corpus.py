"""Analysing many texts at once finds exactly what analysing each alone finds."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from matching.corpus import _tokens, analyse, analyse_many
from matching.spans import leftmost_longest as _leftmost_longest
from matching.text import _phrases, tokenize

# Words that form vocabulary phrases, tag-only terms, stop words, symbols and
# letters the batch tokeniser treats specially (its separator is "Q").
WORDS = ["people", "management", "leading", "a", "team", "machine", "learning", "product", "owner",
         "go", "rust", "Q", "q", "QQ", "C++", "c#", "CI/CD", "M&A", "ß", "İstanbul", "don't", "the",
         "data", "science", "ML", "UX", "design", "senior", "engineer", "2024", "+", "#", "&", "/"]
texts = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)
tag_lists = st.lists(texts, max_size=3)


def concept_names(doc) -> set[str]:
    return {_phrases().names[c] for c in doc.concepts}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(texts, tag_lists), max_size=6))
def test_each_document_of_a_batch_equals_its_text_analysed_alone(people) -> None:
    corpus = analyse_many([t for t, _ in people], [tags for _, tags in people])
    assert corpus.n_docs == len(people)
    for i, (text, tags) in enumerate(people):
        alone = analyse(text, tags)
        together = corpus.document(i)
        assert together == alone
        assert list(together.surface) == list(alone.surface)  # first-seen order drives reasons
        assert bool(corpus.nonempty()[i]) == (not alone.empty)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(texts, st.text(max_size=30)), max_size=6))
def test_batch_tokens_are_each_texts_tokens(segments) -> None:
    words, word_of, seg = _tokens(segments)
    for i, segment in enumerate(segments):
        assert [words[w] for w in word_of[seg == i]] == tokenize(segment)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.integers(0, 4), max_size=60))
@example([2] * 30)  # a chain longer than the vectorised rounds settle
@example([3, 1, 2, 0, 2, 2, 1] * 5)
def test_overlapping_phrases_resolve_left_to_right_like_a_reader(lengths) -> None:
    length = np.array(lengths, dtype=np.int64)  # phrase length starting at each token, 0 = none
    expected, i = [], 0
    while i < len(length):  # the plain reading: take the phrase here, skip what it covers
        expected += [i] if length[i] else []
        i += max(1, length[i])
    assert _leftmost_longest(np.flatnonzero(length), length).tolist() == expected


def test_phrases_do_not_run_across_tags_or_texts() -> None:
    assert "people management" in concept_names(analyse("", ("people management",)))
    assert "people management" not in concept_names(analyse("", ("people", "management")))
    corpus = analyse_many(["I want to grow as a people", "management is my goal"], [(), ()])
    assert "people management" not in concept_names(corpus.document(0)) | concept_names(corpus.document(1))
    assert "manag" in corpus.document(1).stems and "peopl manag" not in corpus.document(1).stems


def test_tag_only_terms_count_in_tags_not_in_free_text() -> None:
    assert "go" not in concept_names(analyse("I want to go into management", ()))
    assert "go" in concept_names(analyse("", ("Go",)))


def test_tags_weigh_more_than_a_mention_in_free_text() -> None:
    doc = analyse("machine learning", ("machine learning",))
    (weight,) = doc.concepts.values()
    assert weight == 3.0  # 1 for the text, 2 for the tag


def test_an_empty_batch_and_empty_texts_are_fine() -> None:
    assert analyse_many([], []).n_docs == 0
    corpus = analyse_many(["", "   ", "the and of"], [(), ("",), ()])
    assert corpus.nonempty().tolist() == [False, False, False]


def test_one_word_terms_match_free_text_by_their_word_and_tags_by_stem() -> None:
    assert "entrepreneurship" not in concept_names(analyse("I found my first job hard", ()))
    assert "entrepreneurship" in concept_names(analyse("I coach founders", ()))  # the term's own word
    assert "entrepreneurship" in concept_names(analyse("", ("Founder",)))  # a tag: any inflection
    assert "career growth" not in concept_names(analyse("palliative care", ()))
    assert "product management" not in concept_names(analyse("free after 6 pm", ()))


def test_dotted_capital_i_and_decomposed_accents_keep_words_whole() -> None:
    assert tokenize("İstanbul") == ["istanbul"]
    assert tokenize("cafe\u0301 culture") == tokenize("café culture") == ["café", "culture"]
    words, _, _ = _tokens(["İstanbul", "Q q"])  # the batch separator is still no word
    assert words == ("istanbul", "q")


def test_contraction_pieces_and_other_languages_function_words_are_not_content() -> None:
    doc = analyse("I've led teams; ich möchte ein Team führen", ())
    assert not {"ve", "ich", "ein", "möcht"} & set(doc.surface)
    assert list(doc.surface.values()) == ["led", "teams", "führen"]


def test_no_added_stop_word_is_a_vocabulary_word() -> None:
    from matching.text import _FRAGMENTS, FUNCTION_WORDS
    from matching.vocabulary import alias_map
    vocabulary_words = {t for alias in alias_map() for t in tokenize(alias)}
    assert not (_FRAGMENTS | set().union(*FUNCTION_WORDS.values())) & vocabulary_words
