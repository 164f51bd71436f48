"""A first run's results are the compiled kernels' to the last bit.

On a cold numba cache ``qingzhou-sim run`` executes the package's kernels as Python
(``qingzhou_sim._interpret``, ``_jit.first_run``). The reference is the same mission
flown by numba's compiled code; each mode runs in a fresh interpreter (no cached stage
shared), and every figure of the result is compared bit for bit: the summary's numbers,
the approach's histories, the relative trajectory, the chaser's and station's states.
"""

import json
import os
import subprocess
import sys

import pytest

FLY = r"""
import hashlib, json, sys
import numpy as np
from qingzhou_sim import _jit
from qingzhou_sim.mission import Mission

mission = Mission.default()
for change in sys.argv[2:]:
    key, value = change.split("=")
    mission = mission.replace(**{key: value, **({"approach_profile": None} if key == "port" else {})})
tier = _jit._PythonTier(cold_only=False)
if sys.argv[1] == "python":
    tier.install()
result = mission.run()
out = {"json": json.dumps(result.to_json_dict(), sort_keys=True, default=repr)}
arrays = {
    "relative_r_km": result.relative_r_km,
    "relative_v_km_s": result.relative_v_km_s,
    "chaser.r_km": result.chaser.r_km,
    "chaser.v_km_s": result.chaser.v_km_s,
    "station.r_km": result.station.r_km,
    "station.v_km_s": result.station.v_km_s,
}
for name in ("r_true", "v_true", "r_est", "v_est", "q_chaser", "dv_applied", "mass", "t_s"):
    arrays["approach." + name] = getattr(result.approach, name)
for name, a in arrays.items():
    a = np.ascontiguousarray(getattr(a, "value", a))
    out[name] = hashlib.sha256(a.tobytes()).hexdigest()
out["kernels_as_python"] = tier.count
print("@@" + json.dumps(out))
"""


def _fly(mode: str, *changes: str) -> dict:
    env = dict(os.environ, PYTHONHASHSEED="0")
    proc = subprocess.run(
        [sys.executable, "-c", FLY, mode, *changes],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    lines = [x for x in proc.stdout.splitlines() if x.startswith("@@")]
    assert lines, proc.stderr[-3000:]
    return json.loads(lines[-1][2:])


@pytest.mark.parametrize(
    "changes",
    [(), ("port=forward",), ("phasing_profile=two-day",)],
    ids=["default", "forward-port", "two-day"],
)
def test_a_mission_flown_as_python_is_the_compiled_one(changes):
    compiled = _fly("compiled", *changes)
    python = _fly("python", *changes)
    assert compiled.pop("kernels_as_python") == 0
    assert python.pop("kernels_as_python") > 10  # the kernels did run as Python
    assert python.keys() == compiled.keys()
    differ = [k for k in compiled if python[k] != compiled[k]]
    assert not differ, f"differs when run as Python: {differ}"
