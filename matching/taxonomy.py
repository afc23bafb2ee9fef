"""A text as the shipped taxonomy texts it is most like (explicit semantic analysis).

The latent space (:mod:`matching.latent`) squeezes every word into 150
directions: broad areas survive, what a rare word means does not. A mentee
who wants to become a "hydrogenation machine operator" and a mentor who
"processes base oils for margarine" share no word and no n-gram, but ESCO's
skill texts put "hydrogenation" beside "edible oils" ("assess hydrogenation
levels of edible oils"). Here each text becomes its cosine to every shipped text (the
vocabulary's glosses, the occupations of ``matching/data/occupations.json``
and ESCO's skills, ``matching/data/skills.json``), of which the
``N_CONCEPTS`` largest are kept: two texts are alike when they are like the
same taxonomy texts. The vectors are sparse, so the ``taxonomy`` block of
the text score is one more sparse block of the encoder.

Weights are scikit-learn's ``TfidfTransformer`` (sublinear counts, smoothed
IDF, L2 norm) fitted on the shipped texts, which are analysed by
:func:`matching.corpus.analyse_many` like any profile.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

import numpy as np
import scipy.sparse as sp

from matching.corpus import Corpus, analyse_many
from matching.latent import shipped_documents

__all__ = ["N_CONCEPTS", "TaxonomyIndex", "taxonomy_index"]

#: Shipped texts kept per text (on the tuning sets 10 lost recall@10; 40 gained a little but fell below the ICT floor).
N_CONCEPTS = 20
#: Shipped texts kept per stem, its largest weights (None: all).
POSTINGS: int | None = 200
#: Rows whose cosines are computed at once, and cosines laid out at once when picking each row's
#: largest: every array stays under the 4 MB from which numpy asks for huge pages, whose first
#: touch costs more system time (measured: seconds for 50,000 texts) than the work done in them.
_ROWS_AT_ONCE = 512
_CHUNK_CELLS = 256 * 1024


def _skills() -> list[str]:
    raw = resources.files("matching").joinpath("data", "skills.json").read_text("utf-8")
    return json.loads(raw)["skills"]


class TaxonomyIndex:
    """TF-IDF of the shipped texts' content stems; texts become their ``n_concepts`` largest cosines to them.

    Fitted on ``documents``, by default the shipped ones (:func:`taxonomy_index`
    holds the process's one); the benchmark fits others to compare corpora.

    Examples
    --------
    >>> index = TaxonomyIndex(["pipes drainage water plumbing", "pregnancy childbirth midwifery",
    ...                        "tax law court"], n_concepts=1)
    >>> x = index.transform(analyse_many(["plumbing", "pipes and drainage", "a court case"], [(), (), ()]))
    >>> (x @ x.T).toarray().round(2).tolist()
    [[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """

    def __init__(self, documents: list[str] | None = None, n_concepts: int = N_CONCEPTS,
                 postings: int | None = POSTINGS) -> None:
        # Imported on first use (see matching.text._stop_words): scikit-learn takes seconds to load.
        from sklearn.feature_extraction.text import TfidfTransformer

        documents = [*shipped_documents(), *_skills()] if documents is None else documents
        documents = list(dict.fromkeys(documents))  # a text twice would split its likeness in two
        corpus = analyse_many(documents, [()] * len(documents))
        u = corpus.unigrams
        used, column = np.unique(u.key, return_inverse=True)
        self.columns = {corpus.stems[k]: i for i, k in enumerate(used.tolist())}
        counts = sp.csr_matrix((u.value, (u.doc, column.ravel())), shape=(len(documents), len(used)))
        self.tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
        # stems x texts: a text's cosines to every shipped text are its TF-IDF row times this
        self.texts_t = _strongest(self.tfidf.transform(counts).T.tocsr().astype(np.float32), postings)
        self.n_texts = len(documents)
        self.n_concepts = n_concepts

    def transform(self, corpus: Corpus) -> sp.csr_matrix:
        """Each document's ``n_concepts`` largest cosines to the shipped texts, rows L2-normalised (CSR)."""
        rows, cols, values = self.entries(corpus)
        return sp.csr_matrix((values, (rows, cols)), shape=(corpus.n_docs, self.n_texts), dtype=np.float32)

    def entries(self, corpus: Corpus) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`transform` as (row, column, value) arrays: a suggestion stacks them itself.

        Each row's cosines are one sparse product of its own sorted entries,
        so a row gets the same numbers (and keeps the same texts) in a batch
        of one and of many.
        """
        to_col = corpus.stem_columns(self.columns)
        u = corpus.unigrams
        cols = to_col[u.key]
        keep = cols >= 0
        # Sublinear counts times IDF, as the transformer's; the row's norm would not change which texts it keeps.
        weights = (1.0 + np.log(u.value[keep])) * self.tfidf.idf_[cols[keep]]
        x = sp.csr_matrix((weights.astype(np.float32), (u.doc[keep], cols[keep])),
                          shape=(corpus.n_docs, len(self.columns)))
        x.sum_duplicates()
        found = [_largest((x[start:start + _ROWS_AT_ONCE] @ self.texts_t).tocsr(), self.n_concepts, start)
                 for start in range(0, corpus.n_docs, _ROWS_AT_ONCE)]
        if not found:
            return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float32)
        return tuple(np.concatenate(p) for p in zip(*found, strict=True))  # type: ignore[return-value]


def _largest(cosines: sp.csr_matrix, k: int, first_row: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's ``k`` largest positive entries as (row + ``first_row``, column, value), each row L2-normalised.

    Rows of about the same length go through together, laid out as a
    (rows, longest of them) array, so ``np.partition`` finds every row's cut
    at once with little padding.
    """
    lengths = np.diff(cosines.indptr)
    order = np.argsort(lengths, kind="stable")
    found = []
    start = int(np.searchsorted(lengths[order], 1))  # rows with no cosine keep nothing
    while start < len(order):
        # as many rows as fit at the length of the longest of them
        fits = np.searchsorted(lengths[order[start:]] * np.arange(1, len(order) - start + 1), _CHUNK_CELLS,
                               side="right")
        rows = order[start:start + max(1, int(fits))]
        start += len(rows)
        part = cosines[rows]
        counts = np.diff(part.indptr)
        width = int(counts.max())
        block = np.zeros((len(rows), width), dtype=np.float32)
        block[np.repeat(np.arange(len(rows)), counts), np.arange(part.nnz) - np.repeat(part.indptr[:-1], counts)] \
            = part.data
        keep = block > 0
        if width > k:
            cut = np.partition(block, width - k, axis=1)[:, width - k : width - k + 1]
            tied = block == cut
            # Ties at the cut go to the row's first entries, in the order its own
            # product gave them: a row keeps the same texts in a batch of any size.
            tied &= np.cumsum(tied, axis=1) <= k - (block > cut).sum(axis=1, keepdims=True)
            keep &= (block > cut) | tied
        r, c = np.nonzero(keep)
        values = block[r, c]
        norms = np.sqrt(np.bincount(r, weights=np.square(values, dtype=np.float64), minlength=len(rows)))
        found.append((rows[r] + first_row, part.indices[part.indptr[r] + c], (values / norms[r]).astype(np.float32)))
    if not found:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float32)
    return tuple(np.concatenate(p) for p in zip(*found, strict=True))  # type: ignore[return-value]


def _strongest(texts_t: sp.csr_matrix, most: int | None) -> sp.csr_matrix:
    """Each row (a stem's postings) cut to its ``most`` largest entries; all of them for None."""
    if most is None:
        return texts_t
    lengths = np.diff(texts_t.indptr)
    row = np.repeat(np.arange(texts_t.shape[0]), lengths)
    order = np.lexsort((-texts_t.data, row))
    rank = np.arange(len(order)) - np.repeat(texts_t.indptr[:-1], lengths)
    kept = order[rank < most]
    out = sp.csr_matrix((texts_t.data[kept], (row[kept], texts_t.indices[kept])), shape=texts_t.shape)
    out.sort_indices()
    return out


@functools.cache
def taxonomy_index() -> TaxonomyIndex:
    """The process's taxonomy index, fitted on first use on the shipped texts."""
    return TaxonomyIndex()
