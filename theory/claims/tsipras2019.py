"""Claims of tsipras2019 (Robustness may be at odds with accuracy), section 2 and appendices B-C.

Every check compares :mod:`theory.tradeoff` with an independent computation: Monte
Carlo on samples from :class:`theory.tradeoff.TsiprasDistribution` (perturbed by the
exact worst-case l-inf perturbation of a linear classifier), ``scipy.optimize.linprog``,
a ``sympy`` solution of the linear programme of appendix B, ``scipy.integrate.quad``,
and brute-force searches over general weight vectors.
"""

from __future__ import annotations

import numpy as np

from theory.attacks import LinearWorstCase
from theory.claims import FAILS, HOLDS, CheckResult, Run, claim, corrected_check
from theory.distributions import predict
from theory.montecarlo import Estimate, estimate_error, mean, proportion
from theory.threat import ThreatModel
from theory.tradeoff import (
    TsiprasDistribution,
    averaging_weights,
    hinge_expectation,
    linear_accuracy,
    population_hinge_loss,
    population_svm,
    printed_tradeoff_bound,
    robust_accuracy_upper_bound,
    zero_weight_threshold,
)

SRC = "tsipras2019"
P = 0.7
MC = (200_000, 1_000_000)
"""Monte Carlo sample sizes (quick, thorough)."""
BATCH = 50_000
"""Points per Monte Carlo batch (d + 1 up to 101 coordinates each)."""


def _mc_accuracies(dist: TsiprasDistribution, w, eps_list, n: int, rng_of) -> list[Estimate]:
    """Monte Carlo accuracies of sign(w.x) (sign(0) = -1) under the worst l-inf shift, one per radius.

    ``rng_of()`` gives a fresh generator of one stream, so every radius sees the same sample; the
    error rate is measured by :func:`theory.montecarlo.estimate_error` with the exact worst case
    :class:`theory.attacks.LinearWorstCase` (x - eps y sign(w)), and returned as the accuracy
    (the complementary count, with its Clopper-Pearson interval).
    """
    w = np.asarray(w, dtype=float)
    out = []
    for e in eps_list:
        err = estimate_error(dist, lambda x: predict(x @ w), n, rng_of(), attack=LinearWorstCase(w),
                             threat=ThreatModel.linf(e), batch=BATCH)
        out.append(proportion(n - int(round(err.value * n)), n, err.confidence))
    return out


def _mc_hinge(dist: TsiprasDistribution, w, eps: float, n: int, rng) -> Estimate:
    """Monte Carlo adversarial hinge loss E max(0, 1 - y w.x_adv), x_adv the worst l-inf shift (CLT interval).

    A mean, not an error rate, so not :func:`theory.montecarlo.estimate_error`; batched for memory.
    """
    w = np.asarray(w, dtype=float)
    attack, threat = LinearWorstCase(w), ThreatModel.linf(eps)
    vals = []
    for start in range(0, n, BATCH):
        x, y = dist.sample(min(BATCH, n - start), rng)
        vals.append(np.maximum(0.0, 1.0 - y * (attack(x, y, threat) @ w)))
    return mean(np.concatenate(vals))


# ---------------------------------------------------------------------------------------------
# Section 2.1
# ---------------------------------------------------------------------------------------------


@claim(
    "tsipras2019.eq4", domain="given",
    source=f"{SRC} section 2.1, eq. (4) and the display after it",
    statement=("The averaging classifier f_avg(x) = sign(w_unif.x), w_unif = (0, 1/d, ..., 1/d), "
               "has standard accuracy Pr[N(eta, 1/d) > 0] = Phi(eta sqrt(d)), which is > 99% "
               "when eta >= 3/sqrt(d)."),
    samples=MC, settings={"cases": (((25, 3.0),), ((25, 3.0), (100, 3.0), (9, 4.0)))},
)
def _check_eq4(run: Run) -> CheckResult:
    n = run.n
    details, ok = [], True
    first = None
    for i, (d, k) in enumerate(run.cases):
        eta = k / np.sqrt(d)
        value = float(linear_accuracy(averaging_weights(d), 0.0, eta, P))
        (est,) = _mc_accuracies(TsiprasDistribution(d, eta, P), averaging_weights(d), [0.0], n,
                                lambda i=i: run.rng(i))
        ok &= est.contains(value) and value > 0.99 and est.low > 0.99
        details.append(f"d={d}, eta={k}/sqrt(d): exact {value:.6f}, MC {est}")
        first = first or (value, est)
    # the accuracy only grows with eta sqrt(d): the boundary case eta = 3/sqrt(d) is the worst
    grid = np.linspace(3.0, 10.0, 50)
    ok &= bool(np.all(np.diff(linear_accuracy(averaging_weights(4), 0.0, grid / 2.0, P)) >= 0))
    value, est = first
    return CheckResult(
        HOLDS if ok else FAILS, value, est.value, (est.low, est.high),
        "Phi(3) = 0.99865 > 0.99; " + "; ".join(details)
        + f" (n={n} samples from TsiprasDistribution, Clopper-Pearson 99.9%).")


@claim(
    "tsipras2019.sec2.1.favg-adversarial", domain="given",
    source=f"{SRC} section 2.1, the display before Theorem 2.1",
    statement=("Against an l-inf adversary with eps = 2 eta, f_avg has adversarial accuracy "
               "Phi(-eta sqrt(d)) < 1% when eta >= 3/sqrt(d)."),
    samples=MC,
)
def _check_favg_adversarial(run: Run) -> CheckResult:
    n = run.n
    d, eta = 25, 3.0 / 5.0
    w = averaging_weights(d)
    value = float(linear_accuracy(w, 0.0, eta, P, 2.0 * eta))
    (est,) = _mc_accuracies(TsiprasDistribution(d, eta, P), w, [2.0 * eta], n, lambda: run.rng(1))
    ok = est.contains(value) and est.high < 0.01 and value < 0.01
    return CheckResult(
        HOLDS if ok else FAILS, value, est.value, (est.low, est.high),
        f"d={d}, eta=3/sqrt(d), eps=2 eta: exact {value:.3e} (= Phi(-3)), MC {est} with the "
        "worst-case shift x - eps y sign(w). The printed formula 'Pr[N(eta,1) - eps > 0] = "
        "Pr[N(-eta,1) > 0]' is garbled in extraction; the variance is 1/d.")


# ---------------------------------------------------------------------------------------------
# Theorem 2.1
# ---------------------------------------------------------------------------------------------


def _sympy_lp_bound():
    """Solve appendix B's linear programme symbolically: returns (expression for delta <= 1-p, ok).

    Maximise ((1-p) a + p b)/2 on the segment p a + (1-p) b = 2 delta, a, b in [0, 2]: the
    optimum is at a vertex; for delta <= 1 - p the feasible vertices are (0, 2 delta/(1-p))
    and (2 delta/p, 0), and the first wins because p > 1/2. For delta >= 1 - p the vertex
    (a, 2) beats the standard accuracy 1 - delta, so the bound is 1 - delta there.
    """
    import sympy as sp

    a, b, delta, p = sp.symbols("a b delta p", positive=True)
    objective = ((1 - p) * a + p * b) / 2
    constraint = sp.Eq(p * a + (1 - p) * b, 2 * delta)
    b_at_a0 = sp.solve(constraint.subs(a, 0), b)[0]
    a_at_b0 = sp.solve(constraint.subs(b, 0), a)[0]
    v1 = sp.simplify(objective.subs({a: 0, b: b_at_a0}))
    v2 = sp.simplify(objective.subs({a: a_at_b0, b: 0}))
    gap = sp.factor(sp.simplify(v1 - v2))  # delta (2p - 1) / (p (1 - p)) > 0 for p > 1/2
    ok = sp.simplify(gap - delta * (2 * p - 1) / (p * (1 - p))) == 0
    ok &= sp.simplify(v1 - p * delta / (1 - p)) == 0
    # delta >= 1 - p: vertex b = 2; its value minus the standard accuracy is >= 0
    a_at_b2 = sp.solve(constraint.subs(b, 2), a)[0]
    v3 = objective.subs({a: a_at_b2, b: 2})
    ok &= sp.simplify(v3 - (1 - delta) - (delta - 1 + p) / p) == 0
    return sp.lambdify((delta, p), v1, "numpy"), bool(ok)


def _linprog_bound(A: float, p: float) -> float:
    from scipy.optimize import linprog

    delta = 1.0 - A
    res = linprog(c=[-(1 - p) / 2, -p / 2], A_eq=[[p, 1 - p]], b_eq=[2 * delta],
                  bounds=[(0, 2), (0, 2)], method="highs")
    if res.status != 0:
        raise RuntimeError(f"linprog failed: {res.message}")
    return min(-res.fun, A)


@claim(
    "tsipras2019.thm2.1", domain="R^d",
    source=f"{SRC} Theorem 2.1 and appendix B",
    statement=("Any classifier that attains at least 1 - delta standard accuracy on D has "
               "adversarial accuracy at most 7/3 delta against an l-inf adversary with "
               "eps >= 2 eta."),
    samples=(50_000, 400_000), settings={"grid": (21, 41)},
)
def _check_thm21(run: Run) -> CheckResult:
    details, ok = [], True
    # (1) the linear programme of appendix B, numerically (linprog) and symbolically (sympy)
    lp_expr, sym_ok = _sympy_lp_bound()
    ok &= sym_ok
    max_err = 0.0
    for p in (0.55, 0.7, 0.9):
        for A in np.linspace(0.0, 1.0, run.grid):
            bound = float(robust_accuracy_upper_bound(A, p))
            max_err = max(max_err, abs(_linprog_bound(A, p) - bound))
            if 1 - A <= 1 - p:
                max_err = max(max_err, abs(float(lp_expr(1 - A, p)) - bound))
    ok &= max_err < 1e-9
    details.append(f"linprog and sympy agree with min(A, p(1-A)/(1-p)) to {max_err:.1e}")
    # (2) exact accuracies of random linear classifiers at eps >= 2 eta never exceed the bound
    rng = run.rng(1)
    m = run.n
    dims = rng.integers(1, 8, size=m)
    w = rng.standard_normal((m, 8)) * rng.choice([0.1, 1.0, 10.0], size=(m, 1))
    w[np.arange(8)[None, :] > dims[:, None]] = 0.0
    b = rng.standard_normal(m) * rng.choice([0.0, 0.3, 3.0], size=m)
    eta = rng.uniform(0.05, 2.0, m)
    eps = 2.0 * eta * rng.uniform(1.0, 3.0, m)
    std = linear_accuracy(w, b, eta, P)
    rob = linear_accuracy(w, b, eta, P, eps)
    excess = float(np.max(rob - robust_accuracy_upper_bound(std, P)))
    ok &= excess <= 1e-12
    details.append(f"{m} random linear classifiers (d <= 7, with bias, eps in [2 eta, 6 eta]): "
                   f"max(robust - bound(standard)) = {excess:.2e}")
    # (3) the printed 7/3 delta is >= the tight bound for every delta (loose beyond 0.3)
    delta = np.linspace(0.0, 1.0, 1001)
    printed = printed_tradeoff_bound(delta, P)
    tight = robust_accuracy_upper_bound(1.0 - delta, P)
    ok &= bool(np.all(printed >= tight - 1e-15))
    details.append("7/3 delta >= min(1 - delta, 7/3 delta) for every delta in [0, 1]: the printed "
                   "bound holds, and is tight exactly for delta <= 0.3; for delta > 0.3 it exceeds "
                   "the standard accuracy itself, and the tight bound is 1 - delta (general p: "
                   "min(A, p(1-A)/(1-p)))")
    value = float(robust_accuracy_upper_bound(0.99, P))
    return CheckResult(HOLDS if ok else FAILS, value, _linprog_bound(0.99, P), None,
                       "; ".join(details) + ".")


@claim(
    "tsipras2019.thm2.1.tight", domain="given",
    source=f"{SRC} section 2.1, the paragraph after Theorem 2.1",
    statement=("The bound is tight: at delta = 0.3 the classifier sign(x1) has standard and "
               "adversarial accuracy 70% (for 2 eta <= eps < 1)."),
    samples=MC,
)
def _check_thm21_tight(run: Run) -> CheckResult:
    n = run.n
    d, eta = 10, 0.3
    w = np.zeros(d + 1)
    w[0] = 1.0
    eps_list = [0.0, 2 * eta, 0.99]
    exact = [float(linear_accuracy(w, 0.0, eta, P, e)) for e in eps_list]
    ests = _mc_accuracies(TsiprasDistribution(d, eta, P), w, eps_list, n, lambda: run.rng(2))
    bound = float(robust_accuracy_upper_bound(P, P))
    ok = abs(bound - P) < 1e-15 and all(abs(x - P) < 1e-15 for x in exact)
    ok &= all(est.contains(P) for est in ests)
    # and at eps = 1 the adversary reaches x1 = 0 (prediction -1): accuracy p/2; beyond, 0
    ok &= abs(float(linear_accuracy(w, 0.0, eta, P, 1.0)) - P / 2) < 1e-15
    ok &= float(linear_accuracy(w, 0.0, eta, P, 1.5)) == 0.0
    est = ests[-1]
    return CheckResult(
        HOLDS if ok else FAILS, bound, est.value, (est.low, est.high),
        f"bound(0.7) = {bound}; sign(x1) exact accuracy 0.7 at eps in {{0, 2 eta, 0.99}}; MC "
        + ", ".join(f"eps={e:g}: {s}" for e, s in zip(eps_list, ests, strict=True))
        + f" (d={d}, eta={eta}, n={n}). At eps = 1 it drops to p/2 (sign(0) = -1) and to 0 beyond.")


# ---------------------------------------------------------------------------------------------
# Theorem 2.2 and appendix C
# ---------------------------------------------------------------------------------------------


def _best_general_unit_vector(d: int, eta: float, eps: float, rng, n_random: int,
                              n_polish: int):
    """The smallest population hinge loss found over general unit vectors in R^{d+1}.

    Random unit vectors (vectorised exact loss), then Nelder-Mead from the best few.
    It never sees the symmetric parametrisation, so it checks Lemma C.1's reduction.
    """
    from scipy.optimize import minimize

    u = rng.standard_normal((n_random, d + 1))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    losses = population_hinge_loss(u, eta, eps, P)
    best = float(losses.min())

    def f(z):
        return float(population_hinge_loss(z / np.linalg.norm(z), eta, eps, P))

    for i in np.argsort(losses)[:n_polish]:
        res = minimize(f, u[i], method="Nelder-Mead",
                       options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 4000})
        best = min(best, float(res.fun))
    return best


@claim(
    "tsipras2019.lemmaC2", domain="linear",
    source=f"{SRC} appendix C, Lemma C.2 and its proof",
    statement=("At eta = 4/sqrt(d) the unit-norm population SVM has v* >= 1/sqrt(2); in the proof "
               "0.3 E max(0, 1 + 1/sqrt2 - N(4/sqrt2, 1/2)) > 0.005 and E max(0, 1 - N(4, 1)) "
               "< 0.0004."),
    exact=True,
)
def _check_lemmaC2(run: Run) -> CheckResult:
    from scipy import integrate, stats

    def hinge_quad(mu, sd):  # E max(0, 1 - N(mu, sd^2)) by quadrature
        val, _ = integrate.quad(lambda t: (1 - t) * stats.norm.pdf(t, mu, sd), -np.inf, 1.0,
                                epsabs=1e-14, epsrel=1e-12)
        return val

    r2 = np.sqrt(2.0)
    first = 0.3 * hinge_quad(4 / r2 - 1 / r2, 1 / r2)
    second = hinge_quad(4.0, 1.0)
    vs = [population_svm(d, 4 / np.sqrt(d)).v for d in (10, 100, 1000)]
    ok = first > 0.005 and second < 0.0004 and min(vs) >= 1 / r2
    closed = float(hinge_expectation(-3.0, 1.0))
    ok &= abs(closed - second) < 1e-12
    return CheckResult(
        HOLDS if ok else FAILS, closed, second, None,
        f"quadrature: 0.3 E max(0, 1 + 1/sqrt2 - N(4/sqrt2, 1/2)) = {first:.6f} (> 0.005, "
        f"narrowly), E max(0, 1 - N(4,1)) = {second:.6f} (< 0.0004); v* = {vs[0]:.6f} for d in "
        "{10, 100, 1000} (the standard SVM depends on eta sqrt(d) only), >= 1/sqrt2.")


@claim(
    "tsipras2019.thm2.2.standard", domain="linear",
    source=f"{SRC} Theorem 2.2 (first half) and appendix C, Lemmas C.1-C.4",
    statement=("For eta >= 4/sqrt(d), the unit-norm soft-margin SVM minimising the population "
               "hinge loss has standard accuracy > 99% and adversarial accuracy < 1% against an "
               "l-inf adversary with eps >= 2 eta."),
    samples=MC,
    settings={"multiples": ((1.0, 3.0), (1.0, 1.5, 3.0, 10.0)), "directions": (50_000, 400_000),
              "polish": (2, 6)},
)
def _check_thm22_standard(run: Run) -> CheckResult:
    details, ok = [], True
    # closed form over d and eta >= 4/sqrt(d), adversary at 2 eta and beyond
    rows = []
    for d in (10, 100, 1000):
        for k in run.multiples:
            eta = 4.0 * k / np.sqrt(d)
            svm = population_svm(d, eta)
            advs = [float(linear_accuracy(svm.w, 0.0, eta, P, f * eta)) for f in (2.0, 3.0)]
            ok &= svm.standard_accuracy > 0.99 and max(advs) < 0.01 and svm.support == d
            if k == 1.0:
                rows.append(f"d={d}: std {svm.standard_accuracy:.6f}, adv(2 eta) {advs[0]:.2e}")
    details.append("eta = 4/sqrt(d): " + "; ".join(rows))
    # Monte Carlo at d = 100
    n = run.n
    d = 100
    eta = 4.0 / np.sqrt(d)
    svm = population_svm(d, eta)
    std, adv = _mc_accuracies(TsiprasDistribution(d, eta, P), svm.w, [0.0, 2 * eta], n, lambda: run.rng(3))
    ok &= std.contains(svm.standard_accuracy) and adv.contains(svm.adversarial_accuracy)
    ok &= std.low > 0.99 and adv.high < 0.01
    details.append(f"MC d={d}, n={n}: std {std}, adv(2 eta) {adv}")
    # Lemma C.1's reduction: general unit vectors (d = 3) do not beat the symmetric optimum
    d3, eta3 = 3, 4.0 / np.sqrt(3)
    red = population_svm(d3, eta3).loss
    gen = _best_general_unit_vector(d3, eta3, 0.0, run.rng(4), n_random=run.directions, n_polish=run.polish)
    ok &= gen >= red - 1e-10
    details.append(f"d=3: symmetric optimum loss {red:.12g}, best general unit vector {gen:.12g}")
    details.append(f"w1 = {svm.w1:.6f}, v = {svm.v:.6f}")
    return CheckResult(HOLDS if ok else FAILS, svm.standard_accuracy, std.value,
                       (std.low, std.high), "; ".join(details) + ".")


@claim(
    "tsipras2019.thm2.2.adversarial", domain="linear",
    source=f"{SRC} Theorem 2.2 (second half) and appendix C, Lemma C.5",
    statement=("For eta >= 4/sqrt(d), minimising the distributional adversarial hinge loss "
               "(eps >= 2 eta) over unit-norm linear classifiers gives a classifier with standard "
               "and adversarial accuracy 70% against any eps < 1."),
    expected=FAILS,
    corrected=("For 4/sqrt(d) <= eta <= 2p - 1 (= 0.4, so d >= 100) and every training eps in "
               "[eta, 1), the unit-norm adversarial population SVM is exactly w = e1 = sign(x1), "
               "with standard and adversarial accuracy p = 70% for every eps < 1. For eta > 2p - 1 "
               "it can put all its weight on one non-robust coordinate instead: at d = 80, "
               "eta = 4/sqrt(80) = 0.447, eps = 2 eta it is w = e2, with accuracies "
               "Phi(0.447) = 67.3% and Phi(-0.447) = 32.7%."),
    samples=MC, settings={"training_radii": (3, 6)},
)
def _check_thm22_adversarial(run: Run) -> CheckResult:
    # counterexample: d = 80, eta = 4/sqrt(80), training eps = 2 eta < 1
    d = 80
    eta = 4.0 / np.sqrt(d)
    eps = 2.0 * eta
    svm = population_svm(d, eta, eps)
    e2 = np.zeros(d + 1)
    e2[1] = 1.0
    n = run.n
    dist = TsiprasDistribution(d, eta, P)
    # loss of e1 by enumerating x1 = +-y: max(0, 1 - 1 + eps) w.p. p, max(0, 1 + 1 + eps) else
    loss_e1 = P * max(0.0, eps) + (1 - P) * (2.0 + eps)
    l2 = _mc_hinge(dist, e2, eps, n, run.rng(1))
    std, adv = _mc_accuracies(dist, svm.w, [0.0, eps], n, lambda: run.rng(2))
    counterexample = (
        svm.support == 1 and abs(svm.v - 1.0) < 1e-12 and l2.high < loss_e1
        and svm.loss < loss_e1 and l2.contains(svm.loss)
        and std.contains(svm.standard_accuracy) and adv.contains(svm.adversarial_accuracy)
        and adv.high < 0.5 and std.high < P)
    return CheckResult(
        FAILS if counterexample else HOLDS, svm.adversarial_accuracy, adv.value, (adv.low, adv.high),
        f"d={d}, eta=4/sqrt(d)={eta:.4f}, training eps=2 eta={eps:.4f}: the unit-norm minimiser is "
        f"w = e2 (support {svm.support}, loss {svm.loss:.6f}, MC {l2}) while loss(e1) = 0.6 + eps "
        f"= {loss_e1:.6f}; accuracies exact {svm.standard_accuracy:.4f} / "
        f"{svm.adversarial_accuracy:.4f}, MC {std} / {adv}.")


@corrected_check("tsipras2019.thm2.2.adversarial")
def _check_thm22_adversarial_corrected(run: Run) -> CheckResult:
    # eta <= 2p - 1 and eps in [eta, 1) give exactly e1, with 70% / 70%
    good, bad = True, []
    for dd in (100, 1000):
        for et in (4.0 / np.sqrt(dd), 0.4):
            for ep in np.linspace(et, 0.999, run.training_radii):
                s = population_svm(dd, et, ep)
                ok = s.support == 0 and s.w1 == 1.0
                ok &= all(abs(float(linear_accuracy(s.w, 0.0, et, P, ev)) - P) < 1e-15 for ev in (0.0, ep, 0.999))
                good &= ok
                if not ok:
                    bad.append((dd, float(et), float(ep)))
    return CheckResult(
        HOLDS if good else FAILS, None, None, None,
        f"corrected statement {'verified' if good else 'FAILED'} for d in {{100, 1000}}, eta in {{4/sqrt(d), "
        f"0.4}}, {run.training_radii} training eps in [eta, 0.999]: w = e1 exactly, 70%/70% at eval eps in "
        "{0, eps, 0.999}" + (f" (exceptions (d, eta, eps): {bad})" if bad else "") + ". Proof: E max(0, c - sd Z)"
        " >= c gives loss(w) >= 1 - (2p-1) w1 - eta S + eps ||w||_1, and with S <= ||w_{2..}||_1 and "
        "||w_{2..}||_1 >= sqrt(1 - w1^2) >= 1 - |w1| this is >= 1 + eps - (2p-1) = loss(e1) whenever "
        "eta <= 2p - 1 and eps >= eta, strictly unless w = e1.")


@claim(
    "tsipras2019.lemmaC5", domain="linear",
    source=f"{SRC} appendix C, Lemma C.5 and its proof",
    statement=("Minimising the adversarial variant of loss (5), E max(0, 1 - y w.x + eps ||w||_1) "
               "+ lambda/2 ||w||^2 with eps >= 2 eta, gives a classifier with zero weight on "
               "x2, ..., x_{d+1}."),
    samples=(40_000, 200_000), settings={"scan": (12, 48)},
)
def _check_lemmaC5(run: Run) -> CheckResult:
    # The proof's key step, corrected: for eps >= eta, zeroing a coordinate i >= 2 never
    # increases the (exact) population adversarial hinge loss; for eps < eta it can.
    rng = run.rng(1)
    m = run.n
    d = 4
    w = rng.standard_normal((m, d + 1)) * rng.choice([0.1, 1.0, 5.0], size=(m, 1))
    eta = rng.uniform(0.05, 2.0, size=m)
    i = rng.integers(1, d + 1, size=m)
    w0 = w.copy()
    w0[np.arange(m), i] = 0.0
    worst = {}
    for f in (2.0, 1.0, 0.5):
        eps = f * eta
        increase = population_hinge_loss(w0, eta, eps, P) - population_hinge_loss(w, eta, eps, P)
        worst[f] = float(np.max(increase))
    ok = worst[2.0] <= 1e-12 and worst[1.0] <= 1e-12 and worst[0.5] > 1e-3
    # the unit-norm problem: the zero-weight threshold equals eta when eta <= 2p - 1
    dd = 1000
    et = 4.0 / np.sqrt(dd)
    thr = zero_weight_threshold(dd, et, P, n_scan=run.scan, xtol=1e-9)
    ok &= abs(thr / et - 1.0) < 1e-6
    return CheckResult(
        HOLDS if ok else FAILS, et, thr, None,
        "Holds, with a sign slip in the proof: the terms of w_i (w_i > 0) in 1 - y w.x + "
        "eps ||w||_1 are w_i (eps - y x_i) ~ N(w_i (eps - eta), w_i^2), mean w_i (eps - eta), "
        "not '2 eta - eps <= 0'; a non-positive mean would not let the proof conclude. Since "
        "max(0, .) is convex and increasing and the term is independent of the rest, a "
        "non-negative mean (eps >= eta) suffices: zeroing w_i cannot increase the margin term "
        f"and strictly lowers lambda/2 ||w||^2. Exact losses of {m} random w (d=4): largest "
        f"increase from zeroing one w_i is {worst[2.0]:.1e} at eps = 2 eta, {worst[1.0]:.1e} at "
        f"eps = eta, but {worst[0.5]:.3f} at eps = eta/2. Unit-norm SVM at d={dd}, eta=4/sqrt(d): "
        f"zero weights exactly for training eps >= {thr:.9f} (= eta; eta <= 2p - 1). For eps >= "
        "max(2p - 1, eta) the lambda-regularised minimiser is w = 0 itself (see "
        "tsipras2019.appC.unit-norm).")


@claim(
    "tsipras2019.appC.unit-norm", domain="linear",
    source=f"{SRC} appendix C, the sentence after eq. (5)",
    statement=("lambda in eq. (5) can be tuned so that the optimal w* has l2 norm 1, without much "
               "loss of generality (used for the adversarial variant in Lemma C.5)."),
    expected=FAILS,
    corrected=("For the adversarial variant with eps > 2p - 1 and eps >= eta the minimiser of eq. (5) "
               "is w = 0 alone for every lambda >= 0 (a constant classifier, 50% accuracy), so no lambda "
               "gives ||w*|| = 1; at eps = 2p - 1 (still >= eta) w = 0 is the only minimiser for every "
               "lambda > 0, but with lambda = 0 the hinge term is flat along e1 and the unit vector e1 is "
               "among the minimisers. At p = 0.7, eta = 4/sqrt(d), eps = 2 eta this is every "
               "64 < d < 400 among those with eps < 1 (and every lambda > 0 at d = 400, where "
               "eps = 0.4 = 2p - 1). Theorem 2.2 must be read with the norm "
               "constraint ||w||_2 = 1 imposed directly (theory.tradeoff.population_svm); for "
               "standard training (eps = 0) a lambda > 0 does exist."),
    samples=(20_000, 200_000),
)
def _check_unit_norm(run: Run) -> CheckResult:
    # d = 100, eta = 0.4, eps = 2 eta = 0.8 (< 1, inside Theorem 2.2's range).
    d, eta = 100, 0.4
    eps = 2 * eta
    h0 = float(population_hinge_loss(np.zeros(d + 1), eta, eps, P))
    rng = run.rng(1)
    m = run.n
    dirs = rng.standard_normal((m, d + 1))
    sparse = rng.random(m) < 0.5  # half of them supported on x1 and one or two other coordinates
    dirs[sparse, 3:] = 0.0
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    radii = rng.choice([1e-3, 0.1, 1.0, 5.0], size=(m, 1))
    best_random = float(population_hinge_loss(dirs * radii, eta, eps, P).min())
    # the directional derivative at 0: eps ||u||_1 - E[y u.x] = eps||u||_1 - (2p-1) u1 - eta S
    slope = (eps * np.abs(dirs).sum(axis=1) - (2 * P - 1) * dirs[:, 0]
             - eta * dirs[:, 1:].sum(axis=1))
    # ... >= (eps - (2p-1)) |u1| + (eps - eta) ||u_{2..}||_1 >= floor ||u||_1 >= floor for unit u; the
    # infimum is attained at u = e1, where loss(t e1) = 1 + (eps - (2p-1)) t for 0 <= t <= 1/(1 - eps)
    floor = min(eps - (2 * P - 1), eps - eta)
    e1 = np.zeros(d + 1)
    e1[0] = 1.0
    slope_e1 = eps * 1.0 - (2 * P - 1) * 1.0  # the formula at u = e1
    slope_e1_loss = float(population_hinge_loss(e1, eta, eps, P)) - h0  # (loss(t e1) - loss(0)) / t at t = 1
    ok = abs(h0 - 1.0) < 1e-15 and best_random >= h0 - 1e-12 and slope.min() >= 0
    ok &= floor > 0 and slope.min() >= floor - 1e-12 and abs(slope_e1 - floor) < 1e-12
    ok &= abs(slope_e1_loss - slope_e1) < 1e-12
    return CheckResult(
        FAILS if ok else HOLDS, h0, best_random, None,
        f"d={d}, eta={eta}, eps={eps}: hinge loss at w = 0 is {h0}; the smallest loss over {m} "
        f"random w (radii 1e-3..5) is {best_random:.6f} >= 1. The directional derivative at 0 along a unit u, "
        f"eps ||u||_1 - (2p-1) u1 - eta S(u), is >= (eps - (2p-1)) |u1| + (eps - eta) ||u_2..||_1 = "
        f"{floor:.4g} ||u||_1 >= {floor:.4g}; the infimum {floor:.4g} is attained at u = e1 (exactly: "
        f"loss(t e1) = 1 + {slope_e1_loss:.4g} t for 0 <= t <= 1/(1 - eps), and at every e_i), while the sampled "
        f"directions give at least {slope.min():.4f}. So w = 0 minimises the (convex) hinge term and "
        f"with it eq. (5) for every lambda >= 0.")


@corrected_check("tsipras2019.appC.unit-norm")
def _check_unit_norm_corrected(run: Run) -> CheckResult:
    res = []
    # the range of d at eta = 4/sqrt(d), eps = 2 eta: eps < 1 iff d > 64, eps > 2p - 1 iff d < 400
    inside = [d for d in range(1, 2000) if 8 / np.sqrt(d) < 1 and 8 / np.sqrt(d) > 2 * P - 1 + 1e-12]
    ok_range = inside == list(range(65, 400))
    res.append(CheckResult(HOLDS if ok_range else FAILS, detail=f"d range {inside[:1]}..{inside[-1:]}"))
    # inside it (d = 65, 100, 256, 399): the derivative along every e_i is positive, min(eps - (2p-1), eps - eta)
    slopes = []
    for d in (65, 100, 256, 399):
        eta = 4 / np.sqrt(d)
        eps = 2 * eta
        h0 = float(population_hinge_loss(np.zeros(d + 1), eta, eps, P))
        basis = np.eye(d + 1)[:2] * 1e-3  # t e1, t e2 at t = 1e-3
        slope = (population_hinge_loss(basis, eta, eps, P) - h0) / 1e-3
        slopes.append(float(slope.min()))
        floor = min(eps - (2 * P - 1), eps - eta)
        ok = abs(h0 - 1.0) < 1e-15 and floor > 0 and float(slope.min()) >= floor - 1e-9
        res.append(CheckResult(HOLDS if ok else FAILS, detail=f"d={d}: slopes {slope}, floor {floor:.4g}"))
    # d = 400: eps = 0.4 = 2p - 1: flat along e1 (e1 is a minimiser at lambda = 0), w = 0 the only one for lambda > 0
    d = 400
    eta, eps = 4 / np.sqrt(d), 2 * (4 / np.sqrt(d))
    e1 = np.zeros(d + 1)
    e1[0] = 1.0
    flat = population_hinge_loss(np.outer([0.5, 1.0, 1 / (2 - 2 * P)], e1), eta, eps, P)
    res.append(CheckResult(HOLDS if np.all(np.abs(flat - 1.0) < 1e-12) else FAILS,
                           detail=f"d=400: loss(t e1) = {flat}"))
    # contrast: standard training admits lambda > 0 (the loss decreases along the optimum's ray)
    d, eta = 100, 0.4
    svm = population_svm(d, eta)
    ray = population_hinge_loss(np.outer([0.999, 1.001], svm.w), eta, 0.0, P)
    lam = float((ray[0] - ray[1]) / 0.002)
    res.append(CheckResult(HOLDS if lam > 0 else FAILS, lam, detail=f"standard training lambda {lam:.2e}"))
    bad = [r for r in res if r.verdict != HOLDS]
    return CheckResult(
        FAILS if bad else HOLDS, lam, min(slopes), None,
        f"eps = 8/sqrt(d) lies in (2p - 1, 1) exactly for 64 < d < 400; at d in (65, 100, 256, 399) the loss "
        f"is 1 at w = 0 and rises along e1 and e2 (smallest slope {min(slopes):.4g} >= min(eps - (2p-1), "
        f"eps - eta) > 0); at d = 400 it is flat along e1 up to t = 1/(2 - 2p) (loss(t e1) = 1: e1 is among the "
        f"minimisers at lambda = 0). Standard training: the loss falls along the optimum's ray (slope "
        f"{-lam:.2e}), so lambda = {lam:.2e} gives the unit-norm w*." + "".join(f" [{r.detail}]" for r in bad))
