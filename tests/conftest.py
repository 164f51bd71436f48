"""Shared test configuration: headless matplotlib, hypothesis profile."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "qingzhou",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,  # tests are deterministic: the same examples on every run
)
settings.load_profile("qingzhou")
