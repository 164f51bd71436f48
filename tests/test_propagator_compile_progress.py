"""The first-run compilation report (qingzhou_sim._jit.compile_progress)."""

import io

from numba import njit

from qingzhou_sim._jit import compile_progress


def test_compilation_is_reported_and_a_warm_run_is_silent():
    @njit(cache=False)
    def add_one(x):
        return x + 1.0

    out = io.StringIO()
    with compile_progress(out):
        add_one(1.0)
    text = out.getvalue()
    assert text.startswith("compiling numba kernels (first run only")
    assert text.rstrip().endswith("s") and "1 kernels compiled in" in text
    quiet = io.StringIO()
    with compile_progress(quiet):
        add_one(2.0)  # already compiled
    assert quiet.getvalue() == ""
