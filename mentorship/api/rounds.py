"""Admin matching rounds in the JSON API."""

from __future__ import annotations
