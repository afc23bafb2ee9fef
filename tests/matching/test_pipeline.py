"""A round analysed a part at a time reads the same batch and finds the same candidates as one analysed at once."""

import dataclasses

import numpy as np
import pytest

from matching import Matcher, Mentee
from matching.pipeline import _part_bounds, prepared_candidates
from tests.matching.synthetic import make_people


def _parts(monkeypatch: pytest.MonkeyPatch, n_mentors: int, rows_per_chunk: int) -> None:
    monkeypatch.setattr("matching.scoring._CHUNK_CELLS", n_mentors * rows_per_chunk)
    monkeypatch.setattr("matching.pipeline._LEAST_ROWS", 1)


@pytest.mark.parametrize("rows_per_chunk", [17, 40])
def test_parts_give_the_batch_and_candidates_of_one_analysis(monkeypatch: pytest.MonkeyPatch,
                                                              rows_per_chunk: int) -> None:
    mentors, mentees = make_people(30, 230, seed=4)
    # some exclusions, and mentees with nothing to analyse
    mentees = [dataclasses.replace(e, exclude=[mentors[i % 30].id]) if i % 7 == 0 else e
               for i, e in enumerate(mentees)]
    mentees += [Mentee(id=f"blank{i}") for i in range(20)]
    m = Matcher().fit(mentors)
    _parts(monkeypatch, len(mentors), rows_per_chunk)
    batch, tables, cand = prepared_candidates(m, mentees, 5)
    whole = m._prepare(mentees)
    for a, b in [(batch.sparse.indptr, whole.sparse.indptr), (batch.sparse.indices, whole.sparse.indices),
                 (batch.sparse.data, whole.sparse.data), (batch.dense, whole.dense),
                 (batch.has_text, whole.has_text), *zip(batch.excluded, whole.excluded, strict=True),
                 *zip(tables.inverse, m._tables(whole).inverse, strict=True)]:
        np.testing.assert_array_equal(a, b)
    want = m.candidates(mentees, k=5)
    for a, b in [(cand.indptr, want.indptr), (cand.indices, want.indices), (cand.data, want.data)]:
        np.testing.assert_array_equal(a, b)
    for i in (0, rows_per_chunk, len(mentees) - 1):
        assert batch.corpus.document(i) == whole.corpus.document(i)


def test_a_round_in_parts_is_the_round_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    mentors, mentees = make_people(30, 200, seed=8)
    m = Matcher().fit(mentors)
    capacity = np.full(30, 2)
    _parts(monkeypatch, len(mentors), 17)  # chunks of 17 rows either way: the same products
    in_parts = m.round(mentees, capacity, k=4, explain=True)
    monkeypatch.setattr("matching.pipeline._LEAST_ROWS", 10**9)
    at_once = m.round(mentees, capacity, k=4, explain=True)
    np.testing.assert_array_equal(in_parts.assignment, at_once.assignment)
    np.testing.assert_array_equal(in_parts.scores, at_once.scores)
    assert in_parts.reasons == at_once.reasons


def test_a_failed_analysis_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    mentors, mentees = make_people(30, 120, seed=2)
    m = Matcher().fit(mentors)
    _parts(monkeypatch, len(mentors), 17)
    analysed = m._analysed
    calls = []

    def fail_on_the_third(part: list) -> tuple:
        calls.append(len(part))
        if len(calls) == 3:
            raise MemoryError("no room")
        return analysed(part)

    monkeypatch.setattr(m, "_analysed", fail_on_the_third)
    with pytest.raises((MemoryError, RuntimeError)):
        prepared_candidates(m, mentees, 5)


def test_parts_double_from_one_chunk() -> None:
    assert _part_bounds(1) == [0, 1]
    assert _part_bounds(5) == [0, 1, 2, 4, 5]
    assert _part_bounds(125)[-3:] == [32, 64, 125]
