"""Row chunks of a round on two threads: numpy releases the GIL, so two chunks score at once."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from threadpoolctl import ThreadpoolController

__all__ = ["blas_controller", "map_chunks", "map_halves"]

_THREADS = min(2, os.cpu_count() or 1)


@functools.cache
def blas_controller() -> ThreadpoolController:
    """One controller of the BLAS thread pools per process (finding the libraries takes ~50 ms).

    Examples
    --------
    >>> blas_controller() is blas_controller()
    True
    """
    return ThreadpoolController()


def _halves(rows: slice) -> list[slice]:
    """The two halves of a slice of rows (one if it has a single row)."""
    middle = (rows.start + rows.stop) // 2
    return [slice(rows.start, middle), slice(middle, rows.stop)] if middle > rows.start else [rows]


def map_chunks(fn: Callable, chunks: list[slice]) -> Iterator:
    """Apply ``fn`` to row chunks on two threads (numpy releases the GIL), in order."""
    if len(chunks) < 2:
        return map(fn, chunks)
    # The chunks already keep the cores busy: threaded BLAS inside them would only contend.
    with ThreadPoolExecutor(max_workers=_THREADS) as pool, \
            blas_controller().limit(limits=1, user_api="blas"):
        return iter(list(pool.map(fn, chunks)))


def map_halves(first: Callable[[slice], Any], then: Callable[[Any, slice], Any],
               chunks: list[slice], done: Callable[[Any], None] | None = None) -> Iterator[list]:
    """For each chunk, ``[then(first(chunk), half) for half in its two halves]``, in order, on two threads.

    ``first`` (a chunk's text product, one call per chunk)
    is started one chunk ahead and the halves fill in around it, so both
    threads stay busy to the end even with an odd number of chunks. A
    single chunk is done here, as a whole. ``done(first(chunk))`` is called
    once the caller has moved past the chunk (its memory may go to another).
    """
    if len(chunks) < 2:
        for chunk in chunks:
            made = first(chunk)
            yield [then(made, chunk)]
            if done is not None:
                done(made)
        return
    # The chunks already keep the cores busy: threaded BLAS inside them would only contend.
    with ThreadPoolExecutor(max_workers=_THREADS) as pool, \
            blas_controller().limit(limits=1, user_api="blas"):
        def then_on(done: Future, part: slice) -> Any:
            return then(done.result(), part)

        # Tasks start in submission order, so each waits only on a ``first`` already running.
        firsts: dict[int, Future] = {0: pool.submit(first, chunks[0])}
        halves: dict[int, list[Future]] = {}
        for i, chunk in enumerate(chunks):
            if i + 1 < len(chunks):
                firsts[i + 1] = pool.submit(first, chunks[i + 1])
            halves[i] = [pool.submit(then_on, firsts[i], part) for part in _halves(chunk)]
        for i in range(len(chunks)):
            yield [f.result() for f in halves.pop(i)]
            made = firsts.pop(i)  # let the chunk's text go
            if done is not None:
                done(made.result())
