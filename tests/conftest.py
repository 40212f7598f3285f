"""Shared pytest configuration: hypothesis profiles.

Two profiles are registered:

- ``ci`` (the default): no deadline (CI machines are slow and timings vary), a modest
  number of examples, and derandomized example generation so that a CI run is
  reproducible (DESIGN.md: fixed seeds everywhere).
- ``thorough``: ten times as many examples, random generation. Select it with
  ``HYPOTHESIS_PROFILE=thorough python -m pytest``.

Tests that are expensive per example scale their own ``max_examples`` with
``settings.default.max_examples`` (see ``budget`` in the test modules), so the thorough
profile deepens them too.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

CI_EXAMPLES = 30

settings.register_profile(
    "ci",
    deadline=None,
    max_examples=CI_EXAMPLES,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "thorough",
    deadline=None,
    max_examples=10 * CI_EXAMPLES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
