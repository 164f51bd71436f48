"""Exceptions and warnings raised by qingzhou_sim.

Every error names the offending argument, its value with its unit, and what would be
valid; the same data are kept as attributes so that campaigns can record them.
"""

from __future__ import annotations

__all__ = [
    "EpochOrderError",
    "InfeasiblePlanError",
    "InputError",
    "MissionFileError",
    "OrbitRangeError",
    "PropagationError",
    "QingzhouError",
    "QingzhouWarning",
    "UnknownNameError",
]


class QingzhouError(Exception):
    """Base class of every error raised on purpose by qingzhou_sim."""


class InputError(QingzhouError, ValueError):
    """A value given to the library is invalid.

    Parameters
    ----------
    message
        The human-readable message (names the value and the valid range).
    name, value, valid
        The argument's name, the value received and a description of valid values,
        kept for programmatic use (e.g. recording a failed Monte Carlo sample).
    """

    def __init__(self, message: str, *, name: str | None = None, value=None, valid=None):
        super().__init__(message)
        self.name = name
        self.value = value
        self.valid = valid


class OrbitRangeError(InputError):
    """An orbit or state lies outside the range a function supports
    (below the surface, hyperbolic where a closed orbit is needed, ...)."""


class EpochOrderError(InputError):
    """Epochs are unordered, duplicated, or otherwise inconsistent."""


class InfeasiblePlanError(InputError):
    """A manoeuvre plan cannot be flown with the given inputs (phase angle outside the
    window of a profile, transfer time singular, hand-over before insertion, ...)."""


class UnknownNameError(InputError):
    """A name (profile, launch site, frame, method, ...) is not one of the known ones."""

    def __init__(self, kind: str, value: str, choices):
        choices = tuple(choices)
        listed = ", ".join(repr(c) for c in choices)
        super().__init__(
            f"unknown {kind} {value!r}; choose one of: {listed}",
            name=kind,
            value=value,
            valid=choices,
        )
        self.choices = choices


class MissionFileError(InputError):
    """A mission file is malformed: unknown key, wrong type, out-of-range value."""


class PropagationError(QingzhouError, RuntimeError):
    """The numerical propagation failed (step size underflow, too many steps, ...)."""

    def __init__(self, message: str, *, last_epoch=None):
        super().__init__(message)
        self.last_epoch = last_epoch


class QingzhouWarning(UserWarning):
    """Warnings issued by qingzhou_sim (always with ``stacklevel=2``)."""
