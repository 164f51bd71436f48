"""Hypothesis profiles of the generated-input suite (issue 13).

``qz-ci`` (default): a fixed number of examples per test, derandomized, so that CI runs
the same inputs every time in well under a minute on one core. ``qz-long``: chosen with
``QZ_HYPOTHESIS_PROFILE=long``, many more examples, random (hypothesis' database keeps
the failures it finds).

The profiles are applied per test by ``qz_props.PROFILE`` (not loaded globally), so that
the rest of the test suite keeps its own profile.
"""

from hypothesis import HealthCheck, settings

# Examples per test in CI; the suite's total is printed by test_zz_count.py.
CI_EXAMPLES = 25
LONG_EXAMPLES = 1000

settings.register_profile(
    "qz-ci",
    max_examples=CI_EXAMPLES,
    derandomize=True,
    deadline=None,  # hangs are caught by qz_props.time_limit, which is not flaky on a busy CPU
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    print_blob=True,
)
settings.register_profile(
    "qz-long",
    max_examples=LONG_EXAMPLES,
    derandomize=False,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    print_blob=True,
)


def pytest_terminal_summary(terminalreporter):
    import sys

    props = sys.modules.get("qz_props")
    if props is not None and props.CALLS["n"]:
        terminalreporter.write_line(
            f"properties: {props.CALLS['n']} generated calls to the public API "
            f"(hypothesis profile {props.PROFILE_NAME})"
        )
