"""Tests of theory.gaussian against independent computations.

References used here (none shares code with the closed forms):

- Monte Carlo on samples drawn in this file with numpy, with exact Clopper-Pearson
  intervals at confidence 0.9999 (``theory.montecarlo.proportion``), and the
  per-sample adversaries of ``theory.reference`` (Hoelder's equality case for G_adv,
  the primal flip test ``flippable`` for the base-relative risk);
- mpmath at 50 digits (``reference.mp_adversarial_risk``) for the tails;
- sympy derivations (the risk of a linear rule, the optimal l2 / l-inf margins);
- a brute-force maximization over a fine grid of directions in the plane, and the
  dynamic program over ALL labelings of a 1-D grid (``reference.optimal_robust_risk_1d_dp``);
- generic properties (range, scale invariance, monotonicity, ordering, batching) checked
  with hypothesis.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import optimize, stats

from theory import gaussian as G
from theory import reference as ref
from theory.montecarlo import estimate_probability, proportion
from theory.threat import ThreatModel

CONF = 0.9999
SEED = 20240611
MILLION = 1_000_000


def budget(n: int) -> settings:
    """``max_examples`` scaled with the active hypothesis profile (n examples in the ci profile)."""
    return settings(max_examples=max(1, round(n * settings.default.max_examples / 30)))


def dual(p: float) -> float:
    """The dual exponent q, 1/p + 1/q = 1 (written here, not taken from theory.norms)."""
    p = float(p)
    if p == 1.0:
        return np.inf
    if np.isinf(p):
        return 1.0
    return p / (p - 1.0)


def np_norm(v, p):
    """||v||_p along the last axis with numpy (an independent norm for the tests)."""
    return np.linalg.norm(np.asarray(v, float), ord=p, axis=-1)


# ------------------------------------------------------------------------------------------
# strategies
# ------------------------------------------------------------------------------------------

coord = st.one_of(st.just(0.0), st.floats(0.01, 5.0), st.floats(-5.0, -0.01))
eps_st = st.one_of(st.just(0.0), st.floats(1e-6, 3.0))  # no subnormal eps: products with it round to 0
sigma_st = st.floats(0.1, 5.0)
FAST_NORMS = (1.0, 2.0, np.inf)  # closed-form ball projections; other p bisect (~0.1 s per call)
norm_st = st.one_of(st.sampled_from([1.0, 2.0, np.inf]), st.floats(1.0, 20.0))
br_norm_st = st.sampled_from(FAST_NORMS)
general_p_st = st.floats(1.05, 20.0)


def vectors(d, elements=coord):
    return hnp.arrays(np.float64, d, elements=elements)


@st.composite
def problems(draw, norms=norm_st, max_d=6, nonzero_w=False):
    d = draw(st.integers(1, max_d))
    w = draw(vectors(d))
    if nonzero_w:
        assume(np.any(w != 0))
    theta = draw(vectors(d))
    return w, theta, draw(eps_st), draw(sigma_st), draw(norms)


# ------------------------------------------------------------------------------------------
# generic properties (hypothesis)
# ------------------------------------------------------------------------------------------


@given(problems())
def test_every_risk_lies_in_unit_interval(prob):
    w, theta, eps, sigma, norm = prob
    for r in (G.classification_risk(w, theta, sigma), G.adversarial_risk(w, theta, eps, sigma, norm=norm),
              G.base_relative_adversarial_risk_bound(w, theta, eps, sigma, norm=norm)):
        assert 0.0 <= r <= 1.0
    halves = [G.bayes_risk(theta, sigma)]
    if norm in FAST_NORMS:
        halves += [G.optimal_robust_risk(theta, -theta, eps, sigma, norm=norm),
                   G.optimal_linear_robust_classifier(theta, eps, sigma, norm=norm)[1]]
    for r in halves:
        assert 0.0 <= r <= 0.5
    for lr in (G.log_classification_risk(w, theta, sigma), G.log_adversarial_risk(w, theta, eps, sigma, norm=norm),
               G.log_bayes_risk(theta, sigma)):
        assert np.isfinite(lr) and lr <= 0.0


@budget(8)
@given(problems(norms=br_norm_st, max_d=4))
def test_base_relative_risk_lies_in_unit_interval(prob):
    w, theta, eps, sigma, norm = prob
    r = G.base_relative_adversarial_risk(w, theta, eps, sigma, norm=norm)
    assert 0.0 <= r <= 1.0


@given(problems())
def test_log_variants_are_logs_of_the_risks(prob):
    w, theta, eps, sigma, norm = prob
    pairs = [(G.log_classification_risk(w, theta, sigma), G.classification_risk(w, theta, sigma)),
             (G.log_adversarial_risk(w, theta, eps, sigma, norm=norm),
              G.adversarial_risk(w, theta, eps, sigma, norm=norm)),
             (G.log_bayes_risk(theta, sigma), G.bayes_risk(theta, sigma))]
    for lr, r in pairs:
        if r > 1e-290:
            assert np.exp(lr) == pytest.approx(r, rel=1e-12, abs=0)


@given(problems(), st.floats(1e-3, 1e3), st.integers(-60, 60))
def test_invariant_under_positive_scaling_of_w(prob, c, k):
    w, theta, eps, sigma, norm = prob
    for cc, rel in ((c, 1e-11), (2.0**k, 0.0)):  # a power of two scales every rounding exactly
        cw = cc * w
        assert G.classification_risk(cw, theta, sigma) == pytest.approx(
            G.classification_risk(w, theta, sigma), rel=rel, abs=0)
        assert G.adversarial_risk(cw, theta, eps, sigma, norm=norm) == pytest.approx(
            G.adversarial_risk(w, theta, eps, sigma, norm=norm), rel=rel, abs=0)
        assert G.log_classification_risk(cw, theta, sigma) == pytest.approx(
            G.log_classification_risk(w, theta, sigma), rel=rel, abs=1e-300)
        assert G.log_adversarial_risk(cw, theta, eps, sigma, norm=norm) == pytest.approx(
            G.log_adversarial_risk(w, theta, eps, sigma, norm=norm), rel=rel, abs=1e-300)
        assert G.robust_margin(cw, theta, eps, sigma, norm=norm) == pytest.approx(
            G.robust_margin(w, theta, eps, sigma, norm=norm), rel=max(rel, 1e-300), abs=1e-12 if rel else 0)


@given(problems(nonzero_w=True), st.integers(-150, 150))
def test_invariant_under_extreme_scaling_of_w(prob, k):
    """||w||_2 must neither underflow nor overflow: w and 10^k w give the same risks."""
    w, theta, eps, sigma, norm = prob
    cw = w * 10.0**k
    assert G.adversarial_risk(cw, theta, eps, sigma, norm=norm) == pytest.approx(
        float(G.adversarial_risk(w, theta, eps, sigma, norm=norm)), rel=1e-10, abs=1e-300)
    assert G.log_adversarial_risk(cw, theta, eps, sigma, norm=norm) == pytest.approx(
        float(G.log_adversarial_risk(w, theta, eps, sigma, norm=norm)), rel=1e-10, abs=1e-300)
    assert G.classification_risk(cw, theta, sigma) == pytest.approx(
        float(G.classification_risk(w, theta, sigma)), rel=1e-10, abs=1e-300)


@budget(6)
@given(problems(norms=br_norm_st, max_d=4, nonzero_w=True), st.floats(1e-2, 1e2))
def test_base_relative_risk_invariant_under_positive_scaling(prob, c):
    w, theta, eps, sigma, norm = prob
    a = G.base_relative_adversarial_risk(w, theta, eps, sigma, norm=norm)
    b = G.base_relative_adversarial_risk(c * w, theta, eps, sigma, norm=norm)
    assert b == pytest.approx(a, abs=1e-9)


@given(problems(), eps_st)
def test_nondecreasing_in_eps(prob, eps2):
    w, theta, eps, sigma, norm = prob
    lo, hi = sorted((eps, eps2))
    for f in (G.adversarial_risk, G.log_adversarial_risk, G.base_relative_adversarial_risk_bound):
        assert f(w, theta, lo, sigma, norm=norm) <= f(w, theta, hi, sigma, norm=norm)
    assert G.robust_margin(w, theta, lo, sigma, norm=norm) >= G.robust_margin(w, theta, hi, sigma, norm=norm)
    if norm in FAST_NORMS:
        assert G.optimal_robust_risk(theta, -theta, lo, sigma, norm=norm) <= G.optimal_robust_risk(
            theta, -theta, hi, sigma, norm=norm)
    if lo < hi:  # strictly increasing wherever w != 0 and the risk is neither 0 nor 1
        a, b = G.adversarial_risk(w, theta, lo, sigma, norm=norm), G.adversarial_risk(w, theta, hi, sigma, norm=norm)
        if np.any(w != 0) and 1e-250 < a and b < 1 - 1e-6 and (hi - lo) > 1e-6:
            assert a < b


@budget(6)
@given(problems(norms=br_norm_st, max_d=4), eps_st)
def test_base_relative_risk_nondecreasing_in_eps(prob, eps2):
    w, theta, eps, sigma, norm = prob
    lo, hi = sorted((eps, eps2))
    assert G.base_relative_adversarial_risk(w, theta, lo, sigma, norm=norm) <= (
        G.base_relative_adversarial_risk(w, theta, hi, sigma, norm=norm) + 1e-9)


@given(problems())
def test_eps_zero_gives_the_classification_risk(prob):
    w, theta, _, sigma, norm = prob
    r = G.classification_risk(w, theta, sigma)
    assert G.adversarial_risk(w, theta, 0.0, sigma, norm=norm) == r
    assert G.log_adversarial_risk(w, theta, 0.0, sigma, norm=norm) == G.log_classification_risk(w, theta, sigma)
    if np.any(w != theta):  # the bound at eps = 0 is the classification risk of w - theta
        assert G.base_relative_adversarial_risk_bound(w, theta, 0.0, sigma, norm=norm) == pytest.approx(
            float(G.classification_risk(w - theta, theta, sigma)), rel=1e-12, abs=1e-300)
    # the classification risk itself, with scipy on the margin computed here
    n2 = np.linalg.norm(w)
    expected = 0.5 if n2 == 0 else stats.norm.cdf(-float(w @ theta) / (sigma * n2))
    assert r == pytest.approx(expected, rel=1e-9, abs=1e-300)


@budget(10)
@given(problems(norms=br_norm_st, max_d=5))
def test_base_relative_risk_is_zero_at_eps_zero(prob):
    w, theta, _, sigma, norm = prob
    assert G.base_relative_adversarial_risk(w, theta, 0.0, sigma, norm=norm) == 0.0


@given(problems())
def test_adversarial_risk_is_at_least_the_classification_risk(prob):
    w, theta, eps, sigma, norm = prob
    assert G.adversarial_risk(w, theta, eps, sigma, norm=norm) >= G.classification_risk(w, theta, sigma)
    assert G.log_adversarial_risk(w, theta, eps, sigma, norm=norm) >= G.log_classification_risk(w, theta, sigma)
    # and the classification risk is at least the Bayes risk
    assert G.classification_risk(w, theta, sigma) >= G.bayes_risk(theta, sigma) * (1 - 1e-12)


@budget(10)
@given(problems(norms=br_norm_st, max_d=4))
def test_base_relative_risk_between_zero_bound_and_gadv(prob):
    w, theta, eps, sigma, norm = prob
    r = G.base_relative_adversarial_risk(w, theta, eps, sigma, norm=norm)
    assert 0.0 <= r
    assert r <= G.base_relative_adversarial_risk_bound(w, theta, eps, sigma, norm=norm) + 1e-9
    assert r <= G.adversarial_risk(w, theta, eps, sigma, norm=norm) + 1e-9


@st.composite
def batches(draw, norms=norm_st, max_k=5):
    d = draw(st.integers(1, 5))
    k = draw(st.integers(1, max_k))
    w = draw(hnp.arrays(np.float64, (k, d), elements=coord))
    theta = draw(st.one_of(vectors(d), hnp.arrays(np.float64, (k, d), elements=coord)))
    eps = draw(st.one_of(eps_st, hnp.arrays(np.float64, k, elements=eps_st)))
    sigma = draw(st.one_of(sigma_st, hnp.arrays(np.float64, k, elements=sigma_st)))
    return w, theta, eps, sigma, draw(norms)


def _row(a, i):
    a = np.asarray(a)
    return a if a.ndim == 0 else a[i]


def _theta_row(theta, i):
    return theta if theta.ndim == 1 else theta[i]


@given(batches())
def test_batch_equals_loop(batch):
    w, theta, eps, sigma, norm = batch
    funcs = {
        "classification_risk": lambda w_, t_, e_, s_: G.classification_risk(w_, t_, s_),
        "log_classification_risk": lambda w_, t_, e_, s_: G.log_classification_risk(w_, t_, s_),
        "adversarial_risk": lambda w_, t_, e_, s_: G.adversarial_risk(w_, t_, e_, s_, norm=norm),
        "log_adversarial_risk": lambda w_, t_, e_, s_: G.log_adversarial_risk(w_, t_, e_, s_, norm=norm),
        "robust_margin": lambda w_, t_, e_, s_: G.robust_margin(w_, t_, e_, s_, norm=norm),
        "bound": lambda w_, t_, e_, s_: G.base_relative_adversarial_risk_bound(w_, t_, e_, s_, norm=norm),
        "bayes_risk": lambda w_, t_, e_, s_: G.bayes_risk(w_, s_),
        "log_bayes_risk": lambda w_, t_, e_, s_: G.log_bayes_risk(w_, s_),
        "optimal_robust_risk": lambda w_, t_, e_, s_: G.optimal_robust_risk(w_, t_, e_, s_, norm=norm),
        "optimal_linear_risk": lambda w_, t_, e_, s_: G.optimal_linear_robust_classifier(w_, e_, s_, norm=norm)[1],
        "optimal_linear_w": lambda w_, t_, e_, s_: G.optimal_linear_robust_classifier(w_, e_, s_, norm=norm)[0],
    }
    k = w.shape[0]
    # rounding differences (e.g. BLAS summation order) in a margin m move the risk by ~m^2 ulp where
    # the margin is not refined in double-double (risks near 1 and their logs)
    m = np.abs(np.broadcast_to(G.robust_margin(w, theta, eps, sigma, norm=norm), (k,)))
    rtol = 1e-13 + 1e-15 * m**2
    if norm not in FAST_NORMS:  # general p: see test_optimal_risks_general_p
        funcs = {k_: f for k_, f in funcs.items() if not k_.startswith("optimal")}
    for name, f in funcs.items():
        out = np.asarray(f(w, theta, eps, sigma))
        expected_shape = (k, w.shape[1]) if name == "optimal_linear_w" else (k,)
        assert out.shape == expected_shape, name
        for i in range(k):
            single = f(w[i], _theta_row(theta, i), _row(eps, i), _row(sigma, i))
            np.testing.assert_allclose(out[i], single, rtol=rtol[i], atol=1e-300, err_msg=name)


@budget(5)
@given(batches(norms=br_norm_st, max_k=3))
def test_base_relative_batch_equals_loop(batch):
    w, theta, eps, sigma, norm = batch
    out = G.base_relative_adversarial_risk(w, theta, eps, sigma, norm=norm)
    assert out.shape == (w.shape[0],)
    for i in range(w.shape[0]):
        single = G.base_relative_adversarial_risk(w[i], _theta_row(theta, i), _row(eps, i), _row(sigma, i), norm=norm)
        assert out[i] == pytest.approx(single, rel=1e-12, abs=1e-15)


def test_batch_shapes_broadcast():
    rng = np.random.default_rng(SEED)
    w = rng.normal(size=(2, 3, 4))
    theta = rng.normal(size=4)
    eps = np.array([0.1, 0.2, 0.3])  # broadcasts against the batch shape (2, 3)
    sigma = np.array([[0.5], [2.0]])
    out = G.adversarial_risk(w, theta, eps, sigma, norm=2)
    assert out.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            assert out[i, j] == pytest.approx(float(G.adversarial_risk(w[i, j], theta, eps[j], sigma[i, 0], norm=2)),
                                              rel=1e-13, abs=0)
    # a scalar w with a batch of eps: one row per eps
    out = G.adversarial_risk(w[0, 0], theta, eps, 1.0, norm=1)
    assert out.shape == (3,)
    assert np.all(np.diff(out) > 0)
    # scalars in, Python-float-like scalars out
    assert np.ndim(G.classification_risk(w[0, 0], theta)) == 0
    assert np.ndim(G.base_relative_adversarial_risk(w[0, 0], theta, 0.1)) == 0


def test_large_batch_crosses_row_blocks():
    """A batch larger than the row block of the implementation equals row-by-row calls."""
    rng = np.random.default_rng(SEED + 1)
    n, d = 8192 * 2 + 7, 3
    w = rng.normal(size=(n, d))
    theta = 2.0 * rng.normal(size=d)
    eps = rng.uniform(0, 0.5, size=n)
    rows = np.unique(np.concatenate([[0, 8191, 8192, 8193, 16383, 16384, n - 1], rng.integers(0, n, 40)]))
    for norm in (np.inf, 2.0, 1.0, 3.0):
        out = G.adversarial_risk(w, theta, eps, 1.0, norm=norm)
        margins = G.robust_margin(w, theta, eps, 1.0, norm=norm)
        # every row against numpy's own norms
        ref_margin = (w @ theta - eps * np_norm(w, dual(norm))) / np_norm(w, 2)
        np.testing.assert_allclose(margins, ref_margin, rtol=1e-12, atol=1e-12)
        for i in rows:
            assert out[i] == pytest.approx(float(G.adversarial_risk(w[i], theta, eps[i], 1.0, norm=norm)),
                                           rel=1e-13, abs=0)


# ------------------------------------------------------------------------------------------
# optimal robust risk
# ------------------------------------------------------------------------------------------


def _optimal_properties(w, theta, eps, sigma, norm):
    opt = G.optimal_robust_risk(theta, -theta, eps, sigma, norm=norm)
    assert opt <= G.adversarial_risk(w, theta, eps, sigma, norm=norm) * (1 + 1e-9) + 1e-15
    # and it equals the risk of the best linear classifier (symmetric means) ...
    w_star, risk_star = G.optimal_linear_robust_classifier(theta, eps, sigma, norm=norm)
    assert risk_star == pytest.approx(opt, rel=1e-12, abs=1e-300)
    # ... which that classifier attains
    assert G.adversarial_risk(w_star, theta, eps, sigma, norm=norm) == pytest.approx(risk_star, rel=1e-6, abs=1e-300)
    n = np.linalg.norm(w_star)
    assert n == 0.0 or n == pytest.approx(1.0, rel=1e-12, abs=0)
    assert 0.0 <= opt <= 0.5


@given(problems(norms=br_norm_st))
def test_optimal_robust_risk_is_a_lower_bound(prob):
    _optimal_properties(*prob)


@budget(6)
@given(problems(norms=general_p_st, max_d=4), eps_st)
def test_optimal_risks_general_p(prob, eps2):
    """1 < p < inf (projection by bisection): the same properties, and monotone in eps."""
    w, theta, eps, sigma, norm = prob
    lo, hi = sorted((eps, eps2))
    _optimal_properties(*prob)
    assert G.optimal_robust_risk(theta, -theta, lo, sigma, norm=norm) <= G.optimal_robust_risk(
        theta, -theta, hi, sigma, norm=norm) + 1e-12


@given(problems(norms=br_norm_st), st.floats(-10, 10), st.integers(0, 5))
def test_optimal_robust_risk_translation_invariant(prob, shift, axis):
    w, theta, eps, sigma, norm = prob
    s = np.zeros_like(theta)
    s[axis % theta.size] = shift
    a = G.optimal_robust_risk(theta + w + s, w + s - theta, eps, sigma, norm=norm)  # theta' = theta up to rounding
    b = G.optimal_robust_risk(theta, -theta, eps, sigma, norm=norm)
    assert a == pytest.approx(b, rel=1e-8, abs=1e-12)


@given(problems(norms=br_norm_st), eps_st)
def test_optimal_robust_risk_monotone_bayes_and_half(prob, eps2):
    _, theta, eps, sigma, norm = prob
    mu_pos, mu_neg = theta + 0.25, 0.25 - theta
    theta = 0.5 * (mu_pos - mu_neg)  # theta up to the rounding of the means
    lo, hi = sorted((eps, eps2))
    assert G.optimal_robust_risk(mu_pos, mu_neg, lo, sigma, norm=norm) <= G.optimal_robust_risk(
        mu_pos, mu_neg, hi, sigma, norm=norm)
    assert G.optimal_robust_risk(mu_pos, mu_neg, 0.0, sigma, norm=norm) == pytest.approx(
        float(G.bayes_risk(theta, sigma)), rel=1e-11, abs=1e-300)
    half_gap = np.linalg.norm(mu_pos - mu_neg) / 2
    for e in (half_gap * (1 + 1e-12), half_gap + 1e-9, 2 * half_gap + 1.0):
        assert G.optimal_robust_risk(mu_pos, mu_neg, e, sigma, norm=2) == 0.5
    # l-inf: 1/2 once the box covers theta; l1: once the l1 ball does
    assert G.optimal_robust_risk(mu_pos, mu_neg, np.abs(theta).max() * (1 + 1e-12), sigma, norm=np.inf) == 0.5
    assert G.optimal_robust_risk(mu_pos, mu_neg, np.abs(theta).sum() * (1 + 1e-12), sigma, norm=1) == 0.5
    # strictly below 1/2 before that (when the margin left is not negligible)
    if half_gap > 1e-3 and eps < half_gap * (1 - 1e-3):
        assert G.optimal_robust_risk(mu_pos, mu_neg, eps, sigma, norm=2) < 0.5


@pytest.mark.parametrize("gap, eps", [((6.0, 8.0), 5.0), ((0.0, 10.0, 0.0), 5.0), ((12.0, 0.0, 5.0), 6.5)])
def test_optimal_robust_risk_exactly_half_at_the_boundary(gap, eps):
    """||mu_pos - mu_neg||_2 / 2 is exact for these vectors: the boundary case itself gives 1/2."""
    mu_pos = np.array(gap) / 2 + 1.0
    mu_neg = 1.0 - np.array(gap) / 2
    assert np.linalg.norm(mu_pos - mu_neg) / 2 == eps
    assert G.optimal_robust_risk(mu_pos, mu_neg, eps, 1.0, norm=2) == 0.5
    assert G.optimal_robust_risk(mu_pos, mu_neg, eps * (1 - 1e-6), 1.0, norm=2) < 0.5


@budget(15)
@given(st.floats(-3, 3), st.floats(-3, 3), st.floats(0, 2.5), st.floats(0.3, 3),
       st.sampled_from([1.0, 2.0, np.inf, 1.5, 3.0]))
def test_optimal_linear_risk_against_brute_force_directions(t1, t2, eps, sigma, norm):
    """In the plane, maximize the robust margin over 200 001 directions (and the constant classifier)."""
    theta = np.array([t1, t2])
    a = np.linspace(0, 2 * np.pi, 200_001)
    w = np.stack([np.cos(a), np.sin(a)], axis=-1)
    margins = w @ theta - eps * np_norm(w, dual(norm))
    best = min(0.5, float(stats.norm.cdf(-margins.max() / sigma)))  # w = 0 gives 1/2
    _, risk = G.optimal_linear_robust_classifier(theta, eps, sigma, norm=norm)
    assert risk == pytest.approx(best, abs=1e-8)
    assert G.optimal_robust_risk(theta, -theta, eps, sigma, norm=norm) == pytest.approx(best, abs=1e-8)


@pytest.mark.parametrize("mu_pos, mu_neg, eps, sigma", [
    (1.0, -1.0, 0.3, 1.0),
    (2.0, -2.0, 1.5, 0.7),
    (0.5, -0.5, 0.7, 1.0),   # eps beyond |mu|: 1/2
    (1.7, -0.3, 0.4, 1.2),   # asymmetric means
])
def test_optimal_robust_risk_against_dp_over_all_labelings(mu_pos, mu_neg, eps, sigma):
    """1-D: the optimum over ALL classifiers (any labeling of a fine grid) brackets the closed form."""
    mu = (mu_pos - mu_neg) / 2
    low, high = ref.optimal_robust_risk_1d_dp(mu, eps, sigma, cells=3000)
    assert high - low < 0.01  # the bracket is informative
    for norm in (2.0, np.inf, 1.0):  # all lp norms agree in one dimension
        val = G.optimal_robust_risk([mu_pos], [mu_neg], eps, sigma, norm=norm)
        assert low - 1e-9 <= val <= high + 1e-9


def test_optimal_linear_robust_classifier_closed_forms():
    """Hand-derived: l2 shrinks theta, l-inf soft-thresholds, l1 removes the l1-ball projection."""
    theta = np.array([0.9, -0.3, 0.1])
    w, risk = G.optimal_linear_robust_classifier(theta, 0.2, 1.5, norm=2)
    np.testing.assert_allclose(w, theta / np.linalg.norm(theta), rtol=1e-14)
    assert risk == pytest.approx(stats.norm.cdf((0.2 - np.linalg.norm(theta)) / 1.5), rel=1e-13, abs=0)
    w, risk = G.optimal_linear_robust_classifier(theta, 0.2, 1.0, norm=np.inf)
    soft = np.array([0.7, -0.1, 0.0])
    np.testing.assert_allclose(w, soft / np.linalg.norm(soft), rtol=1e-14, atol=1e-15)
    assert risk == pytest.approx(stats.norm.cdf(-np.linalg.norm(soft)), rel=1e-13, abs=0)
    # l1 ball of radius 0.4: threshold tau with sum (|theta_i| - tau)_+ = 0.4 is tau = 0.5
    w, risk = G.optimal_linear_robust_classifier(theta, 0.4, 1.0, norm=1)
    resid = np.array([0.5, -0.3, 0.1])
    np.testing.assert_allclose(w, resid / np.linalg.norm(resid), rtol=1e-14)
    assert risk == pytest.approx(stats.norm.cdf(-np.linalg.norm(resid)), rel=1e-13, abs=0)
    # theta inside the ball: the constant classifier, risk 1/2
    for norm, eps in ((2, 1.0), (np.inf, 0.9), (1, 1.5)):
        w, risk = G.optimal_linear_robust_classifier(theta, eps, 1.0, norm=norm)
        assert np.all(w == 0) and risk == 0.5


# Regression test. Former defect (found by these tests, since fixed): project_onto_lp_ball(v, r, 1) is wrong for r =
# 0 (and r below ~ulp(max|v|)): Duchi's threshold test u_j - (css_j - r) / j > 0 never holds, rho falls back to d,
# and the 'projection' keeps l1 mass; so the l1 optimal robust risk at eps = 0 exceeds the Bayes risk
@pytest.mark.parametrize("eps", [0.0, 1e-17])
def test_optimal_robust_risk_l1_at_eps_zero(eps):
    theta = np.array([3.0, 1.0])
    bayes = float(stats.norm.cdf(-np.linalg.norm(theta)))  # Bayes risk, Phi(-||theta||)
    assert G.optimal_robust_risk(theta, -theta, eps, 1.0, norm=1) == pytest.approx(bayes, rel=1e-9, abs=0)
    w, risk = G.optimal_linear_robust_classifier(theta, eps, 1.0, norm=1)
    np.testing.assert_allclose(w, theta / np.linalg.norm(theta), rtol=1e-9)


# Regression test. Former defect (found by these tests, since fixed): for 1 < p < inf the projection doubles its
# multiplier at most 200 times from 1; the optimum needs ~max|theta| / eps^(p-1), so for large p or small eps the
# 'projection' lies outside the ball and the optimal risk is too large (p = 50, eps = 0.01: 0.1493 vs 0.1346)
@pytest.mark.parametrize("p, eps", [(50.0, 0.01), (50.0, 0.0), (20.0, 1e-4)])
def test_optimal_robust_risk_large_p_small_eps(p, eps):
    theta = np.array([1.0, 0.5])
    a = np.linspace(0, 2 * np.pi, 2_000_001)  # brute force over directions in the plane
    w = np.stack([np.cos(a), np.sin(a)], axis=-1)
    best = (w @ theta - eps * np_norm(w, dual(p))).max()
    expected = min(0.5, float(stats.norm.cdf(-best)))
    assert G.optimal_robust_risk(theta, -theta, eps, 1.0, norm=p) == pytest.approx(expected, abs=1e-6)


# ------------------------------------------------------------------------------------------
# w = 0: the constant classifier -1 (sign(0) = -1)
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("norm", [np.inf, 2.0, 1.0, 3.0])
def test_zero_classifier_conventions(norm):
    theta = np.array([0.7, -1.2, 0.4])
    w = np.zeros(3)
    assert G.classification_risk(w, theta, 0.8) == 0.5
    assert G.adversarial_risk(w, theta, 0.3, 0.8, norm=norm) == 0.5
    assert G.log_adversarial_risk(w, theta, 0.3, 0.8, norm=norm) == np.log(0.5)
    assert G.log_classification_risk(w, theta) == np.log(0.5)
    assert G.robust_margin(w, theta, 0.3, 0.8, norm=norm) == 0.0
    if norm != 3.0:
        assert G.base_relative_adversarial_risk(w, theta, 0.3, 0.8, norm=norm) == 0.0
    # in a batch, only the zero row follows the convention
    out = G.adversarial_risk(np.stack([w, theta]), theta, 0.0, 1.0, norm=norm)
    assert out[0] == 0.5 and out[1] < 0.5


def test_zero_classifier_agrees_with_monte_carlo():
    """predict(0) = -1 everywhere: error 1/2, no perturbation changes the prediction, no flips."""
    theta, sigma, eps = np.array([0.7, -1.2, 0.4]), 0.8, 0.5
    rng = np.random.default_rng(SEED + 2)
    n = 200_000
    x, y = mixture(theta, sigma)(n, rng)
    w = np.zeros(3)
    clean = ref.predict(x @ w)
    est = proportion(int(np.count_nonzero(clean != y)), n, CONF)
    assert est.contains(float(G.classification_risk(w, theta, sigma)))
    for norm in (np.inf, 2.0, 1.0):
        flips = 0
        wrong_adv = clean != y
        for _ in range(5):  # random perturbations on the sphere of the ball
            delta = rng.normal(size=x.shape)
            delta *= eps / np_norm(delta, norm)[:, None]
            pred = ref.predict((x + delta) @ w)
            flips += int(np.count_nonzero(pred != clean))
            wrong_adv |= pred != y
        est = proportion(int(np.count_nonzero(wrong_adv)), n, CONF)
        assert est.contains(float(G.adversarial_risk(w, theta, eps, sigma, norm=norm)))
        assert float(G.base_relative_adversarial_risk(w, theta, eps, sigma, norm=norm)) == flips / n == 0.0


# Regression test. Former defect (found by these tests, since fixed): reference.flippable counts points with theta.x
# <= 0 as flippable for w = 0 (its g = -1 side tests w.z >= 0 and w.(z + d) <= 0, both true when w = 0), although
# sign(0.x) = -1 never changes
def test_reference_flippable_respects_the_zero_classifier():
    rng = np.random.default_rng(SEED + 3)
    x, _ = mixture(np.array([1.0, 0.5]), 1.0)(1000, rng)
    assert not ref.flippable(x, np.zeros(2), np.array([1.0, 0.5]), 0.3, norm=np.inf).any()


# ------------------------------------------------------------------------------------------
# Monte Carlo agreement (>= 1e6 samples for one case of every closed form)
# ------------------------------------------------------------------------------------------


def mixture(theta, sigma=1.0, mu_neg=None, support=None):
    """Sampler of y = +-1 (prob 1/2), x | y ~ N(mu_y, sigma^2 I_S), written here with numpy only."""
    theta = np.asarray(theta, float)
    mu_neg = -theta if mu_neg is None else np.asarray(mu_neg, float)
    mask = np.ones(theta.size) if support is None else np.asarray(support, float)

    def sample(m, rng):
        y = np.where(rng.random(m) < 0.5, 1.0, -1.0)
        x = np.where(y[:, None] > 0, theta, mu_neg) + sigma * rng.standard_normal((m, theta.size)) * mask
        return x, y

    return sample


def mc(event, sampler, n, seed, batch=250_000):
    """Clopper-Pearson estimate (confidence 0.9999) of P(event(x, y)) from n samples in batches.

    The events here are not all misclassifications (the base-relative flip region ignores y), so
    this is montecarlo.estimate_probability, estimate_error's batched loop for a general event.
    """
    return estimate_probability(event, sampler, n, np.random.default_rng(seed), batch=batch, confidence=CONF)


def _check(value, est, what):
    assert est.contains(float(value)), f"{what}: closed form {float(value):.6g} outside the MC interval {est}"


@pytest.mark.parametrize("d, sigma, n, seed", [(4, 1.3, MILLION, 1), (1, 0.5, 200_000, 2), (7, 2.0, 200_000, 3)])
def test_classification_risk_monte_carlo(d, sigma, n, seed):
    rng = np.random.default_rng([SEED, seed])
    w, theta = rng.normal(size=d), 0.6 * rng.normal(size=d)
    est = mc(lambda x, y: ref.predict(x @ w) != y, mixture(theta, sigma), n, seed)
    _check(G.classification_risk(w, theta, sigma), est, "classification risk")


@pytest.mark.parametrize("norm, n", [(np.inf, MILLION), (2.0, MILLION), (1.0, MILLION), (3.0, 200_000)])
def test_adversarial_risk_monte_carlo(norm, n):
    rng = np.random.default_rng([SEED, 10])
    w, theta, eps, sigma = rng.normal(size=4), 0.5 * rng.normal(size=4), 0.2, 0.9
    delta = ref.worst_case_perturbation(w, eps, norm=norm)
    assert np_norm(delta, norm) == pytest.approx(eps, rel=1e-12)

    def wrong(x, y):  # the adversary pushes w.x towards the wrong side: x + y delta
        return ref.predict((x + y[:, None] * delta) @ w) != y

    est = mc(wrong, mixture(theta, sigma), n, 11)
    _check(G.adversarial_risk(w, theta, eps, sigma, norm=norm), est, f"G_adv norm={norm}")
    assert not est.contains(float(G.classification_risk(w, theta, sigma)))  # the attack matters


@pytest.mark.parametrize("norm", [np.inf, 2.0, 1.0])
def test_base_relative_risk_monte_carlo(norm):
    rng = np.random.default_rng([SEED, 20])
    w, theta, eps, sigma = rng.normal(size=3), 0.7 * rng.normal(size=3), 0.4, 1.1
    est = mc(lambda x, y: ref.flippable(x, w, theta, eps, norm=norm), mixture(theta, sigma), MILLION, 21)
    _check(G.base_relative_adversarial_risk(w, theta, eps, sigma, norm=norm), est, f"R_adv norm={norm}")


@pytest.mark.parametrize("norm", [np.inf, 2.0, 1.0])
def test_base_relative_risk_with_support_monte_carlo(norm):
    """Low-dimensional mixture: noise only on the support; w has weight off it."""
    support = np.array([True, True, False, False, False, False])
    theta = np.array([1.0, -0.5, 0.0, 0.0, 0.0, 0.0])
    w = np.array([0.8, -0.2, 0.3, -0.1, 0.2, 0.05])
    eps, sigma = 0.3, 0.8
    est = mc(lambda x, y: ref.flippable(x, w, theta, eps, norm=norm), mixture(theta, sigma, support=support),
             MILLION, 30)
    exact = G.base_relative_adversarial_risk(w, theta, eps, sigma, norm=norm, support=support)
    _check(exact, est, f"R_adv with support, norm={norm}")
    # the support matters: the full-noise value lies outside the interval
    assert not est.contains(float(G.base_relative_adversarial_risk(w, theta, eps, sigma, norm=norm)))


@pytest.mark.parametrize("scale, alpha, eps, norm", [
    (2.0, [0.3, -0.2, 0.1], 0.3, np.inf),
    (2.0, [0.3, -0.2, 0.1], 0.5, 2.0),
    (0.5, [1.3, -0.2, 0.1], 0.4, 1.0),
    (-1.0, [0.3, -0.2, 0.1], 0.5, np.inf),  # w_S anti-parallel to theta: f, g disagree on the support
])
def test_base_relative_risk_support_parallel_on_support(scale, alpha, eps, norm):
    """w_S parallel to theta: w.x is a deterministic function of theta.x (the degenerate branch)."""
    support = np.array([True, True, False, False, False])
    theta = np.array([0.6, -0.4, 0.0, 0.0, 0.0])
    w = np.concatenate([scale * theta[:2], alpha])
    est = mc(lambda x, y: ref.flippable(x, w, theta, eps, norm=norm), mixture(theta, 0.9, support=support),
             200_000, 31)
    _check(G.base_relative_adversarial_risk(w, theta, eps, 0.9, norm=norm, support=support), est,
           f"degenerate support norm={norm}")


@pytest.mark.parametrize("norm", [np.inf, 2.0, 1.0])
@pytest.mark.parametrize("case", ["theta=0", "nearly parallel", "large eps"])
def test_base_relative_risk_special_cases_monte_carlo(case, norm):
    rng = np.random.default_rng([SEED, 40])
    if case == "theta=0":  # g = -1 everywhere: flips are the points with w.x in (-eps ||w||_*, 0]
        w, theta, eps = rng.normal(size=3), np.zeros(3), 0.5
    elif case == "nearly parallel":  # angle 1e-3: flippable near the decision boundary only
        theta = np.array([1.0, 0.5, 0.0])
        w, eps = theta + np.array([0.0, 0.0, 1e-3]), 0.5
    else:
        w, theta, eps = rng.normal(size=3), 0.5 * rng.normal(size=3), 3.0
    est = mc(lambda x, y: ref.flippable(x, w, theta, eps, norm=norm), mixture(theta, 1.0), 200_000, 41)
    _check(G.base_relative_adversarial_risk(w, theta, eps, 1.0, norm=norm), est, f"{case} norm={norm}")


@pytest.mark.parametrize("norm", [2.0, np.inf, 1.0])
def test_optimal_robust_risk_attained_monte_carlo(norm):
    """Asymmetric means: the hyperplane w.(x - midpoint) with w = theta - proj(theta) attains the optimum."""
    mu_pos = np.array([1.2, -0.3, 0.5])
    mu_neg = np.array([0.2, 0.4, -0.1])
    theta = (mu_pos - mu_neg) / 2  # (0.5, -0.35, 0.3)
    mid = (mu_pos + mu_neg) / 2
    sigma, eps = 0.9, {2.0: 0.25, np.inf: 0.1, 1.0: 0.3}[norm]
    # w = theta minus its projection on the ball, computed here independently
    if norm == 2.0:
        w = theta
    elif norm == np.inf:
        w = np.sign(theta) * np.maximum(np.abs(theta) - eps, 0.0)
    else:
        tau = optimize.brentq(lambda t: np.maximum(np.abs(theta) - t, 0).sum() - eps, 0.0, np.abs(theta).max())
        w = np.sign(theta) * np.minimum(np.abs(theta), tau)
    delta = ref.worst_case_perturbation(w, eps, norm=norm)

    def wrong(x, y):
        return ref.predict((x + y[:, None] * delta - mid) @ w) != y

    n = MILLION if norm == 2.0 else 400_000
    est = mc(wrong, mixture(mu_pos, sigma, mu_neg=mu_neg), n, 50)
    _check(G.optimal_robust_risk(mu_pos, mu_neg, eps, sigma, norm=norm), est, f"optimal robust risk norm={norm}")
    # and a worse direction (the Bayes direction for l-inf / l1) is robustly worse
    if norm != 2.0:
        assert G.optimal_robust_risk(mu_pos, mu_neg, eps, sigma, norm=norm) < G.adversarial_risk(
            theta, theta, eps, sigma, norm=norm)


def test_bayes_risk_monte_carlo():
    rng = np.random.default_rng([SEED, 60])
    theta, sigma = 0.4 * rng.normal(size=5), 1.3
    est = mc(lambda x, y: ref.predict(x @ theta) != y, mixture(theta, sigma), MILLION, 61)
    _check(G.bayes_risk(theta, sigma), est, "Bayes risk")
    # the Bayes rule beats a random direction
    w = rng.normal(size=5)
    assert G.bayes_risk(theta, sigma) < G.classification_risk(w, theta, sigma)


def test_bound_dominates_monte_carlo_base_relative_risk():
    """Theorem 1.3's bound lies above the (Monte Carlo) base-relative risk."""
    rng = np.random.default_rng([SEED, 70])
    w, theta, eps = rng.normal(size=3), 0.7 * rng.normal(size=3), 0.4
    est = mc(lambda x, y: ref.flippable(x, w, theta, eps, norm=np.inf), mixture(theta, 1.0), 200_000, 71)
    assert est.low <= G.base_relative_adversarial_risk_bound(w, theta, eps, 1.0, norm=np.inf)


# ------------------------------------------------------------------------------------------
# tails against mpmath
# ------------------------------------------------------------------------------------------


def _theta_for_margin(rng, w, m, eps, norm, sigma=1.0):
    """A random direction u (with w.u > 0) scaled so that the robust margin of w is m."""
    u = rng.normal(size=w.size)
    if w @ u < 0:
        u = -u
    return (m * sigma * np.linalg.norm(w) + eps * np_norm(w, dual(norm))) / (w @ u) * u


@pytest.mark.parametrize("norm", [np.inf, 2.0, 1.0])
def test_tail_relative_error_against_mpmath(norm):
    rng = np.random.default_rng([SEED, 80, int(norm) if np.isfinite(norm) else 9])
    worst = 0.0
    for trial in range(12):
        d = int(rng.integers(2, 11))
        w = rng.normal(size=d) * 10.0 ** rng.uniform(-2, 2)
        eps = 0.0 if trial % 3 == 0 else float(rng.uniform(0.05, 2.0))
        sigma = float(rng.uniform(0.5, 2.0))
        for m in (4.5, 10.0, 20.0, 30.0, 37.0):
            theta = _theta_for_margin(rng, w, m, eps, norm, sigma)
            exact = ref.mp_adversarial_risk(w, theta, eps, sigma, norm=norm)
            assert exact >= 1e-300
            got = G.adversarial_risk(w, theta, eps, sigma, norm=norm)
            worst = max(worst, float(abs((got - exact) / exact)))
            if eps == 0.0:
                got_c = G.classification_risk(w, theta, sigma)
                worst = max(worst, float(abs((got_c - exact) / exact)))
    assert worst <= 1e-13


def test_bayes_risk_tail_against_mpmath():
    rng = np.random.default_rng([SEED, 81])
    for _ in range(10):
        u = rng.normal(size=int(rng.integers(1, 9)))
        for m in (5.0, 25.0, 37.0):
            sigma = float(rng.uniform(0.5, 2))
            theta = m * sigma * u / np.linalg.norm(u)
            exact = ref.mp_adversarial_risk(theta, theta, 0.0, sigma)
            assert float(abs((G.bayes_risk(theta, sigma) - exact) / exact)) <= 1e-13
            lexact = ref.mp_log_adversarial_risk(theta, theta, 0.0, sigma)
            assert float(abs((G.log_bayes_risk(theta, sigma) - lexact) / lexact)) <= 1e-14


@pytest.mark.parametrize("norm", [np.inf, 2.0, 1.0])
def test_log_risks_where_the_risk_underflows(norm):
    rng = np.random.default_rng([SEED, 82, int(norm) if np.isfinite(norm) else 9])
    for trial in range(10):
        d = int(rng.integers(1, 9))
        w = rng.normal(size=d)
        eps = 0.0 if trial % 2 == 0 else float(rng.uniform(0.05, 3.0))
        for m in (39.0, 100.0, 1e3, 1e4, 1e5):
            theta = _theta_for_margin(rng, w, m, eps, norm)
            assert G.adversarial_risk(w, theta, eps, 1.0, norm=norm) < 1e-300  # underflowed (or nearly)
            exact = ref.mp_log_adversarial_risk(w, theta, eps, 1.0, norm=norm)
            got = G.log_adversarial_risk(w, theta, eps, 1.0, norm=norm)
            assert np.isfinite(got)
            assert float(abs((got - exact) / exact)) <= 1e-14
            if eps == 0.0:
                got_c = G.log_classification_risk(w, theta)
                assert float(abs((got_c - exact) / exact)) <= 1e-14
    # log Bayes risk deep in the tail
    for m in (40.0, 1e3, 1e5):
        theta = m * np.array([0.6, -0.8])
        exact = ref.mp_log_adversarial_risk(theta, theta)
        assert float(abs((G.log_bayes_risk(theta) - exact) / exact)) <= 1e-14


# Regression test. Former defect (found by these tests, since fixed): below the double-double refinement threshold
# (margin <= 4) the margin w.theta - eps ||w||_* is formed in plain double, so cancellation between two large terms
# loses digits: relative error 4e-12 here (claimed: ~1e-15 down to 1e-300)
def test_margin_cancellation_below_refinement_threshold():
    w = np.array([1.0, 0.3, -0.2])
    theta = np.array([1e6, 3e5 + 0.7, -2e5 + 0.1])
    eps = (w @ theta - 3.9 * np.linalg.norm(w)) / np.abs(w).sum()  # margin 3.9, risk ~5e-5
    exact = ref.mp_adversarial_risk(w, theta, eps, 1.0, norm=np.inf)
    got = G.adversarial_risk(w, theta, eps, 1.0, norm=np.inf)
    assert float(abs((got - exact) / exact)) <= 1e-13


# Regression test. Former defect (found by these tests, since fixed): ||w||_2 is computed as sqrt(sum w_i^2), which
# underflows to 0 for |w| < ~1e-154 (w is then treated as the zero classifier) and overflows for |w| > ~1e154 (NaN);
# the risks are scale invariant in w
@pytest.mark.parametrize("scale", [1e-170, 1e170])
def test_risks_scale_invariant_at_extreme_magnitudes(scale):
    w = np.array([1.0, 1.0])
    theta = np.array([1.0, 0.5])
    for norm in (2.0, np.inf):
        assert G.adversarial_risk(scale * w, theta, 0.1, 1.0, norm=norm) == pytest.approx(
            float(G.adversarial_risk(w, theta, 0.1, 1.0, norm=norm)), rel=1e-12, abs=0)
    assert G.classification_risk(scale * w, theta) == pytest.approx(float(G.classification_risk(w, theta)),
                                                                    rel=1e-12, abs=0)


@pytest.mark.parametrize("f", ["bayes", "classification", "optimal", "optimal_linear"])
def test_no_nan_for_huge_means(f):
    """Regression: the normal tail used to evaluate 0 * inf (NaN) for margins beyond ~5e9."""
    big = np.array([1e20, 0.0])
    huge = np.array([1e170, 1e170])
    val = {"bayes": lambda: G.bayes_risk(big),
           "classification": lambda: G.classification_risk(np.array([1.0, 0.0]), big),
           "optimal": lambda: G.optimal_robust_risk(huge, -huge, 1.0, norm=2),
           "optimal_linear": lambda: G.optimal_linear_robust_classifier(huge, 1.0, 1.0, norm=2)[1]}[f]()
    assert val == 0.0


# ------------------------------------------------------------------------------------------
# sympy derivations
# ------------------------------------------------------------------------------------------


def _phi_sym(x):
    return (1 + sp.erf(x / sp.sqrt(2))) / 2


def test_sympy_risk_of_a_linear_rule():
    """Theorem 1.1: with w.x | y ~ N(y w.theta, sigma^2 ||w||^2), P(sign(w.x) != y) = Phi(-w.theta / (sigma ||w||))."""
    from sympy.stats import Normal, P

    m = sp.symbols("m", real=True)
    s = sp.symbols("s", positive=True)
    risk = P(Normal("U", m, s) <= 0) / 2 + P(Normal("V", -m, s) > 0) / 2
    assert sp.simplify((risk - _phi_sym(-m / s)).rewrite(sp.erf)) == 0
    w, theta, sigma = np.array([0.3, -1.1, 0.4]), np.array([0.5, -0.2, 0.9]), 1.7
    num = float(risk.subs({m: float(w @ theta), s: sigma * float(np.linalg.norm(w))}).evalf(30))
    assert G.classification_risk(w, theta, sigma) == pytest.approx(num, rel=1e-14, abs=0)


def test_sympy_l2_robust_margin_and_optimal_risk():
    """l2: the robust margin of w = theta is ||theta|| - eps, and Lagrange over unit w gives the optimum
    max (w.theta - eps) = ||theta|| - eps, i.e. the optimal risk Phi((eps - ||theta||) / sigma)."""
    t1, t2, sig = sp.symbols("t1 t2 sigma", positive=True)
    e = sp.symbols("e", nonnegative=True)
    th = sp.Matrix([t1, t2])
    nt = sp.sqrt(t1**2 + t2**2)
    margin_theta = (th.dot(th) - e * sp.sqrt(th.dot(th))) / (sig * sp.sqrt(th.dot(th)))
    assert sp.simplify(margin_theta - (nt - e) / sig) == 0
    w1, w2, lam = sp.symbols("w1 w2 lam", real=True)
    lagr = t1 * w1 + t2 * w2 - e - lam * (w1**2 + w2**2 - 1)
    sols = sp.solve([sp.diff(lagr, v) for v in (w1, w2, lam)], [w1, w2, lam], dict=True)
    values = [t1 * s_[w1] + t2 * s_[w2] - e for s_ in sols]
    assert len(values) == 2
    assert sorted(int(sp.simplify(v - (nt - e)) == 0) + 2 * int(sp.simplify(v - (-nt - e)) == 0)
                  for v in values) == [1, 2]  # one stationary value is ||theta|| - e, the other -||theta|| - e
    best = nt - e
    for tv1, tv2, ev, sv in ((0.6, 0.8, 0.3, 1.0), (2.0, -0.5, 0.7, 0.6), (0.1, 0.2, 1.0, 1.5)):
        subs = {t1: abs(tv1), t2: abs(tv2), e: ev, sig: sv}  # the margin depends on |theta| only
        theta = np.array([tv1, tv2])
        expected = float(_phi_sym(sp.Min(-best / sig, 0)).subs(subs).evalf(30))  # 1/2 once eps >= ||theta||
        assert G.optimal_linear_robust_classifier(theta, ev, sv, norm=2)[1] == pytest.approx(expected, rel=1e-13, abs=0)
        assert G.optimal_robust_risk(theta, -theta, ev, sv, norm=2) == pytest.approx(expected, rel=1e-13, abs=0)
        assert G.robust_margin(theta, theta, ev, sv, norm=2) == pytest.approx(
            float(margin_theta.subs(subs).evalf(30)), rel=1e-13, abs=0)


def test_sympy_linf_optimal_risk_is_soft_thresholding():
    """l-inf, theta_i > eps: on the quadrant w >= 0 the margin is (t1 - e) w1 + (t2 - e) w2, maximized
    over unit w at sqrt((t1 - e)^2 + (t2 - e)^2); the other quadrants and the axes do worse."""
    u1, u2 = sp.symbols("u1 u2", positive=True)  # u_i = t_i - e > 0
    e = sp.symbols("e", nonnegative=True)
    w1, w2, lam = sp.symbols("w1 w2 lam", real=True)
    lagr = u1 * w1 + u2 * w2 - lam * (w1**2 + w2**2 - 1)
    sols = sp.solve([sp.diff(lagr, v) for v in (w1, w2, lam)], [w1, w2, lam], dict=True)
    inside = [s_ for s_ in sols if (s_[w1] > 0) == sp.true and (s_[w2] > 0) == sp.true]
    assert len(inside) == 1
    best = sp.simplify(u1 * inside[0][w1] + u2 * inside[0][w2])
    assert sp.simplify(best - sp.sqrt(u1**2 + u2**2)) == 0
    # axes: w = e_1 or e_2 gives u1 or u2 (< best); in the quadrant w1 > 0 > w2 the margin
    # (u1) w1 + (t2 + e) w2 is below u1 w1 <= u1.
    assert sp.simplify(best**2 - u1**2) == u2**2
    for t, ev in (((1.0, 0.7), 0.3), ((2.5, 1.0), 0.9), ((0.4, 0.35), 0.1)):
        subs = {u1: t[0] - ev, u2: t[1] - ev, e: ev}
        for signs in ((1, 1), (-1, 1), (1, -1), (-1, -1)):
            theta = np.array(t) * signs
            expected = float(_phi_sym(-best).subs(subs).evalf(30))
            risk = G.optimal_linear_robust_classifier(theta, ev, 1.0, norm=np.inf)[1]
            assert risk == pytest.approx(expected, rel=1e-13, abs=0)
            assert G.optimal_robust_risk(theta, -theta, ev, 1.0, norm=np.inf) == pytest.approx(
                expected, rel=1e-13, abs=0)


# ------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------

W = np.array([[0.5, -1.0, 0.3, 0.2], [1.0, 0.0, -0.5, 0.4], [0.1, 0.2, 0.3, -0.4]])  # batch of 3
T = np.array([0.4, -0.8, 0.2, 0.0])

VECTOR, PAIRED, EPS, SIGMA, NORM, BR_NORM, SUPPORT = "vector", "paired", "eps", "sigma", "norm", "br_norm", "support"

SIGNATURES = {
    # function: {parameter: (kind, valid value)}
    G.classification_risk: {"w": (PAIRED, W), "theta": (PAIRED, T), "sigma": (SIGMA, 1.0)},
    G.log_classification_risk: {"w": (PAIRED, W), "theta": (PAIRED, T), "sigma": (SIGMA, 1.0)},
    G.adversarial_risk: {"w": (PAIRED, W), "theta": (PAIRED, T), "eps": (EPS, 0.1), "sigma": (SIGMA, 1.0),
                         "norm": (NORM, 2.0)},
    G.log_adversarial_risk: {"w": (PAIRED, W), "theta": (PAIRED, T), "eps": (EPS, 0.1), "sigma": (SIGMA, 1.0),
                             "norm": (NORM, 2.0)},
    G.robust_margin: {"w": (PAIRED, W), "theta": (PAIRED, T), "eps": (EPS, 0.1), "sigma": (SIGMA, 1.0),
                      "norm": (NORM, 2.0)},
    G.bayes_risk: {"theta": (VECTOR, W), "sigma": (SIGMA, 1.0)},
    G.log_bayes_risk: {"theta": (VECTOR, W), "sigma": (SIGMA, 1.0)},
    G.base_relative_adversarial_risk: {"w": (PAIRED, W), "theta": (PAIRED, T), "eps": (EPS, 0.1),
                                       "sigma": (SIGMA, 1.0), "norm": (BR_NORM, 2.0), "support": (SUPPORT, None)},
    G.base_relative_adversarial_risk_bound: {"w": (PAIRED, W), "theta": (PAIRED, T), "eps": (EPS, 0.1),
                                             "sigma": (SIGMA, 1.0), "norm": (NORM, 2.0)},
    G.optimal_robust_risk: {"mu_pos": (PAIRED, W), "mu_neg": (PAIRED, -W), "eps": (EPS, 0.1),
                            "sigma": (SIGMA, 1.0), "norm": (NORM, 2.0)},
    G.optimal_linear_robust_classifier: {"theta": (VECTOR, W), "eps": (EPS, 0.1), "sigma": (SIGMA, 1.0),
                                         "norm": (NORM, 2.0)},
}

bad_float = st.sampled_from([np.nan, np.inf, -np.inf])
not_a_number = st.sampled_from(["abc", "1.0.0", None, [1.0, [2.0]], object(), {"a": 1}])


@st.composite
def bad_vector(draw, valid, paired):
    options = ["nonfinite", "scalar", "empty", "junk", "ragged"] + (["length"] if paired else [])
    kind = draw(st.sampled_from(options))
    if kind == "nonfinite":
        v = np.array(valid, float)
        idx = tuple(draw(st.integers(0, s - 1)) for s in v.shape)
        v[idx] = draw(bad_float)
        return v
    if kind == "scalar":
        return draw(st.floats(-5, 5))
    if kind == "empty":
        return np.zeros((0,))
    if kind == "junk":
        return draw(st.sampled_from(["abc", None, object()]))
    if kind == "ragged":
        return [[1.0, 2.0], [3.0]]
    d = valid.shape[-1]
    return np.ones(draw(st.sampled_from([dd for dd in range(1, 8) if dd != d])))


def bad_value(kind, valid):
    if kind in (VECTOR, PAIRED):
        return bad_vector(valid, kind == PAIRED)
    if kind == EPS:
        return st.one_of(st.floats(max_value=-1e-300, allow_infinity=False), bad_float, not_a_number,
                         hnp.arrays(np.float64, st.sampled_from([2, 4, 5]), elements=st.floats(0, 1)))
    if kind == SIGMA:
        return st.one_of(st.floats(max_value=0.0, allow_infinity=False), bad_float, not_a_number,
                         hnp.arrays(np.float64, st.sampled_from([2, 4, 5]), elements=st.floats(0.1, 1)))
    if kind == NORM:
        return st.one_of(st.floats(max_value=1.0, exclude_max=True), st.just(np.nan),
                         st.sampled_from(["abc", "lfoo", "", [1.0, 2.0], object(), "-inf", "0.5"]))  # None: np.inf
    if kind == BR_NORM:
        return st.one_of(bad_value(NORM, valid),
                         st.floats(1.0, 1e6).filter(lambda p: p not in (1.0, 2.0)), st.sampled_from(["3", "l4"]))
    assert kind == SUPPORT
    return st.sampled_from([
        np.array([True, True, False]),                   # wrong length
        np.array([1, 1, 1, 0]),                          # not boolean
        np.array([[True, True, True, True]]),            # not one-dimensional
        np.array([True, False, True, True]),             # theta nonzero off the support
        "TTTF",
    ])


@st.composite
def bad_calls(draw):
    f = draw(st.sampled_from(list(SIGNATURES)))
    sig = SIGNATURES[f]
    name = draw(st.sampled_from(list(sig)))
    kwargs = {k: v for k, (_, v) in sig.items()}
    kwargs[name] = draw(bad_value(*sig[name]))
    return f, name, kwargs


@settings(max_examples=max(200, settings.default.max_examples * 8))
@given(bad_calls())
def test_bad_input_raises_value_error_naming_the_parameter(call):
    f, name, kwargs = call
    with pytest.raises(ValueError) as info:
        f(**kwargs)
    assert name in str(info.value)


@pytest.mark.parametrize("f, kwargs, name", [
    (G.adversarial_risk, dict(w=W, theta=T, eps=-0.1), "eps"),
    (G.adversarial_risk, dict(w=W, theta=T, eps=np.inf), "eps"),
    (G.adversarial_risk, dict(w=W, theta=T, eps=[0.1, 0.2]), "eps"),
    (G.adversarial_risk, dict(w=W, theta=T, eps=0.1, sigma=0.0), "sigma"),
    (G.adversarial_risk, dict(w=W, theta=T, eps=0.1, sigma=-1.0), "sigma"),
    (G.adversarial_risk, dict(w=W, theta=T, eps=0.1, norm=0.99), "norm"),
    (G.adversarial_risk, dict(w=W, theta=T, eps=0.1, norm="two"), "norm"),
    (G.adversarial_risk, dict(w=W, theta=T[:3], eps=0.1), "theta"),
    (G.classification_risk, dict(w=[np.nan, 1.0, 0.0, 0.0], theta=T), "w"),
    (G.classification_risk, dict(w=W, theta=[0.0, np.inf, 0.0, 0.0]), "theta"),
    (G.base_relative_adversarial_risk, dict(w=W[0], theta=T, eps=0.1, norm=3), "norm"),
    (G.base_relative_adversarial_risk, dict(w=W[0], theta=T, eps=0.1, support=[True] * 3), "support"),
    (G.base_relative_adversarial_risk, dict(w=W[0], theta=T, eps=0.1, support=np.array([1, 1, 1, 0])), "support"),
    (G.base_relative_adversarial_risk, dict(w=W[0], theta=T, eps=0.1, support=np.array([True, True, False, True])),
     "support"),
    (G.optimal_robust_risk, dict(mu_pos=T, mu_neg=T[:2], eps=0.1), "mu_neg"),
    (G.optimal_robust_risk, dict(mu_pos=W, mu_neg=-W, eps=[0.1, 0.2]), "eps"),
    (G.optimal_linear_robust_classifier, dict(theta=W, eps=0.1, sigma=[1.0, 2.0]), "sigma"),
])
def test_bad_input_examples(f, kwargs, name):
    with pytest.raises(ValueError, match=name):
        f(**kwargs)


def test_valid_support_is_accepted():
    """The checks above must not reject a good mask: a support covering theta's nonzeros works."""
    r = G.base_relative_adversarial_risk(W[0], T, 0.1, support=np.array([True, True, True, False]))
    assert 0.0 < r < 1.0


# Regression test. Former defect (found by these tests, since fixed): bayes_risk(theta) validates theta under the
# name 'w' (it calls classification_risk(theta, theta)), so the message does not name its parameter
@pytest.mark.parametrize("f", [G.bayes_risk, G.log_bayes_risk])
def test_bayes_risk_names_theta(f):
    with pytest.raises(ValueError, match="theta"):
        f([np.nan, 1.0])


# ------------------------------------------------------------------------------------------
# threat models: a ThreatModel in place of (eps, norm=)
# ------------------------------------------------------------------------------------------

THREAT_CALLS = {
    # name: (call with the threat model as eps and norm as keyword, norms it takes)
    "robust_margin": (lambda e, **kw: G.robust_margin(W, T, e, 0.8, **kw), [1.0, 2.0, 3.0, np.inf]),
    "adversarial_risk": (lambda e, **kw: G.adversarial_risk(W, T, e, 0.8, **kw), [1.0, 2.0, 3.0, np.inf]),
    "log_adversarial_risk": (lambda e, **kw: G.log_adversarial_risk(W, T, e, 0.8, **kw), [1.0, 2.0, np.inf]),
    "bound": (lambda e, **kw: G.base_relative_adversarial_risk_bound(W, T, e, 0.8, **kw), [1.0, 2.0, np.inf]),
    "base_relative": (lambda e, **kw: G.base_relative_adversarial_risk(W[0], T, e, 0.8, **kw), [1.0, 2.0, np.inf]),
    "optimal_robust_risk": (lambda e, **kw: G.optimal_robust_risk(W, -W, e, 0.8, **kw), [1.0, 2.0, 3.0, np.inf]),
    "optimal_linear": (lambda e, **kw: G.optimal_linear_robust_classifier(W, e, 0.8, **kw)[1], [1.0, 2.0, np.inf]),
}


@pytest.mark.parametrize("name", list(THREAT_CALLS))
def test_threat_model_equals_eps_and_norm(name):
    """f(..., ThreatModel(p, eps)) == f(..., eps, norm=p) exactly, and norm=None is np.inf."""
    call, norms = THREAT_CALLS[name]
    for p in norms:
        for eps in (0.0, 0.15):
            a = np.asarray(call(ThreatModel(p, eps)))
            np.testing.assert_array_equal(a, call(eps, norm=p))
            np.testing.assert_array_equal(a, call(ThreatModel(p, eps), norm=p))  # a matching norm= is fine
    np.testing.assert_array_equal(call(0.15), call(0.15, norm=np.inf))
    np.testing.assert_array_equal(call(ThreatModel.linf(0.15)), call(0.15))


@pytest.mark.parametrize("name", list(THREAT_CALLS))
def test_threat_model_with_a_contradicting_norm_raises(name):
    call, _ = THREAT_CALLS[name]
    with pytest.raises(ValueError, match="norm"):
        call(ThreatModel.l2(0.15), norm=np.inf)
    with pytest.raises(ValueError, match="norm"):
        call(ThreatModel.l1(0.15), norm=2)
    with pytest.raises(ValueError, match="l0|p >= 1"):  # no l0 result for the Gaussian model
        call(ThreatModel.l0(1))


def test_threat_model_l2_against_scipy():
    """adversarial_risk with ThreatModel.l2 against Phi((eps ||w||_2 - w.theta) / (sigma ||w||_2)) by scipy."""
    n2 = np.linalg.norm(W, axis=1)
    want = stats.norm.cdf((0.15 * n2 - W @ T) / (0.8 * n2))
    np.testing.assert_allclose(G.adversarial_risk(W, T, ThreatModel.l2(0.15), 0.8), want, rtol=1e-12)
