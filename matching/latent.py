"""The latent semantic space of the text score: scikit-learn's TF-IDF and truncated SVD, fitted once per process.

Its corpus is what the engine ships: one gloss per vocabulary term (name,
aliases and category, so aliases and terms of one area share directions) and
ESCO's labels and description of 1,434 occupations from every field of work
(``matching/data/occupations.json``, see ``benchmarks/build_occupations.py``),
so that a mentee's "midwife" lands near a mentor's "pregnancy and childbirth"
and "plumber" near "pipes and drainage". Nothing of a program is learnt here:
the space is the same for every round.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

import numpy as np
import scipy.sparse as sp

from matching.corpus import Corpus
from matching.parallel import blas_controller
from matching.text import tokenize, word_info
from matching.vocabulary import load_vocabulary

__all__ = ["N_COMPONENTS", "LatentSpace", "latent_space", "shipped_documents"]

#: Dimensions of the latent space.
N_COMPONENTS = 150
#: Up to this many documents, :meth:`LatentSpace.transform` skips building a sparse matrix.
_FEW_ROWS = 8
#: Rows normalised at once (a few hundred kilobytes).
_ROWS_AT_ONCE = 1024
#: Seed of the randomised SVD, so the space (and every score) is the same in every process.
SEED = 0


def _content_stems(text: str) -> list[str]:
    """English stems of a text's content words: the analyzer of the latent TF-IDF."""
    return [s for s, content in map(word_info, tokenize(text)) if content]


def shipped_documents() -> list[str]:
    """One gloss per vocabulary term, then one text per shipped occupation (the taxonomy index reads them too)."""
    glosses = [" ".join((t.name, *t.aliases, t.category)) for t in load_vocabulary()]
    raw = resources.files("matching").joinpath("data", "occupations.json").read_text("utf-8")
    return glosses + json.loads(raw)["occupations"]


class LatentSpace:
    """TF-IDF of content stems, then truncated SVD to ``n_components`` dimensions.

    Fitted on ``documents``, by default the shipped corpus (:func:`latent_space`
    holds the process's one); the benchmark fits others to compare corpora.

    Examples
    --------
    >>> from matching.corpus import analyse_many
    >>> space = latent_space()
    >>> x = space.transform(analyse_many(["nurse", "patient care", "tax law"], [(), (), ()]))
    >>> bool(x[0] @ x[1] > x[0] @ x[2])
    True
    """

    def __init__(self, documents: list[str] | None = None, n_components: int = N_COMPONENTS) -> None:
        # Imported on first use (see matching.text._stop_words): scikit-learn takes seconds to load.
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(analyzer=_content_stems, sublinear_tf=True, min_df=2,
                                          dtype=np.float32)
        self.svd = TruncatedSVD(n_components, algorithm="randomized", n_iter=7, random_state=SEED)
        # One BLAS thread: on two cores, threaded BLAS made this SVD thirty times slower (8.5 s, not 0.3 s).
        with blas_controller().limit(limits=1, user_api="blas"):
            self.svd.fit(self.vectorizer.fit_transform(shipped_documents() if documents is None else documents))
        self.columns = self.vectorizer.vocabulary_
        # The projection of a TF-IDF row: its values times idf, L2-normalised,
        # times the components. Folding idf into the components saves a pass.
        self.components = np.ascontiguousarray((self.svd.components_ * self.vectorizer.idf_).T,
                                               dtype=np.float32)

    def transform(self, corpus: Corpus) -> np.ndarray:
        """Documents in the latent space, rows L2-normalised (zero for a document it knows no word of)."""
        to_col = corpus.stem_columns(self.columns)
        u = corpus.unigrams
        cols = to_col[u.key]
        keep = cols >= 0
        rows, cols = u.doc[keep], cols[keep]
        tf = 1.0 + np.log(u.value[keep])  # sublinear counts, as the vectorizer's
        weighted = tf * self.vectorizer.idf_[cols]
        norms = np.sqrt(np.bincount(rows, weights=weighted * weighted, minlength=corpus.n_docs))
        tf /= np.where(norms > 0, norms, 1.0)[rows]
        if corpus.n_docs <= _FEW_ROWS:  # a sum of a few component rows, without building a matrix
            out = np.zeros((corpus.n_docs, self.components.shape[1]), dtype=np.float32)
            np.add.at(out, rows, tf.astype(np.float32)[:, None] * self.components[cols])
        else:
            out = sp.csr_matrix((tf.astype(np.float32), (rows, cols)),
                                shape=(corpus.n_docs, len(self.components))) @ self.components
        # Normalised in place, a block of rows at a time: temporaries of the
        # whole batch's size would cost more in fresh memory than the arithmetic.
        for start in range(0, len(out), _ROWS_AT_ONCE):
            block = out[start : start + _ROWS_AT_ONCE]
            length = np.linalg.norm(block, axis=1, keepdims=True)
            np.divide(block, length, out=block, where=length > 0)
            block[length[:, 0] == 0] = 0.0
        return out


@functools.cache
def latent_space() -> LatentSpace:
    """The process's latent space, fitted on first use (a few tenths of a second)."""
    return LatentSpace()
