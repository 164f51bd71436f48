"""Speed of the relative-motion kernels (issue 4: milliseconds, not seconds).

- CW STM at 10^6 time points (``_cw_stm``, one compiled pass), into a fresh array and
  into a preallocated ``out`` (a fresh 288 MB array costs its page faults); peer: a
  Python loop of scalar calls, scaled up (what vectorising buys).
- 10^4 relative states through 1000 times each (``_cw_propagate``, closed form in one
  compiled pass; 480 MB of output), peer: positions through the STM with einsum.
- Yamanaka-Ankersen STM at 10^5 time points; passive safety of 1000 hold points over 24 h.

Run: ``python benchmarks/bench_relative.py``. Prints best-of-N wall times.
"""

from __future__ import annotations

import time

import astropy.units as u
import numpy as np

from qingzhou_sim.relative import _cw_propagate, _cw_stm, _ya_stm, passive_safety

N = 1.1339e-3  # rad/s
MU = 398600.4418


def best_of(fn, repeat: int = 5) -> float:
    fn()  # warm-up (allocations, caches)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> dict:
    rng = np.random.default_rng(42)
    t6 = np.linspace(0.0, 86400.0, 1_000_000)
    x4 = rng.normal(size=(10_000, 6)) * np.array([1, 1, 1, 1e-3, 1e-3, 1e-3])
    t3 = np.linspace(0.0, 5 * 5541.0, 1000)
    t5 = np.linspace(0.0, 86400.0, 100_000)
    holds = rng.uniform(-2, 2, size=(1000, 3)) * u.km

    stm_buf = np.empty((t6.size, 6, 6))
    prop_buf = np.empty((x4.shape[0], t3.size, 6))
    res = {
        "cw_stm 1e6 times (fresh 288 MB array)": best_of(lambda: _cw_stm(N, t6), 3),
        "cw_stm 1e6 times (into preallocated out)": best_of(lambda: _cw_stm(N, t6, out=stm_buf), 3),
        "cw stm python loop 1e3 times (x1000)": best_of(
            lambda: [_cw_stm(N, float(t)) for t in t6[:1000]], 3
        )
        * 1000,
        "cw_propagate 1e4 x 1e3 (fresh 480 MB array)": best_of(lambda: _cw_propagate(N, x4, t3), 3),
        "cw_propagate 1e4 x 1e3 (into preallocated out)": best_of(
            lambda: _cw_propagate(N, x4, t3, out=prop_buf), 3
        ),
        "cw_propagate 1e4 x 1e3 positions via STM+BLAS": best_of(
            lambda: np.einsum("mij,kj->kmi", _cw_stm(N, t3)[:, :3], x4, optimize=True), 3
        ),
        "ya_stm 1e5 times (e=0.01)": best_of(lambda: _ya_stm(MU, 6778.137, 0.01, 0.3, t5), 3),
        "passive_safety 1e3 states, 24 h": best_of(
            lambda: passive_safety((holds, np.zeros((1000, 3)) * u.m / u.s), N * u.rad / u.s), 2
        ),
    }
    for name, sec in res.items():
        print(f"{name:42s} {sec * 1e3:10.1f} ms")
    return res


if __name__ == "__main__":
    main()
