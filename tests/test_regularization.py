"""Tests of theory.regularization against independent computations.

References (none shares code with the implementation):

- linear programs (scipy.optimize.linprog) for the inner maximizations under l-inf and l1,
  SLSQP with several starts for l2 and l3;
- Monte Carlo with Clopper-Pearson intervals for the uniform-squares risks;
- literal evaluation of the 0-1 objectives of explicit classifiers on the line (each ball scanned
  on a grid), explicit loops over classes for the margin, mpmath for the GE bound;
- sympy for the small-eps series of Theorem 7;
- hypothesis property tests (ranges, monotonicity, orderings) and invalid inputs.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.optimize import linprog, minimize

from theory import reference
from theory import regularization as RG
from theory.montecarlo import proportion

SEED = 20240702
CONF = 0.9999


def budget(n: int) -> settings:
    return settings(deadline=None, max_examples=max(1, round(n * settings.default.max_examples / 30)))


def np_dual(w, p):
    q = 1.0 if np.isinf(p) else (np.inf if p == 1 else p / (p - 1))
    return np.linalg.norm(w, ord=q, axis=-1)


def slsqp_min_margin(w, x, theta, eps, p, rng, constrained=True):
    s = 1.0 if theta @ x > 0 else -1.0
    cons = [{"type": "ineq", "fun": lambda d: eps**p - np.sum(np.abs(d) ** p)}]
    if constrained:
        cons.append({"type": "ineq", "fun": lambda d: s * theta @ (x + d)})
    best = np.inf
    for k in range(6):
        x0 = np.zeros_like(x) if k == 0 else rng.normal(size=len(x)) * eps / 3
        r = minimize(lambda d: s * w @ (x + d), x0, constraints=cons, method="SLSQP",
                     options={"ftol": 1e-14, "maxiter": 500})
        feasible = np.sum(np.abs(r.x) ** p) <= eps**p * (1 + 1e-8) + 1e-12 and (
            not constrained or s * theta @ (x + r.x) >= -1e-9)
        if feasible:
            best = min(best, r.fun)
    return best


_TIGHT = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
"""HiGHS's tightest tolerances: its default 1e-7 drops a cost entry of 6e-8 relative to max|w|."""

vec3 = hnp.arrays(np.float64, 3, elements=st.floats(-3, 3))
eps_st = st.floats(0, 3)
norm_st = st.sampled_from([np.inf, 1.0])


# ------------------------------------------------------------------------------------------
# adversarial logistic loss (label-relative)
# ------------------------------------------------------------------------------------------

@budget(30)
@given(w=vec3, x=vec3, y=st.sampled_from([-1.0, 1.0]), eps=eps_st, norm=norm_st, b=st.floats(-2, 2))
def test_adversarial_logistic_loss_matches_lp(w, x, y, eps, norm, b):
    s = y
    scale = max(float(np.max(np.abs(w))), 1e-300)  # the LP on w / max|w|: HiGHS's tolerances are absolute
    if np.isinf(norm):
        res = linprog(s * w / scale, bounds=[(-eps, eps)] * 3, method="highs", options=_TIGHT)
    else:
        res = linprog(np.concatenate([s * w, -s * w]) / scale, A_ub=[np.ones(6)], b_ub=[eps],
                      bounds=[(0, None)] * 6, method="highs", options=_TIGHT)
    ref = np.log1p(np.exp(-(s * (w @ x + b) + scale * res.fun)))
    assert RG.adversarial_logistic_loss(w, x, y, eps, norm=norm, b=b) == pytest.approx(ref, rel=1e-9, abs=1e-12)


def test_adversarial_logistic_loss_l2_l3_slsqp():
    rng = np.random.default_rng(SEED)
    for p in (2.0, 3.0):
        for _ in range(5):
            w, x = rng.normal(size=(2, 3))
            y, eps = 1.0, rng.uniform(0.1, 1.5)
            best = np.inf
            for k in range(4):
                r = minimize(lambda d: y * w @ (x + d), rng.normal(size=3) * 0.1, method="SLSQP",
                             constraints=[{"type": "ineq", "fun": lambda d: eps**p - np.sum(np.abs(d) ** p)}],
                             options={"ftol": 1e-14})
                best = min(best, r.fun)
            assert RG.adversarial_logistic_loss(w, x, y, eps, norm=p) == pytest.approx(np.log1p(np.exp(-best)),
                                                                                   rel=1e-6)


@budget(40)
@given(w=vec3, x=vec3, y=st.sampled_from([-1.0, 1.0]), e1=eps_st, e2=eps_st, norm=st.sampled_from([np.inf, 1, 2, 3]))
def test_adversarial_logistic_loss_properties(w, x, y, e1, e2, norm):
    lo, hi = sorted((e1, e2))
    clean = np.logaddexp(0, -y * (w @ x))
    a, b, c = RG.adversarial_logistic_loss(w, x, y, [0.0, lo, hi], norm=norm)
    assert a == pytest.approx(clean, rel=1e-12, abs=1e-300)
    assert a <= b * (1 + 1e-12) + 1e-300
    assert b <= c * (1 + 1e-12) + 1e-300
    # the increase never exceeds eps ||w||_* (the loss is 1-Lipschitz in the margin)
    assert c - clean <= hi * np_dual(w, norm) * (1 + 1e-12) + 1e-12


def test_adversarial_logistic_loss_batches_and_extremes():
    rng = np.random.default_rng(SEED + 1)
    w, x = rng.normal(size=(4, 5, 3)), rng.normal(size=(5, 3))
    out = RG.adversarial_logistic_loss(w, x, 1.0, 0.2, norm=np.inf)
    assert out.shape == (4, 5)
    for i in range(4):
        for j in range(5):
            assert out[i, j] == pytest.approx(np.log1p(np.exp(-(w[i, j] @ x[j]) + 0.2 * np.abs(w[i, j]).sum())))
    # no overflow: a huge adversarial margin gives a loss equal to the margin itself
    assert RG.adversarial_logistic_loss([1e3, 0], [0, 0], 1, 1.0) == pytest.approx(1e3)
    assert np.isfinite(RG.adversarial_logistic_loss([1e3, 0], [1, 0], 1, 0.0))


# ------------------------------------------------------------------------------------------
# base-relative worst margin and excess (suggala2019 Definition 2, logistic loss)
# ------------------------------------------------------------------------------------------

@budget(60)
@given(w=vec3, x=vec3, theta=vec3, eps=eps_st, norm=norm_st, b=st.floats(-1, 1), c=st.floats(-1, 1))
def test_base_relative_worst_margin_matches_lp(w, x, theta, eps, norm, b, c):
    ref = reference.lp_worst_margin(w, x, theta, eps, norm=norm, b=b, c=c)
    val = RG.base_relative_worst_margin(w, x, theta, eps, norm=norm, b=b, c=c)
    assert val == pytest.approx(ref, rel=1e-8, abs=1e-8)


def test_base_relative_worst_margin_l2_l3_slsqp():
    rng = np.random.default_rng(SEED + 2)
    for p in (2.0, 3.0):
        for _ in range(8):
            w, x, theta = rng.normal(size=(3, 3))
            eps = rng.uniform(0.2, 2.0)
            ref = slsqp_min_margin(w, x, theta, eps, p, rng)
            assert RG.base_relative_worst_margin(w, x, theta, eps, norm=p) == pytest.approx(ref, rel=1e-5, abs=1e-6)


@budget(40)
@given(w=vec3, x=vec3, theta=vec3, e1=eps_st, e2=eps_st, norm=st.sampled_from([np.inf, 1, 2, 3]))
def test_base_relative_properties(w, x, theta, e1, e2, norm):
    lo, hi = sorted((e1, e2))
    s = 1.0 if theta @ x > 0 else -1.0
    m0 = s * (w @ x)
    m_lo, m_hi = RG.base_relative_worst_margin(w, x, theta, [lo, hi], norm=norm)
    tol = 1e-9 * (1 + abs(m0) + hi * np_dual(w, norm))
    # between the clean margin and the unconstrained worst case, decreasing in eps
    assert m0 - hi * np_dual(w, norm) - tol <= m_hi <= m_lo + tol <= m0 + 2 * tol
    ex = RG.base_relative_logistic_excess(w, x, theta, [lo, hi], norm=norm)
    assert 0 <= ex[0] <= ex[1] + 1e-12
    assert ex[1] <= hi * np_dual(w, norm) + 1e-9
    # the excess is the logistic loss at the worst margin minus the clean loss
    assert ex[1] == pytest.approx(np.logaddexp(0, -m_hi) - np.logaddexp(0, -m0), rel=1e-7, abs=1e-9)


def test_base_relative_equals_unconstrained_far_from_boundary():
    """Margin condition: when the ball does not reach g's boundary, the constraint is inactive."""
    rng = np.random.default_rng(SEED + 3)
    for _ in range(20):
        w, theta = rng.normal(size=(2, 4))
        x = rng.normal(size=4)
        eps = 0.9 * abs(theta @ x) / np.abs(theta).sum()  # l-inf distance to the hyperplane is |theta.x| / ||theta||_1
        s = 1.0 if theta @ x > 0 else -1.0
        ref = np.logaddexp(0, -s * (w @ x) + eps * np.abs(w).sum()) - np.logaddexp(0, -s * (w @ x))
        assert RG.base_relative_logistic_excess(w, x, theta, eps, norm=np.inf) == pytest.approx(ref, rel=1e-10)


def test_base_relative_constraint_binds():
    """Near g's boundary the constrained excess is strictly below the unconstrained one (worked example).

    x = (0.1, 0), theta = e1, w = (1, 1), l-inf, eps = 1: the adversary must keep x1 + d1 > 0, so the best is
    d = (-0.1, -1): margin 0 - 1 = -1, against 0.1 - 2 = -1.9 without the constraint.
    """
    m = RG.base_relative_worst_margin([1.0, 1.0], [0.1, 0.0], [1.0, 0.0], 1.0, norm=np.inf)
    assert m == pytest.approx(-1.0, abs=1e-12)


# ------------------------------------------------------------------------------------------
# Theorem 7
# ------------------------------------------------------------------------------------------

def test_theorem7_series_sympy():
    e, a, m = sp.symbols("eps a m", real=True)
    excess = sp.log(1 + sp.exp(-(m - e * a))) - sp.log(1 + sp.exp(-m))
    coeff = sp.series(excess, e, 0, 2).removeO().coeff(e, 1)
    assert sp.simplify(coeff - a / (1 + sp.exp(m))) == 0
    # and the package's first-order term uses exactly h = 1/(1 + e^{g f}) with ||w||_*
    rng = np.random.default_rng(SEED + 4)
    x, y = rng.normal(size=(10, 3)), rng.choice([-1.0, 1.0], 10)
    w, theta = rng.normal(size=(2, 3))
    f = x @ w
    g = np.where(x @ theta > 0, 1.0, -1.0)
    h = np.array([float(sp.N(1 / (1 + sp.exp(sp.Float(gi * fi, 30))), 20)) for gi, fi in zip(g, f, strict=True)])
    ref = np.mean(np.logaddexp(0, -y * f)) + 0.01 * 2.0 * h.mean() * np.abs(w).sum()
    assert RG.theorem7_first_order(w, x, y, theta, 0.01, 2.0, norm=np.inf) == pytest.approx(ref, rel=1e-13)


def test_theorem7_expansion_numerically():
    rng = np.random.default_rng(SEED + 5)
    x, y = rng.normal(size=(15, 2)), rng.choice([-1.0, 1.0], 15)
    theta, w = np.array([1.0, 0.5]), np.array([0.7, -1.2])
    assume_far = np.abs(x @ theta) / np.abs(theta).sum()
    x = x[assume_far > 0.2]
    y = y[assume_far > 0.2]
    n = len(x)
    s = np.where(x @ theta > 0, 1.0, -1.0)
    errs = []
    for eps in (1e-1, 1e-2, 1e-3):
        m = np.array([reference.lp_worst_margin(w, xi, theta, eps, norm=np.inf) for xi in x])
        obj = np.mean(np.logaddexp(0, -y * (x @ w))) + np.mean(np.logaddexp(0, -m) - np.logaddexp(0, -s * (x @ w)))
        errs.append(abs(obj - RG.theorem7_first_order(w, x, y, theta, eps, 1.0, norm=np.inf)) / eps)
    assert n > 5
    assert errs[1] < 0.2 * errs[0] and errs[2] < 0.2 * errs[1] and errs[2] < 1e-3


@budget(25)
@given(seed=st.integers(0, 10**6), eps=st.floats(0, 5), lam=st.floats(0, 4), norm=norm_st)
def test_theorem7_upper_bound_holds(seed, eps, lam, norm):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(6, 2)), rng.choice([-1.0, 1.0], 6)
    w, theta = rng.normal(size=(2, 2))
    p = rng.dirichlet(np.ones(6))
    # left side from the LP reference
    s = np.where(x @ theta > 0, 1.0, -1.0)
    m = np.array([reference.lp_worst_margin(w, xi, theta, eps, norm=norm) for xi in x])
    lhs = p @ np.logaddexp(0, -y * (x @ w)) + lam * p @ (np.logaddexp(0, -m) - np.logaddexp(0, -s * (x @ w)))
    assert RG.joint_logistic_objective(w, x, y, theta, eps, lam, norm=norm, weights=p) == pytest.approx(lhs,
                                                                                                          abs=1e-9)
    rhs = p @ np.logaddexp(0, -y * (x @ w)) + eps * lam * np_dual(w, norm)
    assert RG.theorem7_upper_bound(w, x, y, eps, lam, norm=norm, weights=p) == pytest.approx(rhs, rel=1e-12)
    assert lhs <= rhs + 1e-10


# ------------------------------------------------------------------------------------------
# Theorems 5 and 6: finite supports
# ------------------------------------------------------------------------------------------

def literal_objectives(f, g, atoms, p_pos, p_neg, eps, lam, grid=4001):
    """Objectives (4) and (6) of classifiers f, g on the line (+-1 valued functions), each ball scanned."""
    o4 = o6 = 0.0
    for a, pp, pn in zip(atoms, p_pos, p_neg, strict=True):
        others = np.asarray(atoms)[np.abs(np.asarray(atoms) - a) <= eps]  # support points in the ball
        z = np.concatenate([[a], a + np.linspace(-eps, eps, grid), others])
        fz, gz = f(z), g(z)
        fa, ga = fz[0], gz[0]
        risk = pp * (fa != 1) + pn * (fa != -1)
        adv4 = float(fa == ga and np.any((gz == ga) & (fz != ga)))
        o4 += risk + lam * (pp + pn) * adv4
        o6 += risk + lam * sum(m * float(fa == y and np.any(fz != y)) for y, m in ((1, pp), (-1, pn)))
    return o4, o6


def _nearest(atoms, labels):
    atoms = np.asarray(atoms)

    def f(z):
        idx = np.argmin(np.abs(np.asarray(z)[:, None] - atoms[None, :]), axis=1)
        return labels[idx]

    return f


def test_joint_objective_01_matches_literal():
    rng = np.random.default_rng(SEED + 6)
    for _ in range(6):
        atoms = np.sort(rng.uniform(-2, 2, 5))
        mass = rng.dirichlet(np.ones(5))
        eta = rng.uniform(size=5)
        pp, pn = mass * eta, mass * (1 - eta)
        gl = np.where(pp > pn, 1.0, -1.0)

        def g(z, gl=gl, atoms=atoms):  # Bayes on the support, sign(z) elsewhere
            out = np.where(np.asarray(z) > 0, 1.0, -1.0)
            for a, lab in zip(atoms, gl, strict=True):
                out = np.where(np.asarray(z) == a, lab, out)
            return out

        for eps in (0.2, 0.7):
            for lam in (0.5, 2.0):
                labs = RG.all_labelings(5)
                vals = RG.joint_objective_01(labs, atoms, pp, pn, gl, eps, lam)
                for s, v in zip(labs, vals, strict=True):
                    def f(z, s=s, g=g, atoms=atoms):  # labels on the support, g elsewhere
                        out = g(z)
                        for a, lab in zip(atoms, s, strict=True):
                            out = np.where(np.asarray(z) == a, lab, out)
                        return out
                    o4, _ = literal_objectives(f, g, atoms, pp, pn, eps, lam)
                    assert v == pytest.approx(o4, abs=1e-12)


def test_robust_objective_01_is_min_over_extensions():
    """(6) minimized over extensions: <= the literal value of every explicit extension tried, and attained by one."""
    rng = np.random.default_rng(SEED + 7)
    for _ in range(3):
        atoms = np.sort(rng.uniform(-1.5, 1.5, 5))
        mass = rng.dirichlet(np.ones(5))
        eta = rng.uniform(size=5)
        pp, pn = mass * eta, mass * (1 - eta)
        for eps in (0.15, 0.5):
            labs = RG.all_labelings(5)
            vals = RG.robust_objective_01(labs, atoms, pp, pn, eps, 1.0)
            for s, v in zip(labs, vals, strict=True):
                tried = []
                # extensions: nearest-atom labels, and for each subset of atoms "made safe", f = s(x) on B(x, eps)
                for mask in range(32):
                    keep = [(mask >> i) & 1 for i in range(5)]

                    def f(z, s=s, keep=keep, atoms=atoms):
                        z = np.asarray(z)
                        out = _nearest(atoms, s)(z)
                        for i in range(5):
                            if keep[i]:
                                out = np.where(np.abs(z - atoms[i]) <= eps * (1 + 1e-9), s[i], out)  # a +- eps rounds
                        for a, lab in zip(atoms, s, strict=True):
                            out = np.where(z == a, lab, out)
                        return out
                    tried.append(literal_objectives(f, f, atoms, pp, pn, eps, 1.0, grid=401)[1])
                assert v <= min(tried) + 1e-12
                assert v == pytest.approx(min(tried), abs=1e-12)


def test_objective6_two_atoms_by_hand():
    # + atom at 0 (mass 0.6), - atom at 1 (mass 0.4): safe together iff 1 > 2 eps.
    pts, pp, pn = [0.0, 1.0], [0.6, 0.0], [0.0, 0.4]
    bayes = np.array([1.0, -1.0])
    assert RG.robust_objective_01(bayes, pts, pp, pn, 0.4, 1.0) == pytest.approx(0.0)
    assert RG.robust_objective_01(bayes, pts, pp, pn, 0.6, 1.0) == pytest.approx(0.4)  # the lighter one is attacked
    assert RG.robust_objective_01(bayes, pts, pp, pn, 0.6, 0.5) == pytest.approx(0.2)
    # labeling both +: risk 0.4, and 0 can be safe (nothing of the other label within eps of it)
    assert RG.robust_objective_01([1.0, 1.0], pts, pp, pn, 0.6, 1.0) == pytest.approx(0.4)


@budget(20)
@given(seed=st.integers(0, 10**6), e1=st.floats(0, 1.5), e2=st.floats(0, 1.5), lam=st.floats(0, 3))
def test_objectives_01_properties(seed, e1, e2, lam):
    rng = np.random.default_rng(seed)
    pts = rng.uniform(-1, 1, (5, 2))
    mass = rng.dirichlet(np.ones(5))
    eta = rng.uniform(size=5)
    pp, pn = mass * eta, mass * (1 - eta)
    g = RG.bayes_labels(pp, pn)
    labs = RG.all_labelings(5)
    risk = np.where(labs > 0, pn, pp).sum(1)
    lo, hi = sorted((e1, e2))
    for fn in (lambda e: RG.joint_objective_01(labs, pts, pp, pn, g, e, lam),
               lambda e: RG.robust_objective_01(labs, pts, pp, pn, e, lam)):
        a, b = fn(lo), fn(hi)
        assert np.all(a >= risk - 1e-12) and np.all(a <= b + 1e-12)
        assert np.all(b <= risk + lam * (pp + pn).sum() + 1e-12)
    # Theorem 5: every minimizer of (4) is Bayes optimal; g's objective is R*.
    o4 = RG.joint_objective_01(labs, pts, pp, pn, g, hi, lam)
    assert np.all(risk[o4 <= o4.min() + 1e-12] <= np.minimum(pp, pn).sum() + 1e-12)
    assert RG.joint_objective_01(g, pts, pp, pn, g, hi, lam) == pytest.approx(np.minimum(pp, pn).sum())


# ------------------------------------------------------------------------------------------
# uniform squares
# ------------------------------------------------------------------------------------------

def test_uniform_squares_monte_carlo():
    rng = np.random.default_rng(SEED + 8)
    n = 400_000
    y = np.where(rng.random(n) < 0.75, 1.0, -1.0)
    x = np.stack([1.2 * y + rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)], -1)
    for w, b, eps, norm in (([1.0, 0.3], 0.1, 0.5, np.inf), ([0.4, -1.0], -0.2, 0.3, 2.0),
                            ([1.0, 0.0], 0.5, 0.7, np.inf), ([0.0, 1.0], 0.0, 0.2, 1.0)):
        w = np.asarray(w)
        r, gr = RG.uniform_squares_risks(w, b, eps, norm=norm)
        m = y * (x @ w + b)
        for val, hits in ((r, np.count_nonzero(m <= 0)), (gr, np.count_nonzero(m <= eps * np_dual(w, norm)))):
            est = proportion(int(hits), n, CONF)
            assert est.contains(val), (w, b, eps, val, est)


@budget(30)
@given(w=hnp.arrays(np.float64, 2, elements=st.floats(-3, 3)), b=st.floats(-3, 3), e1=eps_st, e2=eps_st,
       scale=st.floats(0.1, 10))
def test_uniform_squares_properties(w, b, e1, e2, scale):
    lo, hi = sorted((e1, e2))
    r, g_lo = RG.uniform_squares_risks(w, b, lo)
    _, g_hi = RG.uniform_squares_risks(w, b, hi)
    assert 0 <= r <= g_lo + 1e-12 <= g_hi + 2e-12 <= 1 + 3e-12
    r2, g2 = RG.uniform_squares_risks(scale * w, scale * b, hi)
    assert r2 == pytest.approx(r, abs=1e-9) and g2 == pytest.approx(g_hi, abs=1e-9)


def test_uniform_squares_bayes_threshold():
    # any threshold in the gap (-0.2, 0.2) is Bayes optimal; the robust risk at eps = 0.3 of x1 = 0 is 0.1 * 0.5
    r, g = RG.uniform_squares_risks([1.0, 0.0], 0.0, 0.3)
    assert r == pytest.approx(0.0, abs=1e-15)
    assert g == pytest.approx(0.75 * 0.1 / 2 + 0.25 * 0.1 / 2)


# ------------------------------------------------------------------------------------------
# wen2020
# ------------------------------------------------------------------------------------------

@budget(40)
@given(scores=hnp.arrays(np.float64, (7, 4), elements=st.integers(-3, 3).map(float)),
       y=hnp.arrays(np.int64, 7, elements=st.integers(0, 3)))
def test_margin_sign_is_correctness(scores, y):
    m = RG.margin(scores, y)
    for k in range(7):
        others = [scores[k, i] for i in range(4) if i != y[k]]
        assert m[k] == scores[k, y[k]] - max(others)
        assert (m[k] > 0) == (int(np.argmax(scores[k])) == y[k] and scores[k, y[k]] > max(others))


@budget(40)
@given(r1=st.floats(-10, 10), r2=st.floats(-10, 10), gamma=st.floats(0.01, 5))
def test_ramp_loss_properties(r1, r2, gamma):
    lo, hi = sorted((r1, r2))
    a, b = RG.ramp_loss([lo, hi], gamma)
    assert 0 <= a <= b <= 1
    # the literal three-piece definition
    for r, v in ((lo, a), (hi, b)):
        ref = 0.0 if r < -gamma else (1.0 + r / gamma if r <= 0 else 1.0)
        assert v == pytest.approx(ref, abs=1e-12)
    assert RG.ramp_loss(-np.inf, gamma) == 0 and RG.ramp_loss(np.inf, gamma) == 1


def test_ramp_risk_between_error_rates():
    rng = np.random.default_rng(SEED + 9)
    scores, y = rng.normal(size=(500, 5)), rng.integers(0, 5, 500)
    for gamma in (0.1, 1.0, 3.0):
        r = RG.ramp_risk(scores, y, gamma)
        err = np.mean(np.argmax(scores, 1) != y)
        m = np.array([scores[k, y[k]] - np.max(np.delete(scores[k], y[k])) for k in range(500)])
        assert err <= r <= np.mean(m <= gamma)
        assert r == pytest.approx(np.mean(np.clip(1 - m / gamma, 0, 1)))
    p = rng.dirichlet(np.ones(500))
    assert RG.ramp_risk(scores, y, 1.0, p) == pytest.approx(p @ np.clip(1 - m / 3.0 * 3.0, 0, 1))


def test_u_min_against_eigenvalues():
    rng = np.random.default_rng(SEED + 10)
    Ws = [rng.normal(size=(4, 6)), rng.normal(size=(5, 4)), rng.normal(size=(3, 5))]
    sig = 1.0
    for W in Ws[:-1]:
        gram = W @ W.T if W.shape[0] <= W.shape[1] else W.T @ W
        sig *= np.sqrt(np.linalg.eigvalsh(gram).min())
    last = Ws[-1]
    diff = min(np.sqrt(np.sum((last[i] - last[j]) ** 2)) for i in range(3) for j in range(3) if i != j)
    assert RG.u_min(Ws, 0.7) == pytest.approx(diff * sig * 0.7, rel=1e-10)
    assert RG.u_min([last], [0.0, 2.0])[1] == pytest.approx(2 * diff)


def test_u_min_counterexample_relu():
    """eq. (5) is not a lower bound for ReLU networks: W^1 = W^2 = I at x = (2, -1)."""
    W = [np.eye(2), np.eye(2)]
    x = np.array([2.0, -1.0])
    scores = np.maximum(W[0] @ x, 0) @ W[1].T
    m = RG.margin(scores, 0)
    # nearest point with a tie or the other class: (0, -1), distance 2 (scan a fine polar grid)
    ang = np.linspace(0, 2 * np.pi, 1440, endpoint=False)
    dirs = np.stack([np.cos(ang), np.sin(ang)], -1)
    t = np.linspace(0.001, 4, 4000)
    pts = x + t[:, None, None] * dirs[None]
    s = np.maximum(pts, 0)
    v = t[np.argmax((s[..., 0] <= s[..., 1]).any(axis=1))]
    assert v == pytest.approx(2.0, abs=2e-3)
    assert m == 2.0 < RG.u_min(W, v)


def test_theorem31_bound_mpmath():
    mpmath.mp.dps = 40
    for u, gamma, m, eta, cx, k, eps in ((0.2, 1.0, 1000, 0.05, 2.0, 3, 0.5), (3.0, 1.0, 10**6, 0.01, 1.0, 1, 0.1)):
        first = max(0, 1 - mpmath.mpf(u) / gamma)
        a = 2 * mpmath.log(2) * mpmath.mpf(cx) ** k / (mpmath.mpf(eps) ** k * m)
        bb = 2 * mpmath.log(1 / mpmath.mpf(eta)) / m
        assert RG.theorem31_bound(u, gamma, m, eta, cx, k, eps) == pytest.approx(
            float(first + mpmath.sqrt(a) + mpmath.sqrt(bb)), rel=1e-13)
        assert RG.theorem31_bound(u, gamma, m, eta, cx, k, eps, split=False) == pytest.approx(
            float(first + mpmath.sqrt(a + bb)), rel=1e-13)


@budget(30)
@given(u1=st.floats(0, 3), u2=st.floats(0, 3), m1=st.integers(1, 10**6), m2=st.integers(1, 10**6))
def test_theorem31_bound_monotone(u1, u2, m1, m2):
    ulo, uhi = sorted((u1, u2))
    mlo, mhi = sorted((m1, m2))
    args = dict(gamma=1.0, failure_prob=0.05, c_x=2.0, k=2, eps=0.5)
    assert RG.theorem31_bound(uhi, m=mlo, **args) <= RG.theorem31_bound(ulo, m=mlo, **args)
    assert RG.theorem31_bound(ulo, m=mhi, **args) <= RG.theorem31_bound(ulo, m=mlo, **args)
    assert RG.theorem31_bound(ulo, m=mlo, split=False, **args) <= RG.theorem31_bound(ulo, m=mlo, **args)


# ------------------------------------------------------------------------------------------
# invalid input
# ------------------------------------------------------------------------------------------

BAD_CALLS = [
    ("eps", lambda v: RG.adversarial_logistic_loss([1, 2], [0, 1], 1, -abs(v) - 1e-3)),
    ("y", lambda v: RG.adversarial_logistic_loss([1, 2], [0, 1], 0.5 + abs(v), 0.1)),
    ("w", lambda v: RG.adversarial_logistic_loss([1, 2, v], [0, 1], 1, 0.1)),
    ("norm", lambda v: RG.adversarial_logistic_loss([1, 2], [0, 1], 1, 0.1, norm=0.5 - abs(v) % 0.4)),
    ("eps", lambda v: RG.base_relative_worst_margin([1, 2], [0, 1], [1, 0], -abs(v) - 1e-3)),
    ("theta", lambda v: RG.base_relative_logistic_excess([1, 2], [0, 1], [1, 0, v], 0.1)),
    ("lam", lambda v: RG.joint_logistic_objective([1, 0], [[0, 1]], [1], [1, 0], 0.1, -abs(v) - 1e-3)),
    ("weights", lambda v: RG.theorem7_upper_bound([1, 0], [[0, 1], [1, 1]], [1, -1], 0.1, 1.0,
                                                   weights=[0.5, -1e-3 - abs(v)])),
    ("weights", lambda v: RG.ramp_risk([[1, 0], [0, 1]], [0, 1], 1.0, weights=[0.0, 0.0])),
    ("p_pos", lambda v: RG.joint_objective_01([1, -1], [0, 1], [-abs(v) - 0.1, 0.5], [0.3, 0.3], [1, -1], 0.1, 1)),
    ("labels", lambda v: RG.robust_objective_01([1, 2 + abs(v)], [0, 1], [0.5, 0], [0, 0.5], 0.1, 1)),
    ("gamma", lambda v: RG.ramp_loss(0.3, -abs(v))),
    ("gamma", lambda v: RG.ramp_risk([[1, 0]], [0], -abs(v))),
    ("y", lambda v: RG.margin([[1.0, 0.0]], [2 + int(abs(v)) % 3])),
    ("v_min", lambda v: RG.u_min([np.eye(2), np.eye(2)], -abs(v) - 1e-3)),
    ("weights[1]", lambda v: RG.u_min([np.eye(2), np.ones((2, 3))], 1.0)),
    ("failure_prob", lambda v: RG.theorem31_bound(0.1, 1.0, 10, 1 + abs(v), 1.0, 1, 0.5)),
    ("m", lambda v: RG.theorem31_bound(0.1, 1.0, 0, 0.5, 1.0, 1, 0.5)),
    ("eps", lambda v: RG.uniform_squares_risks([1, 0], 0, -abs(v) - 1e-3)),
    ("x", lambda v: RG.adversarial_logistic_loss([1, 2], [0, np.nan], 1, 0.1)),
]


@settings(deadline=None, max_examples=30)
@given(case=st.sampled_from(BAD_CALLS), v=st.floats(0, 100))
def test_invalid_inputs_raise(case, v):
    name, call = case
    with pytest.raises(ValueError, match=name.replace("[", r"\[").replace("]", r"\]")):
        call(v)


def test_shape_mismatch_names_parameters():
    with pytest.raises(ValueError, match="w and x"):
        RG.adversarial_logistic_loss([1, 2], [1, 2, 3], 1, 0.1)
    with pytest.raises(ValueError, match="shapes do not broadcast"):
        RG.adversarial_logistic_loss(np.ones((3, 2)), np.ones((4, 2)), 1, 0.1)
    with pytest.raises(ValueError, match="p_pos and p_neg"):
        RG.bayes_labels([0.5, 0.5], [0.0])


def test_weights_are_normalized():
    """The package's one weight rule: weights >= 0, not all zero, normalized (so (2, 2) acts as (1/2, 1/2))."""
    x, y = np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([1.0, -1.0])
    w, theta = np.array([1.0, -0.5]), np.array([1.0, 0.2])
    for fn in (lambda wt: RG.theorem7_upper_bound(w, x, y, 0.1, 1.0, weights=wt),
               lambda wt: RG.joint_logistic_objective(w, x, y, theta, 0.1, 1.0, weights=wt),
               lambda wt: RG.theorem7_first_order(w, x, y, theta, 0.1, 1.0, weights=wt)):
        assert fn([2.0, 2.0]) == pytest.approx(fn([0.5, 0.5]), rel=1e-15)
        assert fn([2.0, 2.0]) == pytest.approx(fn(None), rel=1e-15)
        assert fn([3.0, 1.0]) == pytest.approx(fn([0.75, 0.25]), rel=1e-15)
    scores, labels = np.array([[1.0, 0.0], [0.2, 0.5]]), np.array([0, 0])
    assert RG.ramp_risk(scores, labels, 1.0, [2.0, 2.0]) == pytest.approx(RG.ramp_risk(scores, labels, 1.0))
    # p_pos and p_neg are normalized together: doubling every mass changes nothing
    pts, pp, pn = [0.0, 1.0], np.array([0.6, 0.0]), np.array([0.0, 0.4])
    bayes = np.array([1.0, -1.0])
    assert RG.robust_objective_01(bayes, pts, 2 * pp, 2 * pn, 0.6, 1.0) == pytest.approx(0.4)
    assert RG.joint_objective_01(bayes, pts, 2 * pp, 2 * pn, bayes, 0.6, 1.0) == pytest.approx(
        RG.joint_objective_01(bayes, pts, pp, pn, bayes, 0.6, 1.0))
    with pytest.raises(ValueError, match="not all be zero"):
        RG.robust_objective_01(bayes, pts, [0.0, 0.0], [0.0, 0.0], 0.6, 1.0)


def test_threat_models():
    """eps takes a radius with a keyword-only norm (None: inf) or a ThreatModel."""
    from theory.threat import ThreatModel

    rng = np.random.default_rng(SEED + 11)
    w, x, theta = rng.normal(size=(3, 4))
    y = 1.0
    for tm in (ThreatModel.linf(0.3), ThreatModel.l2(0.3), ThreatModel.l1(0.3)):
        p = tm.norm
        assert RG.adversarial_logistic_loss(w, x, y, tm) == RG.adversarial_logistic_loss(w, x, y, 0.3, norm=p)
        assert RG.base_relative_worst_margin(w, x, theta, tm) == RG.base_relative_worst_margin(w, x, theta, 0.3,
                                                                                              norm=p)
        assert RG.uniform_squares_risks(w[:2], 0.1, tm) == RG.uniform_squares_risks(w[:2], 0.1, 0.3, norm=p)
    assert RG.adversarial_logistic_loss(w, x, y, 0.3) == RG.adversarial_logistic_loss(w, x, y, 0.3, norm=np.inf)
    xs, ys = rng.normal(size=(5, 4)), np.array([1.0, -1.0, 1.0, 1.0, -1.0])
    tm = ThreatModel.l2(0.2)
    assert RG.joint_logistic_objective(w, xs, ys, theta, tm, 1.0) == RG.joint_logistic_objective(
        w, xs, ys, theta, 0.2, 1.0, norm=2)
    assert RG.theorem7_upper_bound(w, xs, ys, tm, 1.0) == RG.theorem7_upper_bound(w, xs, ys, 0.2, 1.0, norm=2)
    with pytest.raises(ValueError, match="contradicts"):
        RG.adversarial_logistic_loss(w, x, y, tm, norm=np.inf)
    with pytest.raises(TypeError):  # norm is keyword-only: the old positional form fails loudly
        RG.adversarial_logistic_loss(w, x, y, 0.3, 2)


def test_claims_have_expected_verdicts():
    from theory.claims import run
    for o in run(["suggala2019.sec7.linear", "suggala2019.thm5.agree", "wen2020.eq5", "wen2020.def3"]):
        assert o.ok, (o.claim.id, o.verdict, o.error)
