"""Working arrays of a round's chunks, kept by the process from one round to the next.

Each chunk of a round multiplies a few thousand rows against every mentor
(:meth:`matching.encoder.TextEncoder.similarity`) and adds up three such
products: a result and a temporary of up to :data:`CHUNK_CELLS` cells each.
Allocated afresh, those are megabytes of new memory whose first touch costs
about as much as filling them, and arrays this large go back to the system
as soon as they are freed, so every round (and every chunk) paid for them
again: on the 2-core benchmark machine, a 16 MB array cost 7.6 ms allocated,
filled and freed, 1.4 ms filled again. :data:`WORKSPACE` lends them out and
keeps a few once handed back (at most ``_KEPT`` of ``CHUNK_CELLS`` float32
cells: 96 MB, whatever the size of the round), so a process that has scored
one large batch scores the next in memory it already holds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from numpy.typing import DTypeLike

__all__ = ["CHUNK_CELLS", "WORKSPACE", "Workspace", "add_product", "add_sparse"]

#: Cells of a round's chunk (:mod:`matching.scoring`): about 16 MB of float32 whatever the size.
CHUNK_CELLS = 4_000_000
#: Arrays kept: a round's text products in flight (one looked at, one made, one starting)
#: and a temporary per thread, with one to spare.
_KEPT = 6
#: Arrays under this many cells are not kept: the allocator serves them from memory it holds.
_SMALL = 1 << 18


class Workspace:
    """Arrays of up to ``cells`` cells lent out and handed back; safe across threads.

    An array is lent as the first cells of a kept one (C-contiguous, of the
    shape asked for); ``give`` hands it back once no one reads it any more.
    Arrays too small or too large to keep are plain new ones, and handing
    them back does nothing.

    Examples
    --------
    >>> space = Workspace(cells=1 << 20)
    >>> a = space.take((512, 1024), np.float32)
    >>> a += 1
    >>> space.give(a)
    >>> b = space.take((1024, 512), np.float32)  # the same memory, zeroed, in another shape
    >>> np.shares_memory(a, b), float(b.sum()), b.flags.c_contiguous
    (True, 0.0, True)
    """

    def __init__(self, cells: int = CHUNK_CELLS, kept: int = _KEPT) -> None:
        self.cells, self.kept = cells, kept
        self._owned: list[np.ndarray] = []  # every array kept, lent or free
        self._free: list[np.ndarray] = []
        self._lock = threading.Lock()

    def take(self, shape: tuple[int, int], dtype: DTypeLike, *, zeroed: bool = True) -> np.ndarray:
        """An array of ``shape``: zeroed, or with whatever it held before (``zeroed=False``)."""
        size, dtype = int(np.prod(shape)), np.dtype(dtype)
        if not _SMALL <= size <= self.cells:
            return np.zeros(shape, dtype) if zeroed else np.empty(shape, dtype)
        whole = None
        with self._lock:
            for i, free in enumerate(self._free):
                if free.dtype == dtype:
                    whole = self._free.pop(i)
                    break
            if whole is None:
                whole = np.empty(self.cells, dtype)
                if len(self._owned) < self.kept:
                    self._owned.append(whole)
        out = whole[:size].reshape(shape)
        if zeroed:
            out.fill(0)
        return out

    def give(self, array: np.ndarray | None) -> None:
        """Hand back an array from :meth:`take` that no one reads any more (None: nothing)."""
        whole = None if array is None else array.base
        if whole is None:
            return
        with self._lock:
            if any(whole is owned for owned in self._owned) and not any(whole is free for free in self._free):
                self._free.append(whole)


#: The process's working arrays (see the module's docstring).
WORKSPACE = Workspace()


def _kernel(name: str) -> Callable | None:
    """One of scipy's CSR kernels that add into a given array, if this scipy has it."""
    try:
        from scipy.sparse import _sparsetools
    except ImportError:  # pragma: no cover - every scipy this package supports has it
        return None
    return getattr(_sparsetools, name, None)


_MATVECS = _kernel("csr_matvecs")  # Y += A @ X
_TODENSE = _kernel("csr_todense")  # Y += A


def add_sparse(sparse: sp.csr_matrix, out: np.ndarray) -> None:
    """``out += sparse.toarray()`` without a new array: each stored entry added to its cell of ``out``.

    scipy's ``toarray`` adds the entries into a zeroed array; adding them
    into ``out`` instead gives the same sums (``x + 0`` is ``x``), one pass
    over the entries rather than two over the whole array.

    Examples
    --------
    >>> out = np.ones((1, 2), np.float32)
    >>> add_sparse(sp.csr_matrix(np.array([[0.0, 2.0]], np.float32)), out)
    >>> out.tolist()
    [[1.0, 3.0]]
    """
    kernel = _TODENSE
    if kernel is None or not (sparse.format == "csr" and out.flags.c_contiguous and out.shape == sparse.shape
                              and sparse.dtype == out.dtype):
        out += sparse.toarray()
        return
    kernel(sparse.shape[0], sparse.shape[1], sparse.indptr, sparse.indices, sparse.data, out.ravel())


def add_product(sparse: sp.csr_matrix, dense: np.ndarray, out: np.ndarray) -> None:
    """``out += sparse @ dense`` without a new array: the numbers ``sparse @ dense`` gives added to ``out``.

    scipy computes ``sparse @ dense`` by adding into a zeroed array; this
    adds into ``out`` with the same kernel (zeroed, it holds the product
    exactly). Without that kernel, the product is made and added.

    Examples
    --------
    >>> out = np.zeros((1, 2), np.float32)
    >>> add_product(sp.csr_matrix(np.array([[2.0]], np.float32)), np.array([[1.0, 3.0]], np.float32), out)
    >>> out.tolist()
    [[2.0, 6.0]]
    """
    kernel = _MATVECS
    fits = (sparse.format == "csr" and dense.flags.c_contiguous and out.flags.c_contiguous
            and out.shape == (sparse.shape[0], dense.shape[1]) and sparse.dtype == dense.dtype == out.dtype)
    if kernel is None or not fits:
        out += sparse @ dense
        return
    m, n = sparse.shape
    kernel(m, n, dense.shape[1], sparse.indptr, sparse.indices, sparse.data, dense.ravel(), out.ravel())
