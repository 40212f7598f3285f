"""Claims: the multi-class optimal robust 0-1 error (dai2023's hypergraph LP) and the exact MILP solver.

Independent checks: a linear program over the classifier itself (its values on a grid that meets
every cell of the arrangement of l-inf boxes), brute force over deterministic classifiers
(:mod:`theory.reference`), closed-form circumradii of triangles, and the branch and bound solver
against the MILP.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy import optimize, sparse

from theory import hardness as H
from theory import reference as R
from theory.claims import FAILS, HOLDS, CheckResult, Run, claim

SOURCE = ("dai2023 (Dai, Ding, Mittal, NeurIPS 2023, arXiv:2302.10722), the conflict hypergraph and its LP "
          "(sections 3-4)")


def classifier_lp_linf(x, y, w, eps):
    """Optimal robust error of soft classifiers against l-inf balls, as an LP over the classifier's values.

    Variables: q_i (robust accuracy of atom i) and h(z) in the simplex at every point z of the grid
    whose coordinates are the box faces ``x_ik +- eps``; constraints ``q_i <= h(z)_{y_i}`` for every
    grid point z of atom i's box. Every nonempty intersection of boxes is a box with corners on that
    grid, so the grid meets every cell of the arrangement and the LP is the optimum over all soft
    classifiers. No hypergraph is formed.
    """
    x = np.asarray(x, float)
    n, d = x.shape
    classes = sorted(set(np.asarray(y).tolist()))
    K = len(classes)
    ci = {c: k for k, c in enumerate(classes)}
    axes = [np.unique(np.concatenate([x[:, k] - eps, x[:, k] + eps])) for k in range(d)]
    Z = np.array(list(itertools.product(*axes)))
    inside = np.all(np.abs(Z[:, None, :] - x[None, :, :]) <= eps * (1 + 1e-12) + 1e-15, axis=2)  # (m, n)
    Z = Z[inside.any(axis=1)]
    inside = inside[inside.any(axis=1)]
    m = len(Z)
    nv = n + m * K  # q, then h(z, k)
    rows, cols, vals = [], [], []
    r = 0
    for zi, i in zip(*np.nonzero(inside), strict=True):  # q_i - h(z, y_i) <= 0
        rows += [r, r]
        cols += [int(i), n + int(zi) * K + ci[y[i]]]
        vals += [1.0, -1.0]
        r += 1
    A_ub = sparse.csr_matrix((vals, (rows, cols)), shape=(r, nv))
    A_eq = sparse.csr_matrix((np.ones(m * K), (np.repeat(np.arange(m), K), n + np.arange(m * K))), shape=(m, nv))
    c = np.zeros(nv)
    c[:n] = -np.asarray(w, float) / np.sum(w)
    res = optimize.linprog(c, A_ub=A_ub, b_ub=np.zeros(r), A_eq=A_eq, b_eq=np.ones(m), bounds=(0, 1), method="highs")
    return 1.0 + float(res.fun)


def _instance(rng, n, K, d=2, scale=1.0):
    x = rng.integers(0, 6, size=(n, d)).astype(float) * 0.25 * scale  # a lattice: many exact ties
    y = rng.integers(0, K, size=n)
    w = rng.integers(1, 5, size=n).astype(float)
    return x, y, w


@claim("beyond.multiclass-floor.soft-lp", source=SOURCE,
       statement="The optimal robust 0-1 error over soft (randomized) classifiers of a finite distribution is "
                 "1 - max sum w_i q_i over q in [0,1]^n with sum_{i in e} q_i <= 1 for every hyperedge e of the "
                 "conflict hypergraph (sets of atoms with distinct labels whose balls share a point).",
       settings={"instances": (25, 150)})
def soft_lp(run: Run) -> CheckResult:
    rng = run.rng(1)
    worst, gaps = 0.0, 0
    for _ in range(run.instances):
        n, K = int(rng.integers(3, 8)), int(rng.integers(3, 5))
        x, y, w = _instance(rng, n, K)
        eps = float(rng.choice([0.1, 0.125, 0.2, 0.25, 0.3, 0.4]))
        b = H.multiclass_robust_error_bounds(x, y, w, eps, norm=np.inf)
        ref = classifier_lp_linf(x, y, w, eps)
        worst = max(worst, abs(b.randomized - ref))
        gaps += b.truncated[2] < b.randomized - 1e-9
    # the unit equilateral triangle, l2: pairs meet, the triple does not at eps = 0.56 (soft 1/2 < deterministic 2/3)
    tri = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])
    b = H.multiclass_robust_error_bounds(tri, [0, 1, 2], None, 0.56, norm=2)
    worst = max(worst, abs(b.randomized - 0.5), abs(b.deterministic - 2 / 3))
    ok = worst <= 1e-8
    return CheckResult(HOLDS if ok else FAILS, worst, 0.0, None,
                       f"{run.instances} random lattice instances (n 3-7, K 3-4, d = 2, l-inf): hypergraph LP against "
                       f"an LP over the classifier's values on the arrangement grid; largest difference {worst:.1e} "
                       f"(triples/cliques moved the pair bound on {gaps}); triangle: soft 1/2, deterministic 2/3.")


@claim("beyond.multiclass-floor.chain", source=SOURCE + "; the deterministic value by brute force",
       statement="truncated[2] <= truncated[3] <= randomized <= deterministic, and the deterministic value is the "
                 "optimum over all deterministic classifiers (n <= 9, K = 3, l2, l1 and l-inf).",
       settings={"instances": (20, 120)})
def chain(run: Run) -> CheckResult:
    rng = run.rng(2)
    worst_order, worst_det, strict = -np.inf, 0.0, 0
    for t in range(run.instances):
        p = (2, 1, np.inf)[t % 3]
        n = int(rng.integers(3, 10))
        x, y, w = _instance(rng, n, 3, d=3)
        eps = float(rng.choice([0.15, 0.2, 0.3, 0.4]))
        b = H.multiclass_robust_error_bounds(x, y, w, eps, norm=p)
        seq = [b.truncated[2], b.truncated.get(3, b.truncated[2]), b.randomized, b.deterministic]
        worst_order = max(worst_order, max(a - c for a, c in itertools.pairwise(seq)))
        strict += seq[-1] - seq[-2] > 1e-9
        worst_det = max(worst_det, abs(b.deterministic - R.brute_force_robust_error(x, y, w, eps, norm=p)))
    ok = worst_order <= 1e-9 and worst_det <= 1e-12
    return CheckResult(HOLDS if ok else FAILS, worst_order, 0.0, None,
                       f"{run.instances} instances: largest violation of the chain {worst_order:.1e}; deterministic "
                       f"vs subset brute force {worst_det:.1e}; randomized strictly below deterministic on {strict}.")


@claim("beyond.multiclass-floor.two-class", source=SOURCE + " (bipartite case)",
       statement="With two classes the pair LP is integral: truncated[2] = randomized = deterministic = the minimum "
                 "cut value, so randomization does not help.",
       settings={"instances": (20, 100)})
def two_class(run: Run) -> CheckResult:
    rng = run.rng(3)
    worst = 0.0
    for _ in range(run.instances):
        n = int(rng.integers(4, 30))
        x = rng.normal(size=(n, 3))
        y = rng.integers(0, 2, n)
        w = rng.random(n)
        eps = float(rng.uniform(0.1, 1.0))
        b = H.multiclass_robust_error_bounds(x, y, w, eps, norm=2)
        cut = H.optimal_robust_error(x, y, w, eps, norm=2, method="mincut")
        worst = max(worst, abs(b.truncated[2] - cut), abs(b.randomized - cut))
    ok = worst <= 1e-8
    return CheckResult(HOLDS if ok else FAILS, worst, 0.0, None,
                       f"{run.instances} random two-class instances in R^3 (l2): LP against minimum cut, largest "
                       f"difference {worst:.1e}.")


def _triangle_radius(P):
    a, b, c = (np.linalg.norm(P[1] - P[2]), np.linalg.norm(P[0] - P[2]), np.linalg.norm(P[0] - P[1]))
    s = sorted([a, b, c])
    if s[2] ** 2 >= s[0] ** 2 + s[1] ** 2:  # right or obtuse: the longest side is a diameter
        return s[2] / 2
    area2 = np.linalg.norm(np.cross(P[1] - P[0], P[2] - P[0]))  # twice the area
    return a * b * c / (2 * area2)


@claim("beyond.multiclass-floor.triples", source=SOURCE + "; hyperedges of size 3",
       statement="Three closed l2 balls of radius eps meet iff the minimum enclosing ball of their centres has "
                 "radius <= eps (circumradius for an acute triangle, half the longest side otherwise); three l-inf "
                 "balls meet iff max - min <= 2 eps in every coordinate.",
       samples=(300, 3000))
def triples(run: Run) -> CheckResult:
    from theory._multiclass import chebyshev_radius

    rng = run.rng(4)
    worst = 0.0
    for _ in range(run.n):
        P = rng.normal(size=(3, 3))
        worst = max(worst, abs(chebyshev_radius(P, 2.0) - _triangle_radius(P)))
    # l-inf: the box criterion against the Chebyshev-radius LP in l1 after the 2-D rotation u = a + b, v = a - b
    worst_inf = 0.0
    for _ in range(run.n // 10):
        P = rng.normal(size=(3, 2))
        Q = np.stack([P[:, 0] + P[:, 1], P[:, 0] - P[:, 1]], axis=1) / 2  # ||.||_inf of Q = ||.||_1 of P / 2
        worst_inf = max(worst_inf, abs(chebyshev_radius(Q, np.inf) - chebyshev_radius(P, 1.0) / 2))
    ok = worst <= 1e-9 and worst_inf <= 1e-9
    return CheckResult(HOLDS if ok else FAILS, max(worst, worst_inf), 0.0, None,
                       f"{run.n} random triangles in R^3: enclosing-ball radius against the closed form, largest "
                       f"difference {worst:.1e}; l-inf box criterion against the l1 LP on rotated 2-D triples "
                       f"{worst_inf:.1e}.")


@claim("beyond.multiclass-floor.milp", source="this package: the maximum weight independent set MILP (HiGHS) with "
       "clique constraints, exact solver of the deterministic multi-class problem",
       statement="The MILP (method='milp') and the branch and bound (method='branch_and_bound') give the same optimal "
                 "robust error on random multi-class instances.",
       settings={"instances": (15, 80)})
def milp(run: Run) -> CheckResult:
    rng = run.rng(5)
    worst = 0.0
    for t in range(run.instances):
        n = int(rng.integers(5, 30))
        x = rng.normal(size=(n, 4))
        y = rng.integers(0, int(rng.integers(3, 8)), n)
        w = rng.random(n)
        eps = float(rng.uniform(0.2, 1.0))
        p = (2, 1, np.inf)[t % 3]
        a = H.optimal_robust_error(x, y, w, eps, norm=p, method="milp")
        b = H.optimal_robust_error(x, y, w, eps, norm=p, method="branch_and_bound")
        worst = max(worst, abs(a - b))
    ok = worst <= 1e-6
    return CheckResult(HOLDS if ok else FAILS, worst, 0.0, None,
                       f"{run.instances} random instances (n 5-29, 3-7 classes, R^4, l2/l1/l-inf): MILP against branch "
                       f"and bound, largest difference {worst:.1e}.")
