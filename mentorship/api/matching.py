"""Suggestions, match requests and pairings in the JSON API."""

from __future__ import annotations
