"""Claims on the exact optimal robust error of two-class samples (theory.sample_floor), beyond the five papers.

Sources: Bhagoji, Cullina and Mittal, NeurIPS 2019, arXiv:1909.12272, section 3; Pydi and Jog,
ICML 2020, arXiv:1912.02794. Independent checks: a brute force over all subsets of atoms with its
own distances (no networkx, no theory.norms), and the one-radius exact solver of theory.hardness
(broadcast distances and a networkx minimum cut at each radius).
"""

from __future__ import annotations

import numpy as np

from theory import hardness as H
from theory.claims import FAILS, HOLDS, CheckResult, Run, claim
from theory.sample_floor import robust_floor_curve

_SRC = ("Bhagoji, Cullina, Mittal, NeurIPS 2019, arXiv:1909.12272, section 3; Pydi, Jog, ICML 2020, "
        "arXiv:1912.02794; Koenig's theorem")
_NORMS = (1.0, 2.0, np.inf)


def _own_distance(a: np.ndarray, b: np.ndarray, p: float) -> float:
    diff = [abs(float(u) - float(v)) for u, v in zip(a, b, strict=True)]
    if p == 1:
        return sum(diff)
    if np.isinf(p):
        return max(diff)
    return sum(t * t for t in diff) ** 0.5


def _brute_error(x, y, w, eps: float, p: float, rtol: float = 1e-12) -> float:
    """1 - max over subsets without a cross-label pair within 2 eps (1 + rtol) of their weight / total weight."""
    n = len(x)
    bad = [0] * n  # bitmask of the atoms each atom conflicts with
    for i in range(n):
        for j in range(n):
            if y[i] != y[j] and _own_distance(x[i], x[j], p) <= 2.0 * eps * (1.0 + rtol):
                bad[i] |= 1 << j
    best = 0.0
    for mask in range(1 << n):
        ok = all(not (bad[i] & mask) for i in range(n) if mask >> i & 1)
        if ok:
            best = max(best, sum(w[i] for i in range(n) if mask >> i & 1))
    return 1.0 - best / sum(w)


def _instance(rng, n: int, d: int, grid: bool):
    x = rng.integers(-2, 3, size=(n, d)).astype(float) if grid else rng.normal(size=(n, d))
    return x, rng.integers(0, 2, size=n)


@claim("beyond.sample-floor.koenig", source=_SRC,
       statement="For two labels the optimal robust 0-1 error over all classifiers of a finite distribution is the "
                 "minimum weight of a vertex cover of the bipartite conflict graph (atoms of different labels whose "
                 "closed eps-balls meet): a maximum matching over n for uniform weights (Koenig), a maximum flow "
                 "(minimum cut) for general weights; robust_floor_curve computes it for many radii at once.",
       settings={"instances": (24, 200)})
def koenig(run: Run) -> CheckResult:
    rng = run.rng(1)
    worst, total_f, total_b = 0.0, 0.0, 0.0
    for t in range(run.instances):
        n = int(rng.integers(2, 11))
        x, y = _instance(rng, n, 2, grid=t % 2 == 0)  # integer grid: duplicates and ties at exactly 2 eps
        w = np.ones(n) if t % 3 == 0 else rng.random(n) if t % 3 == 1 else rng.integers(1, 4, size=n).astype(float)
        p = _NORMS[t % 3 if t % 2 else (t // 2) % 3]
        eps = [0.0, 0.5, 1.0, 1.5, float(rng.random() * 2)]
        got = robust_floor_curve(x, y, eps, norm=p, weights=w).errors
        ref = [_brute_error(x, y, w.tolist(), e, p) for e in eps]
        worst = max(worst, float(np.max(np.abs(got - ref))))
        total_f += float(got.sum())
        total_b += float(sum(ref))
    ok = worst <= 1e-12
    return CheckResult(HOLDS if ok else FAILS, total_f, total_b, (total_b - 1e-9, total_b + 1e-9),
                       f"{run.instances} random samples of 2-10 atoms (integer grid or Gaussian, uniform, random or "
                       f"integer weights, l1 / l2 / l-inf), 5 radii each: the multi-radius flow against a brute force "
                       f"over all subsets with its own distances; largest difference {worst:.1e} (sums of the "
                       f"errors shown).")


@claim("beyond.sample-floor.per-radius", source=_SRC + "; theory.hardness.optimal_robust_error",
       statement="One pass over the cross-class distances with warm-started flows gives, at every radius of an "
                 "unsorted list with repeats, the same optimal robust error and the same conflict pairs as the "
                 "one-radius exact solver (conflict graph with closed balls and rtol = 1e-12, networkx minimum "
                 "cut), for l1, l2 and l-inf.",
       settings={"instances": (9, 60)})
def per_radius(run: Run) -> CheckResult:
    rng = run.rng(2)
    worst, edge_mismatch, checked = 0.0, 0, 0
    for t in range(run.instances):
        p = _NORMS[t % 3]
        x, y = _instance(rng, int(rng.integers(20, 50)), int(rng.integers(1, 5)), grid=t % 2 == 0)
        w = None if t % 4 else rng.random(len(x))
        eps = rng.permutation([0.0, 0.25, 0.5, 1.0, 0.5, float(rng.random() * 2)])
        c = robust_floor_curve(x, y, eps, norm=p, weights=w)
        for k, e in enumerate(eps):
            worst = max(worst, abs(float(c.errors[k]) - H.optimal_robust_error(x, y, w, e, norm=p)))
            edge_mismatch += int(c.pairs[k] != H.conflict_graph(x, y, e, norm=p).number_of_edges())
            checked += 1
    ok = worst <= 1e-12 and edge_mismatch == 0
    return CheckResult(HOLDS if ok else FAILS, worst, 0.0, (0.0, 1e-12),
                       f"{run.instances} samples of 20-49 atoms in R^1..R^4 (grid and Gaussian), {checked} radii: "
                       f"largest |difference| of the error {worst:.1e}, conflict-pair counts differing at "
                       f"{edge_mismatch} radii.")


@claim("beyond.sample-floor.monotone", source=_SRC,
       statement="The optimal robust error of a finite two-class distribution is non-decreasing in eps, is 0 at "
                 "eps = 0 when no point carries both labels, and never exceeds the weight of the lighter class.",
       settings={"atoms": (300, 3000)})
def monotone(run: Run) -> CheckResult:
    rng = run.rng(3)
    # brute force on a fine grid of radii (independent), then the flow on a larger sample
    x, y = _instance(rng, 9, 2, grid=False)
    grid = np.linspace(0, 2.5, 26)
    brute = np.array([_brute_error(x, y, [1.0] * 9, e, 2.0) for e in grid])
    n = run.atoms
    X = np.concatenate([rng.normal(size=(n // 2, 10)), rng.normal(size=(n - n // 2, 10)) + 1.0])
    Y = np.repeat([0, 1], [n // 2, n - n // 2])
    eps = rng.permutation(np.linspace(0, 3, 40))
    c = robust_floor_curve(X, Y, eps, norm=2)
    order = np.argsort(eps)
    errs = c.errors[order]
    ok = (bool(np.all(np.diff(brute) >= 0)) and brute[0] == 0 and bool(np.all(np.diff(errs) >= 0))
          and errs[0] == 0 and bool(errs[-1] <= (n // 2) / n) and bool(np.all(np.diff(c.pairs[order]) >= 0)))
    return CheckResult(HOLDS if ok else FAILS, float(errs[-1]), float((n // 2) / n), (0.0, float((n // 2) / n)),
                       f"brute force, 9 Gaussian atoms, 26 radii in [0, 2.5]: {np.round(brute, 3).tolist()}; "
                       f"flow, {n} atoms in R^10 (means 1 apart per coordinate), 40 radii given shuffled: "
                       f"errors from {errs[0]:.3f} to {errs[-1]:.4f}, non-decreasing, <= lighter class "
                       f"{(n // 2) / n:.3f}.")
