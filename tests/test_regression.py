"""Tests of theory.regression (javanmard2020, population adversarially robust linear regression).

References (none shares code with the implementation):

- explicit double loops for the quadratic form, scipy ``quad`` against the normal density for
  E(|r| + eps ||theta||_q)^2, mpmath for E|r|;
- ``scipy.optimize.minimize_scalar`` over the one-parameter families that contain the optimum for
  isotropic features (c theta0 for l2, soft thresholding of theta0 for l-inf), SLSQP on the epigraph
  form of the l-inf problem (variables (theta, t), |theta_i| <= t_i) for general Sigma;
- hand-derived numbers (the threshold radius beyond which 0 is optimal, eps = 0 limits);
- hypothesis property tests (orderings, monotonicity, scaling) and invalid inputs.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.optimize import minimize, minimize_scalar
from scipy.stats import norm as normal

from theory import regression as RR

K = np.sqrt(2 / np.pi)
COV = np.array([[1.0, 0.3, 0.0], [0.3, 0.8, 0.1], [0.0, 0.1, 0.5]])
coef = st.floats(-3, 3, allow_nan=False)
vec3 = st.lists(coef, min_size=3, max_size=3).map(np.array)


def test_standard_risk_hand_values():
    assert RR.standard_risk([1.0, 0.0], [1.0, 1.0], 0.5) == pytest.approx(1.25, rel=1e-15)
    # (theta - theta0) = (-1, -1): 2 + 1 + 2 * 0.5 = 4
    assert RR.standard_risk([0.0, 0.0], [1.0, 1.0], 0.0, cov=[[2.0, 0.5], [0.5, 1.0]]) == pytest.approx(4.0)


@given(vec3, vec3, st.floats(0, 3))
def test_standard_risk_double_loop(theta, theta0, sigma):
    dlt = theta - theta0
    loop = sigma ** 2 + sum(dlt[i] * COV[i, j] * dlt[j] for i in range(3) for j in range(3))
    assert RR.standard_risk(theta, theta0, sigma, COV) == pytest.approx(loop, rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("norm, q", [(2, 2), (np.inf, 1), (1, np.inf), (3, 1.5)])
def test_adversarial_risk_by_quadrature(norm, q):
    theta, theta0, sigma, eps = np.array([0.6, -0.2, 0.4]), np.array([1.0, -0.5, 0.2]), 0.7, 0.3
    dlt = theta - theta0
    s = np.sqrt(sigma ** 2 + dlt @ COV @ dlt)
    a = np.sum(np.abs(theta) ** q) ** (1 / q) if np.isfinite(q) else np.max(np.abs(theta))
    val, _ = quad(lambda r: (abs(r) + eps * a) ** 2 * normal.pdf(r, scale=s), -12 * s, 12 * s, epsabs=1e-13)
    assert RR.regression_adversarial_risk(theta, theta0, eps, sigma, norm=norm, cov=COV) == pytest.approx(val,
                                                                                                      rel=1e-10)


def test_mean_absolute_normal_mpmath():
    mpmath.mp.dps = 30
    e_abs = mpmath.quad(lambda r: abs(r) * mpmath.npdf(r), [-mpmath.inf, 0, mpmath.inf])
    assert float(e_abs) == pytest.approx(RR.K, rel=1e-15)


@given(vec3, vec3, st.floats(0, 2), st.floats(0.01, 2), st.sampled_from([1, 2, np.inf]))
def test_adversarial_risk_orderings(theta, theta0, eps, sigma, norm):
    sr = RR.standard_risk(theta, theta0, sigma)
    ar = RR.regression_adversarial_risk(theta, theta0, eps, sigma, norm=norm)
    assert ar >= sr * (1 - 1e-14)
    assert RR.regression_adversarial_risk(theta, theta0, 0.0, sigma, norm=norm) == pytest.approx(sr, rel=1e-14)
    assert RR.regression_adversarial_risk(theta, theta0, eps + 0.1, sigma, norm=norm) >= ar
    # l-inf threat pays the l1 norm, the largest of the dual norms: AR_inf >= AR_2 >= AR_1
    if norm == 2:
        assert RR.regression_adversarial_risk(theta, theta0, eps, sigma, norm=np.inf) >= ar * (1 - 1e-14)
        assert RR.regression_adversarial_risk(theta, theta0, eps, sigma, norm=1) <= ar * (1 + 1e-14)


def test_risks_broadcast():
    W = np.random.default_rng(0).normal(size=(7, 3))
    ar = RR.regression_adversarial_risk(W, [1.0, 0.0, 0.0], np.array([[0.1], [0.2]]), 1.0)
    assert ar.shape == (2, 7)
    assert ar[1, 3] == pytest.approx(float(RR.regression_adversarial_risk(W[3], [1.0, 0.0, 0.0], 0.2, 1.0)))


@given(vec3.filter(lambda v: np.linalg.norm(v) > 0.1), st.floats(0.05, 2), st.floats(0.01, 1.5),
       st.floats(0.05, 1))
def test_l2_isotropic_against_scalar_search(theta0, sigma, eps, w):
    th = RR.tradeoff_estimator(theta0, eps, sigma, w)

    def obj(c):
        t = c * theta0
        return (1 - w) * RR.standard_risk(t, theta0, sigma) + w * RR.regression_adversarial_risk(t, theta0, eps,
                                                                                                sigma)

    best = minimize_scalar(obj, bounds=(0, 1), method="bounded", options={"xatol": 1e-12})
    f_th = (1 - w) * RR.standard_risk(th, theta0, sigma) + w * RR.regression_adversarial_risk(th, theta0, eps, sigma)
    assert f_th <= best.fun + 1e-12
    c = th @ theta0 / (theta0 @ theta0)
    assert np.allclose(th, c * theta0, atol=1e-14)


@pytest.mark.parametrize("sigma, eps", [(1.0, 0.5), (0.3, 0.9), (2.0, 0.2)])
def test_l2_zero_threshold_by_hand(sigma, eps):
    theta0 = np.array([0.8, -0.6])  # norm 1
    zero = K * eps * np.sqrt(sigma ** 2 + 1.0) >= 1.0  # derivative of AR along c theta0 at c = 0 is >= 0
    th = RR.adversarial_training_estimator(theta0, eps, sigma)
    assert bool(np.all(th == 0)) == bool(zero)


@given(vec3.filter(lambda v: np.abs(v).max() > 0.1), st.floats(0.05, 2), st.floats(0.01, 1.0), st.floats(0.05, 1))
@settings(max_examples=15)
def test_linf_isotropic_is_soft_thresholding(theta0, sigma, eps, w):
    th = RR.tradeoff_estimator(theta0, eps, sigma, w, norm=np.inf)

    def soft(tau):
        return np.sign(theta0) * np.maximum(np.abs(theta0) - tau, 0.0)

    def obj(t):
        return (1 - w) * RR.standard_risk(t, theta0, sigma) + w * RR.regression_adversarial_risk(
            t, theta0, eps, sigma, norm=np.inf)

    best = minimize_scalar(lambda tau: obj(soft(tau)), bounds=(0, np.abs(theta0).max()), method="bounded",
                           options={"xatol": 1e-12})
    assert obj(th) <= best.fun + 1e-11
    assert np.allclose(th, soft(best.x), atol=1e-5)


@pytest.mark.parametrize("seed", range(4))
def test_linf_general_cov_against_epigraph_slsqp(seed):
    rng = np.random.default_rng(seed)
    theta0 = rng.normal(size=3)
    A = rng.normal(size=(3, 3))
    cov = A @ A.T + 0.3 * np.eye(3)
    sigma, eps = 0.8, 0.25
    th = RR.adversarial_training_estimator(theta0, eps, sigma, norm=np.inf, cov=cov)

    def f(z):  # z = (theta, t), |theta_i| <= t_i, AR with sum(t) in place of ||theta||_1
        theta, t = z[:3], z[3:]
        dlt = theta - theta0
        s = np.sqrt(sigma ** 2 + dlt @ cov @ dlt)
        a = t.sum()
        return s * s + 2 * K * eps * a * s + eps ** 2 * a * a

    cons = [{"type": "ineq", "fun": lambda z, i=i, sg=sg: z[3 + i] - sg * z[i]} for i in range(3) for sg in (1, -1)]
    z0 = np.concatenate([theta0, np.abs(theta0)])
    res = minimize(f, z0, constraints=cons, method="SLSQP", options={"ftol": 1e-14, "maxiter": 500})
    ar = RR.regression_adversarial_risk(th, theta0, eps, sigma, norm=np.inf, cov=cov)
    assert ar <= res.fun + 1e-9
    assert ar == pytest.approx(res.fun, rel=1e-7)
    assert RR.optimality_residual(th, theta0, eps, sigma, norm=np.inf, cov=cov) < 1e-10


@pytest.mark.parametrize("seed", range(4))
def test_l2_general_cov_against_nelder_mead_and_ridge_form(seed):
    rng = np.random.default_rng(100 + seed)
    theta0 = rng.normal(size=3)
    A = rng.normal(size=(3, 3))
    cov = A @ A.T + 0.3 * np.eye(3)
    sigma, eps, w = 0.8, 0.2, rng.uniform(0.3, 1.0)
    th = RR.tradeoff_estimator(theta0, eps, sigma, w, norm=2, cov=cov)

    def f(theta):  # the objective written out: (1 - w) s^2 + w (|r| + eps ||theta||)^2 in expectation
        dlt = theta - theta0
        s = np.sqrt(sigma ** 2 + dlt @ cov @ dlt)
        a = np.linalg.norm(theta)
        return s * s + w * (2 * K * eps * a * s + eps ** 2 * a * a)

    res = minimize(f, theta0, method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-15, "maxiter": 20000})
    assert f(th) <= res.fun + 1e-12
    assert np.allclose(th, res.x, atol=1e-5)
    # the ridge form (Sigma + gamma I)^-1 Sigma theta0 for one gamma > 0: Sigma theta0 - Sigma theta = gamma theta
    gam = (cov @ (theta0 - th)) / th
    assert np.allclose(gam, gam[0], rtol=1e-8) and gam[0] > 0


@pytest.mark.parametrize("norm", [2, np.inf])
def test_eps_zero_and_large_eps(norm):
    theta0 = np.array([1.0, -0.5, 0.2])
    th = RR.adversarial_training_estimator(theta0, 0.0, 0.7, norm=norm, cov=COV)
    assert np.array_equal(th, theta0)
    assert RR.regression_adversarial_risk(th, theta0, 0.0, 0.7, norm=norm, cov=COV) == pytest.approx(0.49)
    assert np.all(RR.adversarial_training_estimator(theta0, 50.0, 0.7, norm=norm, cov=COV) == 0)


@pytest.mark.parametrize("norm", [2, np.inf])
def test_scale_equivariance(norm):
    theta0, sigma, eps = np.array([1.0, -0.5, 0.2]), 0.7, 0.3
    th = RR.adversarial_training_estimator(theta0, eps, sigma, norm=norm, cov=COV)
    for scale in (1e-200, 1e200):  # y scaled by `scale`: theta0 and sigma scale, the estimator with them
        big = RR.adversarial_training_estimator(scale * theta0, eps, scale * sigma, norm=norm, cov=COV)
        assert np.allclose(big / scale, th, rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("norm, cov", [(2, None), (np.inf, None), (2, COV), (np.inf, COV)])
def test_pareto_front_properties(norm, cov):
    theta0, sigma, eps = np.array([1.0, -0.5, 0.2]), 0.7, 0.3
    f = RR.pareto_front(theta0, eps, sigma, norm=norm, cov=cov, n=15)
    assert np.array_equal(f.thetas[0], theta0) and f.standard[0] == pytest.approx(sigma ** 2)
    assert np.allclose(f.thetas[-1], RR.adversarial_training_estimator(theta0, eps, sigma, norm=norm, cov=cov))
    assert np.all(np.diff(f.standard) >= -1e-12) and np.all(np.diff(f.adversarial) <= 1e-12)
    slopes = np.diff(f.adversarial) / np.diff(f.standard)
    assert np.all(np.diff(slopes) >= -1e-6)  # AR is a convex function of SR along the front
    # the adversarial risk of theta0 (first point) is sigma^2 + 2K eps ||theta0||_q sigma + eps^2 ||theta0||_q^2
    a = np.linalg.norm(theta0, 2 if norm == 2 else 1)
    assert f.adversarial[0] == pytest.approx(sigma ** 2 + 2 * K * eps * a * sigma + (eps * a) ** 2)


@pytest.mark.parametrize("call, match", [
    (lambda: RR.standard_risk([1.0, 0.0], [1.0], 1.0), "same dimension"),
    (lambda: RR.standard_risk([1.0, 0.0], [1.0, 0.0], -1.0), "sigma must be >= 0"),
    (lambda: RR.standard_risk([1.0, 0.0], [1.0, 0.0], 1.0, cov=[[1.0, 0.5], [0.0, 1.0]]), "symmetric"),
    (lambda: RR.standard_risk([1.0, 0.0], [1.0, 0.0], 1.0, cov=[[1.0, 2.0], [2.0, 1.0]]), "semi-definite"),
    (lambda: RR.regression_adversarial_risk([1.0], [1.0], -0.1, 1.0), "eps must be >= 0"),
    (lambda: RR.adversarial_training_estimator([1.0, 0.0], 0.1, 1.0, norm=1), "norm must be 2 or inf"),
    (lambda: RR.adversarial_training_estimator([1.0, 0.0], 0.1, 0.0), "sigma must be > 0"),
    (lambda: RR.adversarial_training_estimator([1.0, 0.0], 0.1, 1.0, cov=[[1.0, 1.0], [1.0, 1.0]]), "definite"),
    (lambda: RR.tradeoff_estimator([1.0, 0.0], 0.1, 1.0, 1.5), "weight must lie in"),
    (lambda: RR.pareto_front([1.0, 0.0], 0.1, 1.0, n=1), "n must be an integer >= 2"),
    (lambda: RR.optimality_residual([1.0], [1.0, 0.0], 0.1, 1.0), "shape of theta0"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
