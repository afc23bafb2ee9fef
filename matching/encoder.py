"""Vectorise analysed documents into a sparse and a dense part whose dot products add up to the text score."""

from __future__ import annotations

import functools

import numpy as np
import scipy.sparse as sp
from threadpoolctl import ThreadpoolController

from matching.text import (BLOCK_WEIGHTS, Document, _idf, _phrases, _tfidf, analyse,
                           normalize_rows, stem, tokenize)
from matching.vocabulary import load_vocabulary

__all__ = ["TextEncoder", "blas_controller"]

#: Dimensions of the latent semantic space (fewer when the corpus is tiny).
N_COMPONENTS = 96


def _gloss_documents() -> list[Document]:
    """One document per vocabulary term: its name, aliases and category together."""
    docs = []
    for i, term in enumerate(load_vocabulary()):
        words = tokenize(" ".join((term.name, *term.aliases, term.category)))
        stems: dict[str, float] = {}
        for word in words:
            stems[stem(word)] = stems.get(stem(word), 0.0) + 1.0
        docs.append(Document({i: 1.0}, stems, {}))
    return docs


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
        glosses = _gloss_documents()
        stems = sorted({s for d in glosses for s in d.stems})
        self.columns = {s: i for i, s in enumerate(stems)}
        self.concepts = {i: len(stems) + i for i in range(len(glosses))}
        self.idf = np.ones(len(stems) + len(glosses))
        corpus = self._matrix(glosses).toarray()
        # The gloss matrix is small (a few hundred rows): an exact SVD on one
        # thread takes ~0.1 s, while threaded LAPACK on a busy machine can spin for seconds.
        with blas_controller().limit(limits=1, user_api="blas"):
            _, _, vt = np.linalg.svd(corpus, full_matrices=False)
        self.components = np.ascontiguousarray(vt[:N_COMPONENTS].T)

    def _matrix(self, docs: list[Document]) -> sp.csr_matrix:
        rows = [{**{self.columns[s]: c for s, c in d.stems.items() if s in self.columns},
                 **{self.concepts[k]: 2.0 * c for k, c in d.concepts.items()}} for d in docs]
        return _tfidf(rows, {i: i for i in range(len(self.idf))}, self.idf)

    def transform(self, docs: list[Document]) -> np.ndarray:
        return self._matrix(docs) @ self.components


@functools.cache
def _latent_space() -> _Latent:
    return _Latent()


class TextEncoder:
    """Learns word columns and IDF weights from the mentors (the latent space comes from the vocabulary).

    Examples
    --------
    >>> enc = TextEncoder().fit([analyse("I lead teams", ()), analyse("Kubernetes expert", ())])
    >>> s, d = enc.transform([analyse("leading a team", ())])
    >>> sim = enc.similarity(s, d)
    >>> bool(sim[0, 0] > sim[0, 1])
    True
    """

    def fit(self, docs: list[Document]) -> TextEncoder:
        """Fit on the mentors' documents."""
        ph = _phrases()
        self.word_columns_ = {s: i for i, s in enumerate(sorted({s for d in docs for s in d.stems}))}
        self.concept_columns_ = {i: i for i in range(len(ph.names))}
        self.word_idf_ = _idf([d.stems for d in docs], self.word_columns_)
        self.concept_idf_ = _idf([d.concepts for d in docs], self.concept_columns_)
        self.category_matrix_ = sp.csr_matrix(
            (np.ones(len(ph.names)), (np.arange(len(ph.names)), ph.category_of)),
            shape=(len(ph.names), len(ph.categories)),
        )
        self.latent_ = _latent_space()
        sparse, dense = self.transform(docs)
        self.mentor_sparse_ = sparse
        self.mentor_sparse_t_ = sparse.T.tocsr()
        self.mentor_dense_t_ = np.ascontiguousarray(dense.T)
        return self

    def transform(self, docs: list[Document]) -> tuple[sp.csr_matrix, np.ndarray]:
        """Sparse (words, concepts) and dense (categories, latent) features, block-weighted."""
        words = _tfidf([d.stems for d in docs], self.word_columns_, self.word_idf_)
        concepts = _tfidf([d.concepts for d in docs], self.concept_columns_, self.concept_idf_)
        categories = normalize_rows((concepts @ self.category_matrix_).toarray())
        latent = normalize_rows(self.latent_.transform(docs))
        w = {k: np.sqrt(v) for k, v in BLOCK_WEIGHTS.items()}
        sparse = sp.hstack([w["words"] * words, w["concepts"] * concepts], format="csr", dtype=np.float32)
        dense = np.hstack([w["categories"] * categories, w["latent"] * latent])
        return sparse, np.ascontiguousarray(dense, dtype=np.float32)

    def word_block(self, sparse: sp.csr_matrix) -> tuple[sp.csr_matrix, np.ndarray]:
        """The rows' sparse features kept to the columns they use, and the mentors' features there, dense.

        With them, :meth:`similarity` of many rows against all mentors is one
        sparse-times-dense product instead of a sparse product and a scatter.
        """
        used = np.unique(sparse.indices)
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
        product = (sparse @ (self.mentor_sparse_t_ if whole else self.mentor_sparse_[cols].T)).tocsr()
        rows = np.repeat(np.arange(out.shape[0]) * out.shape[1], np.diff(product.indptr))
        out.reshape(-1)[rows + product.indices] += product.data  # rows of a CSR product are duplicate-free
        return np.clip(out, 0.0, 1.0, out=out)
