"""Pure matching engine: scores mentees against mentors, assigns and reports on rounds.

Imports only numpy, scipy, scikit-learn, OR-Tools' min-cost-flow solver and the
standard library; data goes in as plain records and arrays and comes out as
arrays, indices and small frozen dataclasses.
"""

from __future__ import annotations

from matching.assignment import assign
from matching.criteria import DEFAULT_WEIGHTS
from matching.evaluation import evaluate
from matching.matcher import Matcher
from matching.model import Mentee, Mentor, Suggestion
from matching.warmup import warm_up

__all__ = ["DEFAULT_WEIGHTS", "Matcher", "Mentee", "Mentor", "Suggestion", "assign", "evaluate", "warm_up"]
