"""One reusable working array per thread, for the temporaries of a chunk's text product.

Each chunk of a round multiplies a few thousand rows against every mentor
(:meth:`matching.encoder.TextEncoder.similarity`) and adds up three such
products. Allocated afresh for every chunk, the temporaries are megabytes of
new memory each time, whose page faults cost about as much as filling them;
a thread's own array is filled again instead.
"""

from __future__ import annotations

import threading

import numpy as np
from numpy.typing import DTypeLike

__all__ = ["scratch"]

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
