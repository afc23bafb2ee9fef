"""Structured criteria (language, time zone, experience, industry) and hard constraints.

Each criterion scores a pair in [0, 1]:

- ``language``: 1 if they share a language, 0 if not;
- ``timezone``: ``1 - gap / 12`` where ``gap`` is the clock difference in hours
  (0 to 12, measured around the globe, so UTC+13 and UTC-10, or UTC+14 and
  UTC-11, are 1 hour apart) on one date of the program (:mod:`matching.zones`);
- ``experience``: ``clip((mentor_years - mentee_years) / 5, 0, 1)``: a mentor
  five or more years ahead scores 1, a peer or a junior 0;
- ``industry``: 1 for the same industry (case-insensitive), else 0.

A criterion the mentee left empty is left out of that mentee's score (its
weight drops out of the average). A criterion the mentor left empty scores
``NEUTRAL`` (0.5), except industry, which then scores 0 like a different one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from matching.defaults import DEFAULT_WEIGHTS
from matching.languages import normalize_language
from matching.zones import REFERENCE_INSTANT, UNPLACED_ZONES, utc_offset_hours

__all__ = ["CRITERIA", "DEFAULT_WEIGHTS", "REFERENCE_INSTANT", "UNPLACED_ZONES", "Facts", "clock_gap",
           "criterion_scores", "row_groups", "Tables", "structured_tables", "utc_offset_hours"]

#: Default weight of each criterion. The score of a pair is
#: ``sum(w[c] * s[c]) / sum(w[c])`` over the criteria the mentee filled in, so
#: text relevance (0.6 of 1.0) dominates and the result stays in [0, 1].
CRITERIA = tuple(DEFAULT_WEIGHTS)
#: Score of a criterion the mentor left empty (industry excepted).
NEUTRAL = 0.5
#: Years a mentor must be ahead for a full experience score.
EXPERIENCE_FULL_GAP = 5.0


def clock_gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hours between UTC offsets, measured around the globe: 0 to 12 (NaN stays NaN).

    The vectorised :func:`matching.zones.clock_gap`: offsets run from -12 to
    +14, so two of them can be more than 24 hours apart.

    Examples
    --------
    >>> clock_gap(np.array([14.0, 13.0, 1.0]), np.array([-11.0, -10.0, -1.0])).tolist()
    [1.0, 1.0, 2.0]
    """
    gap = np.abs(a - b) % 24.0
    return np.minimum(gap, 24.0 - gap)


@dataclass(frozen=True)
class Facts:
    """Column arrays of the structured facts of a list of people."""

    lang_bits: np.ndarray  # (n, words) uint64: one bit per language known to the mentors
    has_lang: np.ndarray  # (n,) bool
    offset: np.ndarray  # (n,) float hours, NaN = unknown
    years: np.ndarray  # (n,) float, NaN = unknown
    industry: np.ndarray  # (n,) int: -1 unknown, -2 an industry no mentor has

    @classmethod
    def encode(cls, people: Sequence, languages: dict[str, int], industries: dict[str, int],
               on: date | datetime | None = None) -> Facts:
        """Encode people (mentors or mentees) against the mentors' language and industry codes.

        UTC offsets are read at ``on`` (a date of the program; by default
        ``REFERENCE_INSTANT``, see :mod:`matching.zones`): mentors and
        mentees of one round must be encoded at the same one.
        """
        n, words = len(people), max(1, -(-len(languages) // 64))
        spoken: dict[tuple[str, ...], int] = {}  # few distinct language lists: encode each once
        rows = [spoken.setdefault(p.languages, len(spoken)) for p in people]
        table = np.zeros((len(spoken) + 1, words), dtype=np.uint64)
        table_has = np.zeros(len(spoken) + 1, dtype=bool)
        for given, at in spoken.items():
            codes = {normalize_language(c) for c in given} - {""}
            table_has[at] = bool(codes)
            for code in codes:
                if code in languages:
                    b = languages[code]
                    table[at, b // 64] |= np.uint64(1 << (b % 64))
        index = np.array(rows, dtype=np.int64).reshape(n)
        bits, has_lang = table[index], table_has[index]
        offset = np.array([utc_offset_hours(p.timezone, on) if p.timezone else np.nan for p in people],
                          dtype=float).reshape(n)
        years = np.array([np.nan if p.years_experience is None else p.years_experience for p in people],
                         dtype=float).reshape(n)
        industry = np.array([industries.get(p.industry.lower(), -2) if p.industry else -1 for p in people],
                            dtype=np.int64).reshape(n)
        return cls(bits, has_lang, offset, years, industry)

    def rows(self, index: slice | np.ndarray) -> Facts:
        """The facts of a subset of the people."""
        return Facts(self.lang_bits[index], self.has_lang[index], self.offset[index],
                     self.years[index], self.industry[index])


def criterion_scores(
    mentees: Facts, mentors: Facts, max_gap: float | None, only: tuple[str, ...] = CRITERIA[1:]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray]:
    """Per-criterion scores of every (mentee, mentor) pair and the hard constraints.

    Parameters
    ----------
    only : tuple of str
        The structured criteria to compute (all by default); the hard
        constraints returned are those these criteria carry.

    Returns
    -------
    scores : dict of criterion -> ndarray (n_mentees, n_mentors)
    known : dict of criterion -> ndarray (n_mentees, 1) bool, whether the mentee filled it in
    forbidden : ndarray (n_mentees, n_mentors) bool
    """
    forbidden = np.zeros((len(mentees.has_lang), len(mentors.has_lang)), dtype=bool)
    scores, known = {}, {}
    if "language" in only:
        no_shared = _forbidden_by("language", mentees, mentors, max_gap)
        e_lang, m_lang = mentees.has_lang[:, None], mentors.has_lang[None, :]
        forbidden |= no_shared
        # "shared" is only read where both gave languages
        scores["language"] = np.where(m_lang, ~no_shared & e_lang, NEUTRAL)
        known["language"] = e_lang
    if "timezone" in only:
        forbidden |= _forbidden_by("timezone", mentees, mentors, max_gap)
        gap = clock_gap(mentees.offset[:, None], mentors.offset[None, :])
        scores["timezone"] = np.where(np.isnan(mentors.offset), NEUTRAL, 1.0 - np.nan_to_num(gap) / 12.0)
        known["timezone"] = ~np.isnan(mentees.offset)[:, None]
    if "experience" in only:
        ahead = np.nan_to_num(mentors.years[None, :] - mentees.years[:, None])
        scores["experience"] = np.where(np.isnan(mentors.years), NEUTRAL,
                                        np.clip(ahead / EXPERIENCE_FULL_GAP, 0.0, 1.0))
        known["experience"] = ~np.isnan(mentees.years)[:, None]
    if "industry" in only:
        same = (mentees.industry[:, None] == mentors.industry[None, :]) & (mentors.industry >= 0)
        scores["industry"] = same.astype(float)
        known["industry"] = (mentees.industry != -1)[:, None]
    return scores, known, forbidden


def _representatives(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of one row per distinct value combination, and each row's group."""
    parts = []
    for c in columns:
        c = c.reshape(len(c), -1)
        if c.dtype.kind == "f":
            c = np.where(np.isnan(c), -1e300, c)
        parts.append(c.astype(np.int64) if c.dtype.kind == "b" else c.view(np.int64))
    return row_groups(np.column_stack(parts))


#: Batches up to this many mentees keep one group per row (a single suggestion
#: is one row): finding equal rows would cost more than it saves.
_SMALL_BATCH = 16


def row_groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of one row per group of equal rows of ``keys``, and each row's group."""
    if len(keys) <= _SMALL_BATCH:
        every = np.arange(len(keys))
        return every, every
    _, first, inverse = np.unique(_row_codes(keys), return_index=True, return_inverse=True)
    return first, inverse.ravel()


def _row_codes(keys: np.ndarray) -> np.ndarray:
    """One integer per row, equal exactly for equal rows.

    Sorting single integers is many times faster than ``np.unique(axis=0)``,
    which sorts whole rows; codes are renumbered after each column so they
    never overflow.
    """
    code = np.zeros(len(keys), dtype=np.int64)
    for column in keys.T:
        _, values = np.unique(column, return_inverse=True)
        code = code * (int(values.max(initial=0)) + 1) + values.ravel()
        _, code = np.unique(code, return_inverse=True)
        code = code.ravel()
    return code


@dataclass(frozen=True)
class Tables:
    """Structured scores of a batch of mentees, factored per criterion.

    People share few distinct languages, zones, years and industries, so each
    criterion is scored once per distinct mentee value (``tables[c]``, float32,
    weighted, ``-inf`` where a hard constraint forbids the pair) and a block
    of rows is gathered with ``inverse[c]``: the same numbers as
    :func:`criterion_scores`, many times faster on big rounds.
    """

    tables: tuple[np.ndarray, ...]
    inverse: tuple[np.ndarray, ...]
    den: np.ndarray  # (n_mentees,) total weight of the criteria each mentee filled in

    def block(self, rows: slice) -> np.ndarray:
        """``sum(w[c] * s[c])`` for a block of mentees, ``-inf`` where forbidden."""
        out = np.take(self.tables[0], self.inverse[0][rows], axis=0)
        for table, inverse in zip(self.tables[1:], self.inverse[1:], strict=True):
            out += np.take(table, inverse[rows], axis=0)
        return out


def structured_tables(mentees: Facts, mentors: Facts, weights: dict[str, float],
                      max_gap: float | None, closed: np.ndarray) -> Tables:
    """Factor the structured criteria of a batch; ``closed`` marks mentors no one may get.

    Examples
    --------
    >>> f = Facts.encode([], {}, {})
    >>> structured_tables(f, f, DEFAULT_WEIGHTS, None, np.zeros(0, bool)).den.shape
    (0,)
    """
    groups = {
        "language": (mentees.lang_bits, mentees.has_lang),
        "timezone": (mentees.offset,),
        "experience": (mentees.years,),
        "industry": (mentees.industry,),
    }
    n = len(mentees.has_lang)
    tables, inverses, den = [], [], np.zeros(n)
    for criterion, columns in groups.items():
        if n == 0:
            break
        first, inverse = _representatives(*columns)
        reps = mentees.rows(first)
        scores, known, forbidden = criterion_scores(reps, mentors, max_gap, only=(criterion,))
        table = (weights[criterion] * np.where(known[criterion], scores[criterion], 0.0)).astype(np.float32)
        table[forbidden] = -np.inf
        if criterion == "language":
            table[:, closed] = -np.inf
        den += weights[criterion] * known[criterion][inverse, 0]
        tables.append(table)
        inverses.append(inverse)
    if n:  # language+timezone and experience+industry: two gathers per block instead of four
        tables, inverses = _merge_pairs(tables, inverses)
    return Tables(tuple(tables), tuple(inverses), den)


#: Largest joint table (bytes) worth building to save a gather per block.
_JOINT_BYTES = 64 * 2**20


def _merge_pairs(tables: list[np.ndarray], inverses: list[np.ndarray]) -> tuple[list, list]:
    """Join criterion tables two by two over the value combinations that occur."""
    out_tables, out_inverses = [], []
    for a in range(0, len(tables), 2):
        pair_t, pair_i = tables[a : a + 2], inverses[a : a + 2]
        if len(pair_t) == 2:
            joint = np.column_stack(pair_i)
            first, inverse = row_groups(joint)
            combos = joint[first]
            if combos.shape[0] * pair_t[0].shape[1] * 4 <= _JOINT_BYTES:
                out_tables.append(pair_t[0][combos[:, 0]] + pair_t[1][combos[:, 1]])
                out_inverses.append(inverse)
                continue
        out_tables += pair_t
        out_inverses += pair_i
    return out_tables, out_inverses


def _forbidden_by(criterion: str, mentees: Facts, mentors: Facts, max_gap: float | None) -> np.ndarray:
    if criterion == "language":
        shared = np.zeros((len(mentees.has_lang), len(mentors.has_lang)), dtype=bool)
        for w in range(mentees.lang_bits.shape[1]):
            shared |= (mentees.lang_bits[:, w, None] & mentors.lang_bits[None, :, w]) != 0
        return mentees.has_lang[:, None] & mentors.has_lang[None, :] & ~shared
    if max_gap is None:
        return np.zeros((len(mentees.offset), len(mentors.offset)), dtype=bool)
    return clock_gap(mentees.offset[:, None], mentors.offset[None, :]) > max_gap + 1e-9
