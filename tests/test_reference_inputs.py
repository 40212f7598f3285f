"""Regression tests: bad input to the references, norms and Monte Carlo helpers is a named ValueError.

Former defects (found by tests/test_fuzz.py, since fixed): OverflowError, MemoryError,
AttributeError, ZeroDivisionError, IndexError, RuntimeError or NaN / out-of-range results for
the arguments below. Each test is one defect family.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from theory import gaussian as G
from theory import reference as R
from theory.montecarlo import estimate_error, sample_gaussian_mixture
from theory.norms import dual_norm, lp_norm

W, THETA = [0.6, -0.3], [1.0, 0.5]
X3 = [[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]]
NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize("fn", [lp_norm, dual_norm])
@pytest.mark.parametrize("axis", [10**400, -(10**400), 10**13])
def test_norm_axis_beyond_c_integers(fn, axis):
    with pytest.raises(ValueError, match=r"axis must be an axis of x.*ndim 2"):
        fn(np.ones((3, 2)), 2.0, axis=axis)


@pytest.mark.parametrize("distribution", [1.5, None, [1.0, 2.0], "abc", np.ones(3)])
def test_estimate_error_needs_a_distribution(distribution):
    with pytest.raises(ValueError, match=r"distribution must be an object with a method sample\(n, rng\)"):
        estimate_error(distribution, lambda x: np.ones(len(x)), 5, rng=0)


def test_sample_gaussian_mixture_refuses_an_allocation_too_large():
    with pytest.raises(ValueError, match="n = 10000000000000 needs 20000000000000 array entries"):
        sample_gaussian_mixture([1.0, 0.5], 10**13, rng=0)
    x, y = sample_gaussian_mixture([1.0, 0.5], 7, rng=0)  # valid sizes unchanged
    assert x.shape == (7, 2) and y.shape == (7,)


@pytest.mark.parametrize("fn", [R.mp_adversarial_risk, R.mp_log_adversarial_risk])
def test_mp_risks_validate(fn):
    bad = [
        (dict(w=10**400), "w must be finite"),
        (dict(w=[NAN, -0.3]), "w must not contain NaN"),
        (dict(w=[INF, INF]), "w must be finite"),
        (dict(theta=10**400), "theta must be finite"),
        (dict(theta=[NAN, 0.5]), "theta must not contain NaN"),
        (dict(sigma=0), "sigma must be > 0"),
        (dict(sigma=False), "sigma must be > 0"),
        (dict(sigma=-1.0), "sigma must be > 0"),
        (dict(sigma=10**400), "sigma must be finite"),
        (dict(dps=INF), "dps must be an integer"),
        (dict(dps=1e308), "dps must be an integer <= 10000"),
        (dict(dps=10**13), "dps must be an integer <= 10000"),
        (dict(dps=-1), "dps must be an integer >= 15"),
    ]
    for change, match in bad:
        kw = dict(w=W, theta=THETA, eps=0.1, sigma=1.0, norm=2, dps=30) | change
        with pytest.raises(ValueError, match=match):
            fn(**kw)


def test_mp_risks_zero_classifier_and_huge_margins():
    # w = 0 predicts -1 everywhere: risk 1/2, as theory.gaussian.adversarial_risk says
    assert R.mp_adversarial_risk([0.0, 0.0], THETA, 0.1, norm=2) == 0.5
    assert float(G.adversarial_risk([0.0, 0.0], THETA, 0.1, norm=2)) == 0.5
    with mpmath.workdps(50):  # the default dps of the reference
        assert R.mp_log_adversarial_risk([0.0, 0.0], THETA, 0.1, norm=2) == mpmath.log(0.5)
    # margins beyond mpmath's ncdf range (theta near the float maximum, sigma near its minimum)
    for theta, sigma in (([1e308, 1e308], 1.0), (THETA, 1e-308), ([1e308, 0.0], 1e-300)):
        r = R.mp_adversarial_risk(W, theta, 0.1, sigma, norm=2)
        lr = R.mp_log_adversarial_risk(W, theta, 0.1, sigma, norm=2)
        assert 0 <= r <= 1 and lr < 0 and mpmath.isfinite(lr)
    # against the Mills-ratio bounds phi(m)/m (1 - 1/m^2) < Phi(-m) < phi(m)/m at m = 1e308
    lr = R.mp_log_adversarial_risk([1.0, 0.0], [1e308, 0.0], 0.0, 1.0)
    with mpmath.workdps(700):
        m = mpmath.mpf(1e308)
        upper = -m * m / 2 - mpmath.log(m) - mpmath.log(2 * mpmath.pi) / 2
        assert abs((lr - upper) / upper) < mpmath.mpf(10) ** -45
    # the opposite side: a huge negative margin is risk 1
    assert R.mp_adversarial_risk([1.0, 0.0], [-1e308, 0.0], 0.0, 1e-300) == 1


def test_optimal_robust_risk_1d_dp_validates():
    bad = [
        (dict(mu=10**400), "mu must be finite"),
        (dict(sigma=0), "sigma must be > 0"),
        (dict(sigma=False), "sigma must be > 0"),
        (dict(sigma=-1), "sigma must be > 0"),
        (dict(cells=0), "cells must be an integer >= 1"),
        (dict(cells=False), "cells must be an integer >= 1"),
        (dict(cells=-1), "cells must be an integer >= 1"),
        (dict(cells=10**13), "cells must be an integer <= 100000"),
        (dict(span=-1), "span must be > 0"),
        (dict(span=10**400), "span must be finite"),
        (dict(span=1e308, sigma=10.0), "beyond the float64 range"),
    ]
    for change, match in bad:
        kw = dict(mu=1.0, eps=0.1, sigma=1.0, cells=50, span=6.0) | change
        with pytest.raises(ValueError, match=match):
            R.optimal_robust_risk_1d_dp(**kw)
    # a radius of the whole grid or more: every classifier errs on one class, risk 1/2 exactly
    assert R.optimal_robust_risk_1d_dp(1.0, 1e308, 1.0, 50, 6.0) == (0.5, 0.5)
    grid = R.optimal_robust_risk_1d_dp(1.0, 100.0, 1.0, 50, 6.0)  # 100 > the grid's width 14
    assert R.optimal_robust_risk_1d_dp(1.0, 1e299, 1.0, 50, 6.0) == grid


def test_lp_worst_margin_validates():
    bad = [
        (dict(w=10**400), "w must be finite"),
        (dict(x=10**400), "x must be finite"),
        (dict(theta=[1e308, 1e308]), "theta = 1e\\+308 is out of the LP solver's range"),
        (dict(theta=[1e300, 5e299]), "out of the LP solver's range"),
        (dict(eps=1e308), "eps = 1e\\+308 is out of the LP solver's range"),
        (dict(eps=1e299), "out of the LP solver's range"),
        (dict(b=NAN), "b must not contain NaN"),
        (dict(b=10**400), "b must be finite"),
        (dict(c=10**400), "c must be finite"),
        (dict(x=[1e308, 1e308], theta=[1e10, 1e10]), "theta.x \\+ c overflows"),
    ]
    for change, match in bad:
        kw = dict(w=W, x=[0.5, -1.0], theta=THETA, eps=0.1, norm=np.inf, b=0.1, c=0.2) | change
        with pytest.raises(ValueError, match=match):
            R.lp_worst_margin(**kw)
    # a huge right-hand side that cannot bind (|theta.d| <= eps ||theta||_1) is still solved
    got = R.lp_worst_margin(W, [1e300, 0.0], THETA, 0.1, norm=np.inf)
    assert got == pytest.approx(0.6e300 - 0.1 * 0.9, rel=1e-15)


def test_mp_binomial_upper_tail_validates():
    bad = [
        (dict(m=NAN), "m must be an integer"),
        (dict(m=2.5), "m must be an integer"),
        (dict(m=INF), "m must be an integer"),
        (dict(k=NAN), "k must be an integer"),
        (dict(k=INF), "k must be an integer"),
        (dict(k=-1), "k must be an integer >= 0"),
        (dict(k=10**400), "k must be an integer <= "),
        (dict(t=NAN), "t must not contain NaN"),
        (dict(t=INF), "t must be finite"),
        (dict(t=2.5), "t must be a number in \\[-1/2, 1/2\\]"),
        (dict(t=-1e308), "t must be a number in \\[-1/2, 1/2\\]"),
        (dict(t=10**13), "t must be a number in \\[-1/2, 1/2\\]"),
    ]
    for change, match in bad:
        kw = dict(m=2, k=3, t=0.2) | change
        with pytest.raises(ValueError, match=match):
            R.mp_binomial_upper_tail(**kw)
    # the ends of the range: success probability 0 and 1, against the direct sum
    assert R.mp_binomial_upper_tail(2, 3, 0.5) == 0 and R.mp_binomial_upper_tail(2, 3, -0.5) == 1
    with mpmath.workdps(50):
        p = mpmath.mpf(1) / 2 - mpmath.mpf(0.2)
        direct = sum(mpmath.binomial(3, i) * p**i * (1 - p) ** (3 - i) for i in (2, 3))
        assert abs(R.mp_binomial_upper_tail(2, 3, 0.2) - direct) < mpmath.mpf(10) ** -45


def test_brute_force_weights_and_sizes():
    y = [0, 1, 1]
    with pytest.raises(ValueError, match="x must be finite"):
        R.brute_force_robust_error(10**400, y, [0.5, 0.3, 0.2], 0.1, norm=2)
    with pytest.raises(ValueError, match="w must be finite"):
        R.brute_force_robust_error(X3, y, 10**400, 0.1, norm=2)
    with pytest.raises(ValueError, match="x must be finite"):
        R.brute_force_robust_error_1d(10**400, y, [0.5, 0.3, 0.2], 0.1)
    with pytest.raises(ValueError, match="eps must be finite"):
        R.brute_force_robust_error_1d([0.0, 0.15, 1.0], y, [0.5, 0.3, 0.2], 10**400)
    with pytest.raises(ValueError, match="eps must be >= 0"):
        R.brute_force_robust_error_1d([0.0, 0.15, 1.0], y, [0.5, 0.3, 0.2], -1.0)
    # weights near the float maximum (their sum overflows): the result of the same weights scaled down
    huge, unit = [1e308, 1e308, 1e308], [1.0, 1.0, 1.0]
    got = R.brute_force_robust_error(X3, y, huge, 1.0, norm=2)
    assert not math.isnan(got) and got == R.brute_force_robust_error(X3, y, unit, 1.0, norm=2)
    assert R.brute_force_robust_error([[0.0], [1.0]], [0, 1], [1e308, 1e308], 0.5, norm=2) == 0.5  # touching balls
    got = R.brute_force_robust_error_1d([0.0, 0.15, 1.0], y, huge, 0.1)
    assert got == R.brute_force_robust_error_1d([0.0, 0.15, 1.0], y, unit, 0.1) == pytest.approx(1 / 3)
    assert R.brute_force_robust_error_1d([0.0, 1.0], [0, 1], [1e308, 1e308], 0.5) == 0.5
