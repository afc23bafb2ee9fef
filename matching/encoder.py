"""Vectorise analysed documents into a sparse and a dense part whose dot products add up to the text score."""

from __future__ import annotations

import functools

import numpy as np
import scipy.sparse as sp
from threadpoolctl import ThreadpoolController

from matching.corpus import Corpus
from matching.text import BLOCK_WEIGHTS, _phrases, stem, tokenize
from matching.vocabulary import load_vocabulary

__all__ = ["TextEncoder", "blas_controller", "normalize_rows", "sublinear_tfidf"]

#: Up to this many documents, the latent projection skips building a sparse matrix.
_FEW_ROWS = 8

#: Dimensions of the latent semantic space (fewer when the corpus is tiny).
N_COMPONENTS = 96


def sublinear_tfidf(rows: np.ndarray, cols: np.ndarray, counts: np.ndarray, idf: np.ndarray,
                    n_rows: int) -> np.ndarray:
    """Values of L2-normalised ``(1 + log count) * idf`` rows, for distinct (row, column, count) entries.

    Works on the entries themselves: building a scipy matrix per step costs
    more than the arithmetic when one mentee asks for suggestions.

    Examples
    --------
    >>> sublinear_tfidf(np.array([0, 0, 1]), np.array([0, 1, 1]), np.array([1.0, 1.0, 3.0]),
    ...                 np.ones(2), 2).round(3).tolist()
    [0.707, 0.707, 1.0]
    """
    data = (1.0 + np.log(counts)) * idf[cols]
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=n_rows))
    return data / np.where(norms > 0, norms, 1.0)[rows]


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    """Scale every non-zero row of a dense matrix to unit L2 norm (zero rows stay zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def _idf(cols: np.ndarray, n_docs: int, n_columns: int) -> np.ndarray:
    """Smoothed inverse document frequency from distinct (document, column) entries."""
    df = np.bincount(cols, minlength=n_columns)
    return np.log((1 + n_docs) / (1 + df)) + 1.0


@functools.cache
def blas_controller() -> ThreadpoolController:
    """One controller of the BLAS thread pools per process (finding the libraries takes ~50 ms).

    Examples
    --------
    >>> blas_controller() is blas_controller()
    True
    """
    return ThreadpoolController()


class _Latent:
    """Latent semantic space of the vocabulary: truncated SVD of its gloss documents.

    Fitted once per process on the shipped vocabulary alone, so it costs
    nothing per program and relates aliases and terms that share words
    ("moving into management" and "people manager").
    """

    def __init__(self) -> None:
        terms = load_vocabulary()
        glosses = [[stem(w) for w in tokenize(" ".join((t.name, *t.aliases, t.category)))] for t in terms]
        self.columns = {s: i for i, s in enumerate(sorted({s for g in glosses for s in g}))}
        n_stems, n_terms = len(self.columns), len(terms)
        term = np.repeat(np.arange(n_terms), [len(g) for g in glosses])
        stems = np.fromiter((self.columns[s] for g in glosses for s in g), dtype=np.int64, count=len(term))
        entries, counts = np.unique(term * n_stems + stems, return_counts=True)
        # each gloss also names its own concept, counted double like a tag
        rows = np.append(entries // n_stems, np.arange(n_terms))
        cols = np.append(entries % n_stems, n_stems + np.arange(n_terms))
        corpus = np.zeros((n_terms, n_stems + n_terms))
        corpus[rows, cols] = sublinear_tfidf(rows, cols, np.append(counts.astype(float), np.full(n_terms, 2.0)),
                                             np.ones(n_stems + n_terms), n_terms)
        # The gloss matrix has a few hundred rows: the SVD comes from the
        # eigenvectors of its small Gram matrix (A = U S Vt, A At = U S^2 Ut),
        # far cheaper than an SVD of the wide matrix itself.
        with blas_controller().limit(limits=1, user_api="blas"):
            eigenvalues, u = np.linalg.eigh(corpus @ corpus.T)
        top = np.argsort(eigenvalues)[::-1][:N_COMPONENTS]
        top = top[eigenvalues[top] > 1e-10]
        self.components = np.ascontiguousarray((u[:, top].T @ corpus).T / np.sqrt(eigenvalues[top]))

    def transform(self, corpus: Corpus) -> np.ndarray:
        """Documents projected into the latent space (stems the glosses use, and concepts)."""
        n_stems = len(self.columns)
        to_col = corpus.stem_columns(self.columns)
        u, c = corpus.unigrams, corpus.concepts
        cols = to_col[u.key]
        keep = cols >= 0
        rows = np.concatenate([u.doc[keep], c.doc])
        cols = np.concatenate([cols[keep], n_stems + c.key])
        values = sublinear_tfidf(rows, cols, np.concatenate([u.value[keep], 2.0 * c.value]),
                                 np.ones(len(self.components)), corpus.n_docs)
        if corpus.n_docs <= _FEW_ROWS:  # a sum of a few component rows, without building a matrix
            out = np.zeros((corpus.n_docs, self.components.shape[1]))
            np.add.at(out, rows, values[:, None] * self.components[cols])
            return out
        return sp.csr_matrix((values, (rows, cols)), shape=(corpus.n_docs, len(self.components))) @ self.components


@functools.cache
def _latent_space() -> _Latent:
    return _Latent()


class TextEncoder:
    """Learns word columns and IDF weights from the mentors (the latent space comes from the vocabulary).

    Word columns are the mentors' content stems followed by their adjacent
    stem pairs; words a mentee uses that no mentor does cannot add to any
    cosine, so they get no column.

    Examples
    --------
    >>> from matching.corpus import analyse_many
    >>> enc = TextEncoder().fit(analyse_many(["I lead teams", "Kubernetes expert"], [(), ()]))
    >>> s, d = enc.transform(analyse_many(["leading a team"], [()]))
    >>> sim = enc.similarity(s, d)
    >>> bool(sim[0, 0] > sim[0, 1])
    True
    """

    def fit(self, corpus: Corpus) -> TextEncoder:
        """Fit on the mentors' analysed texts."""
        ph = _phrases()
        used = np.unique(corpus.unigrams.key)
        self.stem_columns_ = {corpus.stems[k]: i for i, k in enumerate(used.tolist())}
        renumber = np.full(len(corpus.stems), -1, dtype=np.int64)
        renumber[used] = np.arange(len(used))
        first, second = np.divmod(corpus.pairs.key, max(len(corpus.stems), 1))
        self.pair_keys_ = np.unique(renumber[first] * len(used) + renumber[second])
        rows, cols, _ = self._word_entries(corpus)
        self.word_idf_ = _idf(cols, corpus.n_docs, len(used) + len(self.pair_keys_))
        self.concept_idf_ = _idf(corpus.concepts.key, corpus.n_docs, len(ph.names))
        self.unseen_idf_ = float(_idf(np.empty(0, np.int64), corpus.n_docs, 1)[0])  # in no mentor's text
        self.latent_ = _latent_space()
        sparse, dense = self.transform(corpus)
        self.mentor_sparse_ = sparse
        self.mentor_sparse_t_ = sparse.T.tocsr()
        self.mentor_dense_t_ = np.ascontiguousarray(dense.T)
        return self

    def stem_idf(self, stem: str) -> float:
        """How rare a stem is among the mentors; one no mentor wrote counts as the rarest."""
        column = self.stem_columns_.get(stem)
        return float(self.word_idf_[column]) if column is not None else self.unseen_idf_

    def concept_idf(self, concept: int) -> float:
        """How rare a vocabulary term is among the mentors."""
        return float(self.concept_idf_[concept])

    def _word_entries(self, corpus: Corpus) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(document, word column, count) of the corpus's stems and pairs that have a column."""
        n_stems = len(self.stem_columns_)
        to_col = corpus.stem_columns(self.stem_columns_)
        u, p = corpus.unigrams, corpus.pairs
        uni = to_col[u.key]
        first, second = np.divmod(p.key, max(len(corpus.stems), 1))
        a, b = to_col[first], to_col[second]
        code = a * n_stems + b
        pos = np.searchsorted(self.pair_keys_, code)
        known = (a >= 0) & (b >= 0) & (pos < len(self.pair_keys_))
        known[known] = self.pair_keys_[pos[known]] == code[known]
        keep = uni >= 0
        return (np.concatenate([u.doc[keep], p.doc[known]]),
                np.concatenate([uni[keep], n_stems + pos[known]]),
                np.concatenate([u.value[keep], p.value[known]]))

    def transform(self, corpus: Corpus) -> tuple[sp.csr_matrix, np.ndarray]:
        """Sparse (words, concepts) and dense (categories, latent) features, block-weighted."""
        n, c, w = corpus.n_docs, corpus.concepts, {k: np.sqrt(v) for k, v in BLOCK_WEIGHTS.items()}
        word_rows, word_cols, word_counts = self._word_entries(corpus)
        words = sublinear_tfidf(word_rows, word_cols, word_counts, self.word_idf_, n)
        concepts = sublinear_tfidf(c.doc, c.key, c.value, self.concept_idf_, n)
        sparse = sp.csr_matrix(
            (np.concatenate([w["words"] * words, w["concepts"] * concepts]).astype(np.float32),
             (np.concatenate([word_rows, c.doc]), np.concatenate([word_cols, len(self.word_idf_) + c.key]))),
            shape=(n, len(self.word_idf_) + len(self.concept_idf_)))
        n_categories = len(_phrases().categories)
        categories = np.bincount(c.doc * n_categories + _phrases().category_of[c.key], weights=concepts,
                                 minlength=n * n_categories).astype(float).reshape(n, n_categories)
        dense = np.hstack([w["categories"] * normalize_rows(categories),
                           w["latent"] * normalize_rows(self.latent_.transform(corpus))])
        return sparse, np.ascontiguousarray(dense, dtype=np.float32)

    def word_block(self, sparse: sp.csr_matrix, max_bytes: int) -> tuple[sp.csr_matrix, np.ndarray] | None:
        """The rows' sparse features kept to the columns they use, and the mentors' features there, dense.

        With them, :meth:`similarity` of many rows against all mentors is one
        sparse-times-dense product instead of a sparse product and a scatter.
        None when the dense part would pass ``max_bytes``: rich free text
        uses tens of thousands of words and word pairs, and then the sparse
        product is as fast (measured) without gigabytes of mostly zeros.
        """
        used = np.unique(sparse.indices)
        if len(used) * self.mentor_sparse_t_.shape[1] * np.dtype(np.float32).itemsize > max_bytes:
            return None
        return sparse[:, used].tocsr(), self.mentor_sparse_t_[used].toarray()

    def similarity(self, sparse: sp.csr_matrix, dense: np.ndarray, cols: np.ndarray | None = None,
                   words: np.ndarray | None = None) -> np.ndarray:
        """Text similarity of the given rows against all mentors (or columns ``cols``), in [0, 1].

        ``words`` is the dense mentor block of :meth:`word_block`, whose rows
        ``sparse`` then comes from.
        """
        whole = cols is None
        mentors = self.mentor_dense_t_ if whole else self.mentor_dense_t_[:, cols]
        if words is not None:
            out = sparse @ words
            out += dense @ mentors
            return np.clip(out, 0.0, 1.0, out=out)
        # A few rows (a single suggestion) go through einsum's own loop: threaded
        # BLAS can spend milliseconds waking threads for a matrix-vector product.
        out = np.einsum("ij,jk->ik", dense, mentors) if len(dense) <= 16 else dense @ mentors
        if not whole:
            # A few chosen mentors (the reasons of a suggestion): their rows times
            # the dense rows. Transposing them instead costs a pass over every word
            # column, and rich text has a hundred thousand.
            out += (self.mentor_sparse_[cols] @ sparse.toarray().T).T
            return np.clip(out, 0.0, 1.0, out=out)
        product = (sparse @ self.mentor_sparse_t_).tocsr()
        rows = np.repeat(np.arange(out.shape[0]) * out.shape[1], np.diff(product.indptr))
        out.reshape(-1)[rows + product.indices] += product.data  # rows of a CSR product are duplicate-free
        return np.clip(out, 0.0, 1.0, out=out)
