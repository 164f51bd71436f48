"""Figures of an approach (placeholder, filled below)."""

from __future__ import annotations

__all__ = ["plot_approach", "plot_range"]


def plot_approach(result, *, ax=None):
    raise NotImplementedError


def plot_range(result, *, ax=None):
    raise NotImplementedError
