"""Tests of theory.calibration (zhang2019): losses, H, H^-, psi, psi^{-1}, 1-D calculus, Theorems 3.1-3.2.

Independent references: hand/sympy-derived closed forms of H, mpmath (50 digits) minimization of
C_eta, Monte Carlo with a brute-force grid adversary (Clopper-Pearson), exhaustive enumeration.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from theory import calibration as C
from theory.claims.zhang2019 import CLIPPED_EXP, brute_force_errors

NAMES = sorted(C.LOSSES)
unit = st.floats(0.0, 1.0, allow_nan=False)

# H(eta) derived by hand (stationary points / limits), independent of the grid minimizer
H_REF = {
    "hinge": lambda e: 2 * np.minimum(e, 1 - e),
    "sigmoid": lambda e: 2 * np.minimum(e, 1 - e),
    "exponential": lambda e: 2 * np.sqrt(e * (1 - e)),
    # binary entropy in nats (the natural-log logistic loss) and in bits (Table 2's log2 loss)
    "logistic": lambda e: -(np.where(e > 0, e * np.log(np.where(e > 0, e, 1)), 0)
                            + np.where(e < 1, (1 - e) * np.log(np.where(e < 1, 1 - e, 1)), 0)),
    "logistic2": lambda e: -(np.where(e > 0, e * np.log2(np.where(e > 0, e, 1)), 0)
                             + np.where(e < 1, (1 - e) * np.log2(np.where(e < 1, 1 - e, 1)), 0)),
    "squared": lambda e: 4 * e * (1 - e),
    "modified_huber": lambda e: 4 * e * (1 - e),
}
# phi(0) by hand: 1 for every registered loss but the natural-log logistic, log(2)
PHI0 = {name: (np.log(2.0) if name == "logistic" else 1.0) for name in H_REF}


# ------------------------------------------------------------------------------------------
# H and H^-
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_conditional_risk_matches_hand_derived_forms(name):
    eta = np.linspace(0, 1, 101)
    assert np.allclose(C.conditional_risk(name, eta), H_REF[name](eta), atol=1e-10, rtol=0)
    # H^- = phi(0) for all seven (C_eta convex or monotone in tanh with its minimum on the right side)
    assert np.allclose(C.constrained_conditional_risk(name, eta[eta != 0.5]), PHI0[name], atol=1e-10)


def test_conditional_risk_against_mpmath_minimization():
    mp.mp.dps = 50
    for name, phi in (("logistic2", lambda a: mp.log(1 + mp.exp(-a)) / mp.log(2)),
                      ("logistic", lambda a: mp.log(1 + mp.exp(-a))),
                      ("exponential", lambda a: mp.exp(-a))):
        for e in (0.1, 0.37, 0.9):
            c = lambda a, e=e: e * phi(a) + (1 - e) * phi(-a)  # noqa: E731
            a_star = mp.findroot(lambda a: mp.diff(c, a), 0.3)
            assert abs(float(C.conditional_risk(name, e)) - float(c(a_star))) < 1e-12


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(NAMES), e1=unit, e2=unit, w=unit)
def test_H_concave_symmetric_and_below_H_minus(name, e1, e2, w):
    H = lambda e: C.conditional_risk(name, e)  # noqa: E731
    mid = w * e1 + (1 - w) * e2
    assert H(mid) >= w * H(e1) + (1 - w) * H(e2) - 1e-10
    assert abs(H(e1) - H(1 - e1)) < 1e-10
    assert C.constrained_conditional_risk(name, e1) >= H(e1) - 1e-12
    # H is the infimum: no margin does better
    alphas = np.linspace(-5, 5, 41)
    assert H(e1) <= np.min(e1 * C.LOSSES[name](alphas) + (1 - e1) * C.LOSSES[name](-alphas)) + 1e-12


def test_shapes_broadcast():
    e = np.full((2, 3), 0.3)
    assert C.conditional_risk("exponential", e).shape == (2, 3)
    assert C.psi("logistic", np.zeros((4, 1))).shape == (4, 1)


# ------------------------------------------------------------------------------------------
# psi
# ------------------------------------------------------------------------------------------


def _sympy_psi_tilde(phi_expr, a, eta, th):
    c = eta * phi_expr + (1 - eta) * phi_expr.subs(a, -a)
    sols = [s for s in sp.solve(sp.diff(c, a), a)
            if sp.im(s.subs(eta, sp.Rational(3, 4)).evalf()) == 0]
    H = c.subs(a, sols[0])
    return sp.simplify((c.subs(a, 0) - H).subs(eta, (1 + th) / 2))


def test_sympy_derivation_of_exponential_and_squared_psi():
    a = sp.symbols("alpha", real=True)
    eta, th = sp.symbols("eta theta", positive=True)
    exp_psi = _sympy_psi_tilde(sp.exp(-a), a, eta, th)
    sq_psi = _sympy_psi_tilde((1 - a) ** 2, a, eta, th)
    assert sp.simplify(sq_psi - th ** 2) == 0
    t = np.linspace(0, 0.999, 50)
    f = sp.lambdify(th, exp_psi, "numpy")
    assert np.allclose(f(t), 1 - np.sqrt(1 - t ** 2), atol=1e-13)
    assert np.allclose(C.psi("exponential", t), f(t), atol=1e-12)
    assert np.allclose(C.psi("squared", t), t ** 2, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_psi_matches_table2_closed_forms(name):
    t = np.linspace(0, 1, 301)
    assert np.max(np.abs(C.psi(name, t) - C.psi_closed_form(name, t))) < 1e-9
    assert np.max(np.abs(C.psi_tilde(name, t) - C.psi_closed_form(name, t))) < 1e-9


def test_natural_logistic_psi_is_ln2_times_psi_log():
    """log(1 + e^-a) = ln 2 * log2(1 + e^-a), so its psi is ln(2) psi_log (psi scales with the loss).

    References: psi_log written out here from Table 2, a sympy derivation of psi~ for the
    natural-log loss, and the numerical biconjugate of each loss (which uses no closed form).
    """
    t = np.linspace(0, 1, 401)
    with np.errstate(divide="ignore", invalid="ignore"):
        psi_log = np.where(t < 1, 0.5 * (1 - t) * np.log2(np.where(t < 1, 1 - t, 1)), 0.0) \
            + 0.5 * (1 + t) * np.log2(1 + t)
    num = C.psi("logistic", t)
    assert np.max(np.abs(num - np.log(2) * psi_log)) < 1e-9
    assert np.max(np.abs(C.psi("logistic2", t) - psi_log)) < 1e-9
    assert np.max(np.abs(num - np.log(2) * C.psi("logistic2", t))) < 1e-9
    assert np.max(np.abs(C.psi_closed_form("logistic", t) - np.log(2) * psi_log)) < 1e-15
    # sympy: psi~ of the natural-log loss is (1/2)(1 - t) ln(1 - t) + (1/2)(1 + t) ln(1 + t)
    a = sp.symbols("alpha", real=True)
    eta, th = sp.symbols("eta theta", positive=True)
    derived = _sympy_psi_tilde(sp.log(1 + sp.exp(-a)), a, eta, th)
    f = sp.lambdify(th, derived, "numpy")
    pts = np.linspace(0.01, 0.99, 25)
    assert np.allclose(f(pts), 0.5 * (1 - pts) * np.log(1 - pts) + 0.5 * (1 + pts) * np.log(1 + pts),
                       atol=1e-13)
    assert np.allclose(C.psi("logistic", pts), f(pts), atol=1e-12)
    # the inverse follows: psi_logistic^{-1}(ln(2) v) = psi_log^{-1}(v)
    v = np.array([0.01, 0.2, 0.7])
    assert np.allclose(C.psi_inverse("logistic", np.log(2) * v), C.psi_inverse("logistic2", v), atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from([*NAMES, "clipped"]), t1=unit, t2=unit, w=unit)
def test_psi_properties(name, t1, t2, w):
    loss = CLIPPED_EXP if name == "clipped" else name
    p = lambda t: float(C.psi(loss, t))  # noqa: E731
    assert p(0.0) == 0.0
    lo, hi = min(t1, t2), max(t1, t2)
    assert p(lo) <= p(hi) + 1e-12
    assert p(w * t1 + (1 - w) * t2) <= w * p(t1) + (1 - w) * p(t2) + 1e-9
    assert p(t1) <= float(C.psi_tilde(loss, t1)) + 1e-12
    if t1 > 1e-3:
        assert p(t1) > 0
        assert abs(float(C.psi_inverse(loss, p(t1))) - t1) < 1e-8


def test_psi_of_nonconvex_psi_tilde_is_its_hull():
    # min(1.5, e^-a): H = min(1.5 (1 - eta), 2 sqrt(eta (1 - eta))), H^- = min(1, 1.5 eta) for eta > 1/2 (by hand),
    # so psi~ = 1.5 t on [0, 1/3], 0.25 + 0.75 t beyond (concave kink), and its convex hull is psi = t.
    t = np.linspace(0, 1, 301)
    e = (1 + t) / 2
    hand_tilde = np.minimum(1.0, 1.5 * e) - np.minimum(1.5 * (1 - e), 2 * np.sqrt(e * (1 - e)))
    assert np.allclose(C.psi_tilde(CLIPPED_EXP, t), hand_tilde, atol=1e-10)
    assert np.allclose(C.psi(CLIPPED_EXP, t), t, atol=1e-10)
    assert np.max(hand_tilde - t) > 0.16  # psi~ really is not convex here


def test_psi_inverse_closed_form_and_generalized_inverse():
    v = np.array([0.0, 0.1, 0.5, 0.99])
    assert np.allclose(C.psi_inverse("exponential", v), np.sqrt(1 - (1 - v) ** 2), atol=1e-10)
    assert np.allclose(C.psi_inverse("squared", v, closed_form=True), np.sqrt(v), atol=1e-12)
    assert np.all(C.psi_inverse("hinge", [1.0, 2.0, np.inf]) == 1.0)


def test_user_losses_validated():
    # a calibrated user loss works and agrees with the registered one
    assert np.allclose(C.psi(lambda a: np.exp(-a), [0.2, 0.6]), C.psi_closed_form("exponential", [0.2, 0.6]))
    bad = {
        "perceptron": lambda a: np.maximum(-a, 0),
        "constant": lambda a: np.ones_like(a),
        "even": lambda a: a ** 2,
        "wrong way": lambda a: np.maximum(1 + a, 0),
    }
    for name, phi in bad.items():
        with pytest.raises(ValueError, match="not classification-calibrated"):
            C.psi(phi, 0.5)
        with pytest.raises(ValueError, match="not classification-calibrated"):
            C.conditional_risk(C.MarginLoss(name, phi), 0.5)
    with pytest.raises(ValueError, match=">= 0"):
        C.psi(lambda a: -np.exp(-a), 0.5)
    with pytest.raises(ValueError, match="finite"):
        C.psi(lambda a: np.full_like(a, np.nan), 0.5)
    with pytest.raises(ValueError, match="loss must be one of"):
        C.psi("savage", 0.5)
    with pytest.raises(ValueError, match="no closed-form"):
        C.psi_closed_form(lambda a: np.exp(-a), 0.5)


# ------------------------------------------------------------------------------------------
# invalid inputs
# ------------------------------------------------------------------------------------------


outside = st.one_of(st.floats(-1e6, -1e-9), st.floats(1 + 1e-9, 1e6), st.just(float("nan")))


@settings(max_examples=30, deadline=None)
@given(x=outside, neg=st.floats(-1e6, -1e-12), kind=st.integers(0, 7))
def test_invalid_inputs_raise_value_error_naming_the_parameter(x, neg, kind):
    eta = C.PiecewiseConstant([0, 1], [0.5])
    f = C.constant_classifier(eta, 1.0)
    cases = [
        (lambda: C.conditional_risk("hinge", x), "^posterior "),
        (lambda: C.constrained_conditional_risk("logistic", [0.2, x]), "^posterior "),
        (lambda: C.psi("exponential", x), "^excess "),
        (lambda: C.psi_tilde("hinge", x), "^excess "),
        (lambda: C.psi_inverse("hinge", neg), "value"),
        (lambda: C.interval_risks(eta, f, neg), "eps"),
        (lambda: C.interval_phi_risks("hinge", eta, f, 0.1, neg), "lam"),
        (lambda: C.interval_risks(C.PiecewiseConstant([0, 1], [x]), f, 0.1), "^(posterior|values) "),
    ]
    fn, name = cases[kind]
    with pytest.raises(ValueError, match=name):
        fn()


def test_one_dimensional_threat_models():
    """eps takes a radius or a ThreatModel; in 1-D every lp ball is the same interval."""
    from theory.threat import ThreatModel

    post = C.PiecewiseConstant([0, 0.3, 0.7, 1], [0.9, 0.4, 0.1])
    f = C.PiecewiseConstant([0, 0.25, 0.5, 1], [1.0, -1.0, 0.0])
    ref = C.interval_risks(post, f, 0.1)
    for tm in (ThreatModel.linf(0.1), ThreatModel.l2(0.1), ThreatModel.l1(0.1), ThreatModel(3, 0.1)):
        assert C.interval_risks(post, f, tm) == ref
        assert C.interval_phi_risks("hinge", post, f, tm, 1.0) == C.interval_phi_risks("hinge", post, f, 0.1, 1.0)
    assert C.interval_risks(post, f, 0.1, norm=2) == ref
    np.testing.assert_array_equal(C.toy_example(ThreatModel.l2(0.25)).values, C.toy_example(0.25).values)
    assert C.tightness_construction("hinge", 0.3, 1e-3, ThreatModel.l2(0.2)).eps == 0.2
    with pytest.raises(ValueError, match="l0|p >= 1"):
        C.interval_risks(post, f, ThreatModel.l0(1))
    with pytest.raises(ValueError, match="^norm "):
        C.interval_risks(post, f, 0.1, norm=0.5)
    with pytest.raises(ValueError, match="^eps "):
        C.interval_risks(post, f, [0.1, 0.2])


def test_sign_classifier_breaks_ties_to_minus_one():
    """sign(0) = -1: the Bayes score is +1 exactly where 2 posterior - 1 > 0."""
    post = C.PiecewiseConstant([0, 0.2, 0.5, 0.8, 1], [0.9, 0.5, 0.1, 0.5 + 1e-12])
    np.testing.assert_array_equal(C.sign_classifier(post).values, [1.0, -1.0, -1.0, 1.0])
    with pytest.raises(ValueError, match="^posterior "):
        C.sign_classifier([0.5])


def test_more_invalid_inputs():
    with pytest.raises(ValueError, match="breaks"):
        C.PiecewiseConstant([0, 0.5, 0.5], [1, 2])
    with pytest.raises(ValueError, match="breaks"):
        C.PiecewiseConstant([0, 1], [1, 2])
    with pytest.raises(ValueError, match="same interval"):
        C.interval_risks(C.PiecewiseConstant([0, 1], [0.5]), C.PiecewiseConstant([0, 2], [1.0]), 0.1)
    with pytest.raises(ValueError, match="density"):
        C.interval_risks(C.PiecewiseConstant([0, 1], [0.5]), C.PiecewiseConstant([0, 1], [1.0]), 0.1,
                         C.PiecewiseConstant([0, 1], [-1.0]))
    with pytest.raises(ValueError, match="xi"):
        C.tightness_construction("hinge", 0.5, 0.0)
    with pytest.raises(ValueError, match=r"phi\(a\) -> 0"):
        C.tightness_construction("squared", 0.5, 1e-3)
    with pytest.raises(ValueError, match="excess_phi_risk"):
        C.trades_upper_bound("hinge", -0.1, 0.0)
    with pytest.raises(ValueError, match="eps"):
        C.toy_example(-0.1)


# ------------------------------------------------------------------------------------------
# 1-D calculus against a brute-force adversary
# ------------------------------------------------------------------------------------------


def _instance(seed, n_cells=6):
    rng = np.random.default_rng(seed)
    b = np.sort(np.concatenate([[0.0, 1.0], rng.uniform(0, 1, n_cells - 1)]))
    eta = C.PiecewiseConstant(b, rng.uniform(0, 1, n_cells))
    bs = np.sort(np.concatenate([[0.0, 1.0], rng.uniform(0, 1, n_cells - 1)]))
    score = C.PiecewiseConstant(bs, rng.choice([-1.0, 0.0, 2.0], n_cells))
    density = C.PiecewiseConstant([0, 0.5, 1], rng.uniform(0.2, 2, 2))
    return eta, score, density


@pytest.mark.parametrize("seed,eps", [(1, 0.03), (2, 0.1), (3, 0.0), (4, 0.25)])
def test_interval_risks_against_monte_carlo_brute_force(seed, eps):
    eta, score, density = _instance(seed)
    r = C.interval_risks(eta, score, eps, density)
    (nat, rob, bdy, reg), slack = brute_force_errors(eta, score, eps, 30_000, np.random.default_rng(seed), density)
    assert nat.contains(r.natural) and rob.contains(r.robust, slack)
    assert bdy.contains(r.boundary, slack) and reg.contains(r.boundary_region, slack)


def test_sample_interval_matches_density_and_eta():
    eta, _, density = _instance(5)
    x, y = C.sample_interval(eta, 100_000, 7, density)
    w = density.values * np.diff(density.breaks)
    # P(X < 0.5) and P(Y = 1) from the definitions (density is constant on [0, .5) and [.5, 1])
    from theory.montecarlo import proportion
    assert proportion(int(np.sum(x < 0.5)), x.size).contains(w[0] / w.sum())
    grid = np.linspace(0, 1, 200_001)[:-1] + 0.5 / 200_000
    p1 = np.mean(eta(grid) * density(grid)) / np.mean(density(grid))
    assert proportion(int(np.sum(y > 0)), y.size).contains(p1)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), eps=st.floats(0, 0.5), eps2=st.floats(0, 0.5))
def test_interval_risk_properties(seed, eps, eps2):
    eta, score, density = _instance(seed, 1 + seed % 7)
    r = C.interval_risks(eta, score, eps, density)
    assert r.robust >= r.natural - 1e-12
    assert abs(r.robust - r.natural - r.boundary) < 1e-12                       # eq. (1)
    assert abs(r.robust - r.bayes_natural - r.lemma_c6_first - r.lemma_c6_second) < 1e-12  # Lemma C.6
    assert r.natural >= r.bayes_natural - 1e-12
    r2 = C.interval_risks(eta, score, max(eps, eps2), density)
    assert r2.robust >= r.robust - 1e-12                                        # monotone in eps
    r0 = C.interval_risks(eta, score, 0.0, density)
    assert abs(r0.robust - r0.natural) < 1e-12


def test_robust_error_by_exhaustive_midpoint_grid():
    # deterministic brute force: x on a fine midpoint grid, x' on a grid of the ball
    eta = C.PiecewiseConstant([0, 0.3, 0.7, 1], [0.9, 0.4, 0.1])
    score = C.PiecewiseConstant([0, 0.25, 0.5, 1], [1.0, -1.0, 2.0])
    eps = 0.1
    x = (np.arange(20_000) + 0.5) / 20_000
    xp = np.clip(x[:, None] + np.linspace(-eps, eps, 401)[None, :], 0, 1)
    fp, e = score(xp), eta(x)
    rob = e * np.any(fp <= 0, axis=1) + (1 - e) * np.any(fp >= 0, axis=1)
    assert abs(C.interval_risks(eta, score, eps).robust - rob.mean()) < 2e-4


# ------------------------------------------------------------------------------------------
# Table 1, Theorems 3.1 and 3.2
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("eps", [0.5, 0.25, 1 / 6, 0.02])
def test_table1(eps):
    eta = C.toy_example(eps)
    b = C.interval_risks(eta, C.sign_classifier(eta), eps)
    a = C.interval_risks(eta, C.constant_classifier(eta, 1.0), eps)
    assert np.allclose([b.natural, b.boundary, b.robust, a.natural, a.boundary, a.robust],
                       [0, 1, 1, 0.5, 0, 0.5], atol=1e-12)


@pytest.mark.parametrize("eps", [0.3, 0.15, 0.4])
def test_toy_example_general_eps(eps):
    eta = C.toy_example(eps)
    K = int(np.floor(1 / (2 * eps)))
    r = 1 - 2 * K * eps
    a = C.interval_risks(eta, C.constant_classifier(eta, 1.0), eps)
    assert abs(a.natural - (K * eps + min(r, eps))) < 1e-12


def test_theorem31_counterexample_and_corrected_bound():
    eta = C.PiecewiseConstant([0, 1], [0.5])
    f = C.constant_classifier(eta, 0.0)
    r = C.interval_risks(eta, f, 0.1)
    p = C.interval_phi_risks("hinge", eta, f, 0.1, 1.0)
    assert r.robust - r.bayes_natural == pytest.approx(0.5)
    assert float(C.trades_upper_bound("hinge", p.excess, r.boundary)) == pytest.approx(0.0, abs=1e-12)
    assert r.boundary_sign == pytest.approx(0.5, abs=1e-15)  # f = 0 is in B; sign(0) = -1: P(Y = -1) = 1/2
    assert float(C.trades_upper_bound("hinge", p.excess, r.boundary_sign)) >= 0.5 - 1e-12
    assert float(C.trades_upper_bound("hinge", p.excess, p.regularizer)) >= 0.5
    # the less degenerate instance (eps = 0: B = {f = 0} = [0.45, 0.55)), by hand with sign(0) = -1:
    # boundary_sign = 0.05 P(Y = -1 | eta = 0.9) + 0.05 P(Y = -1 | eta = 0.2) = 0.005 + 0.04
    post2 = C.PiecewiseConstant([0.0, 0.5, 1.0], [0.9, 0.2])
    f2 = C.PiecewiseConstant([0.0, 0.45, 0.55, 1.0], [1.0, 0.0, -1.0])
    r2 = C.interval_risks(post2, f2, 0.0)
    p2 = C.interval_phi_risks("hinge", post2, f2, 0.0, 1.0)
    assert r2.boundary_sign == pytest.approx(0.045, abs=1e-15)
    lhs2 = r2.robust - r2.bayes_natural
    assert lhs2 > float(C.trades_upper_bound("hinge", p2.excess, r2.boundary))  # the printed bound fails
    assert lhs2 <= float(C.trades_upper_bound("hinge", p2.excess, r2.boundary_sign))  # the corrected one holds


def _exact_masses(posterior, score, density):
    """Cells of the common refinement: (probability of each cell, posterior, score) -- written out here."""
    b = np.unique(np.concatenate([posterior.breaks, score.breaks, density.breaks]))
    mid = 0.5 * (b[:-1] + b[1:])
    w = np.diff(b) * density(mid)
    return w / w.sum(), posterior(mid), score(mid)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), name=st.sampled_from(NAMES), lam=st.floats(0.05, 10), eps=st.floats(0, 0.3))
def test_theorem31_corrected_holds(seed, name, lam, eps):
    eta, score, density = _instance(seed, 1 + seed % 5)
    r = C.interval_risks(eta, score, eps, density)
    p = C.interval_phi_risks(name, eta, score, eps, lam, density)
    lhs = r.robust - r.bayes_natural
    assert lhs <= float(C.trades_upper_bound(name, p.excess, r.boundary_sign)) + 1e-9
    if PHI0[name] >= 1:  # the TRADES inequality needs phi >= 1 on (-inf, 0]; not so for log(1 + e^-a)
        assert lhs <= float(C.trades_upper_bound(name, p.excess, p.regularizer)) + 1e-9
    # the decomposition behind the correction, with sign(0) = -1: R_rob = R_nat^sign + boundary_sign,
    # R_nat^sign = P(sign f(X) != Y) = R_nat - P(f(X) = 0, Y = -1) (a zero score predicts -1)
    mass, post, sc = _exact_masses(eta, score, density)
    p_zero_neg = float(mass @ ((sc == 0) * (1 - post)))
    r_sign = float(mass @ np.where(sc > 0, 1 - post, post))
    assert abs(r.natural - p_zero_neg - r_sign) < 1e-12
    assert abs(r.robust - (r_sign + r.boundary_sign)) < 1e-12
    # the BJM06 step used in the proof: psi(R_nat^sign - R_nat^*) <= R_phi - R_phi^*
    gap = min(max(r_sign - r.bayes_natural, 0.0), 1.0)
    assert float(C.psi(name, gap)) <= p.excess + 1e-9


@pytest.mark.parametrize("loss,excess", [("hinge", 0.4), ("exponential", 0.7), ("logistic", 0.0),
                                         ("logistic2", 0.5), ("sigmoid", 1.0)])
def test_theorem32_construction(loss, excess):
    xi = 1e-3
    T = C.tightness_construction(loss, excess, xi)
    assert T.excess == excess
    assert abs(T.excess_robust - excess) < 1e-12
    ref = float(C.psi_closed_form(loss, max(excess - T.regularizer, 0.0)))
    assert ref - 1e-9 <= T.excess_phi <= ref + xi
    assert T.f1 < 0 and T.f2 < 0
    (_, rob, _, _), slack = brute_force_errors(T.posterior, T.score, T.eps, 20_000, np.random.default_rng(3))
    r = C.interval_risks(T.posterior, T.score, T.eps)
    assert rob.contains(excess + r.bayes_natural, slack)


def test_theorem32_nonconvex_uses_two_points():
    T = C.tightness_construction(CLIPPED_EXP, 0.3, 1e-3)
    assert T.alpha1 != T.alpha2
    assert abs(T.gamma * T.alpha1 + (1 - T.gamma) * T.alpha2 - 0.3) < 1e-12
    assert 0.3 - T.regularizer - 1e-9 <= T.excess_phi <= 0.3 + 1e-3  # psi = theta for this loss
