"""Waiting for conditions (never for durations)."""

from __future__ import annotations

from tests.utils import until

__all__ = ["until"]
