"""Reused working arrays for the text products of a round's chunks.

Each chunk of a round multiplies a few thousand rows against every mentor
(:meth:`matching.encoder.TextEncoder.similarity`) and adds up three such
products. Allocated afresh for every chunk, the result and its temporaries
are megabytes of new memory each time, whose page faults cost about as much
as filling them. A thread's temporaries go through its own array
(:func:`scratch`), and the results of chunks already looked at are handed to
later chunks (:class:`Recycler`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from numpy.typing import DTypeLike

__all__ = ["Recycler", "add_product", "add_sparse", "scratch"]

_LOCAL = threading.local()


def scratch(shape: tuple[int, int], dtype: DTypeLike) -> np.ndarray:
    """This thread's working array as a C-contiguous array of ``shape``; its contents are left over.

    One per thread: the caller is done with the previous one when it asks again.

    Examples
    --------
    >>> a = scratch((2, 3), np.float32)
    >>> b = scratch((3, 2), np.float32)
    >>> b.shape, b.flags.c_contiguous, np.shares_memory(a, b)
    ((3, 2), True, True)
    """
    size = int(np.prod(shape))
    kept = getattr(_LOCAL, "array", None)
    if kept is None or kept.dtype != np.dtype(dtype) or kept.size < size:
        kept = np.empty(size, dtype=dtype)
        _LOCAL.array = kept
    return kept[:size].reshape(shape)


class Recycler:
    """Zeroed arrays of one shape, taken by chunks and given back once looked at; safe across threads.

    Examples
    --------
    >>> recycler = Recycler()
    >>> a = recycler.take((2, 2), np.float32)
    >>> a += 1
    >>> recycler.give(a)
    >>> b = recycler.take((2, 2), np.float32)
    >>> b is a, float(b.sum())
    (True, 0.0)
    """

    def __init__(self) -> None:
        self._free: list[np.ndarray] = []
        self._lock = threading.Lock()

    def take(self, shape: tuple[int, int], dtype: DTypeLike) -> np.ndarray:
        """A zeroed array of ``shape``: one given back, or a new one."""
        with self._lock:
            for i, kept in enumerate(self._free):
                if kept.shape == shape and kept.dtype == np.dtype(dtype):
                    out = self._free.pop(i)
                    out.fill(0)
                    return out
        return np.zeros(shape, dtype=dtype)

    def give(self, array: np.ndarray | None) -> None:
        """Hand back an array no one reads any more (None: nothing)."""
        if array is not None:
            with self._lock:
                self._free.append(array)


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
