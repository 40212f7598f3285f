"""The two fast paths of theory.gaussian against their slow references.

1. The batched base-relative risk (a fixed Gauss-Legendre rule over all rows, error estimate
   |G_8 - G_7| per row, adaptive fallback) against the adaptive quadrature it replaced
   (``gaussian._base_relative_adaptive``, scipy ``quad`` per row), on random batches with the
   hard cases (w nearly parallel or antiparallel to theta, tiny and huge eps and sigma, the
   ``support=`` option, every norm), and the honesty of the error estimate: with the pieces made
   deliberately coarse, every row the rule gets wrong must be flagged for the fallback.
2. The vectorized compensated dot products and sums of theory._dd (Ogita-Rump-Oishi Dot2 /
   Sum2, pairwise tree order) against mpmath at 200 digits on ill-conditioned dot products made
   by Ogita-Rump-Oishi's GenDot construction, within Dot2's bound
   |hi + lo - x.y| <= gamma_n^2 sum |x_i y_i| (+ u^2 |x.y|).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theory import _dd
from theory import gaussian as G
from theory import reference as ref
from theory.claims.beyond_numerics import gen_dot  # Ogita-Rump-Oishi's GenDot construction

U = 2.0**-53
NORMS = (np.inf, 2.0, 1.0)


def _problem(seed: int, kind: str, norm: float, rows: int = 4):
    """A batch of ``rows`` classifiers of one kind: random, nearly (anti)parallel, extreme eps or sigma, supported."""
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 7))
    theta = rng.normal(size=d) * 10.0 ** rng.uniform(-1, 1)
    w = rng.normal(size=(rows, d))
    eps, sigma, support = 10.0 ** rng.uniform(-3, 0.5), 10.0 ** rng.uniform(-1, 1), None
    if kind == "parallel":
        w = np.sign(rng.normal(size=(rows, 1))) * theta + 10.0 ** rng.uniform(-10, -1, size=(rows, 1)) * w
    elif kind == "eps":
        eps = 10.0 ** rng.choice([rng.uniform(-14, -6), rng.uniform(2, 8)])
    elif kind == "sigma":
        sigma = 10.0 ** rng.choice([rng.uniform(-6, -2), rng.uniform(2, 5)])
    elif kind == "support" and d > 1:
        support = rng.random(d) < 0.5
        support[rng.integers(d)] = True
        theta = np.where(support, theta, 0.0)
    return w, theta, eps, sigma, support


KINDS = st.sampled_from(["random", "parallel", "eps", "sigma", "support"])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), kind=KINDS, norm=st.sampled_from(NORMS))
def test_batched_agrees_with_adaptive(seed, kind, norm):
    w, theta, eps, sigma, support = _problem(seed, kind, norm)
    new = G.base_relative_adversarial_risk(w, theta, eps, sigma, norm=norm, support=support)
    old = G._base_relative_adaptive(w, theta, eps, sigma, norm=norm, support=support)
    assert new.shape == old.shape == (w.shape[0],)
    assert np.max(np.abs(new - old)) <= 1e-10


def _raw(w, theta, eps, sigma, norm, support):
    n = w.shape[0]
    return G._base_relative_batched(w, np.broadcast_to(theta, w.shape), np.full(n, float(eps)),
                                    np.full(n, float(sigma)), float(norm), support)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), kind=KINDS, norm=st.sampled_from(NORMS))
def test_rows_served_by_the_fixed_rule_are_accurate(seed, kind, norm):
    # the fixed rule's own values (before the fallback) on the rows it does not flag
    w, theta, eps, sigma, support = _problem(seed, kind, norm)
    val, est, fallback = _raw(w, theta, eps, sigma, norm, support)
    old = G._base_relative_adaptive(w, theta, eps, sigma, norm=norm, support=support)
    ok = ~fallback
    assert np.all(np.abs(val[ok] - old[ok]) <= 1e-10)
    assert np.all(est[ok] <= G._BR_TOL)


def test_error_estimate_flags_inaccurate_rows(monkeypatch):
    # Coarse pieces (a CDF argument may move by 30 over one piece) make the order-8 rule wrong on
    # many rows; each row it gets wrong by more than 1e-10 must carry an estimate above the tolerance.
    monkeypatch.setattr(G, "_BR_PIECE", 30.0)
    rng = np.random.default_rng(7)
    wrong = flagged = 0
    for norm in NORMS:
        theta = np.array([2.0, 0.5, -1.0])
        w = theta + rng.normal(size=(40, 3)) * 10.0 ** rng.uniform(-3, 0, size=(40, 1))
        val, est, fallback = _raw(w, theta, 0.3, 0.5, norm, None)
        old = G._base_relative_adaptive(w, theta, 0.3, 0.5, norm=norm)
        err = np.abs(val - old)
        wrong += int(np.sum(err > 1e-10))
        flagged += int(fallback.sum())
        assert np.all(fallback[err > 1e-10]), (norm, err[~fallback].max())
        # and the public function, which recomputes the flagged rows, is right everywhere
        assert np.max(np.abs(G.base_relative_adversarial_risk(w, theta, 0.3, 0.5, norm=norm) - old)) <= 1e-10
    assert wrong > 0 and flagged >= wrong  # the coarse rule does fail somewhere: the check is not vacuous


def test_batch_shapes_and_conventions():
    rng = np.random.default_rng(3)
    theta = np.array([1.0, -0.5, 0.25])
    w = rng.normal(size=(2, 3, 3))
    w[0, 0] = 0.0  # the constant classifier: 0
    w[0, 1] = 3 * theta  # parallel: 0
    eps = np.array([0.0, 0.1, 0.2])  # eps = 0: 0
    r = G.base_relative_adversarial_risk(w, theta, eps)
    assert r.shape == (2, 3)
    assert r[0, 0] == 0.0 and r[0, 1] == 0.0 and r[1, 0] == 0.0
    np.testing.assert_allclose(r, G._base_relative_adaptive(w, theta, eps), rtol=0, atol=1e-10)
    assert np.ndim(G.base_relative_adversarial_risk(w[1, 1], theta, 0.1)) == 0
    # theta = 0 (g constant -1) and the support option with noise along theta only go through the fallback
    assert G.base_relative_adversarial_risk([1.0, 1.0], [0.0, 0.0], 0.3) == pytest.approx(
        G._base_relative_adaptive([1.0, 1.0], [0.0, 0.0], 0.3), abs=1e-15)


@pytest.mark.parametrize("norm", NORMS)
def test_batched_against_monte_carlo(norm):
    # independent of both quadratures: sample x, test the flip with theory.reference's primal adversaries
    rng = np.random.default_rng(11)
    w, theta, eps, sigma = np.array([1.0, 0.8]), np.array([1.0, -0.3]), 0.4, 0.9
    n = 40_000
    y = rng.choice([-1.0, 1.0], size=n)
    x = y[:, None] * theta + sigma * rng.normal(size=(n, 2))
    flips = ref.flippable(x, w, theta, eps, norm=norm).mean()
    r = float(G.base_relative_adversarial_risk(w, theta, eps, sigma, norm=norm))
    se = np.sqrt(r * (1 - r) / n)
    assert abs(flips - r) <= 5 * se + 1e-4


# --------------------------------------------------------------------------- compensated dot products


def _mp_dot(x, y):
    with mpmath.workdps(200):
        return mpmath.fsum(mpmath.mpf(float(a)) * mpmath.mpf(float(c)) for a, c in zip(x, y, strict=True))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(6, 60), log2_cond=st.floats(10, 160))
def test_dot2_meets_its_bound_on_ill_conditioned_products(seed, n, log2_cond):
    x, y = gen_dot(n, log2_cond, np.random.default_rng(seed))
    exact = _mp_dot(x, y)
    hi, lo = _dd.dot(x, y)
    with mpmath.workdps(200):
        err = abs(mpmath.mpf(float(hi)) + mpmath.mpf(float(lo)) - exact)
        scale = mpmath.fsum(abs(mpmath.mpf(float(a)) * mpmath.mpf(float(c))) for a, c in zip(x, y, strict=True))
        gamma = n * U / (1 - n * U)
        assert err <= gamma**2 * scale + 4 * U * U * abs(exact)
    # the fused row kernel gives the same bits, row by row, and so does a batch
    X = np.stack([x, y, x * 0.5])
    (h1, l1), (h2, l2), (h3, l3) = _dd.row_dots(X, y, (True, True, True))
    assert (h1[0], l1[0]) == (hi, lo)
    H, Lo = _dd.dot(X, y)
    assert (H[0], Lo[0]) == (hi, lo)
    assert (h2[1], l2[1]) == _dd.dot(y, y)
    assert (h3[2], l3[2]) == _dd.sum_(np.abs(x * 0.5))


def test_gen_dot_defeats_plain_summation():
    # the construction is ill-conditioned enough that the plain dot product is off by far more than its value
    # (cond about 2**70: plain float64 loses every digit, Dot2 keeps about 2**-106 * 2**70 = 1e-11 relative)
    x, y = gen_dot(40, 70, np.random.default_rng(0))
    exact = _mp_dot(x, y)
    assert abs(float(x @ y) - float(exact)) > 1e3 * abs(float(exact))
    hi, lo = _dd.dot(x, y)
    assert abs(float(mpmath.mpf(float(hi)) + mpmath.mpf(float(lo)) - exact)) <= 1e-8 * abs(float(exact))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 70))
def test_sum2_meets_its_bound(seed, n):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n) * 2.0 ** rng.integers(-60, 60, size=n)
    a[-1] = -float(sum((Fraction(float(v)) for v in a[:-1]), Fraction(0)))  # cancel to a rounding residual
    s, c = _dd.sum_(a)
    with mpmath.workdps(200):
        exact = mpmath.fsum(mpmath.mpf(float(v)) for v in a)
        err = abs(mpmath.mpf(float(s)) + mpmath.mpf(float(c)) - exact)
        gamma = max(n - 1, 1) * U / (1 - n * U)
        assert err <= gamma**2 * mpmath.fsum(abs(mpmath.mpf(float(v))) for v in a) + 4 * U * U * abs(exact)


@pytest.mark.parametrize("norm", NORMS)
def test_cancelling_margins_match_mpmath(norm):
    # w.theta - eps ||w||_* cancels to 1e-9 of its terms: the refined margin keeps full relative accuracy
    rng = np.random.default_rng(5)
    q = {np.inf: 1, 2.0: 2, 1.0: np.inf}[norm]
    W = rng.normal(size=(20, 10))
    theta = rng.normal(size=10)
    wt = W @ theta
    W = np.where(wt[:, None] > 0, W, -W)
    eps = np.abs(W @ theta) / np.linalg.norm(W, q, axis=1) * (1 - 1e-9 * rng.uniform(0.5, 2, size=20))
    for i in range(20):
        m = float(G.robust_margin(W[i], theta, eps[i], norm=norm))
        with mpmath.workdps(60):
            wi = [mpmath.mpf(float(v)) for v in W[i]]
            ti = [mpmath.mpf(float(v)) for v in theta]
            e = mpmath.mpf(float(eps[i]))
            dual = {1: lambda: mpmath.fsum(abs(v) for v in wi), 2: lambda: mpmath.sqrt(mpmath.fsum(v * v for v in wi)),
                    np.inf: lambda: max(abs(v) for v in wi)}[q]()
            exact = (mpmath.fsum(a * b for a, b in zip(wi, ti, strict=True)) - e * dual) / mpmath.sqrt(
                mpmath.fsum(v * v for v in wi))
        assert abs(m - float(exact)) <= 4 * U * abs(float(exact))
