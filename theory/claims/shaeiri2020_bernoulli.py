"""Claims of shaeiri2020 section 5.4 (the multi-dimensional Bernoulli model), appendix A.

Independent checks of :mod:`theory.bernoulli`: exhaustive enumeration of every classifier
{-1, 1}^d -> {-1, 1} for d <= 4 (all 2^(2^d) labellings, exact integer arithmetic at rational t),
enumeration of every classifier that depends on j = ||x' - theta'^(1)||_0 only (Assumption 1)
for k <= 10, Monte Carlo on samples of :class:`theory.bernoulli.BernoulliModel` with an explicit
worst-case adversary, and 50-digit mpmath sums of the printed formulas.
"""

from __future__ import annotations

import functools
import itertools
from fractions import Fraction
from math import comb

import mpmath as mp
import numpy as np

from theory import bernoulli as B
from theory.attacks import BernoulliL0, bernoulli_linf
from theory.claims import FAILS, HOLDS, CheckResult, Run, claim, combine, corrected_check, from_estimate
from theory.montecarlo import estimate_error, proportion
from theory.reference import mp_binomial_upper_tail as mp_tail
from theory.threat import ThreatModel

SRC = "shaeiri2020"


# ---------------------------------------------------------------------------------------------
# independent computations
# ---------------------------------------------------------------------------------------------


@functools.cache
def _cube_enumeration(d: int, k: int, eps: int, a: int, b: int):
    """Exact robust errors of all 2^(2^d) labellings at t = a/b, as integers over 2 (2b)^d.

    Returns (numerators of every labelling, denominator, numerator of every threshold
    classifier h_s, s = -1..k). Written independently of theory.bernoulli (integer weights,
    explicit bit masks).
    """
    pts = np.array(list(itertools.product([1, -1], repeat=d)))
    n = len(pts)
    dist = (pts[:, None, :] != pts[None, :, :]).sum(-1)
    masks = np.array([sum(1 << j for j in range(n) if dist[i, j] <= eps) for i in range(n)], dtype=np.int64)
    dis_pos = (pts != 1).sum(1)
    theta_neg = np.ones(d, dtype=int)
    theta_neg[:k] = -1
    dis_neg = (pts != theta_neg).sum(1)
    w_pos = np.array([(b + 2 * a) ** (d - m) * (b - 2 * a) ** m for m in dis_pos], dtype=np.int64)
    w_neg = np.array([(b + 2 * a) ** (d - m) * (b - 2 * a) ** m for m in dis_neg], dtype=np.int64)
    labels = np.arange(2**n, dtype=np.int64)
    full = (1 << n) - 1
    err_pos = (masks[None, :] & (~labels[:, None] & full)) != 0
    err_neg = (masks[None, :] & labels[:, None]) != 0
    num = err_pos.astype(np.int64) @ w_pos + err_neg.astype(np.int64) @ w_neg
    j = (pts[:, :k] != 1).sum(1)  # distance to theta^(1) on the effective coordinates
    thr = []
    for s in range(-1, k + 1):
        lab = int(sum(1 << i for i in range(n) if j[i] <= s))
        thr.append(int(num[lab]))
    num.setflags(write=False)
    return num, 2 * (2 * b) ** d, tuple(thr)


def _printed_eq12(k: int, eps: int, s: int, t: Fraction) -> Fraction:
    """Eq. (12) exactly as printed, in rational arithmetic."""
    q, p = Fraction(1, 2) + t, Fraction(1, 2) - t

    def head(u):
        return sum((comb(k, i) * q**i * p ** (k - i) for i in range(0, min(u, k) + 1)), Fraction(0))

    return (head(s + eps) + head(k - s + eps - 1)) / 2


def _symmetric_optimum(k: int, t: float, eps: int) -> tuple[float, float]:
    """Best robust error over all 2^(k+1) classifiers g(j), and over thresholds, in mpmath.

    A point with j = ||x' - theta'^(1)||_0 can be moved to any j' with |j' - j| <= eps in
    [0, k]; y = +1 has j ~ Bin(k, 1/2 - t), y = -1 has j ~ Bin(k, 1/2 + t).
    """
    with mp.workdps(30):
        p, q = mp.mpf(1) / 2 - mp.mpf(t), mp.mpf(1) / 2 + mp.mpf(t)
        f_pos = [mp.binomial(k, j) * p**j * q ** (k - j) / 2 for j in range(k + 1)]
        f_neg = [mp.binomial(k, j) * q**j * p ** (k - j) / 2 for j in range(k + 1)]
    labels = np.array(list(itertools.product([1, -1], repeat=k + 1)))  # labels[:, j] = g(j)
    fp = np.array([float(v) for v in f_pos])
    fn = np.array([float(v) for v in f_neg])
    err = np.zeros(len(labels))
    for j in range(k + 1):
        win = labels[:, max(0, j - eps):min(k, j + eps) + 1]
        err += fp[j] * (win == -1).any(1) + fn[j] * (win == 1).any(1)
    is_thr = np.array([all(lab[j] == (1 if j <= s else -1) for j in range(k + 1))
                       for lab in labels for s in [int(np.sum(lab == 1)) - 1]])
    return float(err.min()), float(err[is_thr].min())


def _mc_robust_l0(model: B.BernoulliModel, s: int, eps: int, n: int, rng):
    """Monte Carlo robust error of h_s under the explicit l0 attack."""
    return estimate_error(model, lambda x: model.threshold_classifier(x, s), n, rng,
                          attack=BernoulliL0(model), threat=ThreatModel.l0(eps))


# ---------------------------------------------------------------------------------------------
# Theorem 3
# ---------------------------------------------------------------------------------------------


@claim(
    "shaeiri2020.thm3", domain="R^d",
    source=f"{SRC} Theorem 3 (section 5.4, eqs. 8-10; appendix A eqs. 35-37)",
    statement=("The Bayes classifier of Bernoulli(theta^(1), theta^(-1), t) is +1 iff "
               "||x - theta^(1)||_0 <= ||x - theta^(-1)||_0, with error sum_{i<=k/2} C(k,i) "
               "(1/2+t)^i (1/2-t)^(k-i) minus half the middle term when k is even."),
    samples=(200_000, 2_000_000),
    settings={"ks": ((1, 2, 7, 40, 41, 1000, 100_001), (1, 2, 7, 40, 41, 1000, 100_001, 10**6, 10**6 + 1))},
)
@mp.workdps(50)
def _check_thm3(run: Run) -> CheckResult:
    results = []
    # (a) exhaustive: eps = 0 enumeration over every classifier of the cube, d <= 4
    worst = 0.0
    for d in range(1, 5):
        for k in range(1, d + 1):
            for a, b in ((1, 20), (1, 4), (9, 20)):
                num, den, _ = _cube_enumeration(d, k, 0, a, b)
                best = Fraction(int(num.min()), den)
                worst = max(worst, abs(float(best) - float(B.bayes_error(k, a / b))))
    results.append(CheckResult(HOLDS if worst < 1e-14 else FAILS, detail=(
        f"enumeration over all labellings (d <= 4, eps = 0): largest gap to bayes_error {worst:.1e}")))
    # (b) the printed sums (36), (37) at 50 digits, against the package, k up to 10^5
    ks = list(run.ks)
    rel = 0.0
    for k, t in zip(ks, itertools.cycle([0.05, 0.2, 0.37])):
        # sum_{i <= k/2} C(k, i) (1/2+t)^i (1/2-t)^(k-i) = P(Bin(k, 1/2 - t) >= k - floor(k/2))
        exact = mp_tail(k - k // 2, k, t)
        if k % 2 == 0:
            exact -= mp.binomial(k, k // 2) * (mp.mpf(1) / 4 - mp.mpf(t) ** 2) ** (k // 2) / 2
        if exact > mp.mpf(10) ** -300:
            rel = max(rel, float(abs(B.bayes_error(k, t) - exact) / exact))
        else:
            rel = max(rel, float(abs(B.log_bayes_error(k, t) - mp.log(exact)) / abs(mp.log(exact))))
    results.append(CheckResult(HOLDS if rel < 1e-12 else FAILS, detail=(
        f"eqs. (36)/(37) summed in mpmath (50 digits) for k in {ks}: largest relative error {rel:.1e}")))
    # (c) Monte Carlo with the stated classifier
    model = B.BernoulliModel([1, 1, 1, 1, 1, 1, 1, -1, 1], [-1, -1, -1, -1, -1, -1, 1, -1, 1], 0.15)
    n = run.n
    est = estimate_error(model, model.bayes_classifier, n, run.rng(3))
    value = float(B.bayes_error(model.effective_dimension, model.t))
    results.append(from_estimate(value, est, f"Monte Carlo, d=9, k=6, t=0.15, n={n}"))
    return combine(results, value, est.value, (est.low, est.high),
                   f"Enumeration gap {worst:.1e}; mpmath relative error {rel:.1e}; "
                   f"Monte Carlo {est} vs {value:.6g}.")


# ---------------------------------------------------------------------------------------------
# Theorem 4
# ---------------------------------------------------------------------------------------------

_TS = ((1, 20), (1, 8), (1, 4), (3, 8), (9, 20))


@claim(
    "shaeiri2020.thm4.1", domain="R^d",
    source=f"{SRC} Theorem 4 part 1 (section 5.4 eq. 11; appendix A eq. 49 and proof)",
    statement=("Under Assumption 1, an optimal l0-robust classifier (adversary changes <= eps "
               "coordinates) is a threshold h_s(x) = +1 iff ||x' - theta'^(1)||_0 <= s, s in {0..k}."),
    settings={"kmax": (7, 10)},
)
def _check_thm4_1(run: Run) -> CheckResult:
    # Under Assumption 1: all classifiers of j, k <= 7 (10 thorough)
    kmax = run.kmax
    gap_sym = 0.0
    n_sym = 0
    for k in range(1, kmax + 1):
        for eps in range(0, k + 1):
            for t in (0.05, 0.2, 0.35):
                best_all, best_thr = _symmetric_optimum(k, t, eps)
                gap_sym = max(gap_sym, best_thr - best_all)
                n_sym += 1
    # Without Assumption 1: every classifier of the cube, d <= 4
    gap_cube = 0
    n_cube = 0
    for d in range(1, 5):
        for k in range(1, d + 1):
            for eps in range(0, d + 1):
                for a, b in _TS:
                    num, den, thr = _cube_enumeration(d, k, eps, a, b)
                    # thresholds s in {0..k} (s = k is the constant +1)
                    gap_cube = max(gap_cube, min(thr[1:]) - int(num.min()))
                    n_cube += 1
    ok = gap_sym <= 1e-15 and gap_cube == 0
    return CheckResult(
        HOLDS if ok else FAILS, float(gap_cube), float(gap_sym), None,
        f"Best threshold minus best classifier: {gap_sym:.1e} over all 2^(k+1) classifiers of j "
        f"(Assumption 1; k <= {kmax}, every eps <= k, t in 0.05/0.2/0.35; {n_sym} cases) and exactly "
        f"{gap_cube} over all 2^(2^d) classifiers of the cube without Assumption 1 (d <= 4, "
        f"k <= d, eps <= d, t in 1/20..9/20; {n_cube} cases, integer arithmetic). The optimum is "
        "a threshold even without the assumption here; the threshold may be s = k (constant +1).")


@functools.cache
def _printed_min(k: int, eps: int, t: Fraction) -> Fraction:
    return min(_printed_eq12(k, eps, s, t) for s in range(k + 1))


@claim(
    "shaeiri2020.thm4.2", domain="R^d",
    source=f"{SRC} Theorem 4 part 2 (section 5.4 eq. 12; appendix A eqs. 50-51)",
    statement=("The optimal l0-robust error is min over s in {0..k} of (1/2) sum_{i<=s+eps} C(k,i) "
               "(1/2+t)^i (1/2-t)^(k-i) + (1/2) sum_{i<=k-s+eps-1} C(k,i) (1/2+t)^i (1/2-t)^(k-i)."),
    expected=FAILS,
    corrected=("Eq. (12) is the robust error of h_s only for 0 <= s <= k-1; h_k (constant +1) has "
               "error 1/2, not 1/2 + P(Bin(k,1/2+t) <= eps-1)/2. The optimum is "
               "min(1/2, min_{0<=s<=k-1} eq.(12)) = min(1/2, R(0), R(floor((k-1)/2)))."),
    exact=True,
)
def _check_thm4_2(run: Run) -> CheckResult:
    cases = _thm4_2_cases()
    bad = [c for c in cases if c[4] != c[5]]
    if not bad:
        return CheckResult(HOLDS, None, None, None, f"Printed formula matched all {len(cases)} cases.")
    d, k, eps, t, printed, truth = min(bad, key=lambda r: (r[0], r[1], r[2], abs(r[3] - Fraction(1, 4))))
    return CheckResult(FAILS, float(printed), float(truth), None,
                       f"{len(bad)} of {len(cases)} cases (d <= 4) where the printed min over s of eq. (12) "
                       f"differs from the optimum over all labellings; smallest: d={d}, k={k}, eps={eps}, t={t}: "
                       f"printed {float(printed):.6g}, optimum {float(truth):.6g} (the constant classifier).")


@corrected_check("shaeiri2020.thm4.2")
def _check_thm4_2_corrected(run: Run) -> CheckResult:
    cases = _thm4_2_cases()
    gap, worst = 0.0, None
    for d, k, eps, t, _printed, truth in cases:
        corr, _s = B.optimal_robust_error(k, float(t), eps, norm=0)
        if abs(float(corr) - float(truth)) >= gap:
            gap, worst = abs(float(corr) - float(truth)), (d, k, eps, t)
    return CheckResult(HOLDS if gap < 1e-14 else FAILS, gap, None, None,
                       f"The corrected optimum min(1/2, R(0), R(floor((k-1)/2))) (optimal_robust_error_l0) "
                       f"matches the optimum over all labellings in all {len(cases)} cases (d <= 4, k <= d, "
                       f"eps <= d, t in 1/20..9/20, integer arithmetic) to {gap:.1e}"
                       + ("." if gap < 1e-14 else f"; worst at (d, k, eps, t) = {worst}."))


@functools.cache
def _thm4_2_cases() -> tuple:
    """(d, k, eps, t, printed min over s of eq. (12), optimum over all labellings) for d <= 4, exactly."""
    out = []
    for d in range(1, 5):
        for k in range(1, d + 1):
            for eps in range(0, d + 1):
                for a, b in _TS:
                    t = Fraction(a, b)
                    num, den, _ = _cube_enumeration(d, k, eps, a, b)
                    out.append((d, k, eps, t, _printed_min(k, eps, t), Fraction(int(num.min()), den)))
    return tuple(out)


_MC_CASES = ((1, None), (2, 4), (0, 4), (3, 9), (3, -1), (2, 0))


@claim(
    "shaeiri2020.thm4.montecarlo", domain="given",
    source=f"{SRC} Theorem 4, eq. (12) for a fixed threshold s (appendix A eq. 50)",
    statement=("For 0 <= s <= k-1 the l0-robust error of h_s is eq. (12); with the boundary terms "
               "corrected it holds for every s in {-1..k}; checked by sampling and attacking."),
    samples=(100_000, 1_000_000),
    # (eps, s) pairs at d = 12, k = 9 (s = None: the optimal threshold); thorough adds every eps <= 4, s = -1..k
    settings={"cases": (_MC_CASES, _MC_CASES + tuple((e, s) for e in range(0, 5) for s in range(-1, 10)))},
)
def _check_thm4_mc(run: Run) -> CheckResult:
    n = run.n
    theta_pos = np.ones(12)
    theta_neg = np.ones(12)
    theta_neg[:9] = -1  # d = 12, k = 9
    model = B.BernoulliModel(theta_pos, theta_neg, 0.3)
    k = model.effective_dimension
    cases = list(run.cases)
    results = []
    first = None
    for i, (eps, s) in enumerate(cases):
        if s is None:
            _, s = B.optimal_robust_error(k, model.t, eps, norm=0)
            s = int(s)
        value = float(B.robust_error(k, model.t, eps, s, norm=0))
        est = _mc_robust_l0(model, s, eps, n, run.rng(100 + i))
        results.append(from_estimate(value, est, f"eps={eps}, s={s}: {value:.6g} vs {est}"))
        first = first or (value, est)
    # the attack is worst case: brute force over the whole l0 ball on a small cube
    small = B.BernoulliModel([1, 1, 1, 1, 1], [-1, -1, -1, 1, 1], 0.2)
    x, y = small.sample(300, run.rng(7))
    pts = np.array(list(itertools.product([1, -1], repeat=5)), dtype=float)
    mismatch = 0
    for eps in (1, 2):
        for s in range(-1, 4):
            near = (pts[None, :, :] != x[:, None, :]).sum(-1) <= eps
            lab = small.threshold_classifier(pts, s)
            brute = ((lab[None, :] != y[:, None]) & near).any(1)
            attack = small.threshold_classifier(small.l0_attack(x, y, eps), s) != y
            mismatch += int(np.count_nonzero(brute != attack))
    results.append(CheckResult(HOLDS if mismatch == 0 else FAILS,
                               detail=f"attack vs brute force over the l0 ball: {mismatch} mismatches"))
    value, est = first
    return combine(results, value, est.value, (est.low, est.high),
                   f"Monte Carlo (n={n}, d=12, k=9, t=0.3) with the explicit l0 attack of "
                   f"BernoulliModel for {len(cases)} (eps, s) pairs incl. s=-1 and s=k; the attack "
                   f"agrees with brute force over the ball (d=5).")


# ---------------------------------------------------------------------------------------------
# Theorem 5
# ---------------------------------------------------------------------------------------------


@claim(
    "shaeiri2020.thm5", domain="R^d",
    source=f"{SRC} Theorem 5 (section 5.4 eqs. 13-14; appendix A eqs. 55-56)",
    statement=("Against ||delta||_inf <= eps, h*(sign(x)) is optimal for eps < 1 with the Bayes error, "
               "and the optimal robust error is 1/2 for eps >= 1."),
    samples=(200_000, 1_000_000),
)
def _check_thm5(run: Run) -> CheckResult:
    n = run.n
    model = B.BernoulliModel([1, -1, 1, 1, -1, 1, 1], [-1, 1, -1, -1, 1, 1, 1], 0.1)
    k = model.effective_dimension
    x, y = model.sample(n, run.rng(11))
    results = []
    # eps < 1: every point of the box keeps the signs of x; the worst case over the box is
    # attained at its corners and all corners classify like x (checked on random corners)
    eps = 0.99
    g = run.rng(12)
    corner = x + eps * np.where(g.random(x.shape) < 0.5, 1.0, -1.0)
    wrong = (model.linf_robust_classifier(corner) != y) | (model.linf_robust_classifier(x) != y)
    est_small = proportion(int(np.count_nonzero(wrong)), n)
    v_small = float(B.robust_error(k, model.t, eps, norm=np.inf))
    results.append(from_estimate(v_small, est_small, f"eps=0.99: h*(sign(x)) {est_small}"))
    # eps >= 1: the adversary moves every x to the origin; any classifier then errs on one class
    eps = 1.0
    inside = bool(np.all(np.abs(x) <= eps))
    results.append(CheckResult(HOLDS if inside else FAILS, detail=f"origin inside every box: {inside}"))
    v_big = float(B.robust_error(k, model.t, eps, norm=np.inf))
    for name, h in (("h*(sign(x))", model.linf_robust_classifier),
                    ("constant +1", lambda z: np.ones(z.shape[0]))):
        est = estimate_error(model, h, n, run.rng(11), attack=bernoulli_linf, threat=ThreatModel.linf(eps))
        results.append(from_estimate(v_big, est, f"eps=1, {name} attacked to 0: {est}"))
    # and the constant classifier cannot be beaten: its error is 1/2 under any attack
    return combine(results, v_small, est_small.value, (est_small.low, est_small.high),
                   f"Monte Carlo n={n}, d=7, k=5, t=0.1: eps=0.99 error {est_small} vs Bayes "
                   f"{v_small:.6g}; eps=1 moving every point to the origin gives error ~1/2 for any "
                   "classifier (lower bound), attained by a constant.")


# ---------------------------------------------------------------------------------------------
# numerics
# ---------------------------------------------------------------------------------------------

_TAIL_CASES = ((10**7, 0.004, 0), (10**6, 0.01, 3), (12345, 0.1, 2), (101, 0.3, 5), (10**7, 0.3, 0), (10**5, 0.2, 7))
"""(k, t, eps) of the quick run."""

@claim(
    "shaeiri2020.bernoulli.tails", domain="none",
    source=f"{SRC} Theorems 3-5; numerics of this package",
    statement=("bayes_error, robust_error_l0 and optimal_robust_error_l0 are accurate to 1e-12 relative "
               "for k up to 1e7 where the error exceeds 1e-300, and their log_ variants to 1e-13 "
               "relative where it underflows."),
    settings={"cases": (_TAIL_CASES, _TAIL_CASES + ((10**7, 0.0007, 0), (10**7, 0.005, 11), (10**6, 0.02, 0),
                                                    (999_999, 0.45, 100), (2, 0.4999, 1), (1, 0.25, 0)))},
)
@mp.workdps(50)
def _check_tails(run: Run) -> CheckResult:
    cases = run.cases
    rel = rel_log = 0.0
    lowest = 0.0
    for k, t, eps in cases:
        for which in ("bayes", "l0"):
            if which == "bayes":
                exact = (mp_tail(k // 2 + 1, k, t) + mp_tail((k + 1) // 2, k, t)) / 2
                val, lval = B.bayes_error(k, t), B.log_bayes_error(k, t)
            else:
                s = (k - 1) // 2
                exact = (mp_tail(k - s - eps, k, t) + mp_tail(s - eps + 1, k, t)) / 2
                val = B.robust_error(k, t, eps, s, norm=0)
                lval = B.log_robust_error(k, t, eps, s, norm=0)
            if exact > mp.mpf(10) ** -300:
                rel = max(rel, float(abs(val - exact) / exact))
            rel_log = max(rel_log, float(abs(lval - mp.log(exact)) / max(1, abs(mp.log(exact)))))
            lowest = min(lowest, float(mp.log(exact)))
    ok = rel < 1e-12 and rel_log < 1e-13
    return CheckResult(HOLDS if ok else FAILS, rel, rel_log, None,
                       f"Largest relative error against 50-digit mpmath sums over {len(cases)} (k, t, eps) "
                       f"cases up to k = 1e7: {rel:.1e} (values > 1e-300), {rel_log:.1e} for the logs "
                       f"(logs down to {lowest:.3g}).")


# ---------------------------------------------------------------------------------------------
# classifiers defined on the support {-1, 1}^d only (helper seed-gaps; docs/beyond/domains.md)
# ---------------------------------------------------------------------------------------------


def _cube_support_optimum(d: int, t: float, reach) -> float:
    """Optimal robust error over all 2^(2^d) classifiers h: {-1, 1}^d -> {-1, 1} when the adversary may move x to
    any cube point z with reach(x, z) (perturbations stay in the support). Centres (1, ..., 1) and (-1, ..., -1)."""
    cube = np.array(list(itertools.product([-1.0, 1.0], repeat=d)))
    agree = np.sum(cube > 0, axis=1)  # coordinates equal to theta^(1)
    p_pos = 0.5 * (0.5 + t) ** agree * (0.5 - t) ** (d - agree)
    p_neg = 0.5 * (0.5 + t) ** (d - agree) * (0.5 - t) ** agree
    R = np.array([[reach(a, b) for b in cube] for a in cube])  # R[i, j]: cube point j is in the ball of i
    H = np.array(list(itertools.product([-1.0, 1.0], repeat=cube.shape[0])))  # every classifier on the cube
    pos_ok = np.all(np.where(R[None, :, :], H[:, None, :] > 0, True), axis=2)  # (classifiers, points)
    neg_ok = np.all(np.where(R[None, :, :], H[:, None, :] < 0, True), axis=2)
    acc = pos_ok.astype(float) @ p_pos + neg_ok.astype(float) @ p_neg
    return float(1.0 - acc.max())


@claim(
    "shaeiri2020.thm5.support", domain="support",
    source=f"{SRC} Theorem 5, read over classifiers defined on the support {{-1, 1}}^d only",
    statement=("If classifiers are defined on {-1, 1}^d only and the l-inf adversary must stay in {-1, 1}^d, the "
               "optimal robust error is the Bayes error for every eps < 2 and 1/2 for eps >= 2 (over classifiers on "
               "R^d it is 1/2 from eps = 1 on, shaeiri2020.thm5)."),
    exact=True,
)
def _check_thm5_support(run: Run) -> CheckResult:
    d, t = 3, 0.2
    rows, ok = [], True
    for eps in (0.5, 1.0, 1.5, 1.99, 2.0):
        v = _cube_support_optimum(d, t, lambda a, b, e=eps: bool(np.max(np.abs(a - b)) <= e))
        want = float(B.bayes_error(d, t)) if eps < 2 else 0.5
        ok &= abs(v - want) < 1e-12
        rows.append(f"eps={eps:g}: {v:.6f}")
    return CheckResult(HOLDS if ok else FAILS, float(B.bayes_error(d, t)), None, None,
                       f"d = k = 3, t = 0.2: exhaustive over all 256 classifiers on the cube, perturbations within "
                       f"the cube: {', '.join(rows)}; Bayes error {float(B.bayes_error(d, t)):.6f}.")


@claim(
    "shaeiri2020.thm4.support", domain="support",
    source=f"{SRC} Theorem 4, read over classifiers defined on the support {{-1, 1}}^d only",
    statement=("The optimal l0-robust error of the Bernoulli model is the same whether classifiers are defined on R^d "
               "(the adversary may set a coordinate to any real) or on {-1, 1}^d only (the adversary flips at most "
               "eps coordinates): two l0 balls meet in R^d iff they meet in the cube (Hamming distance <= 2 eps)."),
    exact=True,
)
def _check_thm4_support(run: Run) -> CheckResult:
    rows, ok = [], True
    for d, t in ((3, 0.2), (3, 0.4), (4, 0.1)):
        for eps in range(0, d + 1):
            v = _cube_support_optimum(d, t, lambda a, b, e=eps: bool(np.sum(a != b) <= e))
            want = float(B.optimal_robust_error(d, t, eps, norm=0)[0])
            ok &= abs(v - want) < 1e-12
            rows.append(f"(d={d}, t={t}, eps={eps}): {v:.6f} vs {want:.6f}")
    return CheckResult(HOLDS if ok else FAILS, None, None, None,
                       "Exhaustive over all classifiers on the cube (2^(2^d)), adversary flipping <= eps coordinates, "
                       "against optimal_robust_error(norm=0) (the R^d reading, Theorem 4 corrected): "
                       + "; ".join(rows) + ".")
