"""Scores of rectangles of a prepared batch (some mentees against some mentors), looked at block by block.

A certificate reads the scores of a few thousand mentees, each against the
mentors whose seats are cheap enough to matter (:mod:`matching.reading`).
:func:`scan_rectangles` scores those rectangles from the batch the
candidates came from (no text is analysed again) in row chunks on two
threads, and hands each block to the caller while it is fresh in the cache:
only what the caller keeps of it outlives the block.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from matching.criteria import Tables
from matching.parallel import blas_controller
from matching.scoring import _CHUNK_CELLS, BLOCK_CELLS, _Columns, _Features
from matching.scratch import WORKSPACE

if TYPE_CHECKING:
    from matching.scoring import Scorer

__all__ = ["scan_rectangles"]

T = TypeVar("T")
_THREADS = min(2, os.cpu_count() or 1)


def scan_rectangles(scorer: Scorer, batch: _Features, tables: Tables,
                    rectangles: Sequence[tuple[np.ndarray, np.ndarray | None]],
                    look: Callable[[np.ndarray, np.ndarray | None, np.ndarray], T]) -> list[T]:
    """``look(block_rows, cols, block)`` over blocks of the scores of each rectangle ``(rows, cols)``.

    ``tables`` are the batch's structured criteria (``scorer._tables(batch)``).
    ``rows`` are sorted, distinct indices into the batch; ``cols`` sorted
    mentor columns, or None for every mentor. Blocks are float32 of shape
    ``(len(block_rows), len(cols))``, at most about :data:`BLOCK_CELLS`
    cells; results come back in order.
    """
    tasks: list[Callable[[], list[T]]] = []
    for rows, cols in rectangles:
        if len(rows) == 0 or (cols is not None and len(cols) == 0):
            continue
        part = batch.rows(rows, cols)
        width = len(scorer.mentors_) if cols is None else len(cols)
        tables_part = Tables(tuple(t if cols is None else t[:, cols] for t in tables.tables),
                             tuple(inverse[rows] for inverse in tables.inverse), tables.den[rows])
        words = scorer._words(part) if cols is None else None
        columns = None if cols is None else scorer._columns(cols)
        step = max(1, _CHUNK_CELLS // width)
        for start in range(0, len(rows), step):
            chunk = slice(start, min(len(rows), start + step))
            tasks.append(_task(scorer, part, rows, cols, tables_part, words, columns, chunk,
                               max(1, BLOCK_CELLS // width), look))
    if len(tasks) < 2:
        return [r for task in tasks for r in task()]
    # The chunks already keep the cores busy: threaded BLAS inside them would only contend.
    with ThreadPoolExecutor(max_workers=_THREADS) as pool, blas_controller().limit(limits=1, user_api="blas"):
        return [r for found in pool.map(lambda task: task(), tasks) for r in found]


def _task(scorer: Scorer, part: _Features, rows: np.ndarray, cols: np.ndarray | None, tables: Tables,
          words: tuple | None, columns: _Columns | None, chunk: slice, block_rows: int,
          look: Callable[[np.ndarray, np.ndarray | None, np.ndarray], T]) -> Callable[[], list[T]]:
    """One chunk of a rectangle: its text product, then ``look`` on each block of its scores."""
    def run() -> list[T]:
        width = len(scorer.mentors_) if cols is None else len(cols)
        out = WORKSPACE.take((chunk.stop - chunk.start, width), np.float32)
        terms = scorer._chunk_terms(part, tables, chunk, words, columns, out=out)
        found, start = [], chunk.start
        for block in scorer._total_blocks(part, tables, terms, chunk, block_rows):
            if len(block):
                found.append(look(rows[start : start + len(block)], cols, block))
            start += len(block)
        WORKSPACE.give(out)
        return found
    return run
