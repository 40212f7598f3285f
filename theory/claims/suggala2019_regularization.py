"""Claims from suggala2019 (Revisiting adversarial risk), sections 6-7 and appendices E-G.

Independent checks used here: linear programs (scipy.optimize.linprog) for the exact inner
maximizations under l-inf and l1 threat models, dense polar grids for smooth nonlinear f,
sympy series, Monte Carlo, and exhaustive enumeration of labelings and of safe sets.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from scipy.optimize import linprog

from theory import reference
from theory import regularization as RG
from theory.attacks import LinearWorstCase
from theory.claims import FAILS, HOLDS, CheckResult, Run, claim, combine, corrected_check, from_estimate
from theory.distributions import UniformSquares, predict
from theory.montecarlo import estimate_error
from theory.threat import ThreatModel

# ------------------------------------------------------------------------------------------
# independent references
# ------------------------------------------------------------------------------------------

def _log1pexp(z):
    return np.logaddexp(0.0, z)


def _finite_case(rng, n, d, far: float = 0.0):
    """A random finite distribution (x_i, y_i) with weights, and a base halfspace theta; optionally
    every x_i at distance > far (in every lp norm: checked in l-inf, the smallest) from g's boundary."""
    theta = rng.normal(size=d)
    x = rng.normal(size=(n, d)) * 1.2
    if far > 0:
        # push points away from the hyperplane theta.x = 0 along theta
        t = x @ theta
        x = x + np.sign(t + (t == 0))[:, None] * far * 2 * theta / (np.abs(theta).sum())[None] * 1.0
    y = np.where(rng.random(n) < 1 / (1 + np.exp(-2 * x @ theta)), 1.0, -1.0)
    p = rng.dirichlet(np.ones(n))
    w = theta + 0.8 * rng.normal(size=d)
    return x, y, p, theta, w


# ------------------------------------------------------------------------------------------
# section 7.2 / Theorem 7
# ------------------------------------------------------------------------------------------

@claim("suggala2019.sec7.linear", domain="linear", source="suggala2019 section 7.2 (linear case), eq. (7)",
       statement="For f(x) = w.x + b, sup over ||delta||_p <= eps of log(1 + exp(-y f(x + delta))) "
                 "equals log(1 + exp(-y f(x) + eps ||w||_*)).",
       settings={"instances": (40, 200)})
def sec7_linear(run: Run) -> CheckResult:
    rng = run.rng(1)
    worst = 0.0
    for _ in range(run.instances):
        d = int(rng.integers(1, 6))
        w, x = rng.normal(size=(2, d))
        y, eps, b = float(rng.choice([-1, 1])), float(rng.uniform(0, 2)), float(rng.normal())
        for p in (np.inf, 1.0):
            # unconstrained LP: minimize y w.delta over the ball
            s = y
            if np.isinf(p):
                res = linprog(s * w, bounds=[(-eps, eps)] * d, method="highs")
            else:
                res = linprog(np.concatenate([s * w, -s * w]), A_ub=[np.ones(2 * d)], b_ub=[eps],
                              bounds=[(0, None)] * (2 * d), method="highs")
            m = s * (w @ x + b) + res.fun
            ref = _log1pexp(-m)
            val = float(RG.adversarial_logistic_loss(w, x, y, eps, norm=p, b=b))
            worst = max(worst, abs(val - ref) / max(1.0, ref))
    ok = worst < 1e-9
    return CheckResult(HOLDS if ok else FAILS, worst, 0.0, None,
                       f"Largest relative difference from the LP inner maximization (l-inf, l1; d = 1-5): "
                       f"{worst:.2e}.")


def _bound_cases(rng, cases: int, points: int):
    out = []
    for k in range(cases):
        d = 2 + k % 3
        x, y, p, theta, w = _finite_case(rng, points, d)
        out.append((x, y, p, theta, w, float(rng.normal(scale=0.3))))
    return out


@claim("suggala2019.thm7.bound", source="suggala2019 Theorem 7 (first display), appendix G 'General eps'",
       domain="networks",
       statement="With the logistic loss, for every eps >= 0, R(f) + lam R_adv(f) <= E l(f(x), y) + "
                 "eps lam E sup_{||delta|| <= eps} ||grad f(x + delta)||_*.",
       settings={"cases": (2, 6), "points": (25, 60),
                 "eps_grid": ((0.0, 0.01, 0.1, 0.3, 1.0, 3.0, 10.0),
                              (0.0, 0.01, 0.1, 0.3, 1.0, 3.0, 10.0, 0.03, 0.6, 2.0, 30.0))})
def thm7_bound(run: Run) -> CheckResult:
    eps_grid = run.eps_grid
    worst_ratio, worst_dual = 0.0, 0.0
    ok = True
    n_checked = 0
    for x, y, p, theta, w, b in _bound_cases(run.rng(2), run.cases, run.points):
        risk = p @ _log1pexp(-y * (x @ w + b))
        for norm in (np.inf, 1.0):
            for eps in eps_grid:
                m_lp = np.array([reference.lp_worst_margin(w, xi, theta, eps, norm=norm, b=b) for xi in x])
                s = np.where(x @ theta > 0, 1.0, -1.0)
                m0 = s * (x @ w + b)
                radv_lp = p @ (_log1pexp(-m_lp) - _log1pexp(-m0))
                radv_pkg = (RG.joint_logistic_objective(w, x, y, theta, eps, 1.0, norm=norm, b=b, c=0.0, weights=p)
                            - risk)
                worst_dual = max(worst_dual, abs(radv_lp - radv_pkg))
                for lam in (0.5, 1.0, 2.0):
                    lhs = risk + lam * radv_lp
                    rhs = RG.theorem7_upper_bound(w, x, y, eps, lam, norm=norm, b=b, weights=p)
                    n_checked += 1
                    ok &= bool(lhs <= rhs + 1e-12)
                    if eps > 0:
                        worst_ratio = max(worst_ratio, (lhs - risk) / (rhs - risk))
    ok &= worst_dual < 1e-9
    return CheckResult(HOLDS if ok else FAILS, worst_ratio, worst_dual, None,
                       f"{n_checked} (distribution, norm, eps, lam) cases, eps up to {max(eps_grid)}; R_adv by "
                       f"LP per point (independent of the package's dual); largest lam R_adv / (eps lam "
                       f"||w||_*) = {worst_ratio:.4f} <= 1; package vs LP R_adv: {worst_dual:.1e}.")


@claim("suggala2019.thm7.bound.nonlinear", domain="given", source="suggala2019 Theorem 7 (first display), appendix G",
       statement="The bound of Theorem 7 holds for a smooth nonlinear f (here f(x) = w.x + a sin(u.x) in "
                 "the plane, l2 threat model, halfspace base classifier).",
       settings={"polar_grid": ((240, 40), (720, 120))})
def thm7_bound_nonlinear(run: Run) -> CheckResult:
    rng = run.rng(3)
    n_ang, n_rad = run.polar_grid
    w, u, theta = np.array([1.0, -0.5]), np.array([2.0, 1.0]), np.array([1.0, 0.3])
    a = 0.7
    lip = np.linalg.norm(w) + abs(a) * np.linalg.norm(u)  # Lipschitz constant of f in l2

    def f(z):
        return z @ w + a * np.sin(z @ u)

    def grad_norm(z):
        return np.linalg.norm(w[None, :] + (a * np.cos(z @ u))[..., None] * u, axis=-1)

    x = rng.normal(size=(30, 2))
    y = np.where(rng.random(30) < 0.7, np.sign(x @ theta), -np.sign(x @ theta))
    pw = np.full(30, 1 / 30)
    ang = np.linspace(0, 2 * np.pi, n_ang, endpoint=False)
    ok, worst = True, -np.inf
    for eps in (0.05, 0.3, 1.0, 2.0):
        rad = np.linspace(0, eps, n_rad)
        dz = (rad[:, None, None] * np.stack([np.cos(ang), np.sin(ang)], -1)[None]).reshape(-1, 2)
        h_grid = max(eps / (n_rad - 1), eps * 2 * np.pi / n_ang)  # every ball point is within h of the grid
        radv, sup_grad = 0.0, 0.0
        for xi, pi in zip(x, pw, strict=True):
            g = 1.0 if xi @ theta > 0 else -1.0
            z = xi + dz
            keep = np.where(z @ theta > 0, 1.0, -1.0) == g
            loss = _log1pexp(-g * f(z[keep]))
            excess = loss.max() - _log1pexp(-g * f(xi[None]))[0]
            radv += pi * (excess + lip * h_grid)  # grid maximum plus its worst-case discretization gap
            sup_grad += pi * grad_norm(z).max()  # an under-estimate: makes the check stricter
        risk = pw @ _log1pexp(-y * f(x))
        for lam in (0.5, 1.0, 3.0):
            lhs, rhs = risk + lam * radv, risk + eps * lam * sup_grad
            ok &= bool(lhs <= rhs)
            worst = max(worst, (lhs - risk) / (rhs - risk))
    return CheckResult(HOLDS if ok else FAILS, worst, None, None,
                       f"Polar grid {n_ang} x {n_rad} of each ball; R_adv over-estimated (grid max + Lipschitz "
                       f"x spacing), the gradient term under-estimated; largest lam R_adv / (eps lam E sup "
                       f"||grad f||) = {worst:.4f} <= 1 for eps in (0.05, 0.3, 1, 2).")


@claim("suggala2019.thm7.expansion", source="suggala2019 Theorem 7 (second display), appendix G 'Small eps'",
       domain="networks",
       statement="Under the margin condition, R(f) + lam R_adv(f) = R(f) + eps lam E[h(x) ||grad f(x)||_*] + "
                 "o(eps) with h(x) = 1 / (1 + exp(g(x) f(x))).",
       settings={"eps_list": ((1e-1, 1e-2, 1e-3), (1e-1, 1e-2, 1e-3, 1e-4))})
def thm7_expansion(run: Run) -> CheckResult:
    # 1. sympy: the per-point excess of a linear model, l(m - eps a) - l(m), has eps-coefficient a / (1 + e^m).
    e, a, m = sp.symbols("eps a m", real=True)
    excess = sp.log(1 + sp.exp(-(m - e * a))) - sp.log(1 + sp.exp(-m))
    ser = sp.series(excess, e, 0, 3).removeO()
    c1 = sp.simplify(ser.coeff(e, 1) - a / (1 + sp.exp(m)))
    c2 = sp.simplify(ser.coeff(e, 2) - a**2 * sp.exp(m) / (2 * (1 + sp.exp(m)) ** 2))
    ok_sym = c1 == 0 and c2 == 0
    # 2. numerically, linear f on a finite distribution away from g's boundary: the error is O(eps^2).
    rng = run.rng(4)
    x, y, p, theta, w = _finite_case(rng, 25, 3, far=0.5)
    lam, norm = 1.5, np.inf
    dist = np.abs(x @ theta) / np.abs(theta).sum()  # l-inf distance to g's boundary: |theta.x| / ||theta||_1
    risk = p @ _log1pexp(-y * (x @ w))
    ratios = []
    for eps in run.eps_list:
        m_lp = np.array([reference.lp_worst_margin(w, xi, theta, eps, norm=norm) for xi in x])
        s = np.where(x @ theta > 0, 1.0, -1.0)
        lhs = risk + lam * (p @ (_log1pexp(-m_lp) - _log1pexp(-s * (x @ w))))
        first = RG.theorem7_first_order(w, x, y, theta, eps, lam, norm=norm, weights=p)
        ratios.append(abs(lhs - first) / eps**2)
    margin_ok = bool(dist.min() > 0.1)
    ok_num = margin_ok and max(ratios) < 10 * ratios[-1] + 1e-6 and ratios[-1] < 50
    # 3. nonlinear f in the plane (l2), point far from g's boundary: error / eps -> 0.
    wv, u, amp = np.array([1.0, -0.5]), np.array([2.0, 1.0]), 0.7
    x0 = np.array([1.5, 0.4])  # g = sign(x1): the point is 1.5 from g's boundary
    f0 = x0 @ wv + amp * np.sin(x0 @ u)
    grad = wv + amp * np.cos(x0 @ u) * u
    h = 1 / (1 + np.exp(f0))  # g(x0) = +1
    ang = np.linspace(0, 2 * np.pi, 20000, endpoint=False)
    errs = []
    for eps in (1e-1, 1e-2, 1e-3):
        z = x0 + eps * np.stack([np.cos(ang), np.sin(ang)], -1)
        val = _log1pexp(-(z @ wv + amp * np.sin(z @ u))).max() - _log1pexp(-f0)
        errs.append(abs(val - eps * h * np.linalg.norm(grad)) / eps)
    ok_nl = errs[2] < errs[1] < errs[0] and errs[2] < 2e-3
    ok = bool(ok_sym and ok_num and ok_nl)
    return CheckResult(HOLDS if ok else FAILS, float(ratios[-1]), float(errs[-1]), None,
                       f"sympy: eps-coefficient a/(1+e^m) (and eps^2-coefficient a^2 e^m / (2 (1+e^m)^2)) "
                       f"{'confirmed' if ok_sym else 'NOT confirmed'}; linear f (LP inner max, l-inf, points "
                       f">= {dist.min():.2f} from g's boundary): |objective - first order| / eps^2 = "
                       + ", ".join(f"{r:.3f}" for r in ratios)
                       + "; nonlinear f (polar grid, l2): |excess - eps h ||grad f|||| / eps = "
                       + ", ".join(f"{r:.1e}" for r in errs) + " at eps = 0.1, 0.01, 0.001.")


# ------------------------------------------------------------------------------------------
# Theorems 5 and 6: exhaustive search over classifiers on finite supports
# ------------------------------------------------------------------------------------------

def _random_support(rng, n, ties: bool):
    pts = rng.uniform(-1, 1, size=(n, 2))
    mass = rng.dirichlet(np.ones(n))
    eta = rng.uniform(0, 1, size=n)
    if ties:
        eta[: max(1, n // 3)] = 0.5
    else:
        eta = np.where(np.abs(eta - 0.5) < 0.05, eta + 0.1 * np.sign(eta - 0.5 + 1e-9), eta)
    return pts, mass * eta, mass * (1 - eta)


def _minimizers(obj, tol=1e-12):
    return np.flatnonzero(obj <= obj.min() + tol)


@claim("suggala2019.thm5", domain="R^d", source="suggala2019 Theorem 5, appendix E",
       statement="With F all measurable functions, g the Bayes rule and the 0-1 loss, every minimizer of "
                 "R(f) + lam R_adv(f) (objective (4)) is Bayes optimal, for every lam >= 0.",
       settings={"supports": (8, 40), "points": (7, 8)})
def thm5(run: Run) -> CheckResult:
    rng = run.rng(5)
    worst_excess, count = 0.0, 0
    for k in range(run.supports):
        n = run.points
        pts, pp, pn = _random_support(rng, n, ties=k % 2 == 1)
        g = RG.bayes_labels(pp, pn)
        labs = RG.all_labelings(n)
        risk = np.where(labs > 0, pn, pp).sum(axis=1)  # computed here, not by the package
        r_star = np.minimum(pp, pn).sum()
        for norm in (np.inf, 2.0, 1.0):
            for eps in (0.1, 0.4, 1.0):
                for lam in (0.0, 0.3, 1.0, 5.0):
                    obj = RG.joint_objective_01(labs, pts, pp, pn, g, eps, lam, norm=norm)
                    idx = _minimizers(obj)
                    worst_excess = max(worst_excess, float((risk[idx] - r_star).max()))
                    count += 1
    ok = worst_excess <= 1e-12
    return CheckResult(HOLDS if ok else FAILS, worst_excess, 0.0, None,
                       f"Exhaustive search over all 2^n labelings of random supports (n = 7-8 points in the "
                       f"plane, half of them with ties eta = 1/2), {count} (support, norm, eps, lam) cases; "
                       f"largest excess 0-1 risk of a minimizer: {worst_excess:.1e}.")


_TIE = dict(points=np.array([[0.0], [1.0]]), p_pos=np.array([0.25, 0.5]), p_neg=np.array([0.25, 0.0]))


@claim("suggala2019.thm5.agree", source="suggala2019 Theorem 5 ('that is sign(f^(x)) = g(x)'), appendix E",
       domain="R^d",
       expected=FAILS,
       statement="Every minimizer f^ of objective (4) satisfies sign f^(x) = g(x) almost everywhere.",
       corrected="Every minimizer of (4) is Bayes optimal, hence sign f^ = g a.e. on {P(y=1|x) != 1/2}; where "
                 "P(y=1|x) = 1/2 on a set of positive mass a minimizer may disagree with g there (the proof's "
                 "strict inequality R(f^) > R(f*) needs P(y=1|x) != 1/2).",
       settings={"supports": (6, 20)})
def thm5_agree(run: Run) -> CheckResult:
    # counterexample: atoms 0 (P(+) = P(-) = 1/4, a tie) and 1 (P(+) = 1/2), eps = 0.3, lam = 1, l-inf.
    t = _TIE
    g = RG.bayes_labels(t["p_pos"], t["p_neg"])  # (-1, +1): the tie goes to -1
    labs = RG.all_labelings(2)
    obj = RG.joint_objective_01(labs, t["points"], t["p_pos"], t["p_neg"], g, 0.3, 1.0)
    idx = _minimizers(obj)
    mass = t["p_pos"] + t["p_neg"]
    disagree = [float(((labs[i] != g) * mass).sum()) for i in idx]
    counter = max(disagree) > 0
    return CheckResult(FAILS if counter else HOLDS, max(disagree), None, None,
                       "Counterexample: support {0, 1} on the line, P(0, +) = P(0, -) = 1/4, P(1, +) = 1/2, "
                       "eps = 0.3, lam = 1 (l-inf): objective (4) of the labelings (f(0), f(1)) = "
                       + ", ".join(f"{tuple(int(v) for v in labs[i])}: {obj[i]:.3f}" for i in range(4))
                       + f"; the minimizer (+1, +1) disagrees with g = (-1, +1) on mass {max(disagree):.2f}.")


@corrected_check("suggala2019.thm5.agree")
def thm5_agree_corrected(run: Run) -> CheckResult:
    # random supports with and without ties: every minimizer agrees with g off the ties.
    rng = run.rng(6)
    ok_corr, cases = True, 0
    for k in range(run.supports):
        pts, pp, pn = _random_support(rng, 7, ties=k % 2 == 0)
        gg = RG.bayes_labels(pp, pn)
        tie = np.isclose(pp, pn)
        L = RG.all_labelings(7)
        for lam in (0.0, 1.0, 4.0):
            ob = RG.joint_objective_01(L, pts, pp, pn, gg, 0.5, lam, norm=np.inf)
            cases += 1
            for i in _minimizers(ob):
                ok_corr &= bool(np.all((L[i] == gg) | tie))
    return CheckResult(HOLDS if ok_corr else FAILS, None, None, None,
                       f"Exhaustive search over all 2^7 labelings on {run.supports} random supports (half with "
                       f"ties), {cases} (support, lam) cases, l-inf, eps = 0.5: every minimizer of (4) agrees with "
                       f"g off the ties: {ok_corr}.")


def _objective6_literal(f, atoms, p_pos, p_neg, eps, lam, grid: int = 2001):
    """Objective (6) of a classifier f on the line (sign(0) = -1), literally: each ball scanned on a grid."""
    total = 0.0
    for a, pp, pn in zip(atoms, p_pos, p_neg, strict=True):
        lab = f(np.array([a]))[0]
        ball = lab * np.ones(1) if eps == 0 else f(np.concatenate([[a], a + np.linspace(-eps, eps, grid)]))
        for y, mass in ((1.0, pp), (-1.0, pn)):
            wrong = lab != y
            robust_wrong = bool(np.any(ball != y))
            total += mass * (float(wrong) + lam * (float(robust_wrong) - float(wrong)))
    return total


def _margin_support(rng, n, ties: bool):
    """Random support in the plane with the margin radius: eps below half the distance between opposite labels."""
    pts, pp, pn = _random_support(rng, n, ties)
    g = RG.bayes_labels(pp, pn)
    dist = np.abs(pts[:, None, :] - pts[None, :, :]).max(-1)
    opp = dist[g[:, None] != g[None, :]]
    half = 0.5 * opp.min() if opp.size else 1.0
    return pts, pp, pn, g, half


@claim("suggala2019.thm6", domain="R^d", source="suggala2019 Theorem 6 (first part), appendix F", expected=FAILS,
       statement="If g is Bayes optimal and satisfies the margin condition (5), then for every lam >= 0 every "
                 "minimizer of objective (4) is also a minimizer of objective (6) and is Bayes optimal.",
       corrected="Under the margin condition, (4) and (6) have the same minimum R* (the Bayes risk), g minimizes "
                 "both, and every minimizer of (6) is Bayes optimal; every minimizer of (4) also minimizes (6) "
                 "when P(y=1|x) != 1/2 almost everywhere (or lam = 0), but not in general: at a tie a minimizer "
                 "of (4) may take the label -g(x), which (6) penalizes.",
       settings={"supports": (6, 24)})
def thm6(run: Run) -> CheckResult:
    # counterexample: the tie support of thm5.agree, eps = 0.3 < 1/2 (margin condition holds with
    # g(z) = -1 for z < 1/2, +1 beyond), lam = 1: f^ = (+1, +1) on the support and g elsewhere.
    t = _TIE
    g = RG.bayes_labels(t["p_pos"], t["p_neg"])
    fhat = np.array([1.0, 1.0])
    labs = RG.all_labelings(2)
    ob4 = RG.joint_objective_01(labs, t["points"], t["p_pos"], t["p_neg"], g, 0.3, 1.0)
    ob6 = RG.robust_objective_01(labs, t["points"], t["p_pos"], t["p_neg"], 0.3, 1.0)
    # (6) of the specific extension f^ = +1 on the support, g elsewhere, evaluated literally on a grid of each ball.
    def f_hat(z):
        return np.where(np.isin(z, [0.0, 1.0]), 1.0, np.where(z < 0.5, -1.0, 1.0))

    ob6_fhat = _objective6_literal(f_hat, t["points"][:, 0], t["p_pos"], t["p_neg"], 0.3, 1.0)
    is_min4 = bool(ob4[(labs == fhat).all(1)][0] <= ob4.min() + 1e-12)
    not_min6 = bool(ob6_fhat > ob6.min() + 1e-12)
    counter = is_min4 and not_min6
    return CheckResult(FAILS if counter else HOLDS, float(ob6_fhat), float(ob6.min()), None,
                       f"Counterexample (support {{0, 1}}, P(0,+) = P(0,-) = 1/4, P(1,+) = 1/2, l-inf, eps = 0.3, "
                       f"lam = 1, g = -1 left of 1/2): f^ = +1 on the support and g elsewhere minimizes (4) "
                       f"(value {ob4.min():.3f}), but its (6) value is {ob6_fhat:.3f} > min (6) = {ob6.min():.3f}.")


@corrected_check("suggala2019.thm6")
def thm6_corrected(run: Run) -> CheckResult:
    # random supports satisfying the margin condition, a third of them with ties.
    rng = run.rng(7)
    ok_corr, cases = True, 0
    for k in range(run.supports):
        ties = k % 3 == 2
        pts, pp, pn, gg, half = _margin_support(rng, 7, ties)
        r_star = np.minimum(pp, pn).sum()
        L = RG.all_labelings(7)
        risk = np.where(L > 0, pn, pp).sum(axis=1)
        for eps in (0.3 * half, 0.9 * half):
            for lam in (0.0, 0.5, 1.0, 3.0):
                o4 = RG.joint_objective_01(L, pts, pp, pn, gg, eps, lam, norm=np.inf)
                o6 = RG.robust_objective_01(L, pts, pp, pn, eps, lam, norm=np.inf)
                cases += 1
                ok_corr &= bool(abs(o4.min() - r_star) < 1e-12 and abs(o6.min() - r_star) < 1e-12)
                ok_corr &= bool(np.all(risk[_minimizers(o6)] <= r_star + 1e-12))
                if not ties or lam == 0:
                    ok_corr &= bool(np.all(o6[_minimizers(o4)] <= o6.min() + 1e-12))
    return CheckResult(HOLDS if ok_corr else FAILS, None, None, None,
                       f"Corrected statement checked on {cases} random (support, eps, lam) cases with the margin "
                       f"condition (7 points, exhaustive over labelings and safe sets, l-inf): min (4) = min (6) = "
                       f"R*, minimizers of (6) Bayes optimal, minimizers of (4) minimize (6) without ties or at "
                       f"lam = 0: {ok_corr}.")


_SQUARES_FINITE = dict(points=np.array([[0.2], [0.7], [1.2], [-0.2], [-0.7], [-1.2]]),
                       p_pos=np.array([0.25, 0.25, 0.25, 0, 0, 0]), p_neg=np.array([0, 0, 0, 1, 1, 1]) / 12)


def _threshold_optimum(eps, lam):
    """Best bias b of f(x) = x1 + b (threshold x1 = -b) for objective (6), squares example, by a fine grid."""
    b = np.linspace(-2.6, 2.6, 52001)
    r, gr = RG.uniform_squares_risks(np.array([1.0, 0.0]), b, eps)
    obj = (1 - lam) * r + lam * gr
    i = int(np.argmin(obj))
    return b[i], r[i], obj[i]


@claim("suggala2019.thm6.margin", source="suggala2019 Theorem 6 (second part) and section 6 (uniform squares)",
       domain="R^d",
       statement="Without the margin condition, there are distributions where a minimizer of objective (6) is "
                 "not Bayes optimal: in the uniform-squares example (P(y=1) = 3/4, separation 0.4, l-inf) for "
                 "eps > 0.4.",
       samples=(300_000, 2_000_000), settings={"angles": (181, 721), "offsets": (1201, 4801)})
def thm6_margin(run: Run) -> CheckResult:
    results = []
    # (a) all measurable functions, a finite version of the example (atoms 0.2 apart from the gap).
    t = _SQUARES_FINITE
    L = RG.all_labelings(6)
    g = RG.bayes_labels(t["p_pos"], t["p_neg"])
    risk = np.where(L > 0, t["p_neg"], t["p_pos"]).sum(axis=1)
    finite = {}
    for eps in (0.15, 0.5):
        o6 = RG.robust_objective_01(L, t["points"], t["p_pos"], t["p_neg"], eps, 1.0)
        finite[eps] = (float(o6.min()), float(risk[_minimizers(o6)].min()),
                       float(RG.robust_objective_01(g, t["points"], t["p_pos"], t["p_neg"], eps, 1.0)))
    ok_a = finite[0.15][1] == 0 and finite[0.5][1] > 0
    results.append(CheckResult(HOLDS if ok_a else FAILS, detail="finite version"))
    # (b) linear classifiers on the continuous example: grid over angles, fine grid over offsets.
    lin = {}
    ang = np.linspace(-np.pi / 2, np.pi / 2, run.angles)
    offs = np.linspace(-3, 3, run.offsets)
    for eps in (0.3, 0.6):
        W = np.stack([np.cos(ang), np.sin(ang)], -1)[:, None, :]
        r, gr = RG.uniform_squares_risks(W, offs[None, :], eps)
        i, j = np.unravel_index(np.argmin(gr), gr.shape)
        lin[eps] = (float(gr[i, j]), float(r[i, j]), float(ang[i]), float(offs[j]))
    # hand-derived (docs): for eps in [0.4, 2.2] the best threshold x1 = 0.2 - eps gives G = (2 eps - 0.4) / 8
    # and classification risk (eps - 0.4) / 8.
    eps = 0.6
    b_star, r_thr, g_thr = _threshold_optimum(eps, 1.0)
    ok_b = (abs(-b_star - (0.2 - eps)) < 1e-3 and abs(r_thr - (eps - 0.4) / 8) < 1e-4
            and lin[0.6][1] > 0.02 and lin[0.3][1] < 1e-12 and lin[0.6][0] <= g_thr + 1e-9)
    results.append(CheckResult(HOLDS if ok_b else FAILS, detail="continuous example"))
    # (c) Monte Carlo of the risks of the optimal threshold at eps = 0.6 (one sample: the same stream),
    # G with the worst-case l-inf shift of the linear classifier sign(x1 + b)
    squares, w_thr = UniformSquares(p_pos=0.75, center=1.2, side=2.0), np.array([1.0, 0.0])
    est_r = estimate_error(squares, lambda x: predict(x @ w_thr + b_star), run.n, run.rng(8))
    est_g = estimate_error(squares, lambda x: predict(x @ w_thr + b_star), run.n, run.rng(8),
                           attack=LinearWorstCase(w_thr), threat=ThreatModel.linf(eps))
    results += [from_estimate(r_thr, est_r, "Monte Carlo R of the threshold"),
                from_estimate(g_thr, est_g, "Monte Carlo G of the threshold")]
    res = combine(results, lin[0.6][1], est_r.value, (est_r.low, est_r.high))
    return CheckResult(res.verdict, res.value, res.check, res.interval,
                       f"All measurable f on the 6-atom version (atoms +-0.2, +-0.7, +-1.2; masses 1/4 and 1/12; "
                       f"lam = 1): min (6) = {finite[0.15][0]:.4f} with Bayes-optimal minimizers at eps = 0.15, "
                       f"but at eps = 0.5 min (6) = {finite[0.5][0]:.4f} < {finite[0.5][2]:.4f} (Bayes labeling) "
                       f"and every minimizer has 0-1 risk >= {finite[0.5][1]:.4f}. Continuous squares, best linear "
                       f"classifier for (6), lam = 1 (grid of angles x offsets, exact risks): eps = 0.3: R = "
                       f"{lin[0.3][1]:.4f}; eps = 0.6: R = {lin[0.6][1]:.4f}, objective {lin[0.6][0]:.4f} (best "
                       f"vertical threshold x1 = {-b_star:.4f} = 0.2 - eps, R = (eps - 0.4)/8 = {r_thr:.4f}; Monte "
                       f"Carlo R {est_r}, G {est_g}). {res.detail}")
