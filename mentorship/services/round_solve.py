"""A matching round over a program's stored people: the engine's certified round with the
app's pins, in enrolment ids, with the report's figures and each pair's reasons.

Beside ``services/matches.py`` (which fits the matcher and builds the engine's records),
the only module of the web app that reaches the engine's round.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import matching
from mentorship.services.matches import Fitted

if TYPE_CHECKING:
    from matching import Mentee

#: Candidates per mentee a round starts from (the engine's default). Any number gives the
#: same certified optimum; more leave fewer rows for the certificate to read, for a
#: larger candidate graph. At 50,000 x 10,000 the engine's round took 23 s of CPU from 50
#: and 29 s from 120; at 10,000 x 2,000 the two were within the noise (1.2-1.7 s).
PINNED_BLOCK = 1000  # mentees scored at once for the seats pins took
ROUND_CANDIDATES = 50


@dataclass
class SolvedRound:
    """A solved round in enrolment ids, for the rounds service to store.

    ``pairs`` are the solved pairs (mentee, mentor, score) besides the pins, and
    ``reasons`` their reasons; ``pinned``
    the pins kept with their scores; ``dropped`` the pins no longer possible (the pair
    is now forbidden or the mentor has no seat left); ``best`` maps each unmatched mentee
    to its best allowed score among mentors with a seat left once the pins took theirs
    (None: not one), as the engine's round found it.
    """

    pairs: list[tuple[int, int, float]]
    pinned: list[tuple[int, int, float]]
    dropped: list[tuple[int, int]]
    best: dict[int, float | None]
    figures: dict[str, Any]
    certified: bool
    reasons: dict[int, list[str]]  # of the solved pairs, by mentee id, as the engine words them


def solve_round(fit: Fitted, records: Sequence[Mentee], seats: Mapping[int, int],
                pins: Mapping[int, int], groups: Sequence[str], *,
                objective: str, min_score: float | None, equity: float,
                progress: Callable[[str], None] = lambda phase: None) -> SolvedRound:
    """The optimal round of the mentees (``records``, their exclusions in them) over
    ``fit``'s mentors (``seats`` free per mentor id).

    Pinned pairs (``pins``: mentee id -> mentor id) are fixed: their seats are taken
    before solving and their mentees are not solved for. ``figures`` is the engine's
    ``evaluate`` over the whole round, pins included, grouped by ``groups``.
    """
    mentee_ids = [cast(int, record.id) for record in records]  # enrolment ids
    row = {mentee_id: i for i, mentee_id in enumerate(mentee_ids)}
    capacity = [seats.get(m.id, 0) for m in fit.mentors]
    progress("score")
    kept, dropped = _kept_pins(fit, records, row, pins, capacity)
    free = [i for i, mentee_id in enumerate(mentee_ids) if mentee_id not in kept]
    solved = fit.matcher.round([records[i] for i in free], capacity,  # type: ignore[arg-type]
                               k=ROUND_CANDIDATES, min_score=min_score, objective=objective,
                               equity=equity, explain=True)
    progress("assign")
    columns, own = [-1] * len(records), [0.0] * len(records)
    for mentee_id, (j, score) in kept.items():
        columns[row[mentee_id]], own[row[mentee_id]] = j, score
    unmatched: dict[int, float | None] = {}
    for i, j, score, top in zip(free, solved.assignment.tolist(), solved.scores.tolist(),
                                solved.best.tolist(), strict=True):
        columns[i] = j
        if j >= 0:
            own[i] = score
        else:
            unmatched[mentee_ids[i]] = top if top > float("-inf") else None
    _best_at_pinned_seats(fit, records, row, seats, capacity, unmatched)
    figures = _evaluate(own, columns, [seats.get(m.id, 0) for m in fit.mentors], groups)
    ids = [m.id for m in fit.mentors]
    pairs = [(mentee_ids[i], ids[columns[i]], own[i]) for i in free if columns[i] >= 0]
    pinned = [(mentee_id, ids[j], score) for mentee_id, (j, score) in kept.items()]
    reasons = {mentee_ids[i]: why for i, why in zip(free, solved.reasons or [[] for _ in free], strict=True)
               if why}
    return SolvedRound(pairs, pinned, dropped, unmatched, figures, bool(solved.certified), reasons)


def _best_at_pinned_seats(fit: Fitted, records: Sequence[Mentee], row: Mapping[int, int],
                          seats: Mapping[int, int], capacity: Sequence[int],
                          unmatched: dict[int, float | None]) -> None:
    """An unmatched mentee with no allowed mentor left with a seat may have lost it to a
    pin: its best score then counts the mentors whose seats the pins took, so the
    report says "seats taken" rather than "no allowed mentor". Only those mentees'
    rows are scored, in blocks."""
    pinned_full = [j for j, m in enumerate(fit.mentors) if seats.get(m.id, 0) > 0 >= capacity[j]]
    lost = [mentee_id for mentee_id, best in unmatched.items() if best is None]
    if not pinned_full or not lost:
        return
    for start in range(0, len(lost), PINNED_BLOCK):
        part = lost[start:start + PINNED_BLOCK]
        block = fit.matcher.score([records[row[m]] for m in part])[:, pinned_full]
        for mentee_id, top in zip(part, block.max(axis=1).tolist(), strict=True):
            if top > float("-inf"):
                unmatched[mentee_id] = top


def _kept_pins(fit: Fitted, records: Sequence[Mentee], row: Mapping[int, int],
               pins: Mapping[int, int], capacity: list[int],
               ) -> tuple[dict[int, tuple[int, float]], list[tuple[int, int]]]:
    """The pins still possible (mentee id -> (column, score)), taking their seats from
    ``capacity``; the others as (mentee id, mentor id)."""
    wanted = [(mentee_id, mentor_id) for mentee_id, mentor_id in sorted(pins.items())
              if mentee_id in row and mentor_id in fit.column]
    dropped = [(a, b) for a, b in sorted(pins.items()) if (a, b) not in set(wanted)]
    kept: dict[int, tuple[int, float]] = {}
    if wanted:
        scores = fit.matcher.score([records[row[mentee_id]] for mentee_id, _ in wanted])
        for at, (mentee_id, mentor_id) in enumerate(wanted):
            j = fit.column[mentor_id]
            score = float(scores[at, j])
            if score == float("-inf") or capacity[j] <= 0:
                dropped.append((mentee_id, mentor_id))
                continue
            capacity[j] -= 1
            kept[mentee_id] = (j, score)
    return kept, dropped


def _evaluate(own: list[float], columns: list[int], seats: list[int],
              groups: Sequence[str]) -> dict[str, Any]:
    """``matching.evaluate`` on the round's own pairs (a sparse matrix of them alone:
    the full one would not fit in memory at company size). Blocking pairs need the
    whole matrix, so they are left out."""
    import scipy.sparse  # noqa: PLC0415 - the engine's own dependency, loaded with it

    rows = [i for i, j in enumerate(columns) if j >= 0]
    matrix = scipy.sparse.csr_array(
        ([own[i] for i in rows], (rows, [columns[i] for i in rows])),
        shape=(len(columns), len(seats)))
    figures = matching.evaluate(matrix, columns, seats, groups=list(groups))
    figures.pop("blocking_pairs", None)
    return dict(figures)
