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
from matching.duals import ranges
from matching.latent import shipped_documents
from matching.lines import kth_per_line
from matching.parallel import map_chunks
from matching.topk import _kth_of_lines

__all__ = ["N_CONCEPTS", "TaxonomyIndex", "taxonomy_index"]

#: Shipped texts kept per text (on the tuning sets 10 lost recall@10; 40 gained a little but fell below the ICT floor).
N_CONCEPTS = 20
#: Shipped texts kept per stem, its largest weights (None: all).
POSTINGS: int | None = 200
#: Rows whose cosines are computed at once, and cosines laid out at once when picking each row's
#: largest: every array stays under the 4 MB from which numpy asks for huge pages, whose first
#: touch costs more system time (measured: seconds for 50,000 texts) than the work done in them.
_ROWS_AT_ONCE = 512
#: Postings a slice of rows reaches at most (an upper bound on its cosines: about 3 MB of them).
_REACH_AT_ONCE = 400_000
#: Runs per wanted entry whose maxima put a floor under a row's cut (see :func:`_floors`).
_GROUPS_PER_K = 4


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
        # Each stem's n_concepts-th largest posting (0 with fewer): a floor under the cut of any text using it.
        self.kth_posting = np.maximum(kth_per_line(self.texts_t.indptr, self.texts_t.data, n_concepts), 0
                                      ).astype(np.float32)

    def transform(self, corpus: Corpus) -> sp.csr_matrix:
        """Each document's ``n_concepts`` largest cosines to the shipped texts, rows L2-normalised (CSR)."""
        rows, cols, values = self.entries(corpus)
        out = sp.csr_matrix((values, (rows, cols)), shape=(corpus.n_docs, self.n_texts), dtype=np.float32)
        out.sort_indices()
        return out

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

        # A floor under each row's cut, from its postings alone: a stem's n_concepts strongest
        # texts each have a cosine of at least the stem's weight times the n_concepts-th of them
        # (every term of a cosine is positive, and float32 sums of them never fall).
        floors = np.zeros(corpus.n_docs, dtype=np.float32)
        np.maximum.at(floors, np.repeat(np.arange(corpus.n_docs), np.diff(x.indptr)),
                      x.data * self.kth_posting[x.indices])

        def largest(rows: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            return _largest((x[rows] @ self.texts_t).tocsr(), self.n_concepts, rows.start, floors[rows])

        # Slices on two threads: the product and the cuts release the GIL.
        found = list(map_chunks(largest, self._slices(x)))
        if not found:
            return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float32)
        return tuple(np.concatenate(p) for p in zip(*found, strict=True))  # type: ignore[return-value]


    def _slices(self, x: sp.csr_matrix) -> list[slice]:
        """Rows whose cosines are computed at once: at most ``_ROWS_AT_ONCE``, reaching at most ``_REACH_AT_ONCE``.

        A row reaches at most the postings of its stems; a long profile reaches
        several times what a short goal does, and its slice is cut shorter.
        """
        postings = np.diff(self.texts_t.indptr)[x.indices]
        reach = np.concatenate([[0], np.cumsum(postings)])[x.indptr]  # before each row, and in all
        slices, start = [], 0
        while start < x.shape[0]:
            stop = int(np.searchsorted(reach, reach[start] + _REACH_AT_ONCE, side="right")) - 1
            stop = min(x.shape[0], start + _ROWS_AT_ONCE, max(stop, start + 1))
            slices.append(slice(start, stop))
            start = stop
        return slices


def _largest(cosines: sp.csr_matrix, k: int, first_row: int = 0,
             floors: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's ``k`` largest positive entries as (row + ``first_row``, column, value), each row L2-normalised.

    Only the rows longer than ``k`` need a cut, found without laying whole
    rows out: a floor under each one's cut (``floors``, one per row, or
    :func:`_floors` in one pass over the entries), and the rest is done on
    the few entries at or above it (every entry of a shorter row): the
    exact cut, the ties at it and the norms.
    """
    indptr, data = cosines.indptr, cosines.data
    lengths = np.diff(indptr)
    n = len(lengths)
    long = np.flatnonzero(lengths > k)
    given = floors
    floors = np.zeros(n, dtype=data.dtype)  # a row of k entries or fewer keeps every positive one
    if len(long):
        floors[long] = _floors(indptr, data, lengths, long, k) if given is None else given[long]
    near = np.flatnonzero(data >= np.repeat(floors, lengths))  # grouped by row, in each row's order
    row = np.searchsorted(indptr[1:], near, side="right")
    values = data[near]
    cut = np.zeros(n, dtype=data.dtype)
    if len(long):
        is_long = np.zeros(n, dtype=bool)
        is_long[long] = True
        local = np.cumsum(is_long) - 1
        over = is_long[row]
        # cosines are never negative: a cut of 0 keeps the positive entries
        cut[long] = np.maximum(_kth_of_lines(local[row[over]], values[over], len(long), k), 0)
    row_cut = cut[row]
    keep = values > row_cut
    # Ties at the cut go to the row's first entries, in the order its own
    # product gave them: a row keeps the same texts in a batch of any size.
    tied = np.flatnonzero((values == row_cut) & (values > 0))
    if len(tied):
        room = k - np.bincount(row[keep], minlength=n)
        tied_row = row[tied]
        rank = np.arange(len(tied)) - np.searchsorted(tied_row, tied_row)
        keep[tied[rank < room[tied_row]]] = True
    r, values = row[keep], values[keep]
    norms = np.sqrt(np.bincount(r, weights=np.square(values, dtype=np.float64), minlength=n))
    return r + first_row, cosines.indices[near[keep]], (values / norms[r]).astype(np.float32)


def _floors(indptr: np.ndarray, data: np.ndarray, lengths: np.ndarray, long: np.ndarray, k: int) -> np.ndarray:
    """A value at or below the ``k``-th largest entry of each row of ``long`` (rows of more than ``k``).

    Each such row is cut into up to ``_GROUPS_PER_K * k`` runs of consecutive
    entries and the floor is the ``k``-th largest of the runs' maxima: those
    are ``k`` different entries, so at least ``k`` reach it. One
    ``maximum.reduceat`` over the data finds every run's maximum; every
    other non-empty row is one run, so that no run spills into the next row.
    """
    groups = (lengths > 0).astype(np.int64)
    groups[long] = np.minimum(lengths[long], _GROUPS_PER_K * k)
    owner = np.repeat(np.arange(len(lengths)), groups)
    first = np.cumsum(groups) - groups
    step = np.arange(len(owner)) - first[owner]
    maxima = np.maximum.reduceat(data, indptr[owner] + step * lengths[owner] // groups[owner])
    width = int(groups[long].max())
    padded = np.full((len(long), width), -np.inf, dtype=data.dtype)
    at = ranges(first[long], groups[long])
    padded[np.repeat(np.arange(len(long)), groups[long]), step[at]] = maxima[at]
    return np.partition(padded, width - k, axis=1)[:, width - k]


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
