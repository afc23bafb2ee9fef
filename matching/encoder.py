"""Vectorise analysed documents into a sparse and a dense part whose dot products add up to the text score.

The weighting is scikit-learn's: ``TfidfTransformer`` (sublinear counts,
smoothed IDF learnt from the mentors, L2 norm) for words, character n-grams
and vocabulary terms; ``CountVectorizer(analyzer="char_wb")`` cuts the
character n-grams; the latent space is :mod:`matching.latent`. Counting is the
engine's own (:mod:`matching.corpus` counts a whole batch with numpy): the
n-grams of each *distinct* stem are cut once, and a document's n-gram counts
are its stem counts times those, which is exactly what
``TfidfVectorizer(analyzer="char_wb")`` counts on the document's stems, at a
fraction of the cost (see the README's measurements).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from matching.corpus import Corpus, Counts
from matching.latent import LatentSpace, latent_space
from matching.parallel import blas_controller
from matching.scratch import WORKSPACE, add_product, add_sparse
from matching.stacking import stack_weighted
from matching.taxonomy import TaxonomyIndex, taxonomy_index
from matching.text import BLOCK_WEIGHTS, _phrases

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfTransformer

__all__ = ["CHAR_NGRAMS", "MentorColumns", "TextEncoder", "blas_controller", "normalize_rows"]

#: Lengths of the character n-grams of the ``chars`` block (4-grams: as good as 3- to 5-grams
#: on the tuning sets, with a third of the n-grams, so a third of the scoring work).
CHAR_NGRAMS = (4, 4)
#: Up to this many rows, TF-IDF weights are applied here rather than by ``TfidfTransformer.transform``.
_FEW_ROWS = 16
#: A sparse feature more than this share of the mentors have is multiplied as a dense row (see
#: :meth:`TextEncoder.similarity`): a few hundred character n-grams and common stems, most of the work.
_DENSE_SHARE = 0.04


def _latent_space() -> LatentSpace:
    """The process's latent space, fitted once per process on the shipped texts."""
    return latent_space()


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    """Scale every non-zero row of a dense matrix to unit L2 norm (zero rows stay zero).

    Examples
    --------
    >>> normalize_rows(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6, 0.8], [0.0, 0.0]]
    """
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def _matrix(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    return sp.csr_matrix((values.astype(np.float64), (rows, cols)), shape=shape)


def _counts(counts: Counts, n_docs: int, n_cols: int) -> sp.csr_matrix:
    return _matrix(counts.doc, counts.key, counts.value, (n_docs, n_cols))


def _tfidf(transformer: TfidfTransformer, counts: sp.csr_matrix) -> sp.csr_matrix:
    """``transformer.transform(counts)``: sublinear counts times the fitted IDF, rows L2-normalised.

    A few rows (one suggestion) are weighted by :func:`_weigh` with the
    transformer's ``idf_``, to the same numbers: its ``transform`` validates
    its input for half a millisecond a call, and a suggestion makes three.
    """
    if counts.shape[0] > _FEW_ROWS:
        return transformer.transform(counts)
    c = counts.tocoo()
    c.sum_duplicates()
    return sp.csr_matrix((_weigh(transformer, c.row, c.col, c.data, counts.shape[0]), (c.row, c.col)),
                         shape=counts.shape)


def _weigh(transformer: TfidfTransformer, rows: np.ndarray, cols: np.ndarray, counts: np.ndarray,
           n_rows: int) -> np.ndarray:
    """The values ``transformer.transform`` gives distinct (row, column, count) entries."""
    data = (1.0 + np.log(counts)) * transformer.idf_[cols]
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=n_rows))
    return data / np.where(norms > 0, norms, 1.0)[rows]


@dataclass(frozen=True)
class MentorColumns:
    """Some mentors' text features, laid out for :meth:`TextEncoder.similarity` of many rows against them."""

    dense_t: np.ndarray  # (dimensions, mentors) float32
    common_t: np.ndarray  # (common sparse features, mentors) float32
    rare_t: sp.csr_matrix  # (rare sparse features, mentors)


class TextEncoder:
    """Learns the word and n-gram columns and the IDF weights from the mentors.

    ``weights`` replaces :data:`matching.text.BLOCK_WEIGHTS` (the benchmark
    reads each block's cosine with unit weights).

    Word columns are the mentors' content stems followed by their adjacent
    stem pairs, n-gram columns the n-grams of the mentors' content words;
    what a mentee writes that no mentor does cannot add to any cosine, so it
    gets no column.

    Examples
    --------
    >>> from matching.corpus import analyse_many
    >>> enc = TextEncoder().fit(analyse_many(["I lead teams", "Kubernetes expert"], [(), ()]))
    >>> s, d = enc.transform(analyse_many(["leading a team"], [()]))
    >>> sim = enc.similarity(s, d)
    >>> bool(sim[0, 0] > sim[0, 1])
    True
    """

    def __init__(self, weights: dict[str, float] | None = None, latent: LatentSpace | None = None,
                 taxonomy: TaxonomyIndex | None = None) -> None:
        self.weights = weights
        self.latent = latent
        self.taxonomy = taxonomy

    def fit(self, corpus: Corpus) -> TextEncoder:
        """Fit on the mentors' analysed texts."""
        self.latent_: LatentSpace = self.latent or _latent_space()
        self.taxonomy_: TaxonomyIndex = self.taxonomy or taxonomy_index()
        n = corpus.n_docs
        # The taxonomy block learns nothing from the mentors: it is made on threads of its own
        # while the other blocks are fitted.
        with ThreadPoolExecutor(max_workers=1) as pool:
            taxonomy = pool.submit(self.taxonomy_.transform, corpus) if n > _FEW_ROWS else None
            char_counts = self._fit_blocks(corpus)
            sparse, dense = self.transform(corpus, char_counts, taxonomy)
        self.mentor_sparse_ = sparse
        sparse_t = sparse.T.tocsr()
        self.mentor_dense_t_ = np.ascontiguousarray(dense.T)
        # Features many mentors share are held dense (see similarity).
        shared = np.bincount(sparse.indices, minlength=sparse.shape[1]) > _DENSE_SHARE * max(n, 1)
        self.common_ = np.flatnonzero(shared)
        self.rare_ = np.flatnonzero(~shared)
        self.column_in_part_ = np.cumsum(shared) - 1
        self.column_in_part_[~shared] = np.arange(len(self.rare_))
        self.is_common_ = shared
        self.mentor_common_t_ = sparse_t[self.common_].toarray()
        self.mentor_rare_t_ = sparse_t[self.rare_].tocsr()
        self.mentor_rare_ = sparse[:, self.rare_].tocsr()
        return self

    def _fit_blocks(self, corpus: Corpus) -> sp.csr_matrix:
        """Learn the word, n-gram and concept columns and IDF weights; returns the corpus's n-gram counts."""
        # Imported on first use, as in matching.text: the web app imports this
        # package for its vocabulary, and scikit-learn takes seconds to load.
        from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

        n = corpus.n_docs
        used = np.unique(corpus.unigrams.key)
        self.stem_columns_ = {corpus.stems[k]: i for i, k in enumerate(used.tolist())}
        renumber = np.full(len(corpus.stems), -1, dtype=np.int64)
        renumber[used] = np.arange(len(used))
        first, second = np.divmod(corpus.pairs.key, max(len(corpus.stems), 1))
        self.pair_keys_ = np.unique(renumber[first] * len(used) + renumber[second])
        self.n_words_ = max(1, len(used) + len(self.pair_keys_))  # a column no entry uses when they wrote nothing
        self.words_ = TfidfTransformer(sublinear_tf=True).fit(_matrix(*self._word_entries(corpus), (n, self.n_words_)))
        stems = [corpus.stems[k] for k in used.tolist()]
        # Mentors who wrote nothing leave no n-gram; a stem no text can hold keeps the vocabulary non-empty.
        self.ngrams_ = CountVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, lowercase=False,
                                       dtype=np.float64)
        per_stem = self.ngrams_.fit_transform(stems or ["\x00"])[: len(stems)]
        char_counts = self._char_counts(corpus, per_stem)  # cut once: rich text has 100,000 stems
        self.chars_ = TfidfTransformer(sublinear_tf=True).fit(char_counts)
        self.n_chars_ = len(self.chars_.idf_)
        n_concepts = len(_phrases().names)
        self.concepts_ = TfidfTransformer(sublinear_tf=True).fit(_counts(corpus.concepts, n, n_concepts))
        self.unseen_idf_ = float(np.log(n + 1.0) + 1.0)  # smoothed IDF of what no mentor wrote
        return char_counts

    def stem_idf(self, stem: str) -> float:
        """How rare a stem is among the mentors; one no mentor wrote counts as the rarest."""
        column = self.stem_columns_.get(stem)
        return float(self.words_.idf_[column]) if column is not None else self.unseen_idf_

    def concept_idf(self, concept: int) -> float:
        """How rare a vocabulary term is among the mentors."""
        return float(self.concepts_.idf_[concept])

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

    def _char_counts(self, corpus: Corpus, per_stem: sp.csr_matrix | None = None) -> sp.csr_matrix:
        """Character n-gram counts of each document's stems: its stem counts times each stem's n-grams.

        Stems, not words: the n-grams of inflections ("running", "planning")
        would relate every "-ing" word to every other. ``per_stem`` is the
        n-grams of the corpus's stems in use, in order, when already cut.
        """
        u = corpus.unigrams
        distinct, local = np.unique(u.key, return_inverse=True)
        if per_stem is None:
            per_stem = self.ngrams_.transform([corpus.stems[k] for k in distinct.tolist()])
        docs = _matrix(u.doc, local.ravel(), u.value, (corpus.n_docs, len(distinct)))
        return (docs @ per_stem).tocsr()

    def transform(self, corpus: Corpus, char_counts: sp.csr_matrix | None = None,
                  taxonomy: Future[sp.csr_matrix] | None = None) -> tuple[sp.csr_matrix, np.ndarray]:
        """Sparse (words, chars, concepts, taxonomy) and dense (categories, latent) features, block-weighted.

        ``char_counts`` are the corpus's n-gram counts and ``taxonomy`` its taxonomy block
        (``taxonomy_.transform``, being made) when already known or under way (the mentors', at fit).
        """
        n, w = corpus.n_docs, {k: np.sqrt(v) for k, v in (self.weights or BLOCK_WEIGHTS).items()}
        if n <= _FEW_ROWS:
            sparse, concepts = self._few_rows(corpus, w)
            return sparse, self._dense(corpus, concepts, w)
        # The taxonomy block (most of the work, on threads of its own) while the others are weighed here.
        with ThreadPoolExecutor(max_workers=1) as pool:
            if taxonomy is None:
                taxonomy = pool.submit(self.taxonomy_.transform, corpus)
            chars = _tfidf(self.chars_, self._char_counts(corpus) if char_counts is None else char_counts)
            words = _tfidf(self.words_, _matrix(*self._word_entries(corpus), (n, self.n_words_)))
            concepts = _tfidf(self.concepts_, _counts(corpus.concepts, n, len(self.concepts_.idf_))).tocsr()
            dense = self._dense(corpus, concepts.tocoo(), w)
            # Each block's rows in column order before the taxonomy's arrive (it sorts its own):
            # the stacked rows are then in order as they are laid out, with no sort after.
            blocks = [(w["words"], words.tocsr()), (w["chars"], chars.tocsr()), (w["concepts"], concepts)]
            for _, block in blocks:
                block.sort_indices()
            sparse = stack_weighted([*blocks, (w["taxonomy"], taxonomy.result())])
        return sparse, dense

    def _dense(self, corpus: Corpus, concepts: sp.coo_matrix, w: dict[str, float]) -> np.ndarray:
        """:meth:`transform`'s dense part: the share of each vocabulary category, then the latent space.

        ``concepts`` are the documents' weighted vocabulary terms; ``w`` the blocks' weights' roots.
        """
        ph, n = _phrases(), corpus.n_docs
        n_categories = len(ph.categories)
        categories = np.bincount(concepts.row * n_categories + ph.category_of[concepts.col], weights=concepts.data,
                                 minlength=n * n_categories).astype(float).reshape(n, n_categories)
        latent = self.latent_.transform(corpus)
        # Each block weighted in float64 and rounded once to float32, straight into place.
        dense = np.empty((n, n_categories + latent.shape[1]), dtype=np.float32)
        np.multiply(w["categories"], normalize_rows(categories), out=dense[:, :n_categories], casting="unsafe")
        np.multiply(w["latent"], latent, out=dense[:, n_categories:], casting="unsafe")
        return dense

    def _few_rows(self, corpus: Corpus, w: dict[str, float]) -> tuple[sp.csr_matrix, sp.coo_matrix]:
        """:meth:`transform`'s sparse part and concept weights for a few rows, as one matrix built once.

        The same numbers as the three ``TfidfTransformer.transform`` calls and
        the stacking of many rows; built from the entries, a suggestion
        skips a dozen intermediate matrices.
        """
        n = corpus.n_docs
        wr, wc, wv = self._word_entries(corpus)
        chars = self._char_counts(corpus).tocoo()
        chars.sum_duplicates()
        c = corpus.concepts
        concepts = _weigh(self.concepts_, c.doc, c.key, c.value, n)
        tr, tc, tv = self.taxonomy_.entries(corpus)
        n_concepts = len(self.concepts_.idf_)
        rows = np.concatenate([wr, chars.row, c.doc, tr])
        cols = np.concatenate([wc, self.n_words_ + chars.col, self.n_words_ + self.n_chars_ + c.key,
                               self.n_words_ + self.n_chars_ + n_concepts + tc])
        values = np.concatenate([w["words"] * _weigh(self.words_, wr, wc, wv, n),
                                 w["chars"] * _weigh(self.chars_, chars.row, chars.col, chars.data, n),
                                 w["concepts"] * concepts, w["taxonomy"] * tv])
        shape = (n, self.n_words_ + self.n_chars_ + n_concepts + self.taxonomy_.n_texts)
        sparse = sp.csr_matrix((values.astype(np.float32), (rows, cols)), shape=shape)
        return sparse, sp.coo_matrix((concepts, (c.doc, c.key)), shape=(n, len(self.concepts_.idf_)))

    def _split(self, sparse: sp.csr_matrix) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """The rows' common and rare features, each in its own columns (their order kept).

        ``sparse[:, self.common_]`` gives the same, after half a millisecond of
        checking the index: as long as a whole suggestion's text product.
        """
        common = self.is_common_[sparse.indices]
        before = np.concatenate([[0], np.cumsum(common)])[sparse.indptr]
        column = self.column_in_part_[sparse.indices]
        n, rare = sparse.shape[0], ~common
        return (sp.csr_matrix((sparse.data[common], column[common], before), shape=(n, len(self.common_))),
                sp.csr_matrix((sparse.data[rare], column[rare], sparse.indptr - before), shape=(n, len(self.rare_))))

    def mentors(self, cols: np.ndarray) -> MentorColumns:
        """The text features of the mentors ``cols`` (sorted), laid out for :meth:`similarity` of many rows."""
        return MentorColumns(np.ascontiguousarray(self.mentor_dense_t_[:, cols]),
                             np.ascontiguousarray(self.mentor_common_t_[:, cols]), self.mentor_rare_t_[:, cols].tocsr())

    def similarity(self, sparse: sp.csr_matrix, dense: np.ndarray, cols: np.ndarray | None = None,
                   mentors: MentorColumns | None = None, out: np.ndarray | None = None) -> np.ndarray:
        """Text similarity of the given rows against all mentors, the sorted columns ``cols`` or ``mentors``, in [0, 1].

        ``cols`` suits a few mentors (the reasons of a suggestion), ``mentors``
        (from :meth:`mentors`) many rows against the same mentors. ``out``, a
        zeroed float32 array of the result's shape, is filled and returned
        (with ``cols``, it is not used).

        The sparse product is split in two. Features many mentors share (a
        few hundred character n-grams and common stems: most of the work of
        a sparse product, whose output is then mostly filled) are multiplied
        against the mentors' dense rows of them, a contiguous run of
        multiply-adds per entry; the rest stays a sparse product, now short.
        Every path adds the same three terms in the same order (common, rare,
        dense), each summed over features in column order, so a pair scores
        the same in a batch of any size and against any set of mentors.
        """
        common, rare = self._split(sparse)
        if cols is not None:
            out = common @ self.mentor_common_t_[:, cols]
            # A few chosen mentors: their rows times the dense rows. Transposing
            # them instead costs a pass over every rare column, and rich text has
            # a hundred thousand.
            out += (self.mentor_rare_[cols] @ rare.toarray().T).T
            dense_t = self.mentor_dense_t_[:, cols]
        else:
            side = mentors or MentorColumns(self.mentor_dense_t_, self.mentor_common_t_, self.mentor_rare_t_)
            if out is None:
                out = common @ side.common_t
            else:
                add_product(common, side.common_t, out)
            add_sparse(rare @ side.rare_t, out)
            dense_t = side.dense_t
        # A few rows (a single suggestion) go through einsum's own loop: threaded
        # BLAS can spend milliseconds waking threads for a matrix-vector product.
        if len(dense) <= 16:
            out += np.einsum("ij,jk->ik", dense, dense_t)
        else:  # through a working array of the process's
            work = WORKSPACE.take(out.shape, out.dtype, zeroed=False)
            out += np.matmul(dense, dense_t, out=work)
            WORKSPACE.give(work)
        return np.clip(out, 0.0, 1.0, out=out)
