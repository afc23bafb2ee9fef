"""Words, Snowball stems and the language of a text; the blocks the encoder builds on scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer

from matching import Matcher, Mentee, Mentor
from matching.corpus import analyse, analyse_many
from matching.encoder import CHAR_NGRAMS, TextEncoder, _tfidf
from matching.latent import latent_space
from matching.text import _phrases, detect_language, stem

TEXT_ONLY = {"text": 1.0, "language": 0.0, "timezone": 0.0, "experience": 0.0, "industry": 0.0}


@pytest.mark.parametrize(("language", "words"), [
    ("english", ["negotiating", "negotiation", "negotiate"]),
    ("german", ["entwicklung", "entwickler"]),
    ("french", ["développement", "développer"]),
    ("spanish", ["gestión", "gestiones"]),
    ("portuguese", ["liderança", "lideranças"]),
    ("dutch", ["ontwikkeling", "ontwikkelingen"]),
    ("italian", ["sviluppo", "sviluppi"]),
])
def test_snowball_joins_inflections_in_each_language(language: str, words: list[str]) -> None:
    assert len({stem(w, language) for w in words}) == 1


@pytest.mark.parametrize(("text", "language"), [
    ("Ich möchte meine Führungskompetenz stärken und das Team entwickeln", "german"),
    ("Je veux développer mon équipe et apprendre la gestion", "french"),
    ("Quiero aprender gestión de proyectos y liderazgo para mi equipo", "spanish"),
    ("Ik wil mijn team beter leiden en ook van anderen leren", "dutch"),
    ("I want to lead a team, like the one in Paris", "english"),
    ("Kubernetes", "english"),  # too few function words to switch
])
def test_a_text_is_stemmed_in_the_language_its_function_words_show(text: str, language: str) -> None:
    from matching.text import tokenize
    assert detect_language(tokenize(text)) == language


def test_each_document_is_stemmed_in_its_own_language_and_english_terms_still_count() -> None:
    corpus = analyse_many(["Ich möchte Führungskräfte entwickeln und machine learning lernen",
                           "I develop leaders"], [(), ()])
    german, english = corpus.document(0), corpus.document(1)
    assert stem("führungskräfte", "german") in german.stems and stem("entwickeln", "german") in german.stems
    assert stem("develop") in english.stems
    assert "machine learning" in {_phrases().names[c] for c in german.concepts}


def test_german_mentee_finds_the_german_mentor_through_german_stems() -> None:
    mentors = [Mentor(id="de", about="Ich entwickle seit Jahren Führungskräfte in der Pflege"),
               Mentor(id="en", about="I coach nurses who want to lead")]
    ranked = Matcher(weights=TEXT_ONLY).fit(mentors).suggest(
        Mentee(id=1, goals="Ich möchte mich als Führungskraft in der Pflege entwickeln"), k=2)
    assert ranked[0].mentor_id == "de"


def _encoder(texts: list[str], tags: list[tuple[str, ...]] | None = None) -> TextEncoder:
    unit = {"concepts": 1.0, "words": 1.0, "chars": 1.0, "latent": 1.0, "categories": 1.0, "taxonomy": 1.0}
    return TextEncoder(weights=unit).fit(analyse_many(texts, tags or [()] * len(texts)))


def test_char_block_is_scikit_learns_char_wb_tfidf_of_the_stems() -> None:
    mentors = ["Plumbing and heating installer", "Leadership coach for nurses", "Tax law and audits",
               "I design user interfaces"]
    tags = [("pipes",), (), ("tax",), ("ux", "design")]
    queries = ["I want to become a plumber", "leaders in nursing", "designing interfaces"]
    enc = _encoder(mentors, tags)
    corpus = analyse_many(queries, [()] * len(queries))
    sparse, _ = enc.transform(corpus)
    chars = slice(enc.n_words_, enc.n_words_ + enc.n_chars_)
    ours = (sparse[:, chars] @ enc.mentor_sparse_[:, chars].T).toarray()

    def stems_of(doc) -> str:  # each stem as often as it counts (a tag twice)
        return " ".join(s for s, n in doc.stems.items() if " " not in s for _ in range(round(n)))

    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True, lowercase=False)
    m = reference.fit_transform([stems_of(analyse(t, g)) for t, g in zip(mentors, tags, strict=True)])
    q = reference.transform([stems_of(analyse(t, ())) for t in queries])
    np.testing.assert_allclose(ours, (q @ m.T).toarray(), atol=1e-6)
    assert ours[0].argmax() == 0 and ours[1].argmax() == 1  # plumber/plumbing, leaders/leadership


def test_few_rows_are_weighed_as_tfidftransformer_does() -> None:
    import scipy.sparse as sp
    rng = np.random.default_rng(0)
    counts = sp.random(40, 30, density=0.2, format="csr", random_state=1)
    counts.data = np.ceil(counts.data * 4)
    transformer = TfidfTransformer(sublinear_tf=True).fit(counts)
    few = counts[rng.choice(40, 5, replace=False)]
    np.testing.assert_allclose(_tfidf(transformer, few).toarray(), transformer.transform(few).toarray(),
                               rtol=1e-12)


def test_latent_space_relates_words_of_one_field_of_work() -> None:
    x = latent_space().transform(analyse_many(["nurse", "patient care", "tax law", "accountant"], [()] * 4))
    assert x[0] @ x[1] > x[0] @ x[2] and x[3] @ x[2] > x[3] @ x[1]


def test_words_blocks_match_scikit_learns_tfidf_of_stems_and_pairs() -> None:
    mentors = ["Machine learning engineer", "Product manager for machine tools", "Kubernetes operator"]
    enc = _encoder(mentors)
    sparse, _ = enc.transform(analyse_many(["learning machine learning"], [()]))
    words = slice(0, enc.n_words_)
    ours = (sparse[:, words] @ enc.mentor_sparse_[:, words].T).toarray()

    def features(text: str) -> list[str]:
        doc = analyse(text, ())
        return [s for s, n in doc.stems.items() for _ in range(round(n))]

    reference = TfidfVectorizer(analyzer=features, sublinear_tf=True)
    m = reference.fit_transform(mentors)
    np.testing.assert_allclose(ours, (reference.transform(["learning machine learning"]) @ m.T).toarray(),
                               atol=1e-6)


def test_a_few_rows_encode_as_they_do_in_a_big_batch() -> None:
    from tests.matching.synthetic import make_people
    mentors, mentees = make_people(30, 40, seed=2)
    matcher = Matcher().fit(mentors)
    texts, tags = [e.goals for e in mentees], [e.skills_to_grow for e in mentees]
    big_sparse, big_dense = matcher.encoder_.transform(analyse_many(texts, tags))  # over _FEW_ROWS rows
    for i in (0, 7, 39):
        sparse, dense = matcher.encoder_.transform(analyse_many(texts[i:i + 1], tags[i:i + 1]))
        np.testing.assert_allclose(sparse.toarray(), big_sparse[i].toarray(), rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(dense, big_dense[i:i + 1], rtol=1e-5, atol=1e-6)


def test_an_unknown_stemmer_language_raises_value_error() -> None:
    with pytest.raises(ValueError, match="no Snowball stemmer for 'klingon'"):
        stem("qapla", "klingon")
