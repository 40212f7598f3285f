"""Tests of theory.tradeoff against independent computations.

References used here: Monte Carlo on samples from TsiprasDistribution with exact
Clopper-Pearson intervals, hand-derived special cases, scipy.integrate.quad, a sympy
derivation of the hinge expectation, scipy.optimize.linprog for the tradeoff bound,
mpmath at 50 digits for tails, and brute-force searches over general weight vectors.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, special, stats

from theory.attacks import LinearWorstCase
from theory.distributions import predict
from theory.montecarlo import estimate_error, mean, proportion
from theory.threat import ThreatModel
from theory.tradeoff import (
    PopulationSVM,
    TsiprasDistribution,
    averaging_weights,
    hinge_expectation,
    linear_accuracy,
    linear_tradeoff_pairs,
    population_hinge_loss,
    population_svm,
    printed_tradeoff_bound,
    robust_accuracy_upper_bound,
    swap_adversary_accuracies,
    symmetric_linear_accuracy,
    worst_case_linear_perturbation,
    zero_weight_threshold,
)

CONF = 0.9999
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------------------------
# helpers (independent of the module's formulas)
# ------------------------------------------------------------------------------------------


def mc_accuracy(d, eta, p, w, b, eps, n, seed, batch=250_000):
    """Fraction of samples with sign(w.x_adv + b) == y, x_adv = x - eps y sign(w) (sign(0) = -1).

    The error rate measured by estimate_error with the exact l-inf worst case of the linear
    classifier (LinearWorstCase), returned as the complementary count.
    """
    w = np.asarray(w, float)
    err = estimate_error(TsiprasDistribution(d, eta, p), lambda x: predict(x @ w + b), n, np.random.default_rng(seed),
                         attack=LinearWorstCase(w), threat=ThreatModel.linf(eps), batch=batch, confidence=CONF)
    return proportion(n - int(round(err.value * n)), n, CONF)


def conditional_predictions(w, b, eta):
    """p_ij = P(w.x + b > 0 | x1 = i, x_{2..} ~ N(j eta, 1)^d) with scipy.stats (sd > 0)."""
    w = np.asarray(w, float)
    sd = np.sqrt(np.sum(w[1:] ** 2))
    total = np.sum(w[1:])
    out = {}
    for i in (1, -1):
        for j in (1, -1):
            out[(i, j)] = stats.norm.sf(0.0, loc=w[0] * i + b + j * eta * total, scale=sd)
    return out


def sphere_search(d, eta, eps, p, seed, n_random=60_000, n_polish=2):
    """Smallest population hinge loss over unit vectors in R^{d+1} (random + Nelder-Mead)."""
    rng = np.random.default_rng(seed)
    u = rng.standard_normal((n_random, d + 1))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    losses = population_hinge_loss(u, eta, eps, p)
    best, arg = float(losses.min()), u[int(np.argmin(losses))]
    for i in np.argsort(losses)[:n_polish]:
        res = optimize.minimize(
            lambda z: float(population_hinge_loss(z / np.linalg.norm(z), eta, eps, p)), u[i],
            method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 3000})
        if res.fun < best:
            best, arg = float(res.fun), res.x / np.linalg.norm(res.x)
    return best, arg


# ------------------------------------------------------------------------------------------
# the distribution
# ------------------------------------------------------------------------------------------


def test_sample_shapes_and_moments():
    dist = TsiprasDistribution(5, 0.3, 0.8)
    assert dist.dim == 6 and dist.d == 5
    assert dist.signal_to_noise == pytest.approx(0.3 * np.sqrt(5))
    n = 200_000
    x, y = dist.sample(n, 11)
    assert x.shape == (n, 6) and y.shape == (n,)
    assert x.dtype == np.float64 and y.dtype == np.float64
    assert set(np.unique(y)) == {-1.0, 1.0}
    assert set(np.unique(x[:, 0])) == {-1.0, 1.0}
    assert proportion(int(np.sum(y > 0)), n, CONF).contains(0.5)
    assert proportion(int(np.sum(x[:, 0] == y)), n, CONF).contains(0.8)
    for i in range(1, 6):
        z = y * x[:, i]
        assert mean(z, CONF).contains(0.3)
        assert mean((z - 0.3) ** 2, CONF).contains(1.0)
    # the non-robust coordinates are independent of x1 given y
    agree = x[:, 0] == y
    assert mean(y[agree] * x[agree, 1], CONF).contains(0.3)
    assert mean(y[~agree] * x[~agree, 1], CONF).contains(0.3)


def test_sample_reproducible_and_accepts_generators():
    dist = TsiprasDistribution(3, 1.0)
    a = dist.sample(100, 5)
    b = dist.sample(100, np.random.default_rng(5))
    c = dist.sample(100, 6)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    with pytest.raises(ValueError, match="rng"):
        dist.sample(10, "seed")


@pytest.mark.parametrize("kwargs, name", [
    (dict(d=0, eta=1.0), "d"), (dict(d=2.5, eta=1.0), "d"), (dict(d=True, eta=1.0), "d"),
    (dict(d=3, eta=0.0), "eta"), (dict(d=3, eta=-1.0), "eta"), (dict(d=3, eta=np.nan), "eta"),
    (dict(d=3, eta=np.inf), "eta"), (dict(d=3, eta=1.0, p_robust=0.5), "p_robust"),
    (dict(d=3, eta=1.0, p_robust=1.0), "p_robust"), (dict(d=3, eta=1.0, p_robust=0.2), "p_robust"),
    (dict(d=3, eta=1.0, p_robust=np.nan), "p_robust"),
])
def test_distribution_rejects_bad_parameters(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name} "):
        TsiprasDistribution(**kwargs)


def test_sample_rejects_bad_n():
    with pytest.raises(ValueError, match="^n "):
        TsiprasDistribution(3, 1.0).sample(0, 1)


def test_worst_case_perturbation_is_the_worst():
    rng = np.random.default_rng(3)
    x, y = TsiprasDistribution(4, 0.5).sample(1000, rng)
    w = np.array([0.5, -1.0, 0.0, 2.0, 0.3])
    eps = 0.25
    xa = worst_case_linear_perturbation(x, y, w, eps)
    assert np.max(np.abs(xa - x)) <= eps + 1e-15
    np.testing.assert_allclose(y * (xa @ w), y * (x @ w) - eps * np.abs(w).sum(), atol=1e-12)
    for _ in range(20):  # no other point of the box lowers the margin more
        delta = rng.uniform(-eps, eps, size=x.shape)
        assert np.all(y * ((x + delta) @ w) >= y * (xa @ w) - 1e-12)
    with pytest.raises(ValueError, match="eps"):
        worst_case_linear_perturbation(x, y, w, -0.1)
    with pytest.raises(ValueError, match="^w "):
        worst_case_linear_perturbation(x, y, w[:3], 0.1)
    with pytest.raises(ValueError, match="^y "):
        worst_case_linear_perturbation(x, y[:5], w, 0.1)


# ------------------------------------------------------------------------------------------
# linear_accuracy: Monte Carlo and hand-derived values
# ------------------------------------------------------------------------------------------

MC_CASES = [
    # d, eta, p, w, b, eps, n
    (3, 0.6, 0.7, [0.8, 0.5, -0.2, 0.4], 0.1, 0.0, 1_000_000),
    (3, 0.6, 0.7, [0.8, 0.5, -0.2, 0.4], 0.1, 0.3, 1_000_000),
    (6, 0.2, 0.8, [1.0, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3], -0.4, 0.0, 200_000),
    (6, 0.2, 0.8, [1.0, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3], -0.4, 0.4, 200_000),
    (2, 1.5, 0.6, [-0.3, 1.0, 2.0], 0.5, 1.2, 200_000),
    (1, 0.4, 0.9, [0.0, 1.0], 0.0, 0.1, 200_000),
]


@pytest.mark.parametrize("d, eta, p, w, b, eps, n", MC_CASES)
def test_linear_accuracy_matches_monte_carlo(d, eta, p, w, b, eps, n):
    exact = float(linear_accuracy(w, b, eta, p, eps))
    est = mc_accuracy(d, eta, p, w, b, eps, n, seed=hash((d, eps, b)) % 2**32)
    assert est.contains(exact), (exact, str(est))


def test_linear_accuracy_hand_derived_cases():
    d, eta, p = 7, 0.3, 0.7
    e1 = np.eye(d + 1)[0]
    # sign(x1): correct iff x1 = y, for any eps < 1; at eps = 1 only y = -1, x1 = -1 survives
    assert linear_accuracy(e1, 0.0, eta, p) == pytest.approx(p, abs=1e-15)
    assert linear_accuracy(e1, 0.0, eta, p, 0.99) == pytest.approx(p, abs=1e-15)
    assert linear_accuracy(e1, 0.0, eta, p, 1.0) == pytest.approx(p / 2, abs=1e-15)
    assert linear_accuracy(e1, 0.0, eta, p, 1.01) == 0.0
    # the constant classifiers
    for b in (-1.0, 0.0, 2.0):
        assert linear_accuracy(np.zeros(d + 1), b, eta, p, 0.3) == 0.5
    # f_avg: Phi((eta - eps) sqrt(d)) (eq. (4)), by scipy's ndtr
    w = averaging_weights(d)
    for eps in (0.0, 0.1, 0.3, 0.6):
        assert linear_accuracy(w, 0.0, eta, p, eps) == pytest.approx(
            special.ndtr((eta - eps) * np.sqrt(d)), rel=1e-13)


def test_linear_accuracy_tail_against_mpmath():
    # an anti-classifier with accuracy ~1e-30: relative accuracy in the tail
    w = np.array([-0.3, -1.0, -0.5, -2.0])
    b, eta, p, eps = -0.1, 8.0, 0.7, 0.2
    mpmath.mp.dps = 50
    ws = [mpmath.mpf(float(v)) for v in w]
    sd = mpmath.sqrt(sum(v * v for v in ws[1:]))
    total = sum(ws[1:])
    l1 = sum(abs(v) for v in ws)
    ref = mpmath.mpf(0)
    for s, prob in ((1, mpmath.mpf(p)), (-1, 1 - mpmath.mpf(p))):
        m = ws[0] * s + mpmath.mpf(eta) * total - mpmath.mpf(eps) * l1
        bb = mpmath.mpf(b)
        ref += prob * (mpmath.ncdf((m + bb) / sd) + mpmath.ncdf((m - bb) / sd))
    ref /= 2
    assert 1e-200 < float(ref) < 1e-20
    assert float(linear_accuracy(w, b, eta, p, eps)) == pytest.approx(float(ref), rel=1e-12)


def test_swap_decomposition_against_scipy():
    rng = np.random.default_rng(7)
    for _ in range(200):
        d = int(rng.integers(1, 5))
        w = rng.standard_normal(d + 1)
        b, eta = rng.normal(0, 0.5), rng.uniform(0.1, 2)
        q = conditional_predictions(w, b, eta)
        std, swapped = swap_adversary_accuracies(q[1, 1], q[1, -1], q[-1, 1], q[-1, -1], 0.7)
        assert std == pytest.approx(float(linear_accuracy(w, b, eta, 0.7)), abs=1e-12)
        # the swap is one adversary with eps = 2 eta; the worst case is at least as strong
        assert float(linear_accuracy(w, b, eta, 0.7, 2 * eta)) <= swapped + 1e-12


# ------------------------------------------------------------------------------------------
# linear_accuracy: properties
# ------------------------------------------------------------------------------------------

floats = st.floats(-5, 5, allow_nan=False, allow_infinity=False)


@st.composite
def classifiers(draw, max_d=5):
    d = draw(st.integers(1, max_d))
    w = np.array(draw(st.lists(st.one_of(floats, st.just(0.0)), min_size=d + 1, max_size=d + 1)))
    b = draw(st.floats(-3, 3))
    eta = draw(st.floats(0.01, 3))
    p = draw(st.floats(0.51, 0.99))
    return w, b, eta, p


@SETTINGS
@given(classifiers(), st.floats(0, 3), st.floats(0, 3))
def test_accuracy_in_unit_interval_and_monotone_in_eps(c, e1, e2):
    w, b, eta, p = c
    lo, hi = min(e1, e2), max(e1, e2)
    a_lo, a_hi = linear_accuracy(w, b, eta, p, lo), linear_accuracy(w, b, eta, p, hi)
    assert 0.0 <= a_hi <= 1.0 and 0.0 <= a_lo <= 1.0
    assert a_hi <= a_lo + 1e-15
    assert linear_accuracy(w, b, eta, p) == linear_accuracy(w, b, eta, p, 0.0)


@SETTINGS
@given(classifiers(), st.floats(0, 2), st.integers(-8, 8))
def test_accuracy_scale_invariant(c, eps, k):
    w, b, eta, p = c
    scale = 2.0 ** k  # exact in floating point
    assert linear_accuracy(scale * w, scale * b, eta, p, eps) == pytest.approx(
        linear_accuracy(w, b, eta, p, eps), abs=1e-14)


@SETTINGS
@given(classifiers())
def test_negated_classifier_has_complementary_accuracy(c):
    w, b, eta, p = c
    assume(np.any(w[1:] != 0))
    assert linear_accuracy(-w, -b, eta, p) == pytest.approx(1 - linear_accuracy(w, b, eta, p),
                                                           abs=1e-12)


@SETTINGS
@given(classifiers(), st.floats(1, 3))
def test_linear_classifiers_never_beat_the_tradeoff_bound(c, factor):
    w, b, eta, p = c
    std = linear_accuracy(w, b, eta, p)
    rob = linear_accuracy(w, b, eta, p, factor * 2 * eta)
    assert rob <= robust_accuracy_upper_bound(std, p) + 1e-13


def test_batch_equals_loop_and_broadcasts():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((4, 3, 6))
    w[0, 0, 1:] = 0.0
    b = rng.standard_normal((3,))
    eps = rng.uniform(0, 1, (4, 1))
    eta = 0.5
    batch = linear_accuracy(w, b, eta, 0.7, eps)
    assert batch.shape == (4, 3)
    for i in range(4):
        for j in range(3):
            assert batch[i, j] == linear_accuracy(w[i, j], b[j], eta, 0.7, eps[i, 0])
    single = linear_accuracy(w[0, 1], 0.0, eta)
    assert np.ndim(single) == 0
    # b may add batch axes to a single w
    many = linear_accuracy(w[0, 1], np.array([-1.0, 0.0, 1.0]), eta)
    assert many.shape == (3,) and many[1] == single


def test_symmetric_accuracy_equals_materialised():
    for d in (1, 5, 50):
        for eps in (0.0, 0.2, 0.7):
            t = np.linspace(-np.pi, np.pi, 37)
            w = np.zeros((37, d + 1))
            w[:, 0] = np.cos(t)
            w[:, 1:] = (np.sin(t) / np.sqrt(d))[:, None]
            np.testing.assert_allclose(symmetric_linear_accuracy(np.cos(t), np.sin(t), d, 0.3,
                                                                 0.7, eps),
                                       linear_accuracy(w, 0.0, 0.3, 0.7, eps), atol=1e-13)
    st_, rob = linear_tradeoff_pairs(9, 0.2, n_angles=16)
    assert st_.shape == rob.shape == (16,) and np.all(rob <= st_ + 1e-15)


# ------------------------------------------------------------------------------------------
# the tradeoff bound
# ------------------------------------------------------------------------------------------


def lp_value(A, p):
    """Appendix B's LP by linprog: max ((1-p)a + pb)/2, pa + (1-p)b = 2(1-A), a, b in [0,2]."""
    res = optimize.linprog([-(1 - p) / 2, -p / 2], A_eq=[[p, 1 - p]], b_eq=[2 * (1 - A)],
                           bounds=[(0, 2), (0, 2)], method="highs")
    assert res.status == 0
    return -res.fun


@pytest.mark.parametrize("p", [0.55, 0.7, 0.95])
def test_bound_equals_linear_programme(p):
    for A in np.linspace(0, 1, 51):
        assert robust_accuracy_upper_bound(A, p) == pytest.approx(min(lp_value(A, p), A),
                                                                  abs=1e-12)
    # the paper's 7/3 delta at p = 0.7 for small delta
    if p == 0.7:
        assert robust_accuracy_upper_bound(0.99, 0.7) == pytest.approx(7 / 3 * 0.01)


def test_bound_lp_symbolically():
    a, b, delta, p = sp.symbols("a b delta p", positive=True)
    obj = ((1 - p) * a + p * b) / 2
    line = p * a + (1 - p) * b - 2 * delta
    vertices = [(0, sp.solve(line.subs(a, 0), b)[0]), (sp.solve(line.subs(b, 0), a)[0], 0)]
    values = [sp.simplify(obj.subs({a: va, b: vb})) for va, vb in vertices]
    assert sp.simplify(values[0] - p * delta / (1 - p)) == 0
    assert sp.simplify(values[1] - (1 - p) * delta / p) == 0
    f = sp.lambdify((delta, p), values[0])
    for dd, pp in [(0.01, 0.7), (0.2, 0.6), (0.05, 0.9)]:
        assert robust_accuracy_upper_bound(1 - dd, pp) == pytest.approx(f(dd, pp), rel=1e-14)


@SETTINGS
@given(st.floats(0, 1), st.floats(0, 1), st.floats(0.51, 0.99), st.floats(0.51, 0.99))
def test_bound_properties(A1, A2, p1, p2):
    lo, hi = min(A1, A2), max(A1, A2)
    p = p1
    b_lo, b_hi = robust_accuracy_upper_bound(lo, p), robust_accuracy_upper_bound(hi, p)
    assert 0 <= b_lo <= lo and 0 <= b_hi <= hi
    if hi <= p:
        assert b_lo <= b_hi  # rising up to A = p
    if lo >= p:
        assert b_hi <= b_lo  # falling beyond
    assert robust_accuracy_upper_bound(lo, min(p1, p2)) <= robust_accuracy_upper_bound(
        lo, max(p1, p2)) + 1e-15
    assert printed_tradeoff_bound(1 - lo, p) >= robust_accuracy_upper_bound(lo, p) - 1e-15


def test_bound_shape():
    A = np.linspace(0, 1, 11)
    out = robust_accuracy_upper_bound(A[:, None], np.array([0.6, 0.7, 0.8]))
    assert out.shape == (11, 3)
    assert robust_accuracy_upper_bound(0.7, 0.7) == pytest.approx(0.7)
    assert robust_accuracy_upper_bound(1.0, 0.7) == 0.0
    assert printed_tradeoff_bound(0.3) == pytest.approx(0.7)


def test_bound_attained_by_x1_only_classifiers():
    # randomised classifiers of sign(x1): predict +1 w.p. q[sign(x1)], enumerated exactly;
    # an l-inf adversary with eps < 1 cannot change sign(x1), so robust = standard.
    p = 0.7
    for qp in np.linspace(0, 1, 11):
        for qm in np.linspace(0, 1, 11):
            acc = 0.0
            for y in (1, -1):
                for x1, px in ((y, p), (-y, 1 - p)):
                    q = qp if x1 > 0 else qm
                    acc += 0.5 * px * (q if y > 0 else 1 - q)
            assert 1 - p - 1e-12 <= acc <= p + 1e-12
            assert robust_accuracy_upper_bound(acc, p) == pytest.approx(acc, abs=1e-12)


def test_linear_frontier_approaches_bound_for_large_d():
    p = 0.7

    def gaps(kappa, d):
        eta = kappa / np.sqrt(float(d))
        out = []
        for A in (0.75, 0.8, 0.9, 0.95):
            r = optimize.brentq(lambda r: symmetric_linear_accuracy(r, 1.0, d, eta, p) - A,
                                0.0, 60.0, xtol=1e-14)
            rob = float(symmetric_linear_accuracy(r, 1.0, d, eta, p, 2 * eta))
            out.append((float(robust_accuracy_upper_bound(A, p)) - rob, r))
        return out

    for kappa in (3.0, 5.0):
        previous = np.inf
        for d in (10**6, 10**10, 10**16):
            g = [gap for gap, _ in gaps(kappa, d)]
            assert min(g) >= -1e-12 and max(g) < previous
            previous = max(g)
        assert previous < 1e-6
        # eta -> 0: the gap tends to Phi(-r - kappa) (2p - 1) / (1 - p) (derived by hand)
        for gap, r in gaps(kappa, 10**40):
            limit = special.ndtr(-r - kappa) * (2 * p - 1) / (1 - p)
            assert gap == pytest.approx(limit, rel=1e-3, abs=1e-15)


# ------------------------------------------------------------------------------------------
# hinge expectation and population hinge loss
# ------------------------------------------------------------------------------------------


def test_hinge_expectation_derived_symbolically():
    c, z = sp.symbols("c z", real=True)
    s = sp.symbols("s", positive=True)
    density = sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)
    expr = sp.simplify(sp.integrate((c - s * z) * density, (z, -sp.oo, c / s)))
    f = sp.lambdify((c, s), expr, modules="mpmath")
    rng = np.random.default_rng(1)
    for cc, ss in zip(rng.normal(0, 3, 40), rng.uniform(0.01, 4, 40), strict=True):
        assert float(hinge_expectation(cc, ss)) == pytest.approx(float(f(cc, ss)), rel=1e-12,
                                                                abs=1e-15)


@pytest.mark.parametrize("c, sd", [(1.0, 1.0), (-3.0, 1.0), (0.2, 0.05), (4.0, 2.5), (-1, 0.3)])
def test_hinge_expectation_quadrature(c, sd):
    ref, _ = integrate.quad(lambda z: (c - sd * z) * stats.norm.pdf(z), -np.inf, c / sd,
                            epsabs=1e-15, epsrel=1e-12)
    assert float(hinge_expectation(c, sd)) == pytest.approx(ref, rel=1e-9, abs=1e-14)


def test_hinge_expectation_zero_sd():
    np.testing.assert_array_equal(hinge_expectation([-1.0, 0.0, 2.5], 0.0), [0.0, 0.0, 2.5])
    with pytest.raises(ValueError, match="^sd "):
        hinge_expectation(1.0, -1.0)


@pytest.mark.parametrize("eps", [0.0, 0.3])
def test_population_hinge_loss_matches_monte_carlo(eps):
    d, eta, p = 4, 0.5, 0.7
    w = np.array([0.6, 0.5, -0.3, 0.4, 0.2])
    x, y = TsiprasDistribution(d, eta, p).sample(400_000, 21)
    xa = x - eps * y[:, None] * np.sign(w)
    est = mean(np.maximum(0.0, 1.0 - y * (xa @ w)), CONF)
    assert est.contains(float(population_hinge_loss(w, eta, eps, p)))


@SETTINGS
@given(st.lists(floats, min_size=4, max_size=4), st.floats(0.05, 2), st.floats(1, 3),
       st.integers(1, 3))
def test_zeroing_a_weight_never_hurts_when_eps_at_least_eta(w, eta, factor, i):
    # the (corrected) key step of Lemma C.5
    w = np.array(w)
    w0 = w.copy()
    w0[i] = 0.0
    eps = factor * eta
    assert population_hinge_loss(w0, eta, eps) <= population_hinge_loss(w, eta, eps) + 1e-12


def test_zeroing_a_weight_can_hurt_when_eps_below_eta():
    w = np.array([0.0, 1.0])
    eta = 1.0
    assert population_hinge_loss(np.zeros(2), eta, 0.5) > population_hinge_loss(w, eta, 0.5)


# ------------------------------------------------------------------------------------------
# population SVM
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("d, eta, eps", [(3, 4 / np.sqrt(3), 0.0), (3, 0.3, 0.2), (3, 0.3, 0.45),
                                         (2, 1.0, 1.5), (2, 0.6, 0.3)])
def test_population_svm_beats_general_unit_vectors(d, eta, eps):
    svm = population_svm(d, eta, eps)
    assert isinstance(svm, PopulationSVM)
    assert np.linalg.norm(svm.w) == pytest.approx(1.0, abs=1e-12)
    assert float(population_hinge_loss(svm.w, eta, eps)) == pytest.approx(svm.loss, abs=1e-13)
    best, arg = sphere_search(d, eta, eps, 0.7, seed=d * 100 + int(10 * eps))
    assert svm.loss <= best + 1e-10
    assert best <= svm.loss + 1e-4  # the search gets close, so the comparison has teeth


def test_sparse_solution_when_eps_exceeds_eta():
    # Lemma C.1's symmetry needs the regulariser; on the sphere with eps > eta the l1 term
    # concentrates the non-robust weight on one coordinate.
    svm = population_svm(2, 1.0, 1.5)
    assert svm.support == 1 and np.count_nonzero(svm.w[1:]) == 1
    spread = np.array([0.0, np.sqrt(0.5), np.sqrt(0.5)])
    assert svm.loss < float(population_hinge_loss(spread, 1.0, 1.5)) - 0.1


@pytest.mark.parametrize("d, eps", [(5, 0.0), (5, 0.3), (5, 0.8), (40, 0.05)])
def test_population_svm_against_dense_angle_grid(d, eps):
    eta = 0.45
    svm = population_svm(d, eta, eps)
    t = np.linspace(-np.pi, np.pi, 200_001)
    best = np.inf
    for k in (1, d):
        w = np.zeros((t.size, d + 1))
        w[:, 0] = np.cos(t)
        w[:, 1:k + 1] = (np.sin(t) / np.sqrt(k))[:, None]
        best = min(best, float(population_hinge_loss(w, eta, eps).min()))
    assert svm.loss <= best + 1e-12
    assert best - svm.loss < 1e-6


@pytest.mark.parametrize("d", [10, 100, 1000])
def test_theorem_2_2_standard_training(d):
    eta = 4 / np.sqrt(d)
    svm = population_svm(d, eta)
    assert svm.eval_eps == 2 * eta and svm.eps == 0.0 and svm.support == d
    assert svm.standard_accuracy > 0.99 and svm.adversarial_accuracy < 0.01
    assert svm.v >= 1 / np.sqrt(2)  # Lemma C.2
    # the accuracies are those of the returned weights, by Monte Carlo
    if d == 100:
        est = mc_accuracy(d, eta, 0.7, svm.w, 0.0, 0.0, 200_000, seed=1)
        assert est.contains(svm.standard_accuracy)
        adv = mc_accuracy(d, eta, 0.7, svm.w, 0.0, 2 * eta, 200_000, seed=2)
        assert adv.contains(svm.adversarial_accuracy) and adv.high < 0.01


def test_theorem_2_2_adversarial_training():
    for d in (100, 1000):
        eta = 4 / np.sqrt(d)
        svm = population_svm(d, eta, 2 * eta)
        np.testing.assert_array_equal(svm.w, np.eye(d + 1)[0])
        assert svm.standard_accuracy == pytest.approx(0.7, abs=1e-15)
        assert svm.adversarial_accuracy == pytest.approx(0.7, abs=1e-15)
        assert svm.loss == pytest.approx(0.6 + 2 * eta, abs=1e-14)  # enumerated by hand
        assert population_svm(d, eta, 2 * eta, eval_eps=0.99).adversarial_accuracy == (
            pytest.approx(0.7, abs=1e-15))
        assert not svm.uses_nonrobust_features
    # eta > 2p - 1: a single non-robust coordinate wins (Theorem 2.2 fails as printed)
    d = 80
    eta = 4 / np.sqrt(d)
    svm = population_svm(d, eta, 2 * eta)
    assert svm.support == 1
    assert svm.standard_accuracy == pytest.approx(special.ndtr(eta), abs=1e-12)
    assert svm.adversarial_accuracy == pytest.approx(special.ndtr(-eta), abs=1e-12)


def test_zero_weight_threshold():
    d = 1000
    eta = 4 / np.sqrt(d)
    thr = zero_weight_threshold(d, eta, n_scan=10)
    assert thr == pytest.approx(eta, rel=1e-6)
    assert population_svm(d, eta, 0.99 * eta).uses_nonrobust_features
    assert not population_svm(d, eta, 1.01 * eta).uses_nonrobust_features
    assert zero_weight_threshold(64, 0.5, n_scan=10) > 0.5  # eta > 2p - 1: above eta
    assert zero_weight_threshold(10, 4 / np.sqrt(10), n_scan=6) == np.inf


# ------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------

W = np.array([0.5, 0.2, 0.1])
BAD = [
    (linear_accuracy, dict(w=W, b=0.0, eta=1.0), "w", [[np.nan, 0, 0], [np.inf, 0, 0], [1.0]]),
    (linear_accuracy, dict(w=W, b=0.0, eta=1.0), "b", [np.nan, np.inf, "x"]),
    (linear_accuracy, dict(w=W, b=0.0, eta=1.0), "eta", [0.0, -1.0, np.nan, np.inf]),
    (linear_accuracy, dict(w=W, b=0.0, eta=1.0), "p_robust", [0.5, 1.0, 1.5, np.nan]),
    (linear_accuracy, dict(w=W, b=0.0, eta=1.0), "eps", [-0.1, np.nan, np.inf]),
    (robust_accuracy_upper_bound, dict(standard_accuracy=0.9), "standard_accuracy",
     [-0.1, 1.1, np.nan]),
    (robust_accuracy_upper_bound, dict(standard_accuracy=0.9), "p_robust", [0.4, 1.0]),
    (printed_tradeoff_bound, dict(delta=0.1), "delta", [-0.1, 1.5, np.nan]),
    (population_hinge_loss, dict(w=W, eta=1.0), "eps", [-1.0, np.nan]),
    (population_hinge_loss, dict(w=W, eta=1.0), "eta", [0.0, np.inf]),
    (population_svm, dict(d=3, eta=1.0), "d", [0, -2, 1.5]),
    (population_svm, dict(d=3, eta=1.0), "eta", [0.0, np.nan]),
    (population_svm, dict(d=3, eta=1.0), "eps", [-0.5, np.inf]),
    (population_svm, dict(d=3, eta=1.0), "p_robust", [0.5, 0.0]),
    (population_svm, dict(d=3, eta=1.0), "eval_eps", [-1.0, np.nan]),
    (symmetric_linear_accuracy, dict(w1=0.5, v=0.5, d=3, eta=1.0), "d", [0]),
    (swap_adversary_accuracies, dict(p_pp=0.5, p_pm=0.5, p_mp=0.5, p_mm=0.5), "p_pm",
     [-0.1, 1.2, np.nan]),
    (averaging_weights, dict(d=3), "d", [0, 2.5]),
]


@pytest.mark.parametrize("fn, good, name, values", BAD,
                         ids=[f"{f.__name__}-{n}" for f, _, n, _ in BAD])
def test_bad_input_names_the_parameter(fn, good, name, values):
    fn(**good)  # the good call works
    for v in values:
        with pytest.raises(ValueError, match=rf"^{name} "):
            fn(**{**good, name: v})


def test_mismatched_shapes_name_the_parameters():
    with pytest.raises(ValueError, match=r"w .*b \(2,\)"):
        linear_accuracy(np.ones((3, 4)), np.zeros(2), 1.0)
    with pytest.raises(ValueError, match="eps"):
        linear_accuracy(np.ones((3, 4)), 0.0, 1.0, 0.7, np.zeros(5))
    with pytest.raises(ValueError, match="standard_accuracy"):
        robust_accuracy_upper_bound(np.full(3, 0.5), np.full(2, 0.7))


bad_number = st.sampled_from([np.nan, np.inf, -np.inf, -1.0, -1e-300])


@SETTINGS
@given(st.sampled_from(["eta", "eps", "p_robust", "b", "w"]), bad_number, st.integers(1, 4))
def test_bad_input_hypothesis(param, value, d):
    kwargs = dict(w=np.ones(d + 1), b=0.0, eta=1.0, p_robust=0.7, eps=0.1)
    if param == "w":
        w = np.ones(d + 1)
        w[d // 2] = value
        assume(not np.isfinite(value))
        kwargs["w"] = w
    elif param == "b":
        assume(not np.isfinite(value))
        kwargs["b"] = value
    else:
        kwargs[param] = value
    with pytest.raises(ValueError, match=rf"^{param} "):
        linear_accuracy(**kwargs)
    if param in ("eta", "eps", "p_robust"):
        with pytest.raises(ValueError, match=rf"^{param} "):
            population_svm(d, **{k: v for k, v in kwargs.items() if k in ("eta", "eps", "p_robust")})


def test_threat_model_is_linf_only():
    """eps takes a radius or a ThreatModel; tsipras2019's adversary is l-inf, other norms are refused."""
    from theory.threat import ThreatModel

    w = np.array([0.8, 0.5, -0.2, 0.4])
    x, y = TsiprasDistribution(3, 0.6).sample(50, 4)
    tm = ThreatModel(np.inf, 0.3)
    assert linear_accuracy(w, 0.1, 0.6, 0.7, tm) == linear_accuracy(w, 0.1, 0.6, 0.7, 0.3)
    assert linear_accuracy(w, 0.1, 0.6, 0.7, 0.3, norm=np.inf) == linear_accuracy(w, 0.1, 0.6, 0.7, 0.3)
    assert population_hinge_loss(w, 0.6, tm) == population_hinge_loss(w, 0.6, 0.3)
    assert symmetric_linear_accuracy(0.6, 0.8, 5, 0.6, 0.7, tm) == symmetric_linear_accuracy(0.6, 0.8, 5, 0.6,
                                                                                           0.7, 0.3)
    np.testing.assert_array_equal(worst_case_linear_perturbation(x, y, w, tm),
                                  worst_case_linear_perturbation(x, y, w, 0.3))
    np.testing.assert_array_equal(linear_tradeoff_pairs(4, 0.2, tm, n_angles=8)[1],
                                  linear_tradeoff_pairs(4, 0.2, 0.3, n_angles=8)[1])
    svm = population_svm(3, 0.3, ThreatModel.linf(0.2), eval_eps=ThreatModel.linf(0.5))
    assert (svm.eps, svm.eval_eps) == (0.2, 0.5) and svm.p_robust == 0.7
    for call in (lambda: linear_accuracy(w, 0.0, 0.6, 0.7, 0.3, norm=2),
                 lambda: linear_accuracy(w, 0.0, 0.6, 0.7, ThreatModel.l2(0.3)),
                 lambda: population_hinge_loss(w, 0.6, ThreatModel.l1(0.3)),
                 lambda: worst_case_linear_perturbation(x, y, w, 0.3, norm=1),
                 lambda: symmetric_linear_accuracy(0.6, 0.8, 5, 0.6, 0.7, 0.3, norm=2),
                 lambda: linear_tradeoff_pairs(4, 0.2, norm=2),
                 lambda: population_svm(3, 0.3, 0.2, norm=2),
                 lambda: zero_weight_threshold(3, 0.3, norm=2)):
        with pytest.raises(ValueError, match="^norm "):
            call()
    with pytest.raises(ValueError, match="contradicts"):
        linear_accuracy(w, 0.0, 0.6, 0.7, tm, norm=2)


# ------------------------------------------------------------------------------------------
# the registered claims
# ------------------------------------------------------------------------------------------


def test_tsipras2019_claims_return_their_expected_verdicts():
    from theory import claims

    outcomes = claims.run(["tsipras2019."])
    assert len(outcomes) >= 8
    for o in outcomes:
        assert o.ok, (o.claim.id, o.verdict, o.error)
