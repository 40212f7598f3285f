"""Tests of theory.gaussian_beyond: unequal priors, general covariance, adversarial cross-entropy, isoperimetry.

Expected numbers come from independent computations (scipy.stats, mpmath, brute-force grids, a DP over
labelings, direct optimization), never from the module's own output.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

from theory import gaussian as G
from theory import gaussian_beyond as GB
from theory.claims.beyond_gaussian import best_piecewise_linear_ce, dp_bracket_priors

fast = settings(max_examples=40, deadline=None)
priors = st.floats(0.02, 0.98)


# --------------------------------------------------------------------------- robust_threshold_1d


@fast
@given(mu=st.floats(0.2, 3.0), frac=st.floats(0.0, 0.95), sigma=st.floats(0.3, 3.0), prior=priors)
def test_threshold_minimizes_scanned_threshold_risk(mu, frac, sigma, prior):
    eps = frac * mu
    t, err = GB.robust_threshold_1d(mu, eps, sigma, prior)
    ts = np.linspace(-30 * sigma, 30 * sigma, 20001)
    scan = prior * stats.norm.cdf((ts + eps - mu) / sigma) + (1 - prior) * stats.norm.cdf((eps - mu - ts) / sigma)
    assert err <= scan.min() + 1e-12
    assert err >= min(scan.min(), prior, 1 - prior) - 1e-3  # the grid's resolution
    direct = prior * stats.norm.cdf((t + eps - mu) / sigma) + (1 - prior) * stats.norm.cdf((eps - mu - t) / sigma)
    assert np.isclose(direct, err, rtol=1e-10, atol=1e-300)


@fast
@given(mu=st.floats(0.2, 3.0), extra=st.floats(0.0, 5.0), prior=priors)
def test_constant_classifier_beyond_mu(mu, extra, prior):
    t, err = GB.robust_threshold_1d(mu, mu + extra, 1.0, prior)
    assert err == min(prior, 1 - prior)
    assert np.isinf(t) and (t < 0) == (prior > 0.5)


def test_threshold_moves_toward_minority_and_diverges():
    ts = [float(GB.robust_threshold_1d(1.0, e, 1.0, 0.8)[0]) for e in (0.0, 0.5, 0.9, 0.99)]
    assert ts == sorted(ts, reverse=True) and ts[0] < 0
    assert np.isclose(ts[0], np.log(0.25) / 2)  # Bayes threshold sigma^2 log((1-pi)/pi) / (2 mu)


@pytest.mark.parametrize("prior,eps", [(0.7, 0.2), (0.2, 0.6), (0.95, 0.3)])
def test_threshold_against_dp_over_labelings(prior, eps):
    lo, hi = dp_bracket_priors(1.0, eps, 1.0, prior, 1200)
    _, err = GB.robust_threshold_1d(1.0, eps, 1.0, prior)
    assert lo - 3e-3 <= err <= hi + 1e-12
    assert hi - err < 3e-3


def test_threshold_bad_input():
    with pytest.raises(ValueError, match="prior"):
        GB.robust_threshold_1d(1.0, 0.1, 1.0, 1.0)
    with pytest.raises(ValueError, match="mu"):
        GB.robust_threshold_1d(0.0, 0.1)
    with pytest.raises(ValueError, match="eps"):
        GB.robust_threshold_1d(1.0, np.nan)


# --------------------------------------------------------------------------- general covariance


def _spd(rng, d):
    a = rng.normal(size=(d, d))
    return a @ a.T / d + 0.2 * np.eye(d)


@fast
@given(seed=st.integers(0, 10**6), frac=st.floats(0.0, 0.9), prior=priors)
def test_unequal_prior_classifier_beats_perturbed_affine(seed, frac, prior):
    rng = np.random.default_rng(seed)
    d = 3
    mu, cov = rng.normal(size=d), _spd(rng, d)
    eps = frac * np.linalg.norm(mu)
    w, b, err = GB.unequal_prior_robust_classifier(mu, eps, prior, cov)
    assert np.isclose(GB.linear_robust_error(w, b, mu, eps, prior, cov), err, rtol=1e-9, atol=1e-300)
    for _ in range(20):
        w2, b2 = w + 0.3 * rng.normal(size=d), b + 0.3 * rng.normal()
        assert GB.linear_robust_error(w2, b2, mu, eps, prior, cov) >= err - 1e-12


def test_unequal_prior_classifier_equals_shifted_bayes_error():
    """The value is the Bayes error of N(+-(mu - z*), Sigma), z* found by SLSQP (a different computation)."""
    rng = np.random.default_rng(3)
    mu, cov = rng.normal(size=4), _spd(rng, 4)
    prior, eps = 0.25, 0.5 * np.linalg.norm(mu)
    icov = np.linalg.inv(cov)
    sol = optimize.minimize(lambda z: (mu - z) @ icov @ (mu - z), np.zeros(4), method="SLSQP",
                            constraints=[{"type": "ineq", "fun": lambda z: eps**2 - z @ z}],
                            options={"ftol": 1e-15, "maxiter": 500})
    delta = np.sqrt(sol.fun)
    tau = 0.5 * np.log((1 - prior) / prior)
    bayes = prior * stats.norm.cdf(tau / delta - delta) + (1 - prior) * stats.norm.cdf(-tau / delta - delta)
    _, _, err = GB.unequal_prior_robust_classifier(mu, eps, prior, cov)
    assert np.isclose(err, bayes, rtol=1e-6)


def test_isotropic_reduces_to_1d_and_equal_priors_to_gaussian_module():
    mu = np.array([0.3, -1.2, 0.5])
    w, b, err = GB.unequal_prior_robust_classifier(mu, 0.4, 0.65)
    t, e1 = GB.robust_threshold_1d(np.linalg.norm(mu), 0.4, 1.0, 0.65)
    assert np.allclose(w, mu / np.linalg.norm(mu)) and np.isclose(-b, t) and np.isclose(err, e1)
    _, _, e_half = GB.unequal_prior_robust_classifier(mu, 0.4, 0.5)
    assert np.isclose(e_half, G.optimal_robust_risk(mu, -mu, 0.4, norm=2), rtol=1e-13)


def test_eps_zero_is_fisher_discriminant():
    rng = np.random.default_rng(5)
    mu, cov = rng.normal(size=3), _spd(rng, 3)
    w, _, _ = GB.unequal_prior_robust_classifier(mu, 0.0, 0.4, cov)
    fisher = np.linalg.solve(cov, mu)
    assert np.allclose(w, fisher / np.linalg.norm(fisher))


def test_unequal_prior_bad_input():
    with pytest.raises(ValueError, match="cov"):
        GB.unequal_prior_robust_classifier([1.0, 0.0], 0.1, 0.5, [[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match="cov"):
        GB.unequal_prior_robust_classifier([1.0, 0.0], 0.1, 0.5, np.eye(3))
    with pytest.raises(ValueError, match="prior"):
        GB.linear_robust_error([1.0], 0.0, [1.0], 0.1, prior=0.0)


def test_linear_robust_error_monte_carlo():
    rng = np.random.default_rng(11)
    mu, cov, w, b, prior, eps, n = np.array([1.0, 0.4]), np.array([[1.0, 0.3], [0.3, 0.6]]), np.array(
        [0.8, -0.2]), 0.3, 0.35, 0.25, 400_000
    y = np.where(rng.random(n) < prior, 1.0, -1.0)
    x = y[:, None] * mu + rng.normal(size=(n, 2)) @ np.linalg.cholesky(cov).T
    x -= eps * y[:, None] * w / np.linalg.norm(w)
    mc = np.mean(np.where(x @ w + b > 0, 1.0, -1.0) != y)
    assert abs(mc - GB.linear_robust_error(w, b, mu, eps, prior, cov)) < 5 * np.sqrt(0.25 / n)


# --------------------------------------------------------------------------- cross-entropy


def test_cross_entropy_against_mpmath_and_limits():
    for m, eps, sigma in ((2.0, 0.5, 1.0), (1.0, 0.0, 0.5), (0.5, 0.1, 2.0)):
        r = mpmath.mpf(m - eps) / sigma
        with mpmath.workdps(40):
            exact = mpmath.quad(lambda z: mpmath.npdf(z, r, 1) * mpmath.log1p(mpmath.exp(-2 * r * z)),
                                [-mpmath.inf, r, mpmath.inf])
        assert np.isclose(GB.min_adversarial_cross_entropy([m, 0.0], eps, sigma), float(exact), rtol=1e-9)
    assert GB.min_adversarial_cross_entropy([1.0], 2.0) == np.log(2)
    assert GB.min_adversarial_cross_entropy([60.0], 0.0) == 0.0


@fast
@given(m=st.floats(0.1, 4.0), e1=st.floats(0.0, 4.0), e2=st.floats(0.0, 4.0))
def test_cross_entropy_monotone_in_eps(m, e1, e2):
    lo, hi = sorted((e1, e2))
    v = GB.min_adversarial_cross_entropy([m], [lo, hi])
    assert 0 <= v[0] <= v[1] + 1e-12 <= np.log(2) + 1e-12


def test_cross_entropy_not_beaten_by_piecewise_linear_logits():
    rng = np.random.default_rng(2)
    vals = best_piecewise_linear_ce(1.2, 0.5, 1.0, 17, 600, rng, starts=1)
    v = float(GB.min_adversarial_cross_entropy([1.2], 0.5))
    assert min(vals) >= v - 3e-3 and min(vals) <= v + 3e-3


def test_soft_classifier_is_shifted_posterior():
    mu = np.array([0.6, 0.8])
    a = GB.robust_soft_classifier_logit(mu, 0.4, 2.0)
    assert np.allclose(a, 2 * 0.6 * mu / 4.0)  # 2 (||mu|| - eps) u / sigma^2, ||mu|| = 1


# --------------------------------------------------------------------------- isoperimetry


@fast
@given(p=st.floats(1e-300, 1 - 1e-12), eps=st.floats(0.0, 5.0), sigma=st.floats(0.2, 5.0))
def test_isoperimetric_bound_in_range_and_monotone(p, eps, sigma):
    v = GB.isoperimetric_robust_error_bound(p, [eps, eps + 0.1], sigma)
    assert p * (1 - 1e-12) <= v[0] <= v[1] <= 1


def test_isoperimetric_equality_for_half_spaces():
    rng = np.random.default_rng(8)
    w, theta = rng.normal(size=(30, 3)), rng.normal(size=(30, 3)) * 3
    p = G.classification_risk(w, theta, 1.3)
    exact = G.adversarial_risk(w, theta, 0.7, 1.3, norm=2)
    assert np.allclose(GB.isoperimetric_robust_error_bound(p, 0.7, 1.3), exact, rtol=1e-10)


def test_isoperimetric_tail_against_mpmath():
    for p, eps in ((1e-100, 2.0), (1e-20, 5.0), (0.3, 1.0)):
        with mpmath.workdps(60):
            z = mpmath.findroot(lambda q: mpmath.log(mpmath.ncdf(q)) - mpmath.log(mpmath.mpf(p)), -5)
            ex = float(mpmath.ncdf(z + eps))
        assert np.isclose(GB.isoperimetric_robust_error_bound(p, eps), ex, rtol=1e-11)


def test_isoperimetric_bound_below_balls():
    for c, rad, d, eps in ((0.0, 1.0, 3, 0.5), (2.0, 0.5, 5, 0.3), (1.0, 2.0, 2, 1.0)):
        p = stats.ncx2.cdf(rad**2, d, c**2)
        expanded = stats.ncx2.cdf((rad + eps) ** 2, d, c**2)
        assert expanded >= GB.isoperimetric_robust_error_bound(p, eps)


# --------------------------------------------------------------------------- the mixture bound


@fast
@given(r=st.floats(0.2, 3.0), frac=st.floats(0.0, 1.0), eps=st.floats(0.0, 3.0))
def test_mixture_bound_endpoints_and_order(r, frac, eps):
    bayes = stats.norm.cdf(-r)
    s = bayes + frac * (0.5 - bayes)
    v = GB.mixture_robust_error_bound(s, [r, 0.0], eps)
    assert s - 1e-9 <= v + 1e-12 and v <= 1
    assert v >= G.optimal_robust_risk([r, 0.0], [-r, 0.0], eps, norm=2) - 1e-12
    at_bayes = GB.mixture_robust_error_bound(bayes, [r, 0.0], eps)
    assert np.isclose(at_bayes, stats.norm.cdf(eps - r), rtol=1e-9)


def test_mixture_bound_against_tilted_half_spaces():
    """Tilted affine classifiers (exact risks written with scipy) never go below B(standard error)."""
    rng = np.random.default_rng(4)
    theta, eps = np.array([1.0, 0.0]), 0.5
    w = rng.normal(size=(400, 2))
    w /= np.linalg.norm(w, axis=1, keepdims=True)
    w *= np.sign(w @ theta)[:, None]
    b = rng.normal(size=400)
    m = w @ theta
    std = 0.5 * (stats.norm.cdf(-m - b) + stats.norm.cdf(-m + b))
    rob = 0.5 * (stats.norm.cdf(eps - m - b) + stats.norm.cdf(eps - m + b))
    keep = (std <= 0.5) & (std >= stats.norm.cdf(-1.0))
    assert keep.sum() > 100
    assert np.all(rob[keep] >= GB.mixture_robust_error_bound(std[keep], theta, eps) - 1e-9)


def test_mixture_bound_bad_input():
    with pytest.raises(ValueError, match="standard_error"):
        GB.mixture_robust_error_bound(0.01, [1.0, 0.0], 0.1)  # below the Bayes error 0.159
    with pytest.raises(ValueError, match="standard_error"):
        GB.mixture_robust_error_bound(0.6, [1.0, 0.0], 0.1)
