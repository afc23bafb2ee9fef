"""The engine's default weight per criterion.

Standard library only, so the web app's forms can show the defaults without loading
numpy.
"""

from __future__ import annotations

__all__ = ["DEFAULT_WEIGHTS"]

DEFAULT_WEIGHTS = {"text": 0.6, "language": 0.1, "timezone": 0.1, "experience": 0.1, "industry": 0.1}
