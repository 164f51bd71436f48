r"""Phasing strategies: co-elliptic (Hohmann-type) sequence, multi-revolution Lambert,
N-impulse optimum. Each public function returns a :class:`~.core.PhasingPlan`.

All three share the end conditions: the chaser must be at the hand-over state (an
offset from the station in the station's LVLH frame) at the hand-over epoch. They
differ in how the burns are found:

* :func:`plan_coelliptic` -- the classic ground-guided scheme (perigee raise on the
  phasing orbit, height adjust, co-elliptic burn, plane correction at the relative
  node), solved analytically in a two-body + J2 secular (mean-motion) model.
* :func:`plan_lambert` -- two impulses; Izzo's (2015) Lambert solver (boinor) over a
  grid of burn epochs and revolution counts, minimum total delta-v, then refined.
* :func:`plan_n_impulse` -- N = 3..6 impulses, minimum total delta-v with scipy's
  SLSQP subject to arrival at the hand-over state, warm-started from the other two.

With ``correct=True`` every plan is then corrected through the force model
(:func:`~.targeting._correct`), epochs fixed (optionally free), until it arrives within 100 m and 0.1 m/s.
"""

from __future__ import annotations

# The strategies live in their own modules; this one gathers them (and, for the
# profiles module and the tests, a few private helpers).
from ._common import _MIN_GAP_S, MIN_INSERTION_PERIGEE, _finish, _Problem, _setup  # noqa: F401
from .coelliptic import (  # noqa: F401
    CoellipticSchedule,
    _CoellipticModel,
    _mean_sma,
    plan_coelliptic,
)
from .lambert import _izzo, _lambert_pair, _lambert_search, plan_lambert  # noqa: F401
from .nimpulse import plan_n_impulse

__all__ = [
    "CoellipticSchedule",
    "MIN_INSERTION_PERIGEE",
    "plan_coelliptic",
    "plan_lambert",
    "plan_n_impulse",
]
