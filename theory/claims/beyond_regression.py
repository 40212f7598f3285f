"""Claims for adversarially robust linear regression (javanmard2020, population version): theory.regression.

Independent checks: the inner maximum by brute force (every vertex of the l-inf ball, a dense
search over the l2 sphere), Monte Carlo of both risks with Student-t intervals, grid searches over
the one-parameter families that contain the optimum (c theta0 for l2 and soft thresholding of theta0
for l-inf, isotropic features), random perturbations of the estimators on the exact objective, and
random estimators searched for one that dominates a point of the front.
"""

from __future__ import annotations

import itertools

import numpy as np

from theory import regression as RR
from theory.claims import FAILS, HOLDS, CheckResult, Run, claim, combine, from_estimate
from theory.montecarlo import mean

SOURCE = "javanmard2020 (Javanmard, Soltanolkotabi, Hassani, COLT 2020, arXiv:2002.10477), section 2"
K = np.sqrt(2 / np.pi)
COV3 = np.array([[1.0, 0.3, 0.0], [0.3, 0.8, 0.1], [0.0, 0.1, 0.5]])
THETA0 = np.array([1.0, -0.5, 0.2])


def _sample(rng, n, theta0, sigma, cov):
    d = theta0.size
    L = np.eye(d) if cov is None else np.linalg.cholesky(cov)
    x = rng.normal(size=(n, d)) @ L.T
    return x, x @ theta0 + sigma * rng.normal(size=n)


def _inner_max_brute(r, theta, eps, norm, rng, directions=200, steps=60):
    """max over the ball of (r - delta.theta)^2 per residual r: l-inf by every vertex, l1 by the 2d vertices,
    l2 by the best of random directions of the sphere refined by projected gradient ascent on the sphere
    (the maximum of a convex function over the ball lies on the sphere)."""
    d = theta.size
    if norm == np.inf or norm == 1:
        V = (np.array(list(itertools.product([-1.0, 1.0], repeat=d))) if norm == np.inf
             else np.vstack([np.eye(d), -np.eye(d)])) * eps
        return ((r[:, None] - (V @ theta)[None, :]) ** 2).max(axis=1)
    g = rng.normal(size=(directions, d))
    V = eps * g / np.linalg.norm(g, axis=1, keepdims=True)
    vals = (r[:, None] - (V @ theta)[None, :]) ** 2
    best = vals.max(axis=1)
    tn = max(float(np.linalg.norm(theta)), 1e-300)
    first = V[np.argmax(vals, axis=1)]  # (n, d), the best random direction per residual
    for delta in (first, -first):  # two starts: the sphere has two local maxima (near +-theta)
        for k in range(steps):  # gradient steps of doubling length, each projected back onto the sphere
            grad = -2 * (r - delta @ theta)[:, None] * theta[None, :]  # gradient of (r - delta.theta)^2
            gn = np.linalg.norm(grad, axis=1, keepdims=True)
            delta = delta + 2.0 ** min(k, 60) * eps * grad / np.where(gn > 0, gn, 1.0) * (tn > 1e-300)
            nrm = np.linalg.norm(delta, axis=1, keepdims=True)
            delta = eps * delta / np.where(nrm > 0, nrm, 1.0)
        best = np.maximum(best, (r - delta @ theta) ** 2)
    return best


@claim("beyond.regression.inner", source=SOURCE + " (the inner maximization)",
       statement="max_{||delta||_p <= eps} (r - delta.theta)^2 = (|r| + eps ||theta||_q)^2, q the dual exponent.",
       settings={"cases": (200, 2000)})
def inner(run: Run) -> CheckResult:
    rng = run.rng(1)
    worst_exact, worst_l2 = 0.0, 0.0
    for _ in range(run.cases):
        theta = rng.normal(size=3)
        r = rng.normal(size=5) * 2
        eps = rng.uniform(0, 1)
        for norm in (1, np.inf):
            brute = _inner_max_brute(r, theta, eps, norm, rng)
            closed = (np.abs(r) + eps * np.linalg.norm(theta, {1: np.inf, np.inf: 1}[norm])) ** 2
            worst_exact = max(worst_exact, float(np.max(np.abs(brute - closed) / closed)))
        brute = _inner_max_brute(r, theta, eps, 2, rng)
        closed = (np.abs(r) + eps * np.linalg.norm(theta)) ** 2
        worst_l2 = max(worst_l2, float(np.max((brute - closed) / closed)), -float(np.min((brute - closed) / closed)))
    ok = worst_exact < 1e-12 and worst_l2 < 1e-10
    return CheckResult(HOLDS if ok else FAILS, worst_exact, worst_l2, None,
                       f"{run.cases} random (theta, r, eps) in d = 3: largest relative gap to the maximum over "
                       f"every vertex (l-inf, l1 balls; exact) {worst_exact:.1e}; to the best of 200 random "
                       f"directions of the l2 sphere and its antipode, each refined by 60 projected "
                       f"gradient-ascent steps of doubling length {worst_l2:.1e}.")


@claim("beyond.regression.risks", source=SOURCE + " (standard and adversarial risks)",
       statement="SR(theta) = sigma^2 + (theta - theta0)' Sigma (theta - theta0) and AR(theta) = s^2 + 2 sqrt(2/pi) "
                 "eps ||theta||_q s + eps^2 ||theta||_q^2, s^2 = SR(theta), for x ~ N(0, Sigma), y = x.theta0 + "
                 "N(0, sigma^2).",
       samples=(50000, 400000))
def risks(run: Run) -> CheckResult:
    rng = run.rng(2)
    theta = np.array([0.6, -0.2, 0.4])
    sigma, eps = 0.7, 0.3
    parts, vals = [], []
    for cov in (None, COV3):
        x, y = _sample(rng, run.n, THETA0, sigma, cov)
        r = y - x @ theta
        sr = float(RR.standard_risk(theta, THETA0, sigma, cov))
        parts.append(from_estimate(sr, mean(r ** 2), f"SR (cov {'I' if cov is None else 'COV3'})."))
        for norm in (2, np.inf):
            ar = float(RR.regression_adversarial_risk(theta, THETA0, eps, sigma, norm=norm, cov=cov))
            loss = _inner_max_brute(r, theta, eps, norm, rng)
            parts.append(from_estimate(ar, mean(loss), f"AR l{norm} (cov {'I' if cov is None else 'COV3'})."))
            vals.append((ar, float(np.mean(loss))))
    return combine(parts, vals[-1][0], vals[-1][1], None,
                   f"Monte Carlo ({run.n} draws; inner maximum by brute force: every vertex of the l-inf ball; for l2 "
                   f"the best of 200 random directions refined by projected gradient ascent), theta = (0.6, -0.2, "
                   f"0.4), theta0 = (1, -0.5, 0.2), sigma 0.7, eps 0.3, Sigma = I and an anisotropic Sigma; 99.9% "
                   f"t-intervals: "
                   + "; ".join(f"{a:.5f} vs {b:.5f}" for a, b in vals) + ".")


@claim("beyond.regression.at_l2",
       source=SOURCE + " (adversarial training, l2, isotropic features; re-derived here)",
       statement="For Sigma = I and the l2 threat the population adversarial-training estimator is c theta0, c = 0 "
                 "when sqrt(2/pi) eps sqrt(sigma^2 + ||theta0||^2) >= ||theta0||, else c in (0, 1) the root of "
                 "-(1 - c)||theta0|| + sqrt(2/pi) eps (s - c(1 - c)||theta0||^2 / s) + eps^2 c ||theta0|| = 0.",
       settings={"grid": (20001, 200001)})
def at_l2(run: Run) -> CheckResult:
    rng = run.rng(3)
    worst_grid, worst_num = 0.0, 0.0
    cs = np.linspace(-0.2, 1.2, run.grid)
    for _ in range(6):
        t0 = rng.normal(size=3)
        sigma, eps = rng.uniform(0.2, 2), rng.uniform(0.05, 1.2)
        th = RR.adversarial_training_estimator(t0, eps, sigma)
        ar_grid = RR.regression_adversarial_risk(cs[:, None] * t0, t0, eps, sigma)
        c_best = cs[np.argmin(ar_grid)]
        c = float(th @ t0 / (t0 @ t0))
        worst_grid = max(worst_grid, abs(c - c_best))
        # the general path (the zero test, then the ridge root in gamma) with the identity passed as a matrix
        th_num = RR.adversarial_training_estimator(t0, eps, sigma, cov=np.eye(3))
        worst_num = max(worst_num, float(np.max(np.abs(th - th_num))))
    ok = worst_grid <= 2 * (cs[1] - cs[0]) and worst_num < 1e-6
    return CheckResult(HOLDS if ok else FAILS, worst_grid, worst_num, None,
                       f"6 random (theta0, sigma, eps) in d = 3: |c - argmin over a {run.grid}-point grid of c in "
                       f"[-0.2, 1.2]| <= {worst_grid:.1e}; largest difference from the general ridge path "
                       f"(cov = I passed as a matrix) {worst_num:.1e}.")


@claim("beyond.regression.optimal", source=SOURCE + " (the convex tradeoff problem; re-derived here)",
       statement="tradeoff_estimator minimizes (1 - w) SR + w AR_eps over R^d (l2 and l-inf threats, any positive "
                 "definite Sigma): no perturbation does better, the subgradient condition holds, and for Sigma = I "
                 "and l-inf it is the soft thresholding of theta0 minimizing the objective over the threshold.",
       settings={"perturbations": (2000, 20000)})
def optimal(run: Run) -> CheckResult:
    rng = run.rng(4)
    worst_gain, worst_res, worst_soft = -np.inf, 0.0, 0.0
    taus = np.linspace(0, 1.5, 30001)
    for case in range(8):
        t0 = rng.normal(size=3)
        A = rng.normal(size=(3, 3))
        cov = None if case % 2 == 0 else A @ A.T + 0.3 * np.eye(3)
        sigma, eps, w = rng.uniform(0.2, 1.5), rng.uniform(0.05, 0.8), rng.uniform(0.2, 1.0)
        for norm in (2, np.inf):
            th = RR.tradeoff_estimator(t0, eps, sigma, w, norm=norm, cov=cov)

            def obj(t, t0=t0, eps=eps, sigma=sigma, w=w, norm=norm, cov=cov):
                return (1 - w) * RR.standard_risk(t, t0, sigma, cov) + w * RR.regression_adversarial_risk(
                    t, t0, eps, sigma, norm=norm, cov=cov)

            f0 = float(obj(th))
            scale = rng.choice([1e-1, 1e-3, 1e-5], size=(run.perturbations, 1))
            pert = th + scale * rng.normal(size=(run.perturbations, 3))
            gain = float(np.max(f0 - obj(pert)))  # > 0 means a perturbation does better
            worst_gain = max(worst_gain, gain / f0)
            worst_res = max(worst_res, RR.optimality_residual(th, t0, eps, sigma, norm=norm, cov=cov, weight=w))
            if cov is None and norm == np.inf:
                S = np.sign(t0) * np.maximum(np.abs(t0)[None, :] - taus[:, None], 0)
                worst_soft = max(worst_soft, (f0 - float(obj(S).min())) / f0)
    ok = worst_gain <= 1e-12 and worst_res < 1e-10 and worst_soft <= 1e-12
    return CheckResult(HOLDS if ok else FAILS, worst_res, worst_gain, None,
                       f"8 random problems (d = 3, Sigma = I or random positive definite, w in [0.2, 1]) x 2 threat "
                       f"norms: largest relative gain of {run.perturbations} random perturbations (scales 1e-1 to "
                       f"1e-5) {worst_gain:.1e} (<= 1e-12); largest subgradient residual {worst_res:.1e}; l-inf, "
                       f"Sigma = I: objective minus the best soft thresholding on a 30001-point grid {worst_soft:.1e}.")


@claim("beyond.regression.eps0", source=SOURCE + " (the limit eps = 0)",
       statement="At eps = 0 adversarial training returns theta0, with SR = AR = sigma^2; as eps grows past "
                 "||Sigma theta0||_p / (sqrt(2/pi) sqrt(sigma^2 + theta0' Sigma theta0)) it returns 0.",
       exact=True)
def eps0(run: Run) -> CheckResult:
    rng = run.rng(5)
    ok, worst = True, 0.0
    for case in range(6):
        t0 = rng.normal(size=3)
        cov = None if case % 2 == 0 else COV3
        Sig = np.eye(3) if cov is None else COV3
        sigma = rng.uniform(0.2, 2)
        for norm in (2, np.inf):
            th = RR.adversarial_training_estimator(t0, 0.0, sigma, norm=norm, cov=cov)
            sr = float(RR.standard_risk(th, t0, sigma, cov))
            ar = float(RR.regression_adversarial_risk(th, t0, 0.0, sigma, norm=norm, cov=cov))
            worst = max(worst, abs(sr - sigma ** 2), abs(ar - sigma ** 2))
            ok &= bool(np.array_equal(th, t0))
            # the threshold radius, from the subgradient condition at 0 written out with numpy
            e_star = np.linalg.norm(Sig @ t0, norm) / (K * np.sqrt(sigma ** 2 + t0 @ Sig @ t0))
            ok &= bool(np.all(RR.adversarial_training_estimator(t0, 1.01 * e_star, sigma, norm=norm, cov=cov) == 0))
            ok &= bool(np.any(RR.adversarial_training_estimator(t0, 0.99 * e_star, sigma, norm=norm, cov=cov) != 0))
    ok &= worst < 1e-14
    return CheckResult(HOLDS if ok else FAILS, worst, 0.0, None,
                       f"6 random problems x 2 norms: at eps = 0 the estimator is theta0 and |SR - sigma^2|, |AR - "
                       f"sigma^2| <= {worst:.1e}; the estimator is 0 at 1.01 eps* and not at 0.99 eps*.")


@claim("beyond.regression.front", source=SOURCE + " (the Pareto-optimal tradeoff; re-derived here)",
       statement="Along pareto_front (weights 0 to 1) SR is non-decreasing from sigma^2, AR_eps is non-increasing to "
                 "the minimum adversarial risk, AR is a convex function of SR, and no estimator has both risks "
                 "smaller than a point of the front.",
       samples=(20000, 200000))
def front(run: Run) -> CheckResult:
    rng = run.rng(6)
    ok, worst_dom, worst_conv = True, -np.inf, 0.0
    sigma, eps = 0.7, 0.3
    for cov in (None, COV3):
        for norm in (2, np.inf):
            f = RR.pareto_front(THETA0, eps, sigma, norm=norm, cov=cov, n=21)
            ok &= bool(np.all(np.diff(f.standard) >= -1e-12) and np.all(np.diff(f.adversarial) <= 1e-12))
            ok &= bool(abs(f.standard[0] - sigma ** 2) < 1e-12)
            dsr, dar = np.diff(f.standard), np.diff(f.adversarial)
            keep = dsr > 1e-9
            slopes = dar[keep] / dsr[keep]
            worst_conv = max(worst_conv, float(np.max(-np.diff(slopes), initial=0.0)))
            # the minimum adversarial risk, by a random search around the AT estimator and the origin
            cand = np.concatenate([f.thetas[-1] + 0.3 * rng.normal(size=(run.n, 3)),
                                   rng.uniform(-1.5, 1.5, size=(run.n, 3))])
            sr = RR.standard_risk(cand, THETA0, sigma, cov)
            ar = RR.regression_adversarial_risk(cand, THETA0, eps, sigma, norm=norm, cov=cov)
            # domination: a candidate with SR <= SR_k and AR <= AR_k - margin for some front point k
            for k in range(f.weights.size):
                better = (sr <= f.standard[k]) & (ar < f.adversarial[k])
                if better.any():
                    worst_dom = max(worst_dom, float(np.max(f.adversarial[k] - ar[better])))
            ok &= bool(ar.min() >= f.adversarial[-1] - 1e-12)
    ok &= worst_conv <= 1e-6 and worst_dom <= 1e-9
    return CheckResult(HOLDS if ok else FAILS, worst_conv, max(worst_dom, 0.0), None,
                       f"Fronts of 21 points (Sigma = I and anisotropic, l2 and l-inf): monotone; largest decrease of "
                       f"consecutive slopes dAR/dSR {worst_conv:.1e} (convexity); {2 * run.n} random estimators per "
                       f"front: the largest AR improvement of one with no larger SR is {max(worst_dom, 0.0):.1e}.")


@claim("beyond.regression.at_front", source=SOURCE + " (adversarial training against the Pareto front; derived here)",
       statement="Adversarial training at any radius eps' in [0, eps] is Pareto optimal for (SR, AR_eps), for any "
                 "positive definite Sigma and both threats: the family eps' -> theta_AT(eps') traces the same front "
                 "as the weighted-sum minimizers (this package's statement; checked numerically).",
       settings={"radii": (6, 20)})
def at_front(run: Run) -> CheckResult:
    sigma, eps = 0.7, 0.3
    worst = 0.0
    for cov in (None, COV3):
        for norm in (2, np.inf):
            for e2 in np.linspace(0, eps, run.radii):
                a = RR.adversarial_training_estimator(THETA0, e2, sigma, norm=norm, cov=cov)
                sr = float(RR.standard_risk(a, THETA0, sigma, cov))
                ar = float(RR.regression_adversarial_risk(a, THETA0, eps, sigma, norm=norm, cov=cov))
                # the weighted-sum minimizer with the same SR (SR is monotone in the weight): bisection on the weight
                lo, hi = 0.0, 1.0
                for _ in range(60):
                    mid = 0.5 * (lo + hi)
                    t = RR.tradeoff_estimator(THETA0, eps, sigma, mid, norm=norm, cov=cov)
                    if RR.standard_risk(t, THETA0, sigma, cov) < sr:
                        lo = mid
                    else:
                        hi = mid
                t = RR.tradeoff_estimator(THETA0, eps, sigma, hi, norm=norm, cov=cov)
                ar_front = float(RR.regression_adversarial_risk(t, THETA0, eps, sigma, norm=norm, cov=cov))
                sr_front = float(RR.standard_risk(t, THETA0, sigma, cov))
                if e2 == eps:  # the end point: the front ends there
                    ar_front = float(RR.regression_adversarial_risk(
                        RR.tradeoff_estimator(THETA0, eps, sigma, 1.0, norm=norm, cov=cov), THETA0, eps, sigma,
                        norm=norm, cov=cov))
                    sr_front = sr
                worst = max(worst, abs(ar - ar_front) + abs(sr - sr_front))
    ok = worst < 1e-9
    return CheckResult(HOLDS if ok else FAILS, worst, 0.0, None,
                       f"{run.radii} training radii in [0, {eps}] x (Sigma = I, anisotropic) x (l2, l-inf): largest "
                       f"|AR - AR_front| + |SR - SR_front| against the weighted-sum minimizer of equal SR (bisection "
                       f"on the weight) {worst:.1e}.")
