"""Time theory.hardness.optimal_robust_error: the shaeiri2020 atlas check, and 200 random atoms in R^20.

Prints wall-clock seconds (never asserted):

1. the atlas check: every graph of networkx's atlas with 3-7 vertices (1249 graphs), the
   printed and the corrected reductions, p = 1, 2, inf;
2. random finite distributions: n = 200 standard-normal points in R^20, uniform random
   labels (2, 3, 10 classes, or a distinct label per point), random weights; eps set so that
   the given fraction of all pairs are within 2 eps (the conflict density before labels);
   the solve time of each, with the number of conflict edges and the largest conflict
   component.

3. the multi-class solvers side by side on the 10-class instances of 2: ``method="auto"``
   (branch and bound on components of at most ``BNB_MAX`` atoms, the clique MILP on larger
   ones), ``method="milp"`` (the clique MILP, HiGHS, on every component) and, at low densities,
   ``method="branch_and_bound"``; and the dai2023 LP bounds (:func:`multiclass_robust_error_bounds`
   with pairs only); ratios printed in the same run.

    python benchmarks/hardness_exact_solver.py [--n 200] [--d 20] [--seed 0] [--quick] [--compare-only]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy is imported: one BLAS/HiGHS thread

import argparse
import platform
import time

import networkx as nx
import numpy as np

from theory import hardness as H


def atlas_check() -> None:
    graphs = [g for g in nx.graph_atlas_g() if 3 <= g.number_of_nodes() <= 7]
    for p in (1.0, 2.0, np.inf):
        t0 = time.perf_counter()
        mism = 0
        for g in graphs:
            k = g.number_of_nodes()
            a, a3 = H.independence_number(g), H.distance3_independence_number(g)
            e = H.optimal_robust_error(*H.shaeiri_reduction(g, 0.5, norm=p), 0.5, norm=p)
            mism += abs(e - (1 - a3 / k)) > 1e-12
            for dist, alpha in ((2, a), (3, a3)):
                ec = H.optimal_robust_error(*H.corrected_reduction(g, 0.5, norm=p, distance=dist), 0.5, norm=p)
                assert abs(ec - (1 - alpha / k)) < 1e-12
        dt = time.perf_counter() - t0
        print(f"atlas 3-7 vertices ({len(graphs)} graphs), p={p:g}: printed reduction off on {mism} graphs; "
              f"corrected reductions exact on all; {dt:.2f} s for 3 x {len(graphs)} solves + alpha, alpha_3")


def random_instances(n: int, d: int, seed: int, quick: bool) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    w = rng.random(n)
    fractions = (0.05, 0.2, 0.5) if quick else (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.8)
    print(f"\nn = {n} atoms in R^{d}, random weights; columns: classes, p, pair fraction within 2 eps, "
          f"conflict edges, largest component, seconds")
    for p in (2.0, 1.0, np.inf):
        D = np.linalg.norm(x[:, None] - x[None], ord=p, axis=-1)[np.triu_indices(n, 1)]
        for classes in (2, 3, 10, n):
            y = np.arange(n) if classes == n else rng.integers(0, classes, n)
            worst = 0.0
            for f in fractions:
                eps = 0.5 * float(np.quantile(D, f))
                t0 = time.perf_counter()
                err = H.optimal_robust_error(x, y, w, eps, norm=p)
                dt = time.perf_counter() - t0
                g = H.conflict_graph(x, y, eps, norm=p)
                big = max(len(c) for c in nx.connected_components(g))
                worst = max(worst, dt)
                print(f"  {classes:>4} {p:>4g} {f:>5.2f} {g.number_of_edges():>6} {big:>4}  {dt:7.3f} s"
                      f"  (error {err:.4f})")
            print(f"  -> classes={classes}, p={p:g}: slowest {worst:.2f} s")


def solver_comparison(n: int, d: int, seed: int, quick: bool) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    w = rng.random(n)
    fractions = (0.05, 0.2, 0.5) if quick else (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.8)
    print(f"\nmulti-class solvers, n = {n} atoms in R^{d}, 10 classes; seconds of auto | milp | branch and bound "
          f"(fractions <= 0.1 only) | pair LP bound; ratio milp / auto")
    total = {"auto": 0.0, "milp": 0.0}
    for p in (2.0, 1.0, np.inf):
        D = np.linalg.norm(x[:, None] - x[None], ord=p, axis=-1)[np.triu_indices(n, 1)]
        y = rng.integers(0, 10, n)
        for f in fractions:
            eps = 0.5 * float(np.quantile(D, f))
            t, err = {}, {}
            for m in ("auto", "milp") + (("branch_and_bound",) if f <= 0.1 else ()):
                t0 = time.perf_counter()
                err[m] = H.optimal_robust_error(x, y, w, eps, norm=p, method=m)
                t[m] = time.perf_counter() - t0
            t0 = time.perf_counter()
            lp = H.multiclass_robust_error_bounds(x, y, w, eps, norm=p, max_degree=2, exact=False).lower
            t_lp = time.perf_counter() - t0
            total["auto"] += t["auto"]
            total["milp"] += t["milp"]
            assert abs(err["auto"] - err["milp"]) < 1e-6
            assert abs(err.get("branch_and_bound", err["auto"]) - err["auto"]) < 1e-6
            bnb = f"{t['branch_and_bound']:7.3f}" if "branch_and_bound" in t else "      -"
            print(f"  p={p:>4g} f={f:4.2f}  {t['auto']:7.3f} | {t['milp']:7.3f} | {bnb} | {t_lp:6.3f}  "
                  f"ratio {t['milp'] / t['auto']:5.2f}  (error {err['auto']:.4f}, pair-LP lower bound {lp:.4f})")
    print(f"  -> total seconds auto {total['auto']:.2f}, milp {total['milp']:.2f}, ratio milp / auto "
          f"{total['milp'] / total['auto']:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--d", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quick", action="store_true", help="three densities instead of eight")
    ap.add_argument("--compare-only", action="store_true", help="only the multi-class solver comparison")
    args = ap.parse_args()
    print(f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} cores, {platform.system()}; "
          f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}")
    if not args.compare_only:
        atlas_check()
        random_instances(args.n, args.d, args.seed, args.quick)
    solver_comparison(args.n, args.d, args.seed, args.quick)


if __name__ == "__main__":
    main()
