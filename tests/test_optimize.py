"""Tests of theory._optimize: the shared golden-section search and the flip cost F(v).

References: the known minimizers of random convex quadratics and |t - c| (golden section),
and scipy.optimize.minimize_scalar plus a dense grid on the defining problem
F(v) = inf_{t >= 0} eps ||w - t theta||_q + t v (flip cost), with numpy's norms.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from theory._optimize import flip_cost, golden_section


@given(st.lists(st.floats(-50, 50), min_size=1, max_size=8), st.floats(0.1, 10))
def test_golden_section_finds_the_minimizer_of_convex_functions(centres, scale):
    c = np.array(centres)
    lo, hi = np.full(c.shape, -60.0), np.full(c.shape, 60.0)
    x, fx = golden_section(lambda t: scale * (t - c) ** 2 + np.abs(t - c), lo, hi)
    np.testing.assert_allclose(x, c, rtol=0, atol=1e-9)
    np.testing.assert_allclose(fx, scale * (x - c) ** 2 + np.abs(x - c), rtol=0, atol=0)


def test_golden_section_stays_in_its_bracket():
    # a decreasing function: the minimizer is the right end
    x, _ = golden_section(lambda t: -t, np.array([0.0, 2.0]), np.array([1.0, 3.0]))
    assert np.all(x <= [1.0, 3.0]) and np.allclose(x, [1.0, 3.0], atol=1e-9)


def _dual(p):
    return np.inf if p == 1 else (1.0 if np.isinf(p) else p / (p - 1))


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0, 3.0, np.inf])
def test_flip_cost_against_a_scalar_minimizer(p):
    rng = np.random.default_rng(int(10 * (p if np.isfinite(p) else 99)))
    q = _dual(p)
    w, theta = rng.normal(size=(40, 3)), rng.normal(size=(40, 3))
    v, eps = rng.uniform(0, 3, 40), rng.uniform(0.1, 1.0, 40)
    got = flip_cost(w, theta, v, eps, p)
    for i in range(40):
        g = lambda t, i=i: eps[i] * np.linalg.norm(w[i] - t * theta[i], q) + t * v[i]  # noqa: E731
        grid = min(g(t) for t in np.linspace(0.0, 30.0, 3001))
        fine = minimize_scalar(g, bounds=(0.0, 60.0), method="bounded", options={"xatol": 1e-12}).fun
        ref = min(grid, fine, g(0.0))
        # never above the reference minimum (up to rounding), and not far below it
        assert got[i] <= ref + 1e-12 * (1 + abs(ref))
        assert got[i] >= ref - 1e-7 * (1 + abs(ref))


def test_flip_cost_broadcasts_one_classifier_over_many_v():
    w, theta = np.array([1.0, -0.5, 0.3]), np.array([0.4, 0.9, -0.2])
    v = np.linspace(0, 2, 7)
    for p in (1.0, 2.0, np.inf):
        batch = flip_cost(w, theta, v, 0.3, p)
        one = [float(flip_cost(w, theta, vi, 0.3, p)) for vi in v]
        np.testing.assert_allclose(batch, one, rtol=1e-15, atol=0)
