"""Shared strategies and the one assertion of the generated-input suite.

Every generated call must end in one of two ways: a ``qingzhou_sim.errors`` class, or
a result whose numbers are all finite. :func:`outcome` runs the call under a time limit
(a hang fails the test) and checks that contract.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import signal

import astropy.units as u
import numpy as np
from astropy.time import Time
from hypothesis import Phase, settings
from hypothesis import strategies as st

from qingzhou_sim.errors import QingzhouError

PROFILE_NAME = (
    "qz-long" if os.environ.get("QZ_HYPOTHESIS_PROFILE", "").lower() == "long" else "qz-ci"
)
PROFILE = settings(settings.get_profile(PROFILE_NAME))
# Calls of ~0.3 s (astropy Earth orientation, numba propagation): fewer examples in CI.
SLOW = settings(PROFILE, max_examples=8) if PROFILE_NAME == "qz-ci" else PROFILE
# Known failures in other helpers' files (xfail): find one, do not spend time shrinking it.
KNOWN = settings(
    PROFILE,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    report_multiple_bugs=False,
)
# A call that takes longer than this is a hang for this suite (the slowest public calls
# tried here, a launch-window search or a first astropy Earth-orientation load, take
# about a second; the margin covers a machine shared by many processes).
TIME_LIMIT_S = 30

EPOCH = Time("2026-12-01T00:00:00", scale="utc")


class Hang(AssertionError):
    pass


@contextlib.contextmanager
def time_limit(seconds: float = TIME_LIMIT_S):
    """Fail with :class:`Hang` if the block runs longer than ``seconds`` (main thread,
    POSIX; elsewhere no limit)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def _raise(signum, frame):
        raise Hang(f"call did not return within {seconds} s")

    old = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


CALLS = {"n": 0}  # generated calls made, reported at the end of the run (conftest)


def outcome(fn, *args, **kwargs):
    """Call ``fn``; return ``(None, error)`` for a qingzhou_sim error, ``(result, None)``
    for a finite result; fail the test for anything else (raw exception, NaN, hang)."""
    CALLS["n"] += 1
    try:
        with time_limit():
            result = fn(*args, **kwargs)
    except QingzhouError as exc:
        assert str(exc).strip(), f"{type(exc).__name__} without a message"
        return None, exc
    except Hang:
        raise
    except Exception as exc:
        raise AssertionError(
            f"raw {type(exc).__name__} from {getattr(fn, '__qualname__', fn)}: {exc}"
        ) from exc
    assert_finite(result, getattr(fn, "__qualname__", repr(fn)))
    return result, None


# Fields where +inf is the physical answer: period and apogee of an open orbit, a of a
# parabola, the entry time into the keep-out sphere of a drift that never enters.
INFINITE_OK = {"a", "period", "apogee_altitude", "t_entry"}


def assert_finite(obj, where: str = "result", _depth: int = 0) -> None:
    """Every number reachable in ``obj`` (arrays, Quantities, dataclasses, tuples) is finite."""
    if _depth > 6 or obj is None or isinstance(obj, str | bytes | bool | Time):
        return
    if isinstance(obj, u.Quantity | np.ndarray | np.number | float | int):
        arr = np.asarray(getattr(obj, "value", obj))
        if arr.dtype.kind in "fc":
            ok = np.isfinite(arr)
            if where.rsplit(".", 1)[-1] in INFINITE_OK:
                ok |= np.isposinf(arr)
            assert np.all(ok), f"{where}: non-finite values {arr!r}"
        return
    if dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            assert_finite(getattr(obj, f.name), f"{where}.{f.name}", _depth + 1)
        return
    if isinstance(obj, tuple | list):
        for k, item in enumerate(obj[:50]):
            assert_finite(item, f"{where}[{k}]", _depth + 1)
        return
    if isinstance(obj, dict):
        for k, item in list(obj.items())[:50]:
            assert_finite(item, f"{where}[{k!r}]", _depth + 1)


# ----------------------------------------------------------------- strategies
FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-300, -1e-300, 1e300, -1e300, 5e-324, 1.0, -1.0, 7000.0]),
)
GARBAGE = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.binary(max_size=6),
    st.booleans(),
    st.just(object()),
    st.just([1, "a"]),
    st.just({"a": 1}),
    st.just(1j),
    st.just([[1.0, 2.0], [3.0]]),
    FLOATS,
    st.integers(min_value=-(2**70), max_value=2**70),
)
UNITS = st.sampled_from(
    [u.km, u.m, u.AU, u.s, u.h, u.kg, u.deg, u.rad, u.km / u.s, u.m / u.s, u.one, u.N, u.Hz]
)


@st.composite
def quantities(draw, shapes=((), (3,), (2,), (2, 3), (4,))):
    """Quantities of any unit and shape with wild values (including NaN and inf)."""
    shape = draw(st.sampled_from(shapes))
    n = int(np.prod(shape)) if shape else 1
    values = np.array(draw(st.lists(FLOATS, min_size=n, max_size=n)), dtype=float)
    return values.reshape(shape) * draw(UNITS)


def any_value(good):
    """A value that is sometimes right (``good``) and mostly wrong in every way."""
    return st.one_of(good, GARBAGE, quantities())


EPOCH_TEXT = st.one_of(
    st.sampled_from(
        [
            "2026-12-01T00:00:00Z",
            "garbageZ",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-12-01T25:00:00Z",
            "2026-12-01",
            "",
            "Z",
            "nanZ",
            "99999-01-01T00:00:00Z",
            "2026-12-01T00:00:00+00:00",
            "2026-12-01T00:00:00+08:00",
        ]
    ),
    st.text(max_size=25).map(lambda t: t + "Z"),
)
EPOCHS = st.one_of(EPOCH_TEXT, st.just(EPOCH), GARBAGE)


def is_finite_number(x) -> bool:
    return isinstance(x, float | int) and not isinstance(x, bool) and math.isfinite(x)
