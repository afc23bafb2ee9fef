"""Pure matching engine: scores mentees against mentors, assigns and reports on rounds.

Imports only numpy, scipy, scikit-learn, PyStemmer (Snowball stemmers), OR-Tools'
min-cost-flow solver and the standard library; data goes in as plain records and arrays and comes out as
arrays, indices and small frozen dataclasses.

The public names load on first use (PEP 562), so ``import matching.vocabulary``
, ``matching.zones`` or ``matching.defaults`` (the web app's form validation)
loads no numpy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matching.assignment import assign
    from matching.criteria import DEFAULT_WEIGHTS
    from matching.evaluation import evaluate
    from matching.matcher import Matcher
    from matching.model import Mentee, Mentor, Suggestion
    from matching.rounds import Round
    from matching.warmup import warm_up

#: Each public name and the module that defines it.
_HOMES = {
    "DEFAULT_WEIGHTS": "matching.criteria",
    "Matcher": "matching.matcher",
    "Mentee": "matching.model",
    "Mentor": "matching.model",
    "Round": "matching.rounds",
    "Suggestion": "matching.model",
    "assign": "matching.assignment",
    "evaluate": "matching.evaluation",
    "warm_up": "matching.warmup",
}

__all__ = ["DEFAULT_WEIGHTS", "Matcher", "Mentee", "Mentor", "Round", "Suggestion", "assign", "evaluate", "warm_up"]


def __getattr__(name: str) -> Any:
    """Load a public name from its module the first time it is asked for."""
    if name not in _HOMES:
        raise AttributeError(f"module 'matching' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
