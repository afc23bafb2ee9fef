"""Side-by-side stacking of weighted sparse blocks into one float32 CSR matrix, in a single pass.

A batch's text features are four TF-IDF blocks, each scaled by its weight
(:mod:`matching.encoder`). ``scipy.sparse.hstack`` of the scaled blocks
builds each scaled block, concatenates them in float64 and casts the
stacked result: several passes and arrays of the whole batch's size, which
at 50,000 mentees cost more (mostly in page faults) than the features
themselves. :func:`stack_weighted` writes each entry once, straight into the
stacked arrays, with the same numbers in the same places.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

__all__ = ["stack_weighted"]


def stack_weighted(blocks: Sequence[tuple[float, sp.csr_matrix]]) -> sp.csr_matrix:
    """``sp.hstack([w * b for w, b in blocks], format="csr", dtype=np.float32)``, entry for entry.

    Each row holds the first block's entries of that row, then the second's,
    and so on, columns sorted within the row; a value is its float64 product
    with its weight rounded to float32, as scaling and then casting gives.

    Examples
    --------
    >>> a = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 2.0]]))
    >>> b = sp.csr_matrix(np.array([[0.0], [3.0]]))
    >>> stack_weighted([(2.0, a), (0.5, b)]).toarray().tolist()
    [[2.0, 0.0, 0.0], [0.0, 4.0, 1.5]]
    """
    n = blocks[0][1].shape[0]
    counts = [np.diff(b.indptr) for _, b in blocks]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(sum(counts), out=indptr[1:])
    total = int(indptr[-1])
    index_dtype = np.int32 if max(total, sum(b.shape[1] for _, b in blocks)) < 2**31 else np.int64
    data = np.empty(total, dtype=np.float32)
    indices = np.empty(total, dtype=index_dtype)
    free = indptr[:-1].copy()  # each row's next free place
    offset = 0
    for (weight, block), count in zip(blocks, counts, strict=True):
        at = np.repeat(free - block.indptr[:-1], count)
        at += np.arange(block.nnz)
        data[at] = block.data * weight
        indices[at] = block.indices + offset
        free += count
        offset += block.shape[1]
    out = sp.csr_matrix((data, indices, indptr.astype(index_dtype)), shape=(n, offset))
    out.sort_indices()  # in place, as scipy's stacking leaves them
    return out
