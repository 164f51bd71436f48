"""``_jit.preload_cached``: numba's cached kernels loaded ahead of their first call
(what ``qingzhou-sim run`` does while a second process computes the launch stage)."""

import subprocess
import sys

FILL = """
import numpy as np
from qingzhou_sim.relative._kernels import _cw_stm_fill
_cw_stm_fill(1e-3, np.array([0.0, 10.0]), np.empty((2, 6, 6)))
"""

PRELOAD = """
import numpy as np
from numba.core import event
from qingzhou_sim._jit import preload_cached
from qingzhou_sim.relative import _kernels

compiled = []
class Listener(event.Listener):
    def on_start(self, ev):
        compiled.append(ev.data["dispatcher"].py_func.__name__)
    def on_end(self, ev):
        pass
event.register("numba:compile", Listener())
n = preload_cached("qingzhou_sim.relative.")
loaded = list(_kernels._cw_stm_fill.overloads)
out = np.empty((2, 6, 6))
_kernels._cw_stm_fill(1e-3, np.array([0.0, 10.0]), out)
print(n, len(loaded), compiled, out[1, 0, 3] == 4.0 * np.sin(1e-2) / 1e-3 - 30.0)
"""


def _python(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout


def test_preload_loads_the_cached_kernel_without_compiling():
    _python(FILL)  # fills numba's cache for this signature (cold CI) or finds it there
    n, loaded, compiled, value = _python(PRELOAD).split(" ", 3)
    assert int(n) >= 1 and int(loaded) >= 1  # loaded before its first call
    assert compiled.strip() == "[]"  # ... from the cache: nothing compiled, not even later
    assert value.strip() == "True"  # and it computes (CW STM, Fehse eq. 3.25 entry)


def test_cache_holds_approach_reads_the_cache_folder(tmp_path, monkeypatch):
    from numba.core import config
    from numba.core.caching import _CacheLocator

    from qingzhou_sim._jit import cache_holds_approach
    from qingzhou_sim.docking import loop

    monkeypatch.setattr(config, "CACHE_DIR", str(tmp_path))
    assert not cache_holds_approach()  # an empty cache: a first run (no launch fork)
    (tmp_path / "docking_x").mkdir()  # another installation of the same sources
    (tmp_path / "docking_x" / "loop.run_segment-442.py311.nbi").write_bytes(b"")
    assert not cache_holds_approach()
    ours = _CacheLocator.get_suitable_cache_subpath(loop.__file__)  # numba's own rule
    (tmp_path / ours).mkdir()
    (tmp_path / ours / "loop.run_segment-442.py311.nbi").write_bytes(b"")
    assert cache_holds_approach()


NAMED = """
from qingzhou_sim._jit import preload_cached
from qingzhou_sim.relative import _kernels

none = preload_cached("qingzhou_sim.relative.", names=frozenset())
one = preload_cached("qingzhou_sim.relative.", {"qingzhou_sim.relative._kernels._cw_stm_fill"})
print(none, one, len(_kernels._cw_stm_fill.overloads))
"""


def test_preload_loads_only_the_named_kernels():
    # (what `run` does: only the kernels its stages after the plan call)
    _python(FILL)
    none, one, loaded = _python(NAMED).split()
    assert (int(none), int(one), int(loaded)) == (0, 1, 1)
